"""The dashboards' cache: figures served from it always equal a from-scratch recount.

Every figure is cached under its community's data version, which database triggers raise
(corridor_portal/versions.py). The tests write through services, bulk inserts and raw
queryset updates (no signals), then compare every level's cached figures and trends with
:func:`dashboard.recount` and :func:`dashboard.recount_trends`.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buildings import roster_services
from buildings import services as fund_services
from buildings.models import Building, Donation, DutyShift, Fund, Household, Unit
from communities.models import Community, DataVersion
from corridor_portal import dashboard
from corridor_portal.dashboard import Period
from engagement import services as engagement_services
from engagement.models import GuidanceProblem, Suggestion
from exhibits import services as exhibit_services
from exhibits.models import Corridor, Exhibit
from tests import factories

TODAY = timezone.localdate()
PERIOD = Period.last_days(90)


def _recounted_trends(user, *, level, within):
    """:func:`dashboard.trends` from the records, without the cache."""
    first = dashboard._first_month(TODAY, 12)
    series = dashboard._empty_series(first, TODAY)
    per_row = dashboard.recount_trends(user, level=level, within=within, first=first, today=TODAY)
    for months in per_row.values():
        for month, values in months.items():
            for name in ("approved", "raised", "done"):
                series[month][name] += values[name]
    return list(series.values())


def _figures(user, a, *, cached: bool):
    """Every figure a dashboard page shows for ``user``: through the cache, or from the
    records (the headlines have no recount of their own: computed with the cache empty)."""
    rows = dashboard.compute if cached else dashboard.recount
    trends = dashboard.trends if cached else _recounted_trends
    community = Community.objects.get(pk=a.community.pk)
    building = Building.objects.get(pk=a.building.pk)
    district = rows(
        user, level="community", within=Community.objects.visible_to(user), period=PERIOD
    )
    buildings = rows(
        user,
        level="building",
        within=Building.objects.visible_to(user).filter(community=community),
        period=PERIOD,
    )
    units = rows(user, level="unit", within=Unit.objects.filter(building=building), period=PERIOD)
    if not cached:
        cache.clear()
    return {
        "district": district["rows"],
        "district total": district["total"],
        "buildings": buildings["rows"],
        "units": units["rows"],
        "community headline": dashboard.headline(
            user, level="community", obj=community, total=buildings["total"], period=PERIOD
        ),
        "building headline": dashboard.headline(
            user, level="building", obj=building, total=units["total"], period=PERIOD
        ),
        "trends": trends(user, level="community", within=Community.objects.visible_to(user)),
        "building trends": trends(
            user, level="building", within=Building.objects.filter(pk=building.pk)
        ),
    }


def _views(user, a):
    return _figures(user, a, cached=True)


def _assert_equal_to_recount(user, a):
    cached = _figures(user, a, cached=True)
    fresh = _figures(user, a, cached=False)
    for name in cached:
        assert cached[name] == fresh[name], f"{name}: cached figures differ from a recount"


def _donate(fund, by, **data):
    fields = {"kind": "money", "amount": Decimal("570.00"), "date": TODAY} | data
    donation, _ = fund_services.donation_record(fund=fund, data=fields, token=uuid.uuid4(), by=by)
    return donation


@pytest.mark.django_db
def test_a_second_request_is_served_from_the_cache(known):
    user, a = known.official, known.a
    within = Community.objects.visible_to(user)
    first = dashboard.compute(user, level="community", within=within, period=PERIOD)
    dashboard.trends(user, level="community", within=within)
    with CaptureQueriesContext(connection) as captured:
        again = dashboard.compute(user, level="community", within=within, period=PERIOD)
        trends = dashboard.trends(user, level="community", within=within)
    # the rows with their versions, once for the figures and once for the trends
    assert len(captured) == 2
    assert again["rows"] == first["rows"]
    assert again["rows"][a.community.pk].raised == Decimal("300.00")
    assert len(trends) == 12


@pytest.mark.django_db
def test_cached_figures_equal_a_recount_after_a_burst_of_writes(known):
    w, a = known, known.a
    user = w.official
    _assert_equal_to_recount(user, a)  # fills the cache
    fund = Fund.objects.get(building=a.building, purpose="楼馨园")
    household = a.household

    # Money: a gift, then its reversal; goods; an expense and its reversal.
    gift = _donate(fund, a.secretary, donor_household=household)
    _assert_equal_to_recount(user, a)
    fund_services.donation_reverse(donation=gift, reason="重复", by=a.secretary)
    _donate(
        fund,
        a.secretary,
        kind="labour",
        amount=Decimal("80.00"),
        donor_name="志愿者",
        description="刷墙",
    )
    expense, _ = fund_services.expense_record(
        fund=fund,
        data={"item": "油漆", "amount": Decimal("45.50"), "date": TODAY},
        photo=factories.processed_photo(),
        token=uuid.uuid4(),
        by=a.secretary,
    )
    fund_services.expense_reverse(expense=expense, reason="退货", by=a.secretary)
    _assert_equal_to_recount(user, a)

    # Exhibits: the returned plaque is resubmitted, checked and approved; the approved
    # calligraphy is retired.
    plaque = Exhibit.objects.get(title="镜匾")
    exhibit_services.exhibit_submit(exhibit=plaque, by=a.secretary)
    exhibit_services.exhibit_check(exhibit=plaque, by=a.secretary)
    exhibit_services.exhibit_approve(exhibit=plaque, by=w.official)
    _assert_equal_to_recount(user, a)

    # Corridors: the stalled one is certified; raw updates that send no signal.
    stalled = Corridor.objects.get(theme="书画天地")
    Corridor.objects.filter(pk=stalled.pk).update(status=Corridor.Status.CERTIFIED)
    Community.objects.filter(pk=a.community.pk).update(target_corridors=5)
    _assert_equal_to_recount(user, a)

    # Households and duty: a household moves out; turns are marked; a year of turns is
    # generated in bulk.
    Household.objects.filter(unit=a.unit, room="401").update(occupancy=Household.Occupancy.VACANT)
    overdue = DutyShift.objects.filter(status=DutyShift.Status.UPCOMING).order_by("ends_on")[0]
    roster_services.shift_mark(shift=overdue, status=DutyShift.Status.DONE, by=a.secretary)
    roster = overdue.roster
    roster_services.shifts_generate(roster=roster, weeks=52, by=a.secretary)
    DutyShift.objects.filter(roster=roster, ends_on__lt=TODAY).update(
        status=DutyShift.Status.MISSED
    )
    _assert_equal_to_recount(user, a)

    # Suggestions and visits.
    suggestion = Suggestion.objects.filter(community=a.community, status="new").first()
    engagement_services.suggestion_answer(
        suggestion=suggestion, status=Suggestion.Status.ADOPTED, reply="好主意", by=a.secretary
    )
    problem = GuidanceProblem.objects.filter(status=GuidanceProblem.Status.OPEN).first()
    GuidanceProblem.objects.filter(pk=problem.pk).update(
        status=GuidanceProblem.Status.CLOSED, fixed_on=TODAY, fixed_by="楼长", resolution="已修"
    )
    factories.GuidanceVisitFactory(
        community=a.community, visited_on=TODAY - timedelta(days=1), created_by=w.official
    )
    _assert_equal_to_recount(user, a)

    # A unit with its records deleted, and a new building with a corridor.
    Corridor.objects.filter(theme="书画天地").delete()
    new_building = factories.BuildingFactory(community=a.community)
    unit = factories.UnitFactory(building=new_building)
    exhibit_services.corridor_create(unit=unit, theme="孝老爱亲", by=a.secretary)
    _assert_equal_to_recount(user, a)

    # The secretary sees the same figures for their community as the official.
    secretary_rows = dashboard.compute(
        a.secretary,
        level="community",
        within=Community.objects.filter(pk=a.community.pk),
        period=PERIOD,
    )["rows"]
    assert secretary_rows[a.community.pk] == _views(user, a)["district"][a.community.pk]
    assert Donation.objects.filter(fund=fund).count() >= 5


@pytest.mark.django_db
def test_every_kind_of_write_raises_the_community_version(known):
    """The version of the community written to goes up; the other community's does not."""
    a, b = known.a, known.b

    def versions():
        return dict(DataVersion.objects.values_list("community_id", "number"))

    before = versions()
    assert set(before) >= {a.community.pk, b.community.pk}
    Household.objects.filter(unit=a.unit).update(occupancy=Household.Occupancy.RENTED)
    after = versions()
    assert after[a.community.pk] > before[a.community.pk]
    assert after[b.community.pk] == before[b.community.pk]

    before = after
    factories.SuggestionFactory(community=b.community, created_by=b.secretary)
    after = versions()
    assert after[b.community.pk] > before[b.community.pk]
    assert after[a.community.pk] == before[a.community.pk]


@pytest.mark.django_db
def test_a_new_community_gets_a_version(world):
    community = factories.CommunityFactory(district=world.district)
    assert DataVersion.objects.filter(community=community).exists()
