"""Benchmark: the dashboards and the upward report on a district of 100,000 households.

    .venv/bin/python bench/dashboard.py                       # 20 communities, SQLite under var/
    .venv/bin/python bench/dashboard.py --communities 2 --requests 5
    DATABASE_URL=postgres://corridor:corridor@127.0.0.1:5432/corridor_bench \\
        .venv/bin/python bench/dashboard.py --write

Without DATABASE_URL it works in a scratch SQLite file, var/bench_dashboard.sqlite3 -- never
in the development database; it refuses any database that holds data a benchmark did not put
there (see bench/_common.py).

It migrates the database and writes, with bulk inserts, one district of ``--communities``
communities × ``--buildings`` buildings × ``--units`` units × ``--households`` households
(some vacant): one resident per unit, a corridor per unit in every status (some stalled),
``--exhibits`` exhibits with their status changes (approvals spread over the last twelve
months), a fund per unit and per building with ``--donations`` ledger entries (one in fifty a
reversal) and expenses, a weekly duty roster per unit with ``--shifts`` turns (done, missed,
never marked, to come), suggestions, guidance visits with visitors and problems, campaigns,
symposiums and polls; an official of the district, and a secretary, a building head and
section cadres for each community. ``--reuse`` skips all that when the marker says that the
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
import contextlib
import itertools
import math
import os
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
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
INSERT_BATCH = 2000  # rows a statement (SQLite: as many as its 999 parameters allow)
CHUNK = 20_000  # model instances built at a time
OFFICIAL = "bench-official"  # the username of the official

# Per household at the default scale: 100,000 households → 50,000 exhibits, 200,000
# donations, 1,000,000 duty turns.
EXHIBITS_PER_HOUSEHOLD = 0.5
DONATIONS_PER_HOUSEHOLD = 2
SHIFTS_PER_HOUSEHOLD = 10
REVERSE_EVERY = 50  # one ledger entry in fifty is a reversal
FUTURE_WEEKS = 8  # every roster has turns planned this many weeks ahead
HISTORY_DAYS = 540  # records go back about eighteen months; the default period is twelve

THEMES = ("老年之友", "书画天地", "绿色楼道", "红色记忆", "邻里守望", "家风家训", "科普园地")
COMPOUNDS = ("清福", "华苑", "农行", "电业", "和平", "幸福", "康乐", "新兴")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
OUTSIDE_DONORS = ("电业局技校", "华苑物业", "区老年大学", "农行支行", "热心企业")
ITEMS = ("灯泡", "油漆", "画框", "绿植", "展板", "扶手漆", "宣传栏")
VISITORS = (("李明", "区委组织部部长"), ("王芳", "街道党工委书记"))


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
        return f"bench/dashboard.py {values}"

    def label(self) -> str:
        return (
            f"{self.communities} communities × {self.buildings} buildings × {self.units} "
            f"units × {self.households} households"
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


def bulk(model, objects, *, keep: bool = True) -> list | int:
    """Insert ``objects`` (any iterable) in chunks; the saved objects, with their primary
    keys, or only how many there were (``keep=False``, for the big tables)."""
    kept, count = [], 0
    iterator = iter(objects)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        model.objects.bulk_create(chunk, batch_size=INSERT_BATCH)
        count += len(chunk)
        if keep:
            kept.extend(chunk)
    return kept if keep else count


@contextlib.contextmanager
def own_timestamps(*models):
    """Let the generator set ``auto_now`` / ``auto_now_add`` fields itself (to spread
    records over months); put the fields back whatever happens."""
    saved = []
    for model in models:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` near-equal counts."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def generate(scale: Scale, *, today: date | None = None) -> dict[str, float]:
    """Write the district (see the module's docstring); how long each part took."""
    return DistrictGenerator(scale, today=today).write()


class DistrictGenerator:
    """Writes the district part by part; each part keeps what the next ones refer to."""

    def __init__(self, scale: Scale, *, today: date | None = None):
        from django.utils import timezone

        self.scale = scale
        self.rng = random.Random(scale.seed)
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()

    def write(self) -> dict[str, float]:
        timings = {}
        for name, part in (
            ("people and places", self.people_and_places),
            ("corridors and exhibits", self.corridors_and_exhibits),
            ("funds and ledger", self.funds),
            ("duty rosters and turns", self.duty_turns),
            ("listening and guidance", self.engagement),
        ):
            began = time.perf_counter()
            part()
            timings[name] = time.perf_counter() - began
        return timings

    # Helpers

    def moment(self, day: date, minute: int = 9 * 60) -> datetime:
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def community_of_unit(self, index: int) -> int:
        return index // (self.scale.buildings * self.scale.units)

    # The parts

    def people_and_places(self) -> None:
        from buildings.models import Building, Household, Resident, Unit
        from communities.models import Community, Membership, Section, User
        from communities.models import District as DistrictModel

        scale, rng = self.scale, self.rng
        district = DistrictModel.objects.create(name="基准区", code="bench")
        self.communities = bulk(
            Community,
            (
                Community(
                    district=district,
                    name=f"基准{c + 1:02d}社区",
                    code=f"bench-{c + 1:02d}",
                    org_kind=rng.choice(Community.OrgKind.values),
                    is_pilot=c % 4 == 0,
                    theme=f"{THEMES[c % len(THEMES)]}：退休干部书画进楼道",
                    # Targets of 35 % to 75 % of the units: red, amber and green communities.
                    target_corridors=max(
                        1, round(scale.buildings * scale.units * (0.35 + c % 5 / 10))
                    ),
                )
                for c in range(scale.communities)
            ),
        )
        per_community = min(4, scale.buildings)
        sections = bulk(
            Section,
            (
                Section(community=community, name=f"第{s + 1}片")
                for community in self.communities
                for s in range(per_community)
            ),
        )
        self.official = User.objects.create(username=OFFICIAL, full_name="基准区干部", password="!")
        self.secretaries, self.heads = (
            bulk(
                User,
                (
                    User(
                        username=f"bench-{role}-{c + 1:02d}",
                        full_name=f"{c + 1:02d}社区{label}",
                        password="!",  # unusable: they only ever log in with force_login
                    )
                    for c in range(scale.communities)
                ),
            )
            for role, label in (("secretary", "书记"), ("head", "楼长"))
        )
        guided = sections[::2]  # half of the sections are guided by a cadre
        cadres = bulk(
            User,
            (
                User(
                    username=f"bench-cadre-{s + 1:03d}", full_name=f"片区委员{s + 1}", password="!"
                )
                for s in range(len(guided))
            ),
        )
        memberships = [
            Membership(user=self.official, role="official", district=district, title="科长")
        ]
        for c, community in enumerate(self.communities):
            # Two communities in three have a leading group headed by the secretary.
            leader = "leader" if c % 3 else ""
            memberships += [
                Membership(
                    user=self.secretaries[c],
                    role="secretary",
                    district=district,
                    community=community,
                    group_position=leader,
                ),
                Membership(user=self.heads[c], role="head", district=district, community=community),
            ]
        memberships += [
            Membership(
                user=cadre,
                role="cadre",
                district=district,
                community=section.community,
                section=section,
                group_position="member",
            )
            for cadre, section in zip(cadres, guided, strict=True)
        ]
        bulk(Membership, memberships)

        self.buildings = bulk(
            Building,
            (
                Building(
                    community=community,
                    section=sections[c * per_community + b % per_community],
                    compound=f"{COMPOUNDS[b // 20 % len(COMPOUNDS)]}{b // 20 + 1}区",
                    number=str(b + 1),
                    head=self.heads[c] if b % 3 == 0 else None,
                )
                for c, community in enumerate(self.communities)
                for b in range(scale.buildings)
            ),
        )
        self.units = bulk(
            Unit,
            (
                Unit(building=building, number=u + 1)
                for building in self.buildings
                for u in range(scale.units)
            ),
        )
        occupancies = ["owner"] * 70 + ["rented"] * 22 + ["vacant"] * 8
        households = bulk(
            Household,
            (
                Household(
                    unit=unit,
                    room=f"{h // 2 + 1}0{h % 2 + 1}",
                    occupancy=rng.choice(occupancies),
                )
                for unit in self.units
                for h in range(scale.households)
            ),
        )
        # The occupied households of each unit (all of them if it has none): they take
        # turns and give.
        size = scale.households
        self.occupied = [
            [h for h in group if h.occupancy != "vacant"] or group
            for group in (households[i * size : (i + 1) * size] for i in range(len(self.units)))
        ]
        # One resident a unit, a Party member in every third unit.
        self.residents = bulk(
            Resident,
            (
                Resident(
                    household=self.occupied[i][0],
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    is_party_member=i % 3 == 0,
                    birth_year=rng.randint(1940, 1990),
                )
                for i in range(len(self.units))
            ),
        )
        self.community_of_building = {
            building.pk: b // scale.buildings for b, building in enumerate(self.buildings)
        }

    def corridors_and_exhibits(self) -> None:
        from exhibits.models import Corridor, Exhibit, ExhibitTransition

        scale, rng, now = self.scale, self.rng, self.now
        C, X = Corridor.Status, Exhibit.Status
        statuses = [C.PLANNING] * 20 + [C.BUILDING] * 25 + [C.COMPLETE] * 20 + [C.CERTIFIED] * 35
        corridors = []
        for i, unit in enumerate(self.units):
            status = rng.choice(statuses)
            created = self.moment(self.days_ago(30, HISTORY_DAYS))
            # A third of the corridors are untouched for more than 60 days: those still
            # planning or being built are stalled.
            quiet = rng.randint(61, 200) if rng.random() < 0.33 else rng.randint(0, 40)
            updated = max(created, now - timedelta(days=quiet))
            certified = status == C.CERTIFIED
            corridors.append(
                Corridor(
                    unit=unit,
                    theme=THEMES[i % len(THEMES)],
                    status=status,
                    certified_by=self.official if certified else None,
                    certified_at=updated if certified else None,
                    created_by=self.heads[self.community_of_unit(i)],
                    created_at=created,
                    updated_at=updated,
                )
            )
        with own_timestamps(Corridor):
            corridors = bulk(Corridor, corridors)

        # Exhibits hang in corridors past planning; each went through the review up to
        # its status, its approval at a time spread evenly over the last twelve months.
        showing = [c for c in corridors if c.status != C.PLANNING] or corridors
        resident_of_unit = {unit.pk: self.residents[i] for i, unit in enumerate(self.units)}
        exhibit_statuses = [X.APPROVED] * 80 + [X.RETIRED] * 4 + [X.CHECKED] * 5
        exhibit_statuses += [X.SUBMITTED] * 5 + [X.RETURNED] * 3 + [X.DRAFT] * 3
        paths = {
            X.DRAFT: [],
            X.SUBMITTED: [X.SUBMITTED],
            X.RETURNED: [X.SUBMITTED, X.RETURNED],
            X.CHECKED: [X.SUBMITTED, X.CHECKED],
            X.APPROVED: [X.SUBMITTED, X.CHECKED, X.APPROVED],
            X.RETIRED: [X.SUBMITTED, X.CHECKED, X.APPROVED, X.RETIRED],
        }
        exhibits, steps = [], []
        for n in range(scale.exhibits):
            corridor = rng.choice(showing)
            status = rng.choice(exhibit_statuses)
            approved = self.moment(self.days_ago(0, 364), rng.randint(8 * 60, 18 * 60))
            checked = approved - timedelta(days=rng.randint(1, 10))
            submitted = checked - timedelta(days=rng.randint(1, 10))
            at = {
                X.SUBMITTED: submitted,
                X.RETURNED: checked,
                X.CHECKED: checked,
                X.APPROVED: approved,
                X.RETIRED: approved + timedelta(days=rng.randint(1, 30)),
            }
            # (from, to, when) of each step; the status reached is no step's "from"
            path = [
                (before, to, min(at[to], now))
                for before, to in zip([X.DRAFT, *paths[status]], paths[status], strict=False)
            ]
            changed = path[-1][2] if path else submitted
            by_resident = rng.random() < 0.3
            exhibits.append(
                Exhibit(
                    corridor=corridor,
                    kind=rng.choice(Exhibit.Kind.values),
                    title=f"作品{n + 1}",
                    creator_resident=resident_of_unit[corridor.unit_id] if by_resident else None,
                    creator_name="" if by_resident else "老年大学学员",
                    floor=rng.randint(1, 6),
                    status=status,
                    status_changed_at=changed,
                    created_by_id=corridor.created_by_id,
                    created_at=submitted - timedelta(days=1),
                    updated_at=changed,
                )
            )
            steps.append(path)
        with own_timestamps(Exhibit, ExhibitTransition):
            exhibits = bulk(Exhibit, exhibits)
            bulk(
                ExhibitTransition,
                (
                    ExhibitTransition(
                        exhibit=exhibit,
                        from_status=before,
                        to_status=to,
                        by_id=self.official.pk if to == X.APPROVED else exhibit.created_by_id,
                        at=at,
                        note="请调整画框" if to == X.RETURNED else "",
                    )
                    for exhibit, path in zip(exhibits, steps, strict=True)
                    for before, to, at in path
                ),
                keep=False,
            )

    def funds(self) -> None:
        """A fund for every unit and every building; donations (one in fifty reversed
        later) and expenses spread over eighteen months."""
        from buildings.models import Donation, Expense, Fund

        scale, rng, today = self.scale, self.rng, self.today
        party = [r if r.is_party_member else None for r in self.residents]
        opened = today - timedelta(days=HISTORY_DAYS)
        funds = bulk(
            Fund,
            (
                Fund(
                    building_id=unit.building_id,
                    unit=unit,
                    purpose="楼道文化建设",
                    leader=party[i],
                    opened_on=opened,
                    created_by=self.heads[self.community_of_unit(i)],
                )
                for i, unit in enumerate(self.units)
            ),
        )
        funds += bulk(
            Fund,
            (
                Fund(
                    building=building,
                    purpose="楼栋宣传栏",
                    opened_on=opened,
                    created_by=self.heads[b // scale.buildings],
                )
                for b, building in enumerate(self.buildings)
            ),
        )
        # Who gives to each fund, and the Party members who bring in outside money.
        givers = list(self.occupied)
        raisers = [[p] if p else [] for p in party]
        for b in range(len(self.buildings)):
            span = range(b * scale.units, (b + 1) * scale.units)
            givers.append([h for i in span for h in self.occupied[i]])
            raisers.append([party[i] for i in span if party[i]])

        def recorder(fund):
            return self.secretaries[self.community_of_building[fund.building_id]]

        def donation() -> Donation:
            f = rng.randrange(len(funds))
            fund, pick = funds[f], rng.random()
            row = Donation(
                fund=fund, date=self.days_ago(0, HISTORY_DAYS - 1), recorded_by=recorder(fund)
            )
            if pick < 0.92:
                row.kind = Donation.Kind.MONEY
                row.amount = Decimal(rng.choice((20, 30, 50, 100, 200, 500)))
            elif pick < 0.96:
                row.kind, row.description = Donation.Kind.LABOUR, "义务粉刷楼道"
            else:
                row.kind, row.description = Donation.Kind.GOODS, "捐赠绿植"
                row.amount = Decimal(rng.randint(50, 500))
            if pick < 0.04 and raisers[f]:  # outside money brought in by a Party member
                row.donor_name = rng.choice(OUTSIDE_DONORS)
                row.raised_by = rng.choice(raisers[f])
            elif pick < 0.06 and raisers[f]:  # a Party member's own money
                row.donor_resident = rng.choice(raisers[f])
            else:
                row.donor_household = rng.choice(givers[f])
            return row

        reversals = scale.donations // REVERSE_EVERY
        originals = scale.donations - reversals
        pending = (donation() for _n in range(originals))
        to_reverse = []
        while chunk := list(itertools.islice(pending, CHUNK)):
            Donation.objects.bulk_create(chunk, batch_size=INSERT_BATCH)
            money = [d for d in chunk if d.kind == Donation.Kind.MONEY]
            share = min(len(money), round(reversals * len(chunk) / originals))
            to_reverse += rng.sample(money, share)
        bulk(
            Donation,
            (
                Donation(
                    fund_id=original.fund_id,
                    kind=original.kind,
                    amount=-original.amount,
                    date=min(today, original.date + timedelta(days=rng.randint(0, 14))),
                    reverses=original,
                    reason="录入有误，冲正",
                    donor_household_id=original.donor_household_id,
                    donor_resident_id=original.donor_resident_id,
                    donor_name=original.donor_name,
                    raised_by_id=original.raised_by_id,
                    recorded_by_id=original.recorded_by_id,
                )
                for original in to_reverse[:reversals]
            ),
            keep=False,
        )
        bulk(
            Expense,
            (
                Expense(
                    fund=fund,
                    item=rng.choice(ITEMS),
                    amount=Decimal(rng.randint(10, 800)),
                    date=self.days_ago(0, HISTORY_DAYS - 1),
                    recorded_by=recorder(fund),
                )
                for fund in (rng.choice(funds) for _n in range(scale.donations // 10))
            ),
            keep=False,
        )

    def duty_turns(self) -> None:
        """A weekly roster for every unit, its turns ending ``FUTURE_WEEKS`` ahead: those
        begun are done, missed or never marked; the others to come."""
        from buildings.models import DutyRoster, DutyShift

        rng, today = self.rng, self.today
        monday = today - timedelta(days=today.weekday())
        turns = _split(self.scale.shifts, len(self.units))
        rosters = bulk(
            DutyRoster,
            (
                DutyRoster(
                    unit=unit,
                    duties=["清扫楼梯", "擦拭扶手", "检查楼道灯"],
                    rotation=DutyRoster.Rotation.WEEKLY,
                    starts_on=monday - timedelta(weeks=max(0, turns[i] - FUTURE_WEEKS)),
                    created_by=self.heads[self.community_of_unit(i)],
                )
                for i, unit in enumerate(self.units)
            ),
        )
        S = DutyShift.Status
        marks = [S.DONE] * 86 + [S.MISSED] * 7 + [S.UPCOMING] * 7
        marked_at: dict[date, datetime] = {}

        def shifts():
            for i, roster in enumerate(rosters):
                households = self.occupied[i]
                head = self.heads[self.community_of_unit(i)]
                for k in range(turns[i]):
                    starts = roster.starts_on + timedelta(weeks=k)
                    ends = starts + timedelta(days=6)
                    status = S.UPCOMING if starts > today else rng.choice(marks)
                    marked = status != S.UPCOMING
                    if marked and ends not in marked_at:
                        marked_at[ends] = self.moment(ends, 20 * 60)
                    yield DutyShift(
                        roster=roster,
                        household=households[k % len(households)],
                        starts_on=starts,
                        ends_on=ends,
                        status=status,
                        marked_by=head if marked else None,
                        marked_at=marked_at[ends] if marked else None,
                        note="外出探亲，未清扫" if status == S.MISSED else "",
                    )

        bulk(DutyShift, shifts(), keep=False)

    def engagement(self) -> None:
        """Per community: a campaign, a symposium, a poll with its tallies, suggestions
        (half a building's worth), six guidance visits with two visitors and three
        problems each (those of visits older than 20 days mostly closed out)."""
        from engagement.models import (
            Campaign,
            Channel,
            GuidanceProblem,
            GuidanceVisit,
            GuidanceVisitor,
            Poll,
            PollOption,
            PollTally,
            Suggestion,
            Symposium,
        )

        scale, rng, today = self.scale, self.rng, self.today
        pairs = list(zip(self.communities, self.secretaries, strict=True))
        campaigns = bulk(
            Campaign,
            (
                Campaign(
                    community=community,
                    title="楼道文化金点子征集",
                    letters_sent=scale.buildings * scale.units * scale.households // 2,
                    starts_on=today - timedelta(days=200),
                    channels=["letter", "symposium"],
                    created_by=secretary,
                )
                for community, secretary in pairs
            ),
        )
        symposiums = bulk(
            Symposium,
            (
                Symposium(
                    community=community,
                    campaign=campaigns[c],
                    title="居民代表座谈会",
                    held_on=today - timedelta(days=150),
                    place="社区活动室",
                    attendees=rng.randint(15, 60),
                    created_by=secretary,
                )
                for c, (community, secretary) in enumerate(pairs)
            ),
        )
        SS = Suggestion.Status
        answers = [SS.NEW] * 15 + [SS.CONSIDERED] * 15 + [SS.ADOPTED] * 45 + [SS.DECLINED] * 25
        suggestions = []
        for c, (community, secretary) in enumerate(pairs):
            for n in range(max(1, scale.buildings // 2)):
                status = rng.choice(answers)
                received = self.days_ago(0, HISTORY_DAYS - 1)
                answered = status in (SS.ADOPTED, SS.DECLINED)
                decided = self.moment(min(today, received + timedelta(days=rng.randint(3, 40))))
                building = self.buildings[c * scale.buildings + n % scale.buildings]
                suggestions.append(
                    Suggestion(
                        community=community,
                        campaign=campaigns[c] if n % 2 else None,
                        symposium=symposiums[c] if n % 5 == 0 else None,
                        channel=rng.choice(Channel.values),
                        received_on=received,
                        content="建议在楼道增设扶手和照明，方便老年人上下楼。",
                        building=building if n % 4 else None,
                        status=status,
                        reply="已采纳，将于本月实施。" if answered else "",
                        decided_by=secretary if answered else None,
                        decided_at=decided if answered else None,
                        created_by=secretary,
                    )
                )
        bulk(Suggestion, suggestions, keep=False)
        polls = bulk(
            Poll,
            (
                Poll(
                    community=community,
                    campaign=campaigns[c],
                    question="楼道文化主题选哪个？",
                    opens_on=today - timedelta(days=120),
                    created_by=secretary,
                )
                for c, (community, secretary) in enumerate(pairs)
            ),
        )
        options = bulk(
            PollOption,
            (
                PollOption(poll=poll, label=theme, position=p)
                for poll in polls
                for p, theme in enumerate(THEMES[:3])
            ),
        )
        bulk(
            PollTally,
            (
                PollTally(option=option, votes=rng.randint(5, 120), counted_by=self.official)
                for option in options
            ),
            keep=False,
        )
        visits = bulk(
            GuidanceVisit,
            (
                GuidanceVisit(
                    community=community,
                    visited_on=self.days_ago(0, HISTORY_DAYS - 1),
                    purpose="指导楼道文化阵地建设",
                    created_by=self.official,
                )
                for community in self.communities
                for _n in range(6)
            ),
        )
        bulk(
            GuidanceVisitor,
            (
                GuidanceVisitor(visit=visit, name=name, title=title, position=p)
                for visit in visits
                for p, (name, title) in enumerate(VISITORS)
            ),
            keep=False,
        )
        secretary_of = {community.pk: secretary for community, secretary in pairs}
        problems = []
        for visit in visits:
            for p in range(3):
                closed = p < 2 and visit.visited_on < today - timedelta(days=20)
                fixed = visit.visited_on + timedelta(days=15)
                problems.append(
                    GuidanceProblem(
                        visit=visit,
                        description="楼道照明不足，部分展板破损。",
                        due_on=visit.visited_on + timedelta(days=30),
                        status="closed" if closed else "open",
                        fixed_by="社区物业" if closed else "",
                        fixed_on=fixed if closed else None,
                        resolution="已更换灯具并修复展板。" if closed else "",
                        closed_by=secretary_of[visit.community_id] if closed else None,
                        closed_at=self.moment(fixed) if closed else None,
                    )
                )
        bulk(GuidanceProblem, problems, keep=False)


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
    setup = f"generated with bulk inserts in {generated - migrated:.0f} s"
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
