"""Batched shift generation (buildings/roster_bulk.py, ``manage.py generate_shifts``): the same
shifts as ``roster_services.generate`` roster by roster, idempotent, and a query count that
does not grow with the number of rosters in a batch."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buildings import roster_bulk, roster_services
from buildings.models import DutyRoster, DutyShift, Household, RosterOrder, RosterSlot
from tests import factories

WEEKLY = DutyRoster.Rotation.WEEKLY
DAILY = DutyRoster.Rotation.DAILY
ROOMS = ("101", "102", "201", "202", "301", "302")


def make_unit(building, number, *, vacant=()):
    unit = factories.UnitFactory(building=building, number=number)
    households = [
        factories.HouseholdFactory(
            unit=unit,
            room=room,
            occupancy=Household.Occupancy.VACANT if room in vacant else Household.Occupancy.OWNER,
        )
        for room in ROOMS
    ]
    return unit, households


def shift_rows(rosters):
    return set(
        DutyShift.objects.filter(roster__in=rosters).values_list(
            "roster_id", "household_id", "starts_on", "ends_on", "status"
        )
    )


@pytest.fixture
def rosters(world):
    """Rosters that exercise every input of the rotation: vacancies, an exemption that ends,
    a new order from a later date, shifts already there (with a gap), a daily roster starting
    after today and ending within the period."""
    head = world.a.head
    building = world.a.building
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    made = []

    unit, households = make_unit(building, 21, vacant=("202",))
    roster = roster_services.roster_create(
        unit=unit,
        duties=["清扫楼梯"],
        rotation_kind=WEEKLY,
        starts_on=monday - timedelta(weeks=6),
        by=head,
    )
    roster_services.roster_exempt(
        roster=roster,
        household=households[1],
        reason="住院治疗",
        since=monday - timedelta(weeks=2),
        by=head,
    )
    exemption = roster.exemptions.get()
    exemption.until = today + timedelta(weeks=3)
    exemption.save(update_fields=["until"])
    roster_services.generate(roster=roster, first=roster.starts_on, last=today)
    roster_services.roster_set_order(
        roster=roster,
        households=list(reversed(households)),
        effective_from=today + timedelta(weeks=5),
        by=head,
    )
    made.append(roster)

    unit, households = make_unit(building, 22)
    roster = roster_services.roster_create(
        unit=unit,
        duties=["擦拭扶手"],
        rotation_kind=WEEKLY,
        starts_on=monday - timedelta(weeks=1),
        order=[households[3], households[0], households[5], households[1]],
        by=head,
    )
    roster_services.generate(roster=roster, first=today, last=today + timedelta(weeks=4))
    roster.shifts.order_by("-starts_on")[1].delete()  # a gap between planned shifts
    made.append(roster)

    unit, households = make_unit(building, 23, vacant=("101", "301"))
    made.append(
        roster_services.roster_create(
            unit=unit,
            duties=["检查楼道灯"],
            rotation_kind=DAILY,
            starts_on=today + timedelta(days=3),
            ends_on=today + timedelta(days=40),
            by=head,
        )
    )

    unit, households = make_unit(building, 24, vacant=ROOMS)  # nobody to take a turn
    made.append(
        roster_services.roster_create(
            unit=unit, duties=["浇花"], rotation_kind=WEEKLY, starts_on=monday, by=head
        )
    )
    return made


@pytest.mark.django_db
def test_generate_many_gives_the_same_shifts_as_generate_roster_by_roster(rosters):
    today = timezone.localdate()
    first, last = today, today + timedelta(weeks=12)
    kept = set(DutyShift.objects.values_list("pk", flat=True))
    assert kept  # the period starts with shifts already there

    expected_created = sum(
        roster_services.generate(roster=roster, first=first, last=last) for roster in rosters
    )
    expected = shift_rows(rosters)
    DutyShift.objects.exclude(pk__in=kept).delete()

    result = roster_bulk.generate_many(
        first=first, last=last, rosters=DutyRoster.objects.filter(pk__in=[r.pk for r in rosters])
    )

    assert shift_rows(rosters) == expected
    assert result.created == expected_created > 50
    assert (result.rosters, result.batches) == (4, 1)
    exempt = rosters[0].exemptions.get()
    assert (
        not rosters[0]
        .shifts.filter(household=exempt.household, starts_on__range=(exempt.since, exempt.until))
        .exists()
    )
    assert rosters[0].shifts.filter(household=exempt.household, starts_on__gt=exempt.until)
    assert not rosters[3].shifts.exists()
    daily = rosters[2]
    assert daily.shifts.order_by("starts_on").first().starts_on == daily.starts_on
    assert daily.shifts.order_by("starts_on").last().starts_on == daily.ends_on


@pytest.mark.django_db
def test_generate_many_in_small_batches_gives_the_same_shifts(rosters):
    today = timezone.localdate()
    first, last = today, today + timedelta(weeks=8)
    kept = set(DutyShift.objects.values_list("pk", flat=True))
    for roster in rosters:
        roster_services.generate(roster=roster, first=first, last=last)
    expected = shift_rows(rosters)
    DutyShift.objects.exclude(pk__in=kept).delete()
    seen = []

    result = roster_bulk.generate_many(
        first=first, last=last, batch_size=3, progress=lambda r: seen.append(r.rosters)
    )

    assert shift_rows(rosters) == expected
    assert result.batches == 2
    assert seen == [3, 4]


@pytest.mark.django_db
def test_generate_many_is_idempotent(rosters):
    today = timezone.localdate()
    first, last = today, today + timedelta(weeks=10)
    roster_bulk.generate_many(first=first, last=last)
    before = list(DutyShift.objects.order_by("pk").values_list("pk", "household_id", "starts_on"))

    again = roster_bulk.generate_many(first=first, last=last)

    assert again.created == 0
    assert list(
        DutyShift.objects.order_by("pk").values_list("pk", "household_id", "starts_on")
    ) == (before)
    # A longer period continues the rotation where it stopped.
    longer = roster_bulk.generate_many(first=first, last=last + timedelta(weeks=2))
    assert longer.created > 0
    assert roster_bulk.generate_many(first=first, last=last + timedelta(weeks=2)).created == 0


def quick_rosters(world, count, *, start_number):
    """``count`` weekly rosters of six households each, written directly."""
    today = timezone.localdate()
    made = []
    for number in range(start_number, start_number + count):
        unit, households = make_unit(world.a.building, number, vacant=("302",))
        roster = DutyRoster.objects.create(
            unit=unit, duties=["清扫楼梯"], starts_on=today, created_by=world.a.head
        )
        order = RosterOrder.objects.create(
            roster=roster, effective_from=today, created_by=world.a.head
        )
        RosterSlot.objects.bulk_create(
            RosterSlot(order=order, household=h, position=i) for i, h in enumerate(households)
        )
        made.append(roster)
    return made


def count_generation_queries(rosters, first, last):
    with CaptureQueriesContext(connection) as captured:
        result = roster_bulk.generate_many(
            first=first,
            last=last,
            rosters=DutyRoster.objects.filter(pk__in=[r.pk for r in rosters]),
        )
    return len(captured), result


@pytest.mark.django_db
def test_generate_many_query_count_does_not_grow_with_the_rosters_of_a_batch(world):
    today = timezone.localdate()
    first, last = today, today + timedelta(weeks=3)  # 4 weeks: one INSERT for 8 rosters
    few = quick_rosters(world, 2, start_number=30)
    many = quick_rosters(world, 8, start_number=40)

    few_queries, few_result = count_generation_queries(few, first, last)
    many_queries, many_result = count_generation_queries(many, first, last)

    assert (few_result.created, many_result.created) == (8, 32)
    assert few_queries == many_queries <= 8, (few_queries, many_queries)


@pytest.mark.django_db
def test_generate_shifts_command_plans_the_coming_weeks_of_active_rosters(world):
    today = timezone.localdate()
    active, other, inactive = quick_rosters(world, 3, start_number=50)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    out = StringIO()

    call_command("generate_shifts", "--weeks", "4", "--unit-ids", active.unit_id, stdout=out)

    assert active.shifts.count() == 5  # today .. today + 4 weeks, as the roster page plans
    assert not other.shifts.exists()
    assert "5 shifts generated for 1 active rosters" in out.getvalue()

    call_command("generate_shifts", "--weeks", "4", stdout=out)

    assert other.shifts.count() == 5
    assert active.shifts.count() == 5
    assert not inactive.shifts.exists()
    last = other.shifts.order_by("starts_on").last()
    assert last.starts_on == today + timedelta(weeks=4)
    assert "5 shifts generated for 2 active rosters" in out.getvalue()


@pytest.mark.django_db
def test_generate_shifts_command_refuses_a_bad_number_of_weeks():
    with pytest.raises(CommandError, match="between 1 and 104"):
        call_command("generate_shifts", "--weeks", "0")
