"""Benchmark: generate a year of weekly duty shifts for many units at once.

    .venv/bin/python bench/roster_generation.py --units 10000 --weeks 52
    DATABASE_URL=postgres://corridor:corridor@127.0.0.1:5432/corridor_bench \\
        .venv/bin/python bench/roster_generation.py --units 10000 --weeks 52

Without DATABASE_URL it works in a scratch SQLite file, var/bench_rosters.sqlite3 -- never in
the development database. It refuses any database that holds data it did not put there: the
target must be empty (no tables, or the portal's tables without rows, as right after
``migrate``) and have "bench" in its name, or carry the benchmarks' marker table from an
earlier run, whose rows it then deletes (``flush``); see bench/_common.py.

It migrates the database, writes one community with buildings of ten units, six households a
unit (some vacant, a few exempt), and one weekly roster a unit with its order, all with
bulk inserts; then times ``buildings.roster_bulk.generate_many`` -- the code behind
``manage.py generate_shifts`` -- for ``--weeks`` weeks of every roster, and once more to show
that a second run adds nothing. Results go to docs/rosters.md by hand.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    REFUSAL_HINT,
    ROOT,
    QueryCounter,
    Refused,
    check_target,
    database_label,
    machine_label,
    prepare,
    setup_django,
)

SCRATCH_DB = ROOT / "var" / "bench_rosters.sqlite3"
NOTE = "bench/roster_generation.py: its rows may be deleted"
ROOMS = ("101", "102", "201", "202", "301", "302")
UNITS_PER_BUILDING = 10
VACANT_EVERY = 10  # every tenth unit has an empty flat (room 302)
EXEMPT_EVERY = 25  # every 25th roster exempts room 201 from week 10 on
INSERT_BATCH = 2000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, default=10_000, help="units, one roster each")
    parser.add_argument("--weeks", type=int, default=52, help="weekly shifts per roster")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="rosters per batch (default: the command's)"
    )
    args = parser.parse_args(argv)
    if args.units < 1 or args.weeks < 1:
        parser.error("--units and --weeks must be at least 1")
    return args


def populate(units: int, starts_on: date) -> int:
    """One community, ``units`` units of six households with a weekly roster each; returns
    the number of households."""
    from buildings.models import (
        Building,
        DutyRoster,
        Household,
        RosterExemption,
        RosterOrder,
        RosterSlot,
        Unit,
    )
    from communities.models import Community, District, Section, User

    def bulk(model, objects):
        return model.objects.bulk_create(objects, batch_size=INSERT_BATCH)

    user = User.objects.create(username="bench-head", full_name="基准楼长")
    district = District.objects.create(name="基准区", code="bench")
    community = Community.objects.create(district=district, name="基准社区", code="bench")
    section = Section.objects.create(community=community, name="基准片")
    buildings = bulk(
        Building,
        (
            Building(community=community, section=section, compound="基准小区", number=str(n))
            for n in range(1, -(-units // UNITS_PER_BUILDING) + 1)
        ),
    )
    unit_rows = bulk(
        Unit,
        (
            Unit(building=buildings[i // UNITS_PER_BUILDING], number=i % UNITS_PER_BUILDING + 1)
            for i in range(units)
        ),
    )
    households = bulk(
        Household,
        (
            Household(
                unit=unit,
                room=room,
                occupancy=(
                    Household.Occupancy.VACANT
                    if i % VACANT_EVERY == 0 and room == "302"
                    else Household.Occupancy.OWNER
                ),
            )
            for i, unit in enumerate(unit_rows)
            for room in ROOMS
        ),
    )
    rosters = bulk(
        DutyRoster,
        (
            DutyRoster(
                unit=unit,
                duties=["清扫楼梯", "擦拭扶手", "检查楼道灯"],
                rotation=DutyRoster.Rotation.WEEKLY,
                starts_on=starts_on,
                created_by=user,
            )
            for unit in unit_rows
        ),
    )
    orders = bulk(
        RosterOrder,
        (RosterOrder(roster=r, effective_from=starts_on, created_by=user) for r in rosters),
    )
    per_unit = len(ROOMS)
    bulk(
        RosterSlot,
        (
            RosterSlot(
                order=order, household=households[i * per_unit + position], position=position
            )
            for i, order in enumerate(orders)
            for position in range(per_unit)
        ),
    )
    bulk(
        RosterExemption,
        (
            RosterExemption(
                roster=roster,
                household=households[i * per_unit + ROOMS.index("201")],
                reason="高龄独居老人",
                since=starts_on + timedelta(weeks=10),
                created_by=user,
            )
            for i, roster in enumerate(rosters)
            if i % EXEMPT_EVERY == 0
        ),
    )
    return len(households)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(SCRATCH_DB)
    from django.db import connection, transaction
    from django.utils import timezone

    from buildings import roster_bulk
    from buildings.models import DutyShift

    try:
        ours = check_target(connection)
    except Refused as refusal:
        print(f"Refusing to run on {connection.settings_dict['NAME']}: {refusal}", file=sys.stderr)
        print(REFUSAL_HINT, file=sys.stderr)
        return 2
    print(f"Database: {database_label(connection)}")
    print(f"Machine: {machine_label()}")

    started = time.perf_counter()
    prepare(connection, ours=ours, note=NOTE)
    migrated = time.perf_counter()
    today = timezone.localdate()
    starts_on = today - timedelta(days=today.weekday())  # this week's Monday
    with transaction.atomic():
        households = populate(args.units, starts_on)
    populated = time.perf_counter()
    print(
        f"Setup: {args.units} units, {households} households, {args.units} weekly rosters "
        f"in {populated - migrated:.1f} s (migrate/flush {migrated - started:.1f} s)."
    )

    first, last = starts_on, starts_on + timedelta(weeks=args.weeks) - timedelta(days=1)
    options = {} if args.batch_size is None else {"batch_size": args.batch_size}
    for label in ("First run", "Second run"):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            result = roster_bulk.generate_many(first=first, last=last, **options)
            seconds = time.perf_counter() - began
        rate = f"{result.created / seconds:,.0f} rows/s" if result.created else "nothing to add"
        print(
            f"{label}: {result.created:,} shifts for {result.rosters:,} rosters "
            f"({args.weeks} weeks from {first}) in {seconds:.2f} s -- {rate}; "
            f"{counter.count:,} queries in {result.batches} batches."
        )
    expected = args.units * args.weeks
    stored = DutyShift.objects.count()
    print(f"Shifts stored: {stored:,} (expected {expected:,}).")
    return 0 if stored == expected else 1


if __name__ == "__main__":
    sys.exit(main())
