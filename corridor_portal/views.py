"""Cross-app pages: the role-aware home page and the health check."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
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
from communities.models import Community, DataVersion, Membership, Section
from engagement import advice
from engagement import services as engagement_services
from engagement.models import GuidanceProblem, Poll
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


COUNTS = (
    "building_count",
    "unit_count",
    "household_count",
    "resident_count",
    "party_member_count",
    "corridor_count",
    "certified_count",
)


def attach_counts(communities: list, user) -> None:
    """Set the counts of :func:`with_counts` on each of ``communities`` (loaded with their
    ``data_version``): from the cache, under the community's data version, for a user who
    sees the whole community (its secretary, an official over it, a superuser), whose
    counts are everyone's; computed in one query for the others and the rows not cached."""
    keys = {
        community.pk: f"community-counts:{community.pk}:{community.data_version}"
        for community in communities
        if community.data_version is not None
        and scoping.sees_whole_community(user, community.pk, community.district_id)
    }
    found = cache.get_many(list(keys.values()))
    counts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [community.pk for community in communities if community.pk not in counts]
    if missing:
        rows = with_counts(Community.objects.filter(pk__in=missing), user).values("pk", *COUNTS)
        fresh = {row.pop("pk"): row for row in rows}
        counts.update(fresh)
        cache.set_many(
            {keys[pk]: fresh[pk] for pk in fresh if pk in keys}, settings.DASHBOARD_CACHE_SECONDS
        )
    for community in communities:
        for name, value in counts.get(community.pk, dict.fromkeys(COUNTS, 0)).items():
            setattr(community, name, value)


class CommunityListView(LoginRequiredMixin, ListView):
    """All communities the user may see, with the size of each."""

    template_name = "communities/community_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        user = self.request.user
        communities = Community.objects.visible_to(user).select_related("district")
        return communities.annotate(data_version=DataVersion.of("pk")).order_by(
            "district__name", "name", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_counts(context["object_list"], self.request.user)
        return context


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


OPEN_PROBLEMS_SHOWN = 5


def community_page_queryset(user):
    """Communities with the figures the community page shows, all in the one query that
    fetches the community: counts, residents by age band, the latest poll and its winner,
    the open problems of its guidance visits (only the rows ``user`` may see), and its
    data version for :func:`community_figures`."""
    communities = with_counts(Community.objects.visible_to(user).select_related("district"), user)
    return communities.annotate(
        data_version=DataVersion.of("pk"),
        **advice.age_band_annotations(Resident.objects.visible_to(user), advice.RESIDENT_COMMUNITY),
        **advice.latest_poll_annotations(Poll.objects.visible_to(user)),
        open_problem_count=advice.open_problem_annotation(GuidanceProblem.objects.visible_to(user)),
    )


def community_figures(user, community) -> dict:
    """The residents by tag (one query) and the duty completion by building (one) of the
    community page, as ``user`` sees them. For a user who sees the whole community they
    are everyone's, cached under the community's data version for the day."""
    today = timezone.localdate()
    key = None
    if community.data_version is not None and scoping.sees_whole_community(
        user, community.pk, community.district_id
    ):
        key = f"community-figures:{community.pk}:{community.data_version}:{today.isoformat()}"
        found = cache.get(key)
        if found is not None:
            return found
    figures = {
        "tags": advice.tag_profile(user, community),
        "duty_completion": duty_completion_by_building(user, community),
    }
    if key is not None:
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures


def _share(count: int, total: int) -> int:
    return round(count * 100 / total) if total else 0


def age_profile(community) -> dict:
    """The age bands annotated on ``community``, with each band's share of the residents
    whose year of birth is known."""
    counts = [(label, getattr(community, f"age_{key}")) for key, label, *_ in advice.AGE_BANDS]
    known = sum(count for _label, count in counts)
    return {
        "known": known,
        "bands": [
            {"label": label, "count": count, "share": _share(count, known)}
            for label, count in counts
        ],
    }


def latest_poll(community) -> dict | None:
    """The latest poll annotated on ``community``: question, winner (none before any
    ballot, none on a tie), the winner's votes and all ballots."""
    if not community.latest_poll:
        return None
    counted = bool(community.poll_ballots and community.poll_winner_votes)
    tied = counted and community.poll_runner_up_votes == community.poll_winner_votes
    return {
        "pk": community.latest_poll,
        "question": community.latest_poll_question,
        "winner": community.poll_winner if counted and not tied else "",
        "tied": tied,
        "votes": community.poll_winner_votes or 0,
        "ballots": community.poll_ballots,
        "share": _share(community.poll_winner_votes or 0, community.poll_ballots),
    }


class CommunityDetailView(LoginRequiredMixin, DetailView):
    """A community at a glance: leading group, sections, figures, the open problems of
    its guidance visits, theme advice and duty completion.

    Ten queries at most whatever the community's size: buildings and corridors are
    counted here and listed on their own pages.
    """

    template_name = "communities/community_detail.html"
    context_object_name = "community"

    def get_queryset(self):
        return community_page_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        community = self.object
        user = self.request.user
        figures = community_figures(user, community)
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
        context.update(self.problem_context(user, community))
        context.update(self.advice_context(community, figures["tags"]))
        context["duty_completion"] = figures["duty_completion"]
        context["duty_completion_days"] = DUTY_COMPLETION_DAYS
        # The secretary's community: decided from the memberships already loaded.
        context["can_edit"] = scoping.is_secretary_of(user, community.pk)
        context["can_add_building"] = community.pk in (
            scoping.writable_community_ids(user, Building) or [community.pk]
        )
        return context

    def problem_context(self, user, community) -> dict:
        """The oldest open problems of the community's guidance visits (one query)."""
        today = timezone.localdate()
        problems = list(
            GuidanceProblem.objects.visible_to(user)
            .filter(visit__community=community, status=GuidanceProblem.Status.OPEN)
            .select_related("visit")
            .order_by("visit__visited_on", "visit_id", "pk")[:OPEN_PROBLEMS_SHOWN]
        )
        for problem in problems:
            problem.days = max(0, (today - problem.visit.visited_on).days)
        return {
            "open_problems": problems,
            "can_close_problems": scoping.is_secretary_of(user, community.pk)
            or scoping.is_official_of(user, community.district_id),
            "can_record_visit": engagement_services.can_record_visit(user, community),
        }

    def advice_context(self, community, tags) -> dict:
        """Who lives here, what the latest poll said, and the corridor themes the rules
        suggest from that (one query: the active rules)."""
        residents = community.resident_count
        poll = latest_poll(community)
        profile = advice.Profile(
            residents=residents,
            tag_counts={tag.pk: tag.resident_count for tag in tags},
            poll_winner=poll["winner"] if poll else "",
        )
        return {
            "tag_profile": [
                {
                    "tag": tag,
                    "count": tag.resident_count,
                    "share": _share(tag.resident_count, residents),
                }
                for tag in tags
                if tag.resident_count
            ],
            "age_profile": age_profile(community),
            "latest_poll": poll,
            "theme_advice": advice.suggest_themes(profile, advice.active_rules()),
        }
