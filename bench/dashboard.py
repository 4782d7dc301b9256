"""Benchmark: the dashboards and the upward report on a district of 100,000 households.

    .venv/bin/python bench/dashboard.py                       # 20 communities, SQLite under var/
    .venv/bin/python bench/dashboard.py --communities 2 --requests 5
    DATABASE_URL=postgres://corridor:corridor@127.0.0.1:5432/corridor_bench \\
        .venv/bin/python bench/dashboard.py --write

Without DATABASE_URL it works in a scratch SQLite file, var/bench_dashboard.sqlite3 -- never
in the development database; it refuses any database that holds data a benchmark did not put
there (see bench/_common.py).

It migrates the database and writes, with the portal's generator (corridor_portal/scale.py,
the one ``manage.py generate_scale`` uses: COPY on PostgreSQL), one district of
``--communities`` communities × ``--buildings`` buildings × ``--units`` units ×
``--households`` households (some vacant): 2.5 residents a household, a corridor per unit
in every status (some stalled), ``--exhibits`` exhibits with their status changes
(approvals spread over the last twelve months), a fund per unit and per building with
``--donations`` ledger entries (one in fifty a reversal) and expenses, a weekly duty roster
per unit with ``--shifts`` turns (done, missed, never marked, to come), suggestions,
guidance visits with visitors and problems, campaigns, symposiums and polls; an official of
the district, and a secretary, a building head and section cadres for each community.
``--reuse`` skips all that when the marker says that the
database already holds data of the same scale.

Then, logged in (``force_login``) as the official and as the first community's secretary, it
requests the district dashboard, that community's dashboard, its first building's dashboard,
the report page and the report .docx through Django's test client: the number of queries
(one request), and the median and 95th percentile of the time of ``--requests`` requests
after one warm-up, with the median time spent in SQL; then times ``dashboard.compute()`` and
``dashboard.trends()`` alone for the official's and the secretary's communities. It prints a
Markdown table; ``--write`` puts it into docs/dashboard.md between the markers
``<!-- bench:dashboard -->`` and ``<!-- /bench:dashboard -->``. ``--explain`` prints the plan
of the slowest query of ``compute()`` (EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    REFUSAL_HINT,
    ROOT,
    Refused,
    check_target,
    database_label,
    git_commit,
    machine_label,
    marker_note,
    prepare,
    set_marker,
    setup_django,
)

SCRATCH_DB = ROOT / "var" / "bench_dashboard.sqlite3"
DOC = ROOT / "docs" / "dashboard.md"
BEGIN, END = "<!-- bench:dashboard -->", "<!-- /bench:dashboard -->"
OFFICIAL = "bench-official"  # the username of the official

# Per household at the default scale: 100,000 households → 50,000 exhibits, 200,000
# donations, 1,000,000 duty turns.
EXHIBITS_PER_HOUSEHOLD = 0.5
DONATIONS_PER_HOUSEHOLD = 2
SHIFTS_PER_HOUSEHOLD = 10
RESIDENTS_PER_HOUSEHOLD_X2 = 5  # 2.5 residents a household


@dataclass(frozen=True)
class Scale:
    communities: int = 20
    buildings: int = 100
    units: int = 5
    households: int = 10
    exhibits: int = 50_000
    donations: int = 200_000
    shifts: int = 1_000_000
    seed: int = 1

    @property
    def total_households(self) -> int:
        return self.communities * self.buildings * self.units * self.households

    def note(self) -> str:
        """What the marker says of the data; ``--reuse`` needs the same note."""
        values = " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))
        return f"bench/dashboard.py generator=scale {values}"

    def label(self) -> str:
        return (
            f"{self.communities} communities × {self.buildings} buildings × {self.units} "
            f"units × {self.households} households"
        )

    def levels(self):
        """The generator's scale: these counts, 2.5 residents a household."""
        from corridor_portal.scale import Scale as Levels

        return Levels(
            name="bench",
            districts=1,
            communities=self.communities,
            buildings=self.buildings,
            units=self.units,
            households=self.households,
            residents=self.total_households * RESIDENTS_PER_HOUSEHOLD_X2 // 2,
            exhibits=self.exhibits,
            donations=self.donations,
            shifts=self.shifts,
        )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add = parser.add_argument
    add("--communities", type=int, default=20, help="communities of the district (20)")
    add("--buildings", type=int, default=100, help="buildings a community (100)")
    add("--units", type=int, default=5, help="units a building (5)")
    add("--households", type=int, default=10, help="households a unit (10, at most 198)")
    add("--exhibits", type=int, help="exhibits in all (default: half a household)")
    add("--donations", type=int, help="ledger entries of donations (default: 2 a household)")
    add("--shifts", type=int, help="duty turns in all (default: 10 a household)")
    add("--seed", type=int, default=1, help="seed of the random data (1)")
    add("--requests", type=int, default=20, help="timed requests a page, after a warm-up (20)")
    add("--reuse", action="store_true", help="keep data of the same scale that is there")
    add(
        "--no-analyze",
        action="store_true",
        help="do not update the planner's statistics after generating (ANALYZE)",
    )
    add("--write", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    add("--explain", action="store_true", help="print the plan of compute()'s slowest query")
    args = parser.parse_args(argv)
    for name in ("communities", "buildings", "units", "households", "requests"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.households > 198:
        parser.error("--households must be at most 198 (rooms 101 to 9902)")
    households = args.communities * args.buildings * args.units * args.households
    defaults = {
        "exhibits": round(households * EXHIBITS_PER_HOUSEHOLD),
        "donations": households * DONATIONS_PER_HOUSEHOLD,
        "shifts": households * SHIFTS_PER_HOUSEHOLD,
    }
    for name, default in defaults.items():
        value = getattr(args, name)
        if value is None:
            setattr(args, name, default)
        elif value < 0:
            parser.error(f"--{name} must not be negative")
    args.scale = Scale(
        communities=args.communities,
        buildings=args.buildings,
        units=args.units,
        households=args.households,
        exhibits=args.exhibits,
        donations=args.donations,
        shifts=args.shifts,
        seed=args.seed,
    )
    return args


# --- Generating the district ------------------------------------------------------------------


def generate(scale: Scale, *, today: date | None = None) -> dict[str, float]:
    """Write the district with the portal's generator (corridor_portal/scale.py, the one
    ``manage.py generate_scale`` uses), logins named ``bench-…``; how long each part took."""
    from corridor_portal import scale as scales

    return scales.generate(scale.levels(), seed=scale.seed, today=today, prefix="bench")


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Subjects:
    """Who requests the pages, and the community and building whose dashboards they open."""

    official: object
    secretary: object
    community: object
    building: object


def find_subjects() -> Subjects:
    from django.db.models.functions import Length

    from buildings.models import Building
    from communities.models import Membership, User

    membership = (
        Membership.objects.select_related("user", "community")
        .filter(role="secretary", user__username__startswith="bench-secretary-")
        .order_by("community__name", "pk")
        .first()
    )
    building = (
        Building.objects.filter(community=membership.community)
        .order_by("compound", Length("number"), "number", "pk")
        .first()
    )
    return Subjects(
        official=User.objects.get(username=OFFICIAL),
        secretary=membership.user,
        community=membership.community,
        building=building,
    )


@dataclass
class Result:
    page: str
    role: str
    queries: int
    times: list[float] = field(default_factory=list)  # seconds, of each timed request
    sql: list[float] = field(default_factory=list)  # seconds in queries, of each one
    slowest: tuple[float, str] = (0.0, "")  # the slowest query of the counted one: s, SQL

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def sql_ms(self) -> float:
        return statistics.median(self.sql) * 1000

    @property
    def p95_ms(self) -> float:
        """The 95th percentile, by nearest rank."""
        ordered = sorted(self.times)
        return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


class SqlTimer:
    """Adds up the time spent executing statements (on PostgreSQL with the rows fetched;
    SQLite hands rows over as they are read, so there it is the time to the first row)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


def _timed(call, requests: int, label: str, role: str) -> Result:
    """One warm-up call, one call with its queries counted, ``requests`` timed calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    with CaptureQueriesContext(connection) as captured:
        call()
    timed = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
    result = Result(label, role, len(captured), slowest=max(timed, default=(0.0, "")))
    for _n in range(requests):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            began = time.perf_counter()
            call()
            result.times.append(time.perf_counter() - began)
        result.sql.append(timer.seconds)
    return result


def pages(subjects: Subjects) -> list[tuple[str, str]]:
    from django.urls import reverse

    buildings = subjects.community.buildings.count()
    units = subjects.building.units.count()
    return [
        ("District dashboard", reverse("dashboard:district")),
        (
            f"Community dashboard ({buildings:,} buildings)",
            reverse("dashboard:community", args=[subjects.community.pk]),
        ),
        (
            f"Building dashboard ({units} units)",
            reverse("dashboard:building", args=[subjects.building.pk]),
        ),
        ("Report page", reverse("dashboard:report")),
        ("Report .docx", reverse("dashboard:report_docx")),
    ]


def measure(subjects: Subjects, *, requests: int) -> list[Result]:
    """Every page for the official and the secretary, then ``compute()`` and ``trends()``
    alone for the communities of each."""
    from django.test import Client

    from corridor_portal import dashboard

    results = []
    roles = (("official", subjects.official), ("secretary", subjects.secretary))
    for role, user in roles:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for label, url in pages(subjects):

            def get(url=url, client=client):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: status {response.status_code}")
                if response.streaming:
                    b"".join(response.streaming_content)
                return response

            results.append(_timed(get, requests, f"{label} `{url}`", role))
    for role, user in roles:
        period = dashboard.Period.default()

        def within(user=user):
            return (
                dashboard.dashboard_communities(user)
                .select_related("district")
                .order_by("name", "pk")
            )

        def compute(user=user, within=within, period=period):
            return dashboard.compute(user, level="community", within=within(), period=period)

        def trends(user=user, within=within, period=period):
            return dashboard.trends(user, level="community", within=within(), today=period.end)

        results.append(_timed(compute, requests, "`compute()`, communities", role))
        results.append(_timed(trends, requests, "`trends()`, communities", role))
    return results


def explain(sql: str) -> str:
    """The plan of ``sql``: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    from django.db import connection

    prefix = {"postgresql": "EXPLAIN (ANALYZE, BUFFERS) ", "sqlite": "EXPLAIN QUERY PLAN "}
    with connection.cursor() as cursor:
        cursor.execute(prefix.get(connection.vendor, "EXPLAIN ") + sql)
        rows = cursor.fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def row_counts() -> list[tuple[str, int]]:
    from buildings.models import (
        Building,
        Donation,
        DutyRoster,
        DutyShift,
        Expense,
        Fund,
        Household,
        Resident,
        Unit,
    )
    from communities.models import Community
    from engagement.models import GuidanceProblem, GuidanceVisit, Suggestion
    from exhibits.models import Corridor, Exhibit, ExhibitTransition

    counted = [
        ("communities", Community.objects),
        ("buildings", Building.objects),
        ("units", Unit.objects),
        ("households", Household.objects),
        ("residents", Resident.objects),
        ("corridors", Corridor.objects),
        ("exhibits", Exhibit.objects),
        ("exhibit status changes", ExhibitTransition.objects),
        ("funds", Fund.objects),
        ("donations", Donation.objects),
        ("of them reversals", Donation.objects.filter(reverses__isnull=False)),
        ("expenses", Expense.objects),
        ("duty rosters", DutyRoster.objects),
        ("duty turns", DutyShift.objects),
        ("suggestions", Suggestion.objects),
        ("guidance visits", GuidanceVisit.objects),
        ("problems raised", GuidanceProblem.objects),
    ]
    return [(name, rows.count()) for name, rows in counted]


# --- Reporting ----------------------------------------------------------------------------------


@dataclass
class Report:
    results: list[Result]
    markdown: str
    counts: list[tuple[str, int]]
    timings: dict[str, float]
    plan: str = ""


def render(results, *, scale: Scale, counts, setup: str, requests: int, load=()) -> str:
    from django.db import connection
    from django.utils import timezone

    rows = ", ".join(f"{name} {n:,}" for name, n in counts)
    sqlite = connection.vendor == "sqlite"
    lines = [
        f"Measured on {timezone.localdate():%Y-%m-%d} at commit {git_commit()} by "
        f"`bench/dashboard.py`.",
        "",
        f"- Machine: {machine_label()}"
        + (f"; load average {load[0]:.1f} before measuring, {load[1]:.1f} after" if load else ""),
        f"- Database: {database_label(connection)}",
        f"- Data: {scale.label()} (seed {scale.seed}); {setup}",
        f"- Rows: {rows}",
        f"- Each page: one warm-up request, one request whose queries are counted, then "
        f"{requests} timed requests through Django's test client (no web server): their "
        'median, 95th percentile (nearest rank) and median time in SQL ("SQL ms"). The '
        "default period: the last twelve months."
        + (" On SQLite, SQL time is the time to each first row." if sqlite else ""),
        "",
        "| Page | Role | Queries | Median ms | p95 ms | SQL ms |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.page} | {r.role} | {r.queries} | {r.median_ms:,.0f} | {r.p95_ms:,.0f} | "
            f"{r.sql_ms:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def write_doc(markdown: str, path: Path = DOC) -> None:
    """Replace the text between the markers of ``path``; without them, append a section
    "Benchmark" that has them."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Dashboards\n"
    section = f"{BEGIN}\n{markdown.strip()}\n{END}"
    begin, end = text.find(BEGIN), text.find(END)
    if 0 <= begin < end:
        text = text[:begin] + section + text[end + len(END) :]
    else:
        text = text.rstrip("\n") + f"\n\n## Benchmark\n\n{section}\n"
    path.write_text(text, encoding="utf-8")


# --- Running ------------------------------------------------------------------------------------


def update_statistics(connection) -> str:
    """The planner's statistics: VACUUM ANALYZE on PostgreSQL (what autovacuum does soon
    after a load), ANALYZE on SQLite (which never gathers them by itself)."""
    statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return statement


def _set_up(args, connection, log) -> tuple[dict, str]:
    """Check the database, then reuse its data or generate the district; the timings of
    the generation and a line that says what was done."""
    from django.core.management import call_command
    from django.db import transaction

    scale: Scale = args.scale
    began = time.perf_counter()
    ours = check_target(connection)
    # The marker's note: the scale, and how the data was generated.
    note, _bar, generated_how = (marker_note(connection) or "").partition(" | ")
    if args.reuse and ours and note == scale.note():
        log("Reusing the data of an earlier run.")
        call_command("migrate", verbosity=0, interactive=False)  # new tables start empty
        return {}, f"reused, {generated_how or 'generated'} by an earlier run"
    if args.reuse:
        log("No data of this scale to reuse: generating it.")
    prepare(connection, ours=ours, note="bench/dashboard.py: being generated")
    migrated = time.perf_counter()
    with transaction.atomic():
        timings = generate(scale)
    generated = time.perf_counter()
    for name, seconds in timings.items():
        log(f"  {name}: {seconds:.1f} s")
    setup = f"generated by corridor_portal/scale.py in {generated - migrated:.0f} s"
    if args.no_analyze:
        setup += ", planner statistics not updated (--no-analyze)"
    else:
        statement = update_statistics(connection)
        setup += f", then {statement} ({time.perf_counter() - generated:.0f} s)"
    set_marker(connection, f"{scale.note()} | {setup}")
    log(f"Data {setup}; migrate and flush before: {migrated - began:.0f} s.")
    return timings, setup


def run(args, *, check_database: bool = True, log=print) -> Report:
    """Generate (or reuse) the district, measure, and render the table.

    ``check_database=False`` writes into whatever database Django is connected to, without
    migrating or flushing it and without the refusals of bench/_common.py: only for the
    tests, whose database is throwaway. Otherwise raises ``Refused`` for a database that is
    not the benchmarks'.
    """
    from django.db import connection, transaction

    scale: Scale = args.scale
    began = time.perf_counter()
    if not check_database:
        with transaction.atomic():
            timings = generate(scale)
        setup = f"generated in {time.perf_counter() - began:.1f} s"
    else:
        timings, setup = _set_up(args, connection, log)
    subjects = find_subjects()
    load = [os.getloadavg()[0]]
    results = measure(subjects, requests=args.requests)
    load.append(os.getloadavg()[0])
    counts = row_counts()
    markdown = render(
        results, scale=scale, counts=counts, setup=setup, requests=args.requests, load=load
    )
    report = Report(results, markdown, counts, timings)
    if args.explain:
        computed = next(
            r for r in results if r.page.startswith("`compute()`") and r.role == "official"
        )
        seconds, sql = computed.slowest
        plan = explain(sql)
        slowest = "\n".join(
            f"- {r.page}, {r.role}: {r.slowest[0] * 1000:,.0f} ms: {r.slowest[1][:160]}…"
            for r in results
        )
        report.plan = (
            f"Slowest query of each page (one request):\n{slowest}\n\n"
            f"Slowest query of compute() for the official ({seconds * 1000:,.0f} ms):\n"
            f"{sql}\n\nPlan:\n{plan}\n"
        )
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    # Whitenoise's note that static files were never collected: no matter here.
    warnings.filterwarnings("ignore", message="No directory at")
    setup_django(SCRATCH_DB)
    from django.db import connection

    print(f"Database: {database_label(connection)}")
    print(f"Machine: {machine_label()}")
    print(f"Data: {args.scale.label()} = {args.scale.total_households:,} households")
    try:
        report = run(args)
    except Refused as refusal:
        print(f"Refusing to run on {connection.settings_dict['NAME']}: {refusal}", file=sys.stderr)
        print(REFUSAL_HINT, file=sys.stderr)
        return 2
    print()
    print(report.markdown)
    if report.plan:
        print(report.plan)
    if args.write:
        write_doc(report.markdown)
        print(f"Written into {DOC.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
