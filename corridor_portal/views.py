"""Cross-app pages: the role-aware home page and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from buildings.models import Building, Household, Resident, Unit
from communities import scoping
from communities.models import Community, Membership, Section


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


def _counts_by_community(community_ids, user) -> dict[int, dict[str, int]]:
    """Buildings, units, households and residents per community: one grouped query each."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in community_ids}
    sources = {
        "buildings": (Building, "community"),
        "units": (Unit, "building__community"),
        "households": (Household, "unit__building__community"),
        "residents": (Resident, "household__unit__building__community"),
        "party_members": (Resident, "household__unit__building__community"),
    }
    for key, (model, path) in sources.items():
        rows = model.objects.visible_to(user).filter(**{f"{path}__in": community_ids})
        if key == "party_members":
            rows = rows.filter(is_party_member=True)
        for row in rows.values(path).annotate(n=Count("pk")).order_by():
            counts[row[path]][key] = row["n"]
    return counts


class CommunityListView(LoginRequiredMixin, ListView):
    """All communities the user may see, with the size of each."""

    template_name = "communities/community_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return (
            Community.objects.visible_to(self.request.user)
            .select_related("district")
            .order_by("district__name", "name", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["object_list"]
        counts = _counts_by_community([c.pk for c in page], self.request.user)
        context["rows"] = [(community, counts[community.pk]) for community in page]
        return context


class CommunityDetailView(LoginRequiredMixin, DetailView):
    """A community at a glance: leading group, sections, figures and its buildings."""

    template_name = "communities/community_detail.html"
    context_object_name = "community"

    def get_queryset(self):
        return Community.objects.visible_to(self.request.user).select_related("district")

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
        context["leading_group"] = [m for m in memberships if m.group_position]
        cadres_by_section: dict[int, list] = {}
        for m in memberships:
            if m.role == Membership.Role.CADRE:
                cadres_by_section.setdefault(m.section_id, []).append(m.user)
        sections = list(Section.objects.visible_to(user).filter(community=community))
        context["sections"] = [(s, cadres_by_section.get(s.pk, [])) for s in sections]
        context["counts"] = _counts_by_community([community.pk], user)[community.pk]
        buildings = (
            Building.objects.visible_to(user)
            .filter(community=community)
            .select_related("section", "head")
            .annotate(unit_count=Count("units"))
            .order_by("compound", "number", "pk")
        )
        paginator = Paginator(buildings, settings.PAGE_SIZE)
        context["buildings_page"] = paginator.get_page(self.request.GET.get("page"))
        context["can_edit"] = scoping.can_edit(user, community)
        context["can_add_building"] = community.pk in (
            scoping.writable_community_ids(user, Building) or [community.pk]
        )
        return context
