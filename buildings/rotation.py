"""The rotation of a duty roster, as a pure function of dates and household ids.

Kept free of the database so that its properties can be tested exhaustively (hypothesis):
periods tile the requested range exactly, each eligible household takes its turn in order,
and periods that already have a shift are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PlannedShift:
    starts_on: date
    ends_on: date
    household: int


def period_starts(*, starts_on: date, period_days: int, first: date, last: date) -> list[date]:
    """Starts of the roster's periods that begin within [first, last]."""
    if last < first:
        return []
    offset = max(0, (first - starts_on).days)
    k = -(-offset // period_days)  # ceiling division: the first period starting on/after first
    current = starts_on + timedelta(days=k * period_days)
    starts = []
    while current <= last:
        starts.append(current)
        current += timedelta(days=period_days)
    return starts


def order_on(orders: list[tuple[date, list[int]]], day: date) -> list[int]:
    """The order in force on ``day``: the latest whose effective date is not after it."""
    current: list[int] = []
    for effective_from, households in sorted(orders, key=lambda item: item[0]):
        if effective_from <= day:
            current = households
    return current


def next_household(order: list[int], eligible: Iterable[int], last: int | None) -> int | None:
    """The eligible household after ``last`` in ``order``, wrapping round; None if none."""
    allowed = set(eligible)
    candidates = [h for h in order if h in allowed]
    if not candidates:
        return None
    if last is None or last not in order:
        return candidates[0]
    after = order.index(last)
    for household in order[after + 1 :] + order[: after + 1]:
        if household in allowed:
            return household
    return None


def plan_shifts(
    *,
    starts_on: date,
    period_days: int,
    first: date,
    last: date,
    orders: list[tuple[date, list[int]]],
    existing: dict[date, int],
    previous: int | None,
    skipped: Callable[[int, date], bool],
) -> list[PlannedShift]:
    """The shifts to add for periods starting in [first, last].

    ``existing`` maps the start of a period that already has a shift to its household: it
    is kept, and the turn continues after it. ``previous`` is the household of the shift
    just before ``first``. A period in which every household is skipped gets no shift.
    """
    planned = []
    last_household = previous
    for start in period_starts(
        starts_on=starts_on, period_days=period_days, first=first, last=last
    ):
        if start in existing:
            last_household = existing[start]
            continue
        order = order_on(orders, start)
        eligible = [h for h in order if not skipped(h, start)]
        household = next_household(order, eligible, last_household)
        if household is None:
            continue
        planned.append(PlannedShift(start, start + timedelta(days=period_days - 1), household))
        last_household = household
    return planned
