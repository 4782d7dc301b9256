"""Duty roster services: creating, planning, exempting, reordering, marking and swapping.

Each bad input must raise a clear error and leave the database as it was.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from buildings import roster_services
from buildings.models import DutyRoster, DutyShift, Household, RosterSlot
from tests import factories


def _today():
    return timezone.localdate()


def _households(unit, *rooms, **fields):
    return [factories.HouseholdFactory(unit=unit, room=room, **fields) for room in rooms]


def _roster(side, *, days_ago=21, rotation_kind="weekly", by=None, **kwargs):
    return roster_services.roster_create(
        unit=side.unit,
        duties=["扫楼梯", "擦扶手"],
        rotation_kind=rotation_kind,
        starts_on=_today() - timedelta(days=days_ago),
        by=by or side.secretary,
        **kwargs,
    )


def _rooms(roster, **filters):
    return list(
        roster.shifts.filter(**filters)
        .order_by("starts_on")
        .values_list("household__room", flat=True)
    )


# Creating


def test_roster_create_default_order_by_room(world):
    _households(world.a.unit, "502", "102")

    roster = _roster(world.a)

    slots = RosterSlot.objects.filter(order__roster=roster).order_by("position")
    assert [slot.household.room for slot in slots] == ["102", "301", "502"]
    assert roster.duties == ["扫楼梯", "擦扶手"]


def test_roster_create_keeps_given_order(world):
    first, second = _households(world.a.unit, "102", "502")

    roster = _roster(world.a, order=[second.pk, world.a.household.pk, first.pk])

    slots = RosterSlot.objects.filter(order__roster=roster).order_by("position")
    assert [slot.household.room for slot in slots] == ["502", "301", "102"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duties": []}, "duties"),
        ({"duties": ["  ", ""]}, "duties"),
        ({"starts_on": -400}, "starts_on"),
        ({"ends_on": -1}, "ends_on"),
    ],
    ids=["no-duties", "blank-duties", "start-over-a-year-ago", "end-before-start"],
)
def test_roster_create_bad_input_saves_nothing(world, changes, field):
    today = _today()
    data = {
        "unit": world.a.unit,
        "duties": ["扫楼梯"],
        "rotation_kind": "weekly",
        "starts_on": today,
        "by": world.a.secretary,
    }
    if "duties" in changes:
        data["duties"] = changes["duties"]
    if "starts_on" in changes:
        data["starts_on"] = today + timedelta(days=changes["starts_on"])
    if "ends_on" in changes:
        data["ends_on"] = today + timedelta(days=changes["ends_on"])

    with pytest.raises(ValidationError) as caught:
        roster_services.roster_create(**data)

    assert field in caught.value.message_dict
    assert not DutyRoster.objects.exists()


def test_roster_create_household_of_another_unit_saves_nothing(world):
    with pytest.raises(ValidationError) as caught:
        _roster(world.a, order=[world.a.household.pk, world.b.household.pk])

    assert caught.value.message_dict["order"] == ["Every household must belong to this unit."]
    assert not DutyRoster.objects.exists()
    assert not RosterSlot.objects.exists()


@pytest.mark.parametrize("who", ["official", "b_secretary", "a_cadre"])
def test_roster_create_refused_to_non_editors(world, who):
    user = {"official": world.official, "b_secretary": world.b.secretary, "a_cadre": world.a.cadre}
    with pytest.raises(PermissionDenied):
        _roster(world.a, by=user[who])

    assert not DutyRoster.objects.exists()


def test_roster_create_by_building_head(world):
    roster = _roster(world.a, by=world.a.head)

    assert roster.created_by == world.a.head


# Planning


def test_shifts_generate_twice_creates_no_duplicates(world):
    _households(world.a.unit, "302", "401")
    roster = _roster(world.a)

    first = roster_services.shifts_generate(roster=roster, weeks=8, by=world.a.head)
    count = roster.shifts.count()
    second = roster_services.shifts_generate(roster=roster, weeks=8, by=world.a.head)

    assert first == count > 0
    assert second == 0
    assert roster.shifts.count() == count
    starts = list(roster.shifts.values_list("starts_on", flat=True))
    assert len(starts) == len(set(starts))


def test_shifts_generate_covers_the_period_under_way(world):
    roster = _roster(world.a, days_ago=10)  # weekly: the second period began 3 days ago

    roster_services.shifts_generate(roster=roster, weeks=2, by=world.a.secretary)

    today = _today()
    assert roster.shifts.filter(starts_on__lte=today, ends_on__gte=today).count() == 1
    assert not roster.shifts.filter(ends_on__lt=today).exists()  # the past is not planned


def test_shifts_generate_tiles_without_gaps_and_skips_vacant(world):
    _households(world.a.unit, "302")
    _households(world.a.unit, "401", occupancy=Household.Occupancy.VACANT)
    roster = _roster(world.a, days_ago=0, rotation_kind="daily")

    roster_services.shifts_generate(roster=roster, weeks=1, by=world.a.secretary)

    shifts = list(roster.shifts.order_by("starts_on"))
    for before, after in zip(shifts, shifts[1:], strict=False):
        assert before.ends_on + timedelta(days=1) == after.starts_on
    assert _rooms(roster)[:4] == ["301", "302", "301", "302"]


@pytest.mark.parametrize("weeks", [0, 105])
def test_shifts_generate_refuses_out_of_range(world, weeks):
    roster = _roster(world.a)

    with pytest.raises(ValidationError):
        roster_services.shifts_generate(roster=roster, weeks=weeks, by=world.a.secretary)

    assert not roster.shifts.exists()


def test_shifts_generate_refused_to_official(world):
    roster = _roster(world.a)

    with pytest.raises(PermissionDenied):
        roster_services.shifts_generate(roster=roster, weeks=4, by=world.official)

    assert not roster.shifts.exists()


def test_roster_exempt_skips_household_from_then_on(world):
    (neighbour,) = _households(world.a.unit, "302")
    roster = _roster(world.a, days_ago=0)
    roster_services.shifts_generate(roster=roster, weeks=6, by=world.a.secretary)
    assert "302" in _rooms(roster)

    roster_services.roster_exempt(
        roster=roster, household=neighbour, reason="年老体弱", since=_today(), by=world.a.head
    )

    assert set(_rooms(roster)) == {"301"}


def test_roster_exempt_refuses_household_of_another_unit(world):
    roster = _roster(world.a)

    with pytest.raises(ValidationError):
        roster_services.roster_exempt(
            roster=roster, household=world.b.household, reason="病", since=_today(), by=world.a.head
        )

    assert not roster.exemptions.exists()


def test_roster_set_order_applies_from_its_date_only(world):
    _households(world.a.unit, "302", "401")
    roster = _roster(world.a)
    roster_services.generate(
        roster=roster, first=roster.starts_on, last=_today() + timedelta(weeks=4)
    )
    past = _rooms(roster, starts_on__lt=_today())
    new_order = list(reversed(roster_services.default_order(world.a.unit)))

    roster_services.roster_set_order(
        roster=roster, households=new_order, effective_from=_today(), by=world.a.secretary
    )

    assert _rooms(roster, starts_on__lt=_today()) == past


def test_roster_set_order_refuses_a_past_date(world):
    roster = _roster(world.a)

    with pytest.raises(ValidationError):
        roster_services.roster_set_order(
            roster=roster,
            households=[world.a.household.pk],
            effective_from=_today() - timedelta(days=1),
            by=world.a.secretary,
        )

    assert roster.orders.count() == 1


# Marking


@pytest.fixture
def planned(world):
    """A weekly roster of side A's unit (rooms 301, 302, 401) from three weeks ago, with
    its past and coming turns planned."""
    _households(world.a.unit, "302", "401")
    roster = _roster(world.a)
    roster_services.generate(
        roster=roster, first=roster.starts_on, last=_today() + timedelta(weeks=4)
    )
    shifts = list(roster.shifts.order_by("starts_on"))
    return roster, shifts


def test_shift_mark_done_by_building_head(world, planned):
    _roster, shifts = planned

    shift = roster_services.shift_mark(shift=shifts[0], status="done", by=world.a.head)

    shift.refresh_from_db()
    assert (shift.status, shift.marked_by) == ("done", world.a.head)
    assert shift.marked_at is not None


def test_shift_mark_missed_needs_a_note(world, planned):
    _roster, shifts = planned

    with pytest.raises(ValidationError) as caught:
        roster_services.shift_mark(shift=shifts[0], status="missed", note="  ", by=world.a.head)

    assert "note" in caught.value.message_dict
    shifts[0].refresh_from_db()
    assert shifts[0].status == "upcoming"


def test_shift_mark_refuses_a_turn_not_begun(world, planned):
    _roster, shifts = planned
    future = next(s for s in shifts if s.starts_on > _today())

    with pytest.raises(ValidationError):
        roster_services.shift_mark(shift=future, status="done", by=world.a.head)

    future.refresh_from_db()
    assert future.status == "upcoming"


@pytest.mark.parametrize("who", ["official", "b_head", "b_secretary", "a_cadre"])
def test_shift_mark_refused_outside_the_building(world, planned, who):
    _roster, shifts = planned
    user = {
        "official": world.official,
        "b_head": world.b.head,
        "b_secretary": world.b.secretary,
        "a_cadre": world.a.cadre,  # side A's cadre: another section
    }[who]

    with pytest.raises(PermissionDenied):
        roster_services.shift_mark(shift=shifts[0], status="done", by=user)

    shifts[0].refresh_from_db()
    assert shifts[0].status == "upcoming"


# Swapping


def test_shift_swap_trades_households_and_records_who(world, planned):
    _roster, shifts = planned
    upcoming = [s for s in shifts if s.starts_on > _today()]
    first, second = upcoming[0], upcoming[1]
    rooms = (first.household.room, second.household.room)

    roster_services.shift_swap(shift=first, other=second, by=world.a.head)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.household.room, first.household.room) == rooms
    assert first.swapped_with == second and second.swapped_with == first
    assert first.swapped_by == second.swapped_by == world.a.head


def test_shift_swap_with_itself_is_refused(world, planned):
    _roster, shifts = planned
    shift = shifts[-1]

    with pytest.raises(ValidationError):
        roster_services.shift_swap(shift=shift, other=shift, by=world.a.head)

    shift.refresh_from_db()
    assert shift.swapped_with is None


def test_shift_swap_with_another_roster_is_refused(world, planned):
    _roster, shifts = planned
    other_unit = factories.UnitFactory(building=world.a.building, number=7)
    factories.HouseholdFactory(unit=other_unit, room="101")
    other_roster = roster_services.roster_create(
        unit=other_unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=_today(),
        by=world.a.head,
    )
    roster_services.shifts_generate(roster=other_roster, weeks=2, by=world.a.head)
    theirs = other_roster.shifts.first()

    with pytest.raises(ValidationError):
        roster_services.shift_swap(shift=shifts[-1], other=theirs, by=world.a.head)

    assert not DutyShift.objects.exclude(swapped_with=None).exists()


def test_shift_swap_refused_to_official(world, planned):
    _roster, shifts = planned

    with pytest.raises(PermissionDenied):
        roster_services.shift_swap(shift=shifts[-1], other=shifts[-2], by=world.official)

    assert not DutyShift.objects.exclude(swapped_with=None).exists()


def test_shift_swap_refuses_a_marked_turn(world, planned):
    _roster, shifts = planned
    roster_services.shift_mark(shift=shifts[0], status="done", by=world.a.head)

    with pytest.raises(ValidationError):
        roster_services.shift_swap(shift=shifts[0], other=shifts[-1], by=world.a.head)

    assert not DutyShift.objects.exclude(swapped_with=None).exists()


# Completion


def test_completion_counts_ended_turns_only(world, planned):
    roster, shifts = planned
    ended = [s for s in shifts if s.ends_on < _today()]
    roster_services.shift_mark(shift=ended[0], status="done", by=world.a.head)
    roster_services.shift_mark(shift=ended[1], status="missed", note="出差", by=world.a.head)

    counts = roster_services.completion(roster.shifts.all())

    assert (counts["done"], counts["missed"], counts["overdue"]) == (1, 1, len(ended) - 2)
    assert counts["rate"] == round(100 / len(ended))
