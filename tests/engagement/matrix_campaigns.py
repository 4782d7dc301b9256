"""Matrix rows and query-budget pages of the engagement campaigns pages.

``ROWS`` joins tests/test_matrix.py's MATRIX; ``PAGES`` joins tests/test_query_budgets.py's
PAGES, ``SEEDED`` its SEEDED (budgets themselves stay in tests/budgets.py).
"""

from datetime import date, timedelta
from types import SimpleNamespace

from tests.matrix_roles import READ_COMMUNITY, WRITE_COMMUNITY, _all

MANY = 40


def matrix_campaigns(world):
    """Side A's campaign with a symposium, a poll, a new suggestion (from the symposium)
    and an adopted one; made once per world and kept on it."""
    cached = getattr(world, "matrix_campaigns", None)
    if cached is not None:
        return cached
    from django.utils import timezone

    from tests import factories

    side = world.a
    campaign = factories.CampaignFactory(
        community=side.community, created_by=side.secretary, title="致辖区居民的一封信"
    )
    symposium = factories.SymposiumFactory(
        community=side.community, campaign=campaign, created_by=side.secretary
    )
    factories.PollFactory(community=side.community, campaign=campaign, created_by=side.secretary)
    suggestion = factories.SuggestionFactory(
        community=side.community,
        campaign=campaign,
        symposium=symposium,
        channel="symposium",
        building=side.building,
        resident=side.resident,
        created_by=side.secretary,
    )
    answered = factories.SuggestionFactory(
        community=side.community,
        campaign=campaign,
        channel="box",
        status="adopted",
        reply="下月起办书画展",
        decided_by=side.secretary,
        decided_at=timezone.now(),
        created_by=side.secretary,
    )
    world.matrix_campaigns = SimpleNamespace(
        campaign=campaign, symposium=symposium, suggestion=suggestion, answered=answered
    )
    return world.matrix_campaigns


def _community(w):
    return {"community_pk": w.a.community.pk}


ROWS: list = [
    ("engagement:campaign_list", "", lambda w: {}, _all(200)),
    ("engagement:campaign_create", "", _community, WRITE_COMMUNITY),
    (
        "engagement:campaign_detail",
        "",
        lambda w: {"pk": matrix_campaigns(w).campaign.pk},
        READ_COMMUNITY,
    ),
    (
        "engagement:campaign_update",
        "",
        lambda w: {"pk": matrix_campaigns(w).campaign.pk},
        WRITE_COMMUNITY,
    ),
    ("engagement:suggestion_list", "", lambda w: {}, _all(200)),
    ("engagement:suggestion_create", "", _community, WRITE_COMMUNITY),
    (
        "engagement:suggestion_detail",
        "",
        lambda w: {"pk": matrix_campaigns(w).suggestion.pk},
        READ_COMMUNITY,
    ),
    (
        "engagement:suggestion_update",
        "new",
        lambda w: {"pk": matrix_campaigns(w).suggestion.pk},
        WRITE_COMMUNITY,
    ),
    # An answered suggestion is final: the secretary sees why, with no form.
    (
        "engagement:suggestion_update",
        "answered",
        lambda w: {"pk": matrix_campaigns(w).answered.pk},
        WRITE_COMMUNITY,
    ),
    (
        "engagement:suggestion_answer",
        "new",
        lambda w: {"pk": matrix_campaigns(w).suggestion.pk},
        WRITE_COMMUNITY,
    ),
    (
        "engagement:suggestion_answer",
        "answered",
        lambda w: {"pk": matrix_campaigns(w).answered.pk},
        WRITE_COMMUNITY,
    ),
    ("engagement:symposium_list", "", lambda w: {}, _all(200)),
    ("engagement:symposium_create", "", _community, WRITE_COMMUNITY),
    (
        "engagement:symposium_detail",
        "",
        lambda w: {"pk": matrix_campaigns(w).symposium.pk},
        READ_COMMUNITY,
    ),
    (
        "engagement:symposium_update",
        "",
        lambda w: {"pk": matrix_campaigns(w).symposium.pk},
        WRITE_COMMUNITY,
    ),
]


