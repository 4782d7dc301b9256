from communities import scoping
from corridor_portal.dashboard import may_use_dashboard


def navigation(request):
    """Which role-specific links the navigation shows (memberships are read once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    roles = scoping.roles_of(user)
    return {
        "nav": {
            "can_check": scoping.SECRETARY in roles,
            "can_review": scoping.OFFICIAL in roles,
            "can_dashboard": may_use_dashboard(user),
            "can_audit": scoping.may_read_audit(user),
        }
    }
