"""Generating the shifts of many rosters at once: the ``generate_shifts`` command and the
benchmark (bench/roster_generation.py).

``roster_services.generate`` plans one roster in a constant number of queries, which over
10,000 units is still some 50,000 queries. :func:`generate_many` reads the same inputs for a
batch of rosters at once -- the rosters with the household of their last shift before the
period, their orders, the vacant households of their units, their exemptions and the shifts
they already have in the period: five queries per batch of :data:`ROSTER_BATCH` rosters --,
plans every roster with ``rotation.plan_shifts`` in Python, exactly as ``generate`` does, and
writes the new shifts with bulk inserts that ignore conflicts. The result is the same as
``generate`` roster by roster, and running it again adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import DateField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Greatest

from buildings import rotation
from buildings.models import (
    DutyRoster,
    DutyShift,
    Household,
    RosterExemption,
    RosterSlot,
)

ROSTER_BATCH = 500
# Rows per INSERT. SQLite allows 999 parameters a statement, so Django caps it at 90 rows
# there (11 columns); PostgreSQL takes the whole figure.
INSERT_BATCH = 5000


@dataclass
class BulkResult:
    rosters: int = 0
    created: int = 0
    batches: int = 0


def active_rosters(unit_ids=None) -> QuerySet[DutyRoster]:
    """Active rosters, of the units ``unit_ids`` when given."""
    rosters = DutyRoster.objects.filter(is_active=True)
    if unit_ids is not None:
        rosters = rosters.filter(unit_id__in=list(unit_ids))
    return rosters


def generate_many(
    *,
    first: date,
    last: date,
    rosters: QuerySet[DutyRoster] | None = None,
    batch_size: int = ROSTER_BATCH,
    progress: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Add the missing shifts of periods starting in [first, last] to ``rosters`` (default:
    every active roster), ``batch_size`` rosters at a time, each batch in one transaction.

    ``progress`` is called with the running totals after every batch.
    """
    if rosters is None:
        rosters = active_rosters()
    # Rosters that cannot have a period in [first, last] are not even read.
    rosters = rosters.filter(starts_on__lte=last).exclude(ends_on__lt=first).order_by("pk")
    previous = (
        DutyShift.objects.filter(
            roster=OuterRef("pk"),
            starts_on__lt=Greatest(OuterRef("starts_on"), Value(first, output_field=DateField())),
        )
        .order_by("-starts_on")
        .values("household_id")[:1]
    )
    rosters = rosters.annotate(previous_household=Subquery(previous))
    result = BulkResult()
    after = 0
    while True:  # keyset pagination: every batch is one indexed range of primary keys
        batch = list(rosters.filter(pk__gt=after)[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            result.created += _generate_batch(batch, first=first, last=last)
        result.rosters += len(batch)
        result.batches += 1
        after = batch[-1].pk
        if progress is not None:
            progress(result)
        if len(batch) < batch_size:
            break
    return result


def _generate_batch(rosters: list[DutyRoster], *, first: date, last: date) -> int:
    """Plan and insert the shifts of ``rosters`` (annotated with ``previous_household``)."""
    ids = [roster.pk for roster in rosters]

    orders: dict[int, dict[date, list[int]]] = defaultdict(dict)
    for roster_id, effective_from, household in (
        RosterSlot.objects.filter(order__roster__in=ids)
        .order_by("order__roster_id", "order__effective_from", "position")
        .values_list("order__roster_id", "order__effective_from", "household_id")
    ):
        orders[roster_id].setdefault(effective_from, []).append(household)

    vacant: dict[int, set[int]] = defaultdict(set)
    for unit_id, household in Household.objects.filter(
        unit__in={roster.unit_id for roster in rosters}, occupancy=Household.Occupancy.VACANT
    ).values_list("unit_id", "pk"):
        vacant[unit_id].add(household)

    exemptions: dict[int, dict[int, list[tuple[date, date | None]]]] = defaultdict(dict)
    for roster_id, household, since, until in RosterExemption.objects.filter(
        roster__in=ids
    ).values_list("roster_id", "household_id", "since", "until"):
        exemptions[roster_id].setdefault(household, []).append((since, until))

    existing: dict[int, dict[date, int]] = defaultdict(dict)
    for roster_id, starts_on, household in DutyShift.objects.filter(
        roster__in=ids, starts_on__gte=first, starts_on__lte=last
    ).values_list("roster_id", "starts_on", "household_id"):
        existing[roster_id][starts_on] = household

    new_shifts = []
    for roster in rosters:
        roster_first = max(first, roster.starts_on)
        roster_last = min(last, roster.ends_on) if roster.ends_on is not None else last
        if roster_last < roster_first:
            continue
        planned = rotation.plan_shifts(
            starts_on=roster.starts_on,
            period_days=roster.period_days,
            first=roster_first,
            last=roster_last,
            orders=list(orders[roster.pk].items()),
            existing=existing[roster.pk],
            previous=roster.previous_household,
            skipped=_skipper(vacant[roster.unit_id], exemptions[roster.pk]),
        )
        new_shifts += [
            DutyShift(
                roster_id=roster.pk,
                household_id=p.household,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
            )
            for p in planned
        ]
    DutyShift.objects.bulk_create(new_shifts, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return len(new_shifts)


def _skipper(
    vacant: set[int], exemptions: dict[int, list[tuple[date, date | None]]]
) -> Callable[[int, date], bool]:
    """The ``skipped(household, day)`` of one roster: vacant, or exempt on that day."""
    if not exemptions:  # most rosters: a set lookup
        return lambda household, day: household in vacant

    def skipped(household: int, day: date) -> bool:
        if household in vacant:
            return True
        return any(
            since <= day and (until is None or day <= until)
            for since, until in exemptions.get(household, ())
        )

    return skipped