# Query budgets: the matrix records exist before the first request, so that every query
# of the page runs with few rows too.


def _no_kwargs(w):
    matrix_campaigns(w)
    return {}


def _grow_campaigns(world):
    """Campaigns of side A, each with a suggestion, an adopted one and a symposium."""

    def grow():
        from tests import factories

        side = world.a
        for i in range(MANY):
            campaign = factories.CampaignFactory(
                community=side.community,
                created_by=side.secretary,
                title=f"新征求{i}",
                starts_on=date(2026, 4, 1) + timedelta(days=i),
            )
            factories.SuggestionFactory(
                community=side.community, campaign=campaign, created_by=side.secretary
            )
            factories.SuggestionFactory(
                community=side.community,
                campaign=campaign,
                status="adopted",
                reply="采纳",
                created_by=side.secretary,
            )
            factories.SymposiumFactory(
                community=side.community, campaign=campaign, created_by=side.secretary
            )

    return grow


def _grow_campaign_suggestions(world):
    """Suggestions on the matrix campaign through every channel and status (adopted ones
    with replies, from buildings), plus symposiums and polls."""

    def grow():
        from django.utils import timezone

        from tests import factories

        side = world.a
        campaign = matrix_campaigns(world).campaign
        channels = ["letter", "box", "phone", "symposium", "in_person", "online"]
        statuses = ["new", "considered", "adopted", "declined"]
        for i in range(MANY):
            status = statuses[i % 4]
            answered = status in {"adopted", "declined"}
            factories.SuggestionFactory(
                community=side.community,
                campaign=campaign,
                channel=channels[i % 6],
                status=status,
                reply=f"回复{i}" if answered else "",
                decided_by=side.secretary if answered else None,
                decided_at=timezone.now() if answered else None,
                building=side.building,
                created_by=side.secretary,
            )
        for i in range(MANY // 4):
            factories.SymposiumFactory(
                community=side.community,
                campaign=campaign,
                title=f"新座谈会{i}",
                created_by=side.secretary,
            )
            factories.PollFactory(
                community=side.community,
                campaign=campaign,
                question=f"新问题{i}",
                created_by=side.secretary,
            )

    return grow


def _grow_suggestions(world):
    """Suggestions of side A in campaigns, with buildings, newest last."""

    def grow():
        from tests import factories

        side = world.a
        campaign = matrix_campaigns(world).campaign
        for i in range(MANY):
            factories.SuggestionFactory(
                community=side.community,
                campaign=campaign if i % 2 else None,
                building=side.building,
                received_on=date(2026, 4, 1) + timedelta(days=i),
                content=f"新建议{i}",
                created_by=side.secretary,
            )

    return grow


def _grow_symposiums(world):
    def grow():
        from tests import factories

        side = world.a
        campaign = matrix_campaigns(world).campaign
        for i in range(MANY):
            symposium = factories.SymposiumFactory(
                community=side.community,
                campaign=campaign if i % 2 else None,
                title=f"新座谈会{i}",
                held_on=date(2026, 4, 1) + timedelta(days=i),
                created_by=side.secretary,
            )
            factories.SuggestionFactory(
                community=side.community, symposium=symposium, created_by=side.secretary
            )

    return grow


def _grow_symposium_suggestions(world):
    def grow():
        from tests import factories

        side = world.a
        symposium = matrix_campaigns(world).symposium
        for i in range(MANY):
            factories.SuggestionFactory(
                community=side.community,
                campaign=symposium.campaign,
                symposium=symposium,
                channel="symposium",
                building=side.building,
                received_on=date(2026, 4, 1) + timedelta(days=i),
                content=f"座谈建议{i}",
                created_by=side.secretary,
            )

    return grow


def _grow_choices(world):
    """What the suggestion and symposium forms offer, in side A: campaigns, symposiums,
    buildings and residents of side A's building."""

    def grow():
        from tests import factories

        side = world.a
        for i in range(MANY):
            campaign = factories.CampaignFactory(
                community=side.community, created_by=side.secretary, title=f"新征求{i}"
            )
            factories.SymposiumFactory(
                community=side.community,
                campaign=campaign,
                title=f"新座谈会{i}",
                created_by=side.secretary,
            )
            factories.BuildingFactory(
                community=side.community, compound="新区", number=str(100 + i)
            )
            household = factories.HouseholdFactory(unit=side.unit, room=f"9{i:02d}")
            factories.ResidentFactory(household=household, name=f"新居民{i}")

    return grow


def _grow_past_the_cap(world):
    """``_grow_choices``, then more residents in side A's building than the resident
    select lists (RESIDENT_CHOICES_MAX): the form lists none of them, only the
    suggestion's own resident, and offers the building picker instead."""
    choices = _grow_choices(world)

    def grow():
        from buildings.models import Resident
        from engagement.forms_campaigns import RESIDENT_CHOICES_MAX
        from tests import factories

        choices()
        households = [
            factories.HouseholdFactory(unit=world.a.unit, room=f"7{i:02d}") for i in range(20)
        ]
        Resident.objects.bulk_create(
            Resident(household=households[i % 20], name=f"居民{i}")
            for i in range(RESIDENT_CHOICES_MAX)
        )

    return grow


def _grow_campaign_answers(world):
    """Suggestions on the matrix campaign, some answered."""

    def grow():
        from tests import factories

        side = world.a
        campaign = matrix_campaigns(world).campaign
        for i in range(MANY):
            factories.SuggestionFactory(
                community=side.community,
                campaign=campaign,
                status="adopted" if i % 2 else "new",
                reply=f"回复{i}" if i % 2 else "",
                building=side.building,
                created_by=side.secretary,
            )

    return grow


def _community_with_campaign(w):
    matrix_campaigns(w)
    return _community(w)


def _campaign(w):
    return {"pk": matrix_campaigns(w).campaign.pk}


def _suggestion(w):
    return {"pk": matrix_campaigns(w).suggestion.pk}


def _symposium(w):
    return {"pk": matrix_campaigns(w).symposium.pk}


PAGES: dict = {
    "engagement:campaign_list": ("official", _no_kwargs, _grow_campaigns, lambda w: "新征求39"),
    "engagement:campaign_detail": (
        "sec_a",
        lambda w: {"pk": matrix_campaigns(w).campaign.pk},
        _grow_campaign_suggestions,
        lambda w: "回复38",
    ),
    "engagement:suggestion_list": ("sec_a", _no_kwargs, _grow_suggestions, lambda w: "新建议39"),
    "engagement:suggestion_detail": (
        "cadre_a",
        lambda w: {"pk": matrix_campaigns(w).suggestion.pk},
        _grow_suggestions,
        lambda w: "新建议39",
    ),
    "engagement:symposium_list": ("head_a", _no_kwargs, _grow_symposiums, lambda w: "新座谈会39"),
    "engagement:symposium_detail": (
        "sec_a",
        lambda w: {"pk": matrix_campaigns(w).symposium.pk},
        _grow_symposium_suggestions,
        lambda w: "座谈建议39",
    ),
    # The forms: their choices (campaigns, symposiums, buildings, residents) grow.
    "engagement:campaign_create": (
        "sec_a",
        _community_with_campaign,
        _grow_choices,
        lambda w: 'name="letters_sent"',
    ),
    "engagement:campaign_update": (
        "sec_a",
        _campaign,
        _grow_campaign_answers,
        lambda w: matrix_campaigns(w).campaign.title,
    ),
    "engagement:suggestion_create": (
        "sec_a",
        _community_with_campaign,
        _grow_choices,
        lambda w: "新居民39",
    ),
    "engagement:suggestion_update": (
        "sec_a",
        _suggestion,
        _grow_past_the_cap,
        lambda w: "新区139号楼",
    ),
    "engagement:suggestion_answer": (
        "sec_a",
        _suggestion,
        _grow_campaign_answers,
        lambda w: matrix_campaigns(w).suggestion.content,
    ),
    "engagement:symposium_create": (
        "sec_a",
        _community_with_campaign,
        _grow_choices,
        lambda w: "新征求39",
    ),
    "engagement:symposium_update": ("sec_a", _symposium, _grow_choices, lambda w: "新征求39"),
}

SEEDED: dict = {}
