"""Dashboard figures against hand-computed values on a small known data set."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.models import Community
from corridor_portal import dashboard
from corridor_portal.dashboard import Period

TODAY = timezone.localdate()


def _days_ago(n):
    return TODAY - timedelta(days=n)


PERIOD = Period.last_days(90)


def _district(user):
    return dashboard.compute(
        user, level="community", within=Community.objects.visible_to(user), period=PERIOD
    )


@pytest.mark.django_db
def test_compute_community_rows_match_hand_counts(known):
    figures = _district(known.official)["rows"][known.a.community.pk]

    assert figures.target == 2
    assert figures.certified == 1 and figures.corridor_total == 2 and figures.stalled == 1
    assert figures.target_share == 50
    assert figures.approved == {"calligraphy": 1}
    assert (figures.households, figures.participating, figures.participation) == (2, 1, 50)
    assert figures.raised == Decimal("300.00")
    assert figures.in_kind == Decimal("100.00")
    assert figures.spent == Decimal("120.00")
    assert (figures.duty_due, figures.duty_done, figures.duty_missed) == (3, 1, 1)
    assert (figures.duty_overdue, figures.duty_rate) == (1, 33)
    assert (figures.suggestions, figures.adopted, figures.unanswered) == (2, 1, 2)
    assert (figures.visits, figures.open_problems) == (1, 1)


@pytest.mark.django_db
def test_compute_totals_add_up_the_rows(known):
    result = _district(known.official)

    assert set(result["rows"]) == {known.a.community.pk, known.b.community.pk}
    assert result["total"].certified == 2
    assert result["total"].raised == Decimal("300.00")


@pytest.mark.django_db
def test_compute_secretary_sees_only_their_community(known):
    result = _district(known.a.secretary)

    assert set(result["rows"]) == {known.a.community.pk}


@pytest.mark.django_db
def test_compute_period_leaves_out_older_records(known):
    long_ago = Period(_days_ago(400), _days_ago(100))

    result = dashboard.compute(
        known.official,
        level="community",
        within=Community.objects.visible_to(known.official),
        period=long_ago,
    )
    figures = result["rows"][known.a.community.pk]

    assert figures.raised == Decimal("0.00") and figures.approved == {}
    assert (figures.visits, figures.suggestions) == (1, 1)
    # Corridors started after the period are not counted; open problems are counted now.
    assert figures.corridor_total == 0 and figures.open_problems == 1


@pytest.mark.django_db
def test_compute_building_level_groups_by_building(known):
    within = dashboard.scoped_rows(known.official, "building", known.a.community)

    result = dashboard.compute(known.official, level="building", within=within, period=PERIOD)
    building = result["rows"][known.a.building.pk]

    assert building.corridor_total == 2 and building.households == 2
    assert building.raised == Decimal("300.00") and building.duty_done == 1
    assert set(result["rows"]) == {known.a.building.pk, known.a.section_building.pk}
    assert result["rows"][known.a.section_building.pk].corridor_total == 0


@pytest.mark.django_db
def test_rag_marks_community_with_reasons(known):
    figures = _district(known.official)["rows"][known.a.community.pk]

    level, reasons = dashboard.rag(figures)

    assert level == dashboard.RAG_AMBER
    assert len(reasons) == 4


def test_rag_red_when_far_behind_target():
    figures = dashboard.Figures(target=10)
    figures.corridors["certified"] = 2

    level, reasons = dashboard.rag(figures)

    assert level == dashboard.RAG_RED and reasons


def test_rag_green_without_problems():
    assert dashboard.rag(dashboard.Figures()) == (dashboard.RAG_GREEN, [])


@pytest.mark.django_db
def test_trends_count_per_month(known):
    series = dashboard.trends(
        known.official, level="community", within=Community.objects.visible_to(known.official)
    )

    assert len(series) == 12
    assert series[-1]["month"] == TODAY.replace(day=1)
    assert sum(m["approved"] for m in series) == 1
    assert sum(m["raised"] for m in series) == Decimal("300.00")
    assert sum(m["done"] for m in series) == 1
