"""The ``known`` data set of the dashboard tests: figures worked out by hand."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buildings import roster_services
from buildings import services as fund_services
from buildings.models import DutyShift, Household
from communities.models import Community
from engagement.models import GuidanceProblem, Suggestion
from exhibits import services as exhibit_services
from exhibits.models import Corridor
from tests import factories

TODAY = timezone.localdate()


def _days_ago(n):
    return TODAY - timedelta(days=n)


def _donate(fund, by, **data):
    fields = {"kind": "money", "amount": Decimal("300.00"), "date": _days_ago(10)} | data
    donation, _ = fund_services.donation_record(fund=fund, data=fields, token=uuid.uuid4(), by=by)
    return donation


@pytest.fixture
def known(exhibit_world):
    """Side A, with figures worked out by hand (see test_figures.py); side B barely used."""
    w = exhibit_world
    a = w.a
    Community.objects.filter(pk=a.community.pk).update(target_corridors=2)
    rented = factories.HouseholdFactory(unit=a.unit, room="401", occupancy="rented")
    factories.HouseholdFactory(unit=a.unit, room="302", occupancy=Household.Occupancy.VACANT)

    # Corridors: A's is certified; a second one, being built, has not moved for 100 days.
    Corridor.objects.filter(pk=w.ea.corridor.pk).update(status=Corridor.Status.CERTIFIED)
    unit2 = factories.UnitFactory(building=a.building, number=7)
    stalled = exhibit_services.corridor_create(unit=unit2, theme="书画天地", by=a.secretary)
    Corridor.objects.filter(pk=stalled.pk).update(
        status=Corridor.Status.BUILDING, updated_at=timezone.now() - timedelta(days=100)
    )
    Corridor.objects.filter(pk=w.eb.corridor.pk).update(status=Corridor.Status.CERTIFIED)

    # Exhibits: the calligraphy is approved; a plaque is returned.
    exhibit = w.ea.exhibit
    exhibit_services.exhibit_submit(exhibit=exhibit, by=a.secretary)
    exhibit_services.exhibit_check(exhibit=exhibit, by=a.secretary)
    exhibit_services.exhibit_approve(exhibit=exhibit, by=w.official)
    plaque = exhibit_services.exhibit_create(
        corridor=w.ea.corridor,
        data={"kind": "plaque", "title": "镜匾", "creator_name": "居民", "floor": 3},
        photos=[factories.processed_photo()],
        by=a.secretary,
    )
    exhibit_services.exhibit_submit(exhibit=plaque, by=a.secretary)
    exhibit_services.exhibit_return(exhibit=plaque, by=a.secretary, note="字太小")

    # Money: 301 pays 300; 401 pays 300 that is reversed; goods worth 100; 120 spent.
    fund = fund_services.fund_create(
        building=a.building,
        data={"purpose": "楼馨园", "quota": Decimal("300.00"), "opened_on": _days_ago(60)},
        by=a.secretary,
    )
    _donate(fund, a.secretary, donor_household=a.household)
    wrong = _donate(fund, a.secretary, donor_household=rented, date=_days_ago(5))
    fund_services.donation_reverse(donation=wrong, reason="记错户", by=a.secretary)
    _donate(
        fund,
        a.secretary,
        kind="goods",
        amount=Decimal("100.00"),
        donor_name="电业局技校",
        description="油漆",
    )
    fund_services.expense_record(
        fund=fund,
        data={"item": "画框", "amount": Decimal("120.00"), "date": _days_ago(3)},
        photo=factories.processed_photo(),
        token=uuid.uuid4(),
        by=a.secretary,
    )

    # Duty: 301 done, 401 missed, 301 never marked, 401 not due yet.
    roster = roster_services.roster_create(
        unit=a.unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=_days_ago(40),
        by=a.secretary,
    )
    for household, ends, status in [
        (a.household, 20, DutyShift.Status.DONE),
        (rented, 13, DutyShift.Status.MISSED),
        (a.household, 6, DutyShift.Status.UPCOMING),
        (rented, -1, DutyShift.Status.UPCOMING),
    ]:
        DutyShift.objects.create(
            roster=roster,
            household=household,
            starts_on=_days_ago(ends + 6),
            ends_on=_days_ago(ends),
            status=status,
        )

    # Suggestions: one new for 40 days, one adopted, one considered from long ago.
    factories.SuggestionFactory(
        community=a.community, received_on=_days_ago(40), created_by=a.secretary
    )
    factories.SuggestionFactory(
        community=a.community,
        received_on=_days_ago(5),
        status=Suggestion.Status.ADOPTED,
        reply="已采纳",
        decided_at=timezone.now(),
        created_by=a.secretary,
    )
    factories.SuggestionFactory(
        community=a.community,
        received_on=_days_ago(200),
        status=Suggestion.Status.CONSIDERED,
        created_by=a.secretary,
    )

    # Visits: one in the period with an open and a closed problem; one long before.
    visit = factories.GuidanceVisitFactory(
        community=a.community, visited_on=_days_ago(30), created_by=w.official
    )
    factories.GuidanceProblemFactory(visit=visit)
    factories.GuidanceProblemFactory(
        visit=visit,
        status=GuidanceProblem.Status.CLOSED,
        fixed_by="楼长",
        fixed_on=_days_ago(20),
        resolution="已清理",
    )
    factories.GuidanceVisitFactory(
        community=a.community, visited_on=_days_ago(200), created_by=w.official
    )
    return w
