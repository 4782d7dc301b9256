"""Cross-app pages: the role-aware home page and the health check."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from buildings.models import Building, DutyShift, Household, Resident, Unit
from communities import scoping
from communities.models import Community, Membership, Section
from exhibits.models import Corridor


@login_required
def home(request):
    """Send each role to the page made for it.

    A secretary or cadre lands on their community, a building head on their
    building (or the list of them), officials and superusers on the communities.
    """
    user = request.user
    roles = scoping.roles_of(user)
    if user.is_superuser or scoping.OFFICIAL in roles:
        return redirect("portal:community_list")
    communities = Community.objects.visible_to(user)
    if roles & {scoping.SECRETARY, scoping.CADRE}:
        ids = list(communities.values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            return redirect("portal:community_detail", pk=ids[0])
        return redirect("portal:community_list")
    if scoping.HEAD in roles:
        ids = list(Building.objects.visible_to(user).values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            return redirect("buildings:building_detail", pk=ids[0])
        return redirect("buildings:building_list")
    return render(request, "home_no_role.html")


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def with_counts(communities, user):
    """Annotate each community with its buildings, units, households, residents and
    Party members, as correlated subqueries over the rows ``user`` may see (one query)."""
    sources = {
        "building_count": (Building.objects.visible_to(user), "community"),
        "unit_count": (Unit.objects.visible_to(user), "building__community"),
        "household_count": (Household.objects.visible_to(user), "unit__building__community"),
        "resident_count": (
            Resident.objects.visible_to(user),
            "household__unit__building__community",
        ),
        "party_member_count": (
            Resident.objects.visible_to(user).filter(is_party_member=True),
            "household__unit__building__community",
        ),
        "corridor_count": (Corridor.objects.visible_to(user), "unit__building__community"),
        "certified_count": (
            Corridor.objects.visible_to(user).filter(status=Corridor.Status.CERTIFIED),
            "unit__building__community",
        ),
    }
    annotations = {}
    for key, (rows, path) in sources.items():
        counted = (
            rows.filter(**{path: OuterRef("pk")})
            .order_by()
            .values(path)
            .annotate(n=Count("pk"))
            .values("n")
        )
        annotations[key] = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return communities.annotate(**annotations)


class CommunityListView(LoginRequiredMixin, ListView):
    """All communities the user may see, with the size of each."""

    template_name = "communities/community_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        user = self.request.user
        communities = Community.objects.visible_to(user).select_related("district")
        return with_counts(communities, user).order_by("district__name", "name", "pk")


DUTY_COMPLETION_DAYS = 30


def duty_completion_by_building(user, community) -> list[dict]:
    """Per building of ``community``: the duty turns that ended in the last 30 days, done,
    missed and overdue, and the completion rate; one grouped query over the turns ``user``
    may see. Buildings with no ended turn are left out; the weakest come first."""
    today = timezone.localdate()
    building = "roster__unit__building"
    rows = (
        DutyShift.objects.visible_to(user)
        .filter(
            roster__unit__building__community=community,
            ends_on__gte=today - timedelta(days=DUTY_COMPLETION_DAYS),
            ends_on__lt=today,
        )
        .values(building, f"{building}__compound", f"{building}__number")
        .annotate(
            due=Count("pk"),
            done=Count("pk", filter=Q(status=DutyShift.Status.DONE)),
            missed=Count("pk", filter=Q(status=DutyShift.Status.MISSED)),
            overdue=Count("pk", filter=Q(status=DutyShift.Status.UPCOMING)),
        )
        .order_by(f"{building}__compound", f"{building}__number", building)
    )
    result = []
    for row in rows:
        label = Building(
            pk=row[building],
            compound=row[f"{building}__compound"],
            number=row[f"{building}__number"],
        )
        result.append(
            {
                "building": label,
                "due": row["due"],
                "done": row["done"],
                "missed": row["missed"],
                "overdue": row["overdue"],
                "rate": round(row["done"] * 100 / row["due"]),
            }
        )
    result.sort(key=lambda item: item["rate"])
    return result


class CommunityDetailView(LoginRequiredMixin, DetailView):
    """A community at a glance: leading group, sections, figures and its buildings."""

    template_name = "communities/community_detail.html"
    context_object_name = "community"

    def get_queryset(self):
        user = self.request.user
        return with_counts(Community.objects.visible_to(user).select_related("district"), user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        community = self.object
        user = self.request.user
        memberships = (
            Membership.objects.visible_to(user)
            .filter(community=community, is_active=True)
            .select_related("user", "section")
            .order_by("role", "pk")
        )
        rank = {
            Membership.GroupPosition.LEADER: 0,
            Membership.GroupPosition.DEPUTY: 1,
            Membership.GroupPosition.MEMBER: 2,
        }
        context["leading_group"] = sorted(
            (m for m in memberships if m.group_position), key=lambda m: rank[m.group_position]
        )
        cadres_by_section: dict[int, list] = {}
        for m in memberships:
            if m.role == Membership.Role.CADRE:
                cadres_by_section.setdefault(m.section_id, []).append(m.user)
        sections = list(Section.objects.visible_to(user).filter(community=community))
        context["sections"] = [(s, cadres_by_section.get(s.pk, [])) for s in sections]
        buildings = (
            Building.objects.visible_to(user)
            .filter(community=community)
            .select_related("section", "head")
            .annotate(unit_count=Count("units"))
            .order_by("compound", "number", "pk")
        )
        paginator = Paginator(buildings, settings.PAGE_SIZE)
        context["buildings_page"] = paginator.get_page(self.request.GET.get("page"))
        context["corridors"] = (
            Corridor.objects.visible_to(user)
            .filter(unit__building__community=community)
            .select_related("unit__building")
            .annotate(approved_count=Count("exhibits", filter=Q(exhibits__status="approved")))
            .order_by("-updated_at", "pk")[:12]
        )
        context["duty_completion"] = duty_completion_by_building(user, community)
        context["duty_completion_days"] = DUTY_COMPLETION_DAYS
        # The secretary's community: decided from the memberships already loaded.
        context["can_edit"] = scoping.is_secretary_of(user, community.pk)
        context["can_add_building"] = community.pk in (
            scoping.writable_community_ids(user, Building) or [community.pk]
        )
        return context
