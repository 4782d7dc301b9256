"""Theme advice (特色定位): who lives in a community, what its polls say, and the corridor
themes that staff-edited :class:`ThemeRule` rows suggest from that.

The report did this by hand: 花园社区's 农行小区, home of retired bank cadres, hangs plaques
and calligraphy; 建福社区, home of laid-off workers, shows works about self-reliance and
market information. Here the profile is read from the database and the rules fire on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Resident, ResidentTag
from engagement.models import GuidanceProblem, Poll, PollOption, PollTally, ThemeRule

# Resident.community: the household's community, kept by the database.
RESIDENT_COMMUNITY = "community"

# Age bands by year of birth, as (key, label, youngest age, oldest age or None).
AGE_BANDS = (
    ("under_35", _("under 35"), 0, 34),
    ("35_59", _("35 to 59"), 35, 59),
    ("60_69", _("60 to 69"), 60, 69),
    ("70_plus", _("70 and over"), 70, None),
)


def _band_q(youngest: int, oldest: int | None, year: int) -> Q:
    q = Q(**{"birth_year__lte": year - youngest})
    if oldest is not None:
        q &= Q(**{"birth_year__gte": year - oldest})
    return q


def age_band_annotations(residents, community_path: str, year: int | None = None) -> dict:
    """Correlated subqueries, one per age band, counting ``residents`` (already scoped) of
    the community at ``OuterRef("pk")``: annotate a Community queryset with them."""
    year = year or timezone.localdate().year
    annotations = {}
    for key, _label, youngest, oldest in AGE_BANDS:
        counted = (
            residents.filter(_band_q(youngest, oldest, year), **{community_path: OuterRef("pk")})
            .order_by()
            .values(community_path)
            .annotate(n=Count("pk"))
            .values("n")
        )
        annotations[f"age_{key}"] = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return annotations


def poll_result_annotations(poll, prefix: str = "") -> dict:
    """Annotations of a poll's result, for the poll at the expression ``poll`` (an
    ``OuterRef``): all ballots, the winning option, its votes and the runner-up's votes
    (equal to the winner's on a tie). Options nobody voted for never win: before the first
    ballot the winner is ``None`` and the votes 0; on a tie the option listed first is
    named."""
    ranked = (
        PollOption.objects.filter(poll=poll)
        .annotate(total=Sum("tallies__votes"))
        .filter(total__gt=0)
        .order_by("-total", "position", "pk")
    )
    ballots = (
        PollTally.objects.filter(option__poll=poll)
        .order_by()
        .values("option__poll")
        .annotate(n=Sum("votes"))
        .values("n")
    )
    return {
        f"{prefix}ballots": Coalesce(Subquery(ballots, output_field=IntegerField()), 0),
        f"{prefix}winner": Subquery(ranked.values("label")[:1]),
        f"{prefix}winner_votes": Coalesce(
            Subquery(ranked.values("total")[:1], output_field=IntegerField()), 0
        ),
        f"{prefix}runner_up_votes": Coalesce(
            Subquery(ranked.values("total")[1:2], output_field=IntegerField()), 0
        ),
    }


def latest_poll_annotations(polls) -> dict:
    """Annotations for a Community queryset: its latest poll (among ``polls``, already
    scoped), that poll's question and its result (``poll_ballots``, ``poll_winner``,
    ``poll_winner_votes``, ``poll_runner_up_votes``; see :func:`poll_result_annotations`)."""
    latest = polls.filter(community=OuterRef("pk")).order_by("-opens_on", "-pk")
    return {
        "latest_poll": Subquery(latest.values("pk")[:1]),
        "latest_poll_question": Subquery(latest.values("question")[:1]),
        **poll_result_annotations(OuterRef("latest_poll"), prefix="poll_"),
    }


def open_problem_annotation(problems) -> Subquery:
    """For a Community queryset: how many of ``problems`` (already scoped) are open."""
    counted = (
        problems.filter(visit__community=OuterRef("pk"), status=GuidanceProblem.Status.OPEN)
        .order_by()
        .values("visit__community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def tag_profile(user, community) -> list[ResidentTag]:
    """Every tag with ``resident_count``: the residents of ``community`` that ``user`` may
    see who carry it (one grouped query; tags nobody carries count 0)."""
    visible = Resident.objects.visible_to(user).filter(**{RESIDENT_COMMUNITY: community})
    return list(
        ResidentTag.objects.annotate(
            resident_count=Count("residents", filter=Q(residents__in=visible.values("pk")))
        ).order_by("-resident_count", "name")
    )


@dataclass
class Profile:
    """What theme rules read: residents, tag counts by tag id and the latest poll winner."""

    residents: int
    tag_counts: dict[int, int] = field(default_factory=dict)
    poll_winner: str = ""


@dataclass
class Advice:
    rule: ThemeRule
    reasons: list[str]


def suggest_themes(profile: Profile, rules) -> list[Advice]:
    """The active rules that fire for ``profile``, in rule order, each with why it fired.

    A tag condition holds when at least ``min_share`` per cent of the residents carry the
    tag; a poll condition holds when the latest poll's winner contains ``poll_keyword``.
    A rule with both conditions fires when either holds. Pure: no queries.
    """
    advice = []
    for rule in rules:
        if not rule.is_active:
            continue
        reasons = []
        if rule.tag_id and profile.residents:
            count = profile.tag_counts.get(rule.tag_id, 0)
            share = count * 100 / profile.residents
            if count and share >= rule.min_share:
                reasons.append(
                    _("%(share)d%% of residents are %(tag)s")
                    % {"share": round(share), "tag": rule.tag.name}
                )
        keyword = rule.poll_keyword.strip()
        if keyword and keyword in (profile.poll_winner or ""):
            reasons.append(
                _("the latest poll was won by “%(winner)s”") % {"winner": profile.poll_winner}
            )
        if reasons:
            advice.append(Advice(rule=rule, reasons=reasons))
    return advice


def active_rules():
    return ThemeRule.objects.filter(is_active=True).select_related("tag").order_by("position", "pk")


def latest_poll(user, community):
    """The community's latest poll that ``user`` may see, or ``None``."""
    return (
        Poll.objects.visible_to(user)
        .filter(community=community)
        .order_by("-opens_on", "-pk")
        .first()
    )
