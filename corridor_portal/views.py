"""Cross-app pages: the role-aware home page and the health check."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
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


OPEN_PROBLEMS_SHOWN = 5


def community_page_queryset(user):
    """Communities with the figures the community page shows, all in the one query that
    fetches the community: counts, residents by age band, the latest poll and its winner,
    and the open problems of its guidance visits (only the rows ``user`` may see)."""
    communities = with_counts(Community.objects.visible_to(user).select_related("district"), user)
    return communities.annotate(
        **advice.age_band_annotations(Resident.objects.visible_to(user), advice.RESIDENT_COMMUNITY),
        **advice.latest_poll_annotations(Poll.objects.visible_to(user)),
        open_problem_count=advice.open_problem_annotation(GuidanceProblem.objects.visible_to(user)),
    )


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
        context.update(self.advice_context(user, community))
        context["duty_completion"] = duty_completion_by_building(user, community)
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

    def advice_context(self, user, community) -> dict:
        """Who lives here, what the latest poll said, and the corridor themes the rules
        suggest from that (two queries: the tag counts and the active rules)."""
        tags = advice.tag_profile(user, community)
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
