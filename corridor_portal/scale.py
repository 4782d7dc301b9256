"""Data at scale: a seeded generator of whole districts, for load tests and benchmarks.

``manage.py generate_scale --scale small|district|city`` (see docs/scale.md) and
``bench/dashboard.py`` write with :func:`generate`. What it writes is internally consistent:
every row belongs to the community the generator meant (a resident's household is in a unit
of a building of that community, a donation's donor lives where its fund is, a duty shift's
household is in its roster's unit, an exhibit's creator lives by its corridor), with Chinese
names and places, statuses in realistic shares, and one shared handful of generated photos
that every exhibit points at instead of a file per exhibit.

Deterministic: the same scale, seed and ``today`` give the same rows (one
``random.Random(seed)`` drawn in a fixed order; dates count from ``today``, never from the
clock). Rows get explicit ids, counted on from the highest id already in each table, so the
big tables go to PostgreSQL with ``COPY`` and to SQLite with ``executemany`` -- no model
instances -- and the sequences are moved past them at the end.

Nothing here writes history rows (simple-history) or runs services: the rows are written
final, as the services would have left them. Ledger rows (donations, expenses) are only
inserted, which the ledger's guard allows.

The marker (``MARKER``, a one-row table that is no model) says that the data in a database
was generated -- by this module or a benchmark -- and how; ``bench/_common.py`` shares it.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

# --- The marker ----------------------------------------------------------------------------------

MARKER = "bench_marker"
# Rows that ``migrate`` itself writes: a database holding only these is empty.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def marker_note(connection) -> str | None:
    """The note of the marker (what the data in the database is), if there is one."""
    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {MARKER}")
        row = cursor.fetchone()
    return row[0] if row else None


def set_marker(connection, note: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (note varchar(200))")
        cursor.execute(f"DELETE FROM {MARKER}")
        cursor.execute(f"INSERT INTO {MARKER} (note) VALUES (%s)", [note[:200]])


def first_foreign_rows(connection) -> str | None:
    """The first table of the portal's that holds rows (``migrate``'s bookkeeping aside),
    or None when every one is empty."""
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        for table in sorted(set(tables) - BOOKKEEPING):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return table
    return None


# --- Scales -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How much to write: the places per level, and the records in all."""

    name: str
    districts: int
    communities: int  # a district
    buildings: int  # a community
    units: int  # a building
    households: int  # a unit
    residents: int  # in all
    exhibits: int  # in all
    donations: int  # in all, reversals included
    shifts: int  # duty shifts in all

    @property
    def total_communities(self) -> int:
        return self.districts * self.communities

    @property
    def total_buildings(self) -> int:
        return self.total_communities * self.buildings

    @property
    def total_units(self) -> int:
        return self.total_buildings * self.units

    @property
    def total_households(self) -> int:
        return self.total_units * self.households

    @property
    def reversals(self) -> int:
        return self.donations // REVERSE_EVERY

    def counts(self) -> dict[str, int]:
        """The rows of each level, as ``generate`` writes them."""
        return {
            "districts": self.districts,
            "communities": self.total_communities,
            "buildings": self.total_buildings,
            "units": self.total_units,
            "households": self.total_households,
            "residents": self.residents,
            "corridors": self.total_units,
            "exhibits": self.exhibits,
            "funds": self.total_units + self.total_buildings,
            "donations": self.donations,
            "duty rosters": self.total_units,
            "duty shifts": self.shifts,
        }


def _per_household(name: str, districts: int, communities: int, buildings: int, units: int,
                   households: int) -> Scale:  # fmt: skip
    total = districts * communities * buildings * units * households
    return Scale(
        name=name,
        districts=districts,
        communities=communities,
        buildings=buildings,
        units=units,
        households=households,
        residents=total * 5 // 2,
        exhibits=total // 2,
        donations=total * 2,
        shifts=total * 10,
    )


SCALES = {
    # Every kind of record, in a few seconds: for tests.
    "small": _per_household("small", 1, 2, 2, 2, 12),
    # DESIGN.md's district: 20 communities, 2,000 buildings, 10,000 units, 100,000
    # households, 250,000 residents, 50,000 exhibits, 200,000 donations, 1,000,000 shifts.
    "district": _per_household("district", 1, 20, 100, 5, 10),
    # Ten such districts.
    "city": _per_household("city", 10, 20, 100, 5, 10),
}

# --- What the data looks like -------------------------------------------------------------------

DEFAULT_PASSWORD = "corridor-scale"
HISTORY_DAYS = 540  # records go back about eighteen months
FUTURE_WEEKS = 8  # every roster has turns planned this many weeks ahead
REVERSE_EVERY = 50  # one donation in fifty is the reversal of an earlier one
DOORS_PER_FLOOR = 2
BUILDINGS_PER_COMPOUND = 20
PHOTO_FOLDER = "photos/exhibits/scale"
PAIR_FOLDER = "photos/corridors/scale"

# Districts of the city of the report (东安区 is the report's own).
DISTRICT_NAMES = (
    "东安区", "西安区", "爱民区", "阳明区", "东宁区",
    "海林区", "宁安区", "穆棱区", "绥芬河区", "林口区",
)  # fmt: skip
# The report's three communities first, then two-character names made from these.
REPORT_COMMUNITIES = ("清福", "花园", "建福")
NAME_FIRST = "清花建和幸康新东胜光红友民团振长永文春育"
NAME_SECOND = "福园华平安乐兴风利明"
NUMERALS = "一二三四五六七八九十"
THEMES = ("老年之友", "书画天地", "学习园地", "绿色楼道", "红色记忆", "邻里守望", "家风家训")
# Residents by community character, after the report: retired bank cadres (农行小区),
# laid-off workers (建福宿舍), the pilot's mix, and one more mix.
PROFILES = (
    (("retired-cadre", 0.10), ("senior-university", 0.12)),
    (("retired-cadre", 0.65), ("senior-university", 0.20)),
    (("laid-off", 0.60), ("senior-university", 0.05)),
    (("senior-university", 0.15), ("retired-cadre", 0.12), ("laid-off", 0.10)),
)
PROFILE_THEMES = (
    "书画展进楼道：居民最喜欢的书画作品布展",
    "悬挂牌匾和书法作品，用居民自己养植的鲜花点缀",
    "体现自立自强和市场信息的书画作品，给人以激励和帮助",
    "老年大学学员作画写字，社区装裱成主题楼道",
)
BIRTH_YEARS = {  # by the first tag a resident has in this order
    "party-veteran": (1935, 1958),
    "retired-cadre": (1936, 1962),
    "senior-university": (1940, 1963),
    "laid-off": (1956, 1976),
    None: (1945, 2004),
}
PHONE_PREFIX = "1390000"  # obviously fictitious, as in the demo
EXHIBIT_TITLES = {
    "calligraphy": ("厚德载物", "家和万事兴", "宁静致远", "天道酬勤", "上善若水", "海纳百川"),
    "painting": ("松鹤延年", "江山如画", "荷塘月色", "梅兰竹菊", "春满楼道"),
    "plaque": ("文明楼道", "邻里和睦", "楼馨园"),
    "mirror_plaque": ("为人民服务", "党员先锋岗", "共产党员户"),
    "photo": ("社区新貌", "夕阳红", "楼道今昔"),
    "poster": ("垃圾分类从我做起", "文明城市共建共享", "移风易俗树新风"),
    "literary": ("楼道新风", "邻里情", "我的楼道我的家"),
    "plants": ("绿意盎然", "花香满楼"),
    "other": ("剪纸·福", "手工艺品"),
}
PHOTO_KINDS = ("calligraphy", "painting", "plaque", "mirror_plaque", "poster", "photo")
OUTSIDE_DONORS = ("电业局技校", "农行支行", "区老年大学", "华苑物业", "热心企业", "社区共建单位")
FUND_KINDS = (  # purpose, per-household quota; by the unit's place in its building
    ("楼馨园健身角和护栏", Decimal("300.00")),
    ("楼道粉刷、竹子、鲜花和灯", Decimal("570.00")),
    ("楼道文化建设", None),
)
EXPENSE_ITEMS = ("竹子", "鲜花", "楼道灯", "油漆", "画框", "健身器材", "扶手", "展板")
DUTIES = ["清扫楼梯", "擦拭扶手", "检查楼道灯"]
VISITORS = (
    ("王毅", "区委常委、组织部长"),
    ("关丽", "宣传部部长"),
    ("赵军", "区民政局局长"),
    ("李刚", "区精神文明办主任"),
    ("孙晓梅", "区文体局副局长"),
)
RETURN_NOTE = "请补充作者姓名和创作时间"
REPLIES = {"adopted": "已采纳，将于本月实施。", "declined": "经研究，暂不具备条件。"}
PROBLEMS = (
    "楼道照明不足，部分展板破损。",
    "个别楼道堆放杂物，影响通行。",
    "作品说明牌字迹褪色，需要更新。",
)
SUGGESTIONS = (
    "建议在楼道增设扶手和照明，方便老年人上下楼。",
    "希望多办书画展，让老年大学学员的作品进楼道。",
    "楼道里的绿植可以请居民轮流养护。",
    "建议设立意见箱，定期公开处理结果。",
)


def _split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` near-equal counts."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def community_stems(count: int) -> list[str]:
    """``count`` distinct two-character community names, the report's three first."""
    stems = list(REPORT_COMMUNITIES)
    for first, second in itertools.product(NAME_FIRST, NAME_SECOND):
        if first + second not in stems:
            stems.append(first + second)
    if count > len(stems):
        stems += [f"{stems[i % len(stems)]}{i // len(stems) + 1}" for i in range(count)]
    return stems[:count]


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 二十)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


# --- Writing rows ---------------------------------------------------------------------------------

COPY_CHUNK = 50_000  # rows a COPY statement
INSERT_CHUNK = 5_000  # rows an executemany on SQLite


class Progress:
    """Lines on a stream: each step, and each table's rows as they are written."""

    def __init__(self, log: Callable[[str], None] | None):
        self.log = log or (lambda _line: None)
        self.began = time.perf_counter()

    def say(self, text: str) -> None:
        self.log(f"[{time.perf_counter() - self.began:7.1f} s] {text}")

    def rows(self, label: str, done: int, total: int | None) -> None:
        if total:
            self.say(f"  {label}: {done:,} / {total:,} ({100 * done // total}%)")
        else:
            self.say(f"  {label}: {done:,}")


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _copy_format(field) -> Callable:
    """How ``COPY ... FROM STDIN`` (text format) reads a value of ``field``."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if kind == "JSONField":
        return lambda v: "\\N" if v is None else _escape(json.dumps(v, ensure_ascii=False))
    if kind in ("CharField", "TextField", "SlugField", "EmailField"):
        return lambda v: "\\N" if v is None else _escape(v)
    if kind == "DateTimeField":
        return lambda v: "\\N" if v is None else v.isoformat()
    return lambda v: "\\N" if v is None else str(v)  # numbers, dates, decimals, UUIDs


def _insert_format(field, connection) -> Callable | None:
    """How SQLite's ``executemany`` takes a value of ``field`` (None: as it is)."""
    kind = field.get_internal_type()
    if kind in ("DateTimeField", "UUIDField", "JSONField", "DecimalField", "DateField"):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


class Writer:
    """Writes rows given as tuples with explicit ids: COPY on PostgreSQL, executemany
    elsewhere. Columns the generator does not give get the field's default (a new field
    with a default keeps the generator working); one without a default is an error."""

    def __init__(self, connection, progress: Progress):
        self.connection = connection
        self.progress = progress
        self.copy = connection.vendor == "postgresql"
        self.written: list = []  # the models written to, for the sequences
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        table = self.connection.ops.quote_name(model._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            (highest,) = cursor.fetchone()
        return (highest or 0) + 1

    def _columns(self, model, columns: tuple[str, ...]):
        by_column = {f.column: f for f in model._meta.concrete_fields}
        by_column.update({f.attname: f for f in model._meta.concrete_fields})
        given = [by_column[name] for name in columns]
        extra = [f for f in model._meta.concrete_fields if f not in given]
        for f in extra:
            if not (f.has_default() or f.null or f.empty_strings_allowed):
                raise ValueError(f"{model.__name__}.{f.name} has no value and no default")
        constant = tuple(f.get_default() for f in extra if not callable(f.default))
        varying = [f for f in extra if callable(f.default)]
        extra = [f for f in extra if not callable(f.default)] + varying
        return given + extra, constant, varying

    def write(self, model, columns: tuple[str, ...], rows: Iterable[tuple], *, label: str = "",
              total: int | None = None) -> int:  # fmt: skip
        """Write ``rows`` (tuples in the order of ``columns``, model field names or
        attnames); how many there were."""
        fields_, constant, varying = self._columns(model, columns)
        if constant or varying:
            rows = (row + constant + tuple(f.get_default() for f in varying) for row in rows)
        if not label:
            from django.utils import translation

            with translation.override("en"):
                label = str(model._meta.verbose_name_plural)
        count = self._copy(model, fields_, rows, label, total) if self.copy else None
        if count is None:
            count = self._insert(model, fields_, rows, label, total)
        self.progress.rows(label, count, total or count)
        if model not in self.written:
            self.written.append(model)
        self.counts[label] = self.counts.get(label, 0) + count
        return count

    def _copy(self, model, fields_, rows, label, total) -> int | None:
        quote = self.connection.ops.quote_name
        formats = [_copy_format(f) for f in fields_]
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields_)
        )
        count = 0
        iterator = iter(rows)
        self.connection.ensure_connection()
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            if not hasattr(raw, "copy_expert"):  # not psycopg2
                return None
            while chunk := list(itertools.islice(iterator, COPY_CHUNK)):
                text = "\n".join(
                    "\t".join([fmt(v) for fmt, v in zip(formats, row, strict=True)])
                    for row in chunk
                )
                raw.copy_expert(sql, io.StringIO(text + "\n"), size=1 << 20)
                count += len(chunk)
                if total and count < total:
                    self.progress.rows(label, count, total)
        return count

    def _insert(self, model, fields_, rows, label, total) -> int:
        quote = self.connection.ops.quote_name
        formats = [_insert_format(f, self.connection) for f in fields_]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields_),
            ", ".join(["%s"] * len(fields_)),
        )
        convert = [(i, fmt) for i, fmt in enumerate(formats) if fmt is not None]
        count = 0
        iterator = iter(rows)
        with self.connection.cursor() as cursor:
            while chunk := list(itertools.islice(iterator, INSERT_CHUNK)):
                if convert:
                    converted = []
                    for row in chunk:
                        row = list(row)
                        for i, fmt in convert:
                            if row[i] is not None:
                                row[i] = fmt(row[i])
                        converted.append(row)
                    chunk = converted
                cursor.executemany(sql, chunk)
                count += len(chunk)
                if total and count < total and count % 100_000 < len(chunk):
                    self.progress.rows(label, count, total)
        return count

    def reset_sequences(self) -> None:
        """Move each table's id sequence past the ids written (PostgreSQL; SQLite's
        AUTOINCREMENT follows explicit ids by itself)."""
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), self.written)
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def analyze(connection) -> str:
    """Update the planner's statistics after a load; the statement run."""
    statements = ["ANALYZE"]
    if connection.vendor == "sqlite":
        statements.append("PRAGMA optimize")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return "; ".join(statements)


# --- The generator --------------------------------------------------------------------------------


@dataclass
class Login:
    username: str
    role: str
    where: str


def generate(
    scale: Scale,
    *,
    seed: int = 1,
    today: date | None = None,
    prefix: str = "scale",
    password: str = DEFAULT_PASSWORD,
    log: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Write ``scale`` into the default database; how long each step took (seconds).

    Each step is one transaction (a savepoint inside an outer one). Usernames start with
    ``prefix``; every login has ``password``. The caller checks the database first (see
    the command) and updates the statistics afterwards (:func:`analyze`).
    """
    generator = Generator(scale, seed=seed, today=today, prefix=prefix, log=log)
    return generator.write(password=password)


class Generator:
    """Writes a scale step by step; each step keeps what later ones refer to, as ids."""

    def __init__(self, scale: Scale, *, seed: int, today: date | None, prefix: str, log=None):
        from django.db import connection
        from django.utils import timezone

        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.now = self.moment(self.today, 18 * 60)
        self.prefix = prefix
        self.progress = Progress(log)
        self.writer = Writer(connection, self.progress)
        self.logins: list[Login] = []
        self.photo_files: list[str] = []

    def write(self, *, password: str) -> dict[str, float]:
        from django.db import transaction

        self.password = password
        timings = {}
        steps = (
            ("people and places", self.places),
            ("residents", self.residents),
            ("corridors and exhibits", self.corridors_and_exhibits),
            ("funds and ledger", self.funds),
            ("duty rosters and turns", self.duty_rosters),
            ("listening and guidance", self.engagement),
        )
        for number, (name, step) in enumerate(steps, 1):
            self.progress.say(f"Step {number}/{len(steps)}: {name}")
            began = time.perf_counter()
            with transaction.atomic():
                step()
            timings[name] = time.perf_counter() - began
            self.progress.say(f"Step {number}/{len(steps)} done: {name} ({timings[name]:.1f} s)")
        began = time.perf_counter()
        self.writer.reset_sequences()
        timings["sequences"] = time.perf_counter() - began
        return timings

    # Helpers

    def moment(self, day: date, minute: int = 9 * 60) -> datetime:
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def name(self, surname: str | None = None) -> str:
        from corridor_portal.demo import GIVEN_NAMES, SURNAMES

        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(GIVEN_NAMES)

    def ids(self, model, count: int) -> range:
        first = self.writer.next_id(model)
        return range(first, first + count)

    def community_of_unit(self, u: int) -> int:
        return u // (self.scale.buildings * self.scale.units)

    def community_of_building(self, b: int) -> int:
        return b // self.scale.buildings

    def username(self, role: str, number: int, count: int) -> str:
        width = max(2, len(str(count)))
        return f"{self.prefix}-{role}-{number:0{width}d}"

    # Step 1: districts, communities, sections, logins, buildings, units, households

    def places(self) -> None:
        from django.contrib.auth.hashers import make_password

        from buildings.models import Building, Household, Unit
        from communities.models import Community, District, Membership, Section, User

        s, rng, w = self.scale, self.rng, self.writer
        start = self.moment(self.today - timedelta(days=HISTORY_DAYS + 30))
        n_communities = s.total_communities
        district_ids = self.ids(District, s.districts)
        w.write(
            District,
            ("id", "name", "code"),
            (
                (pk, DISTRICT_NAMES[d % len(DISTRICT_NAMES)] + ("" if d < 10 else str(d)),
                 f"{self.prefix}-d{d + 1:02d}")
                for d, pk in enumerate(district_ids)
            ),
        )  # fmt: skip
        stems = community_stems(s.communities)
        self.community_ids = self.ids(Community, n_communities)
        self.community_stems = [stems[c % s.communities] for c in range(n_communities)]
        self.community_district = [district_ids[c // s.communities] for c in range(n_communities)]
        org_kinds = Community.OrgKind.values
        w.write(
            Community,
            ("id", "district_id", "name", "code", "org_kind", "address", "is_pilot", "theme",
             "target_corridors"),
            (
                (
                    pk,
                    self.community_district[c],
                    f"{self.community_stems[c]}社区",
                    f"{self.prefix}-{c + 1:0{max(2, len(str(n_communities)))}d}",
                    rng.choice(org_kinds),
                    f"{DISTRICT_NAMES[c // s.communities % len(DISTRICT_NAMES)]}"
                    f"{self.community_stems[c]}一区社区服务站",
                    c % s.communities == 0,
                    f"{THEMES[c % len(THEMES)]}：{PROFILE_THEMES[c % len(PROFILE_THEMES)]}",
                    # 35 % to 75 % of the units: red, amber and green communities.
                    max(1, round(s.buildings * s.units * (0.35 + c % 5 / 10))),
                )
                for c, pk in enumerate(self.community_ids)
            ),
        )  # fmt: skip
        # A section (片区) per compound of twenty buildings.
        compounds = math.ceil(s.buildings / BUILDINGS_PER_COMPOUND)
        section_ids = self.ids(Section, n_communities * compounds)
        w.write(
            Section,
            ("id", "community_id", "name"),
            (
                (section_ids[c * compounds + k], self.community_ids[c],
                 f"{self.community_stems[c]}{chinese_number(k + 1)}区片")
                for c in range(n_communities)
                for k in range(compounds)
            ),
        )  # fmt: skip

        # Logins: an official per district; a secretary, a building head and a cadre per
        # section in every community.
        password = make_password(self.password)
        user_ids = iter(self.ids(User, s.districts + n_communities * (2 + compounds)))
        users, memberships = [], []
        self.officials, self.secretaries, self.heads = [], [], []

        def user(username: str, full_name: str) -> int:
            pk = next(user_ids)
            users.append((pk, username, password, full_name, start, True))
            return pk

        for d, district in enumerate(district_ids):
            username = f"{self.prefix}-official" + (f"-{d + 1:02d}" if s.districts > 1 else "")
            pk = user(username, self.name())
            self.officials.append(pk)
            memberships.append((pk, "official", district, None, None, "", "组织部科长"))
            self.logins.append(Login(username, "official", DISTRICT_NAMES[d % 10]))
        for c in range(n_communities):
            number = c + 1
            community, district = self.community_ids[c], self.community_district[c]
            where = f"{self.community_stems[c]}社区"
            username = self.username("secretary", number, n_communities)
            pk = user(username, self.name())
            self.secretaries.append(pk)
            leader = "leader" if c % 3 else ""  # two communities in three have a leading group
            memberships.append((pk, "secretary", district, community, None, leader, "社区书记"))
            self.logins.append(Login(username, "secretary", where))
            username = self.username("head", number, n_communities)
            pk = user(username, self.name())
            self.heads.append(pk)
            memberships.append((pk, "head", district, community, None, "", "楼院长"))
            self.logins.append(Login(username, "head", where))
            for k in range(compounds):
                section = section_ids[c * compounds + k]
                username = self.username("cadre", c * compounds + k + 1, n_communities * compounds)
                pk = user(username, self.name())
                memberships.append(
                    (pk, "cadre", district, community, section, "member", "两委委员")
                )
                self.logins.append(Login(username, "cadre", where))
        w.write(
            User, ("id", "username", "password", "full_name", "date_joined", "is_active"), users
        )
        membership_ids = self.ids(Membership, len(memberships))
        w.write(
            Membership,
            ("id", "user_id", "role", "district_id", "community_id", "section_id",
             "group_position", "title", "is_active", "created_at"),
            ((pk, *m, True, start) for pk, m in zip(membership_ids, memberships, strict=True)),
        )  # fmt: skip

        # Buildings: compounds of twenty (清福一区1号楼 …), every third headed.
        self.building_ids = self.ids(Building, s.total_buildings)
        per = BUILDINGS_PER_COMPOUND
        w.write(
            Building,
            ("id", "community_id", "section_id", "compound", "number", "name", "head_id",
             "created_at", "updated_at"),
            (
                (
                    pk,
                    self.community_ids[b // s.buildings],
                    section_ids[b // s.buildings * compounds + b % s.buildings // per],
                    f"{self.community_stems[b // s.buildings]}"
                    f"{chinese_number(b % s.buildings // per + 1)}区",
                    str(b % s.buildings % per + 1),
                    "",
                    self.heads[b // s.buildings] if b % 3 == 0 else None,
                    start,
                    start,
                )
                for b, pk in enumerate(self.building_ids)
            ),
            total=s.total_buildings,
        )  # fmt: skip
        floors = max(6, math.ceil(s.households / DOORS_PER_FLOOR))
        self.floors = min(floors, 60)
        self.unit_ids = self.ids(Unit, s.total_units)
        w.write(
            Unit,
            ("id", "building_id", "number", "floors"),
            (
                (pk, self.building_ids[u // s.units], u % s.units + 1, self.floors)
                for u, pk in enumerate(self.unit_ids)
            ),
            total=s.total_units,
        )
        # Households: owner-occupied, rented, vacant; a few shops on the ground floor.
        # Every unit keeps at least one occupied household (someone takes the turns).
        occupancies = ["owner"] * 70 + ["rented"] * 21 + ["vacant"] * 9
        self.occupancy: list[str] = []
        for _u in range(s.total_units):
            drawn = []
            for h in range(s.households):
                if h < DOORS_PER_FLOOR and rng.random() < 0.08:
                    drawn.append("shop")
                else:
                    drawn.append(rng.choice(occupancies))
            if all(o in ("vacant", "shop") for o in drawn):
                drawn[-1] = "owner"
            self.occupancy += drawn
        self.household_ids = self.ids(Household, s.total_households)
        rooms = [
            f"{h // DOORS_PER_FLOOR + 1}{h % DOORS_PER_FLOOR + 1:02d}" for h in range(s.households)
        ]
        w.write(
            Household,
            ("id", "unit_id", "room", "occupancy", "created_at", "updated_at"),
            (
                (pk, self.unit_ids[i // s.households], rooms[i % s.households],
                 self.occupancy[i], start, start)
                for i, pk in enumerate(self.household_ids)
            ),
            total=s.total_households,
        )  # fmt: skip

    def occupied(self, u: int) -> list[int]:
        """The ids of unit ``u``'s households that live there (not vacant, not shops)."""
        first = u * self.scale.households
        return [
            self.household_ids[i]
            for i in range(first, first + self.scale.households)
            if self.occupancy[i] in ("owner", "rented")
        ]

    # Step 2: residents and their tags

    def residents(self) -> None:
        from buildings.models import Resident, ResidentTag
        from corridor_portal.demo import GIVEN_NAMES, RESIDENT_TAGS, SURNAMES

        s, rng, w = self.scale, self.rng, self.writer
        tag_ids = dict(
            zip((code for code, _name in RESIDENT_TAGS), self.ids(ResidentTag, 4), strict=True)
        )
        w.write(
            ResidentTag,
            ("id", "code", "name"),
            ((tag_ids[code], code, name) for code, name in RESIDENT_TAGS),
        )
        # How many live in each household: 2.5 on average, all of them in occupied ones.
        lived_in = [i for i, o in enumerate(self.occupancy) if o in ("owner", "rented")]
        sizes = [0] * s.total_households
        if s.residents >= len(lived_in):
            for i in lived_in:
                sizes[i] = 1
            for _n in range(s.residents - len(lived_in)):
                i = rng.choice(lived_in)
                if sizes[i] >= 6:  # one more try for a smaller household
                    i = rng.choice(lived_in)
                sizes[i] += 1
        else:
            for i in rng.sample(lived_in, s.residents):
                sizes[i] = 1
        first = w.next_id(Resident)
        # Per unit: the range of its residents' ids, and its Party members.
        self.unit_residents: list[tuple[int, int]] = []
        self.unit_party: list[list[int]] = []
        tag_rows: list[tuple[int, int]] = []
        created = self.moment(self.today - timedelta(days=HISTORY_DAYS + 20))
        years = {tag: range(low, high + 1) for tag, (low, high) in BIRTH_YEARS.items()}
        surnames, given = SURNAMES, GIVEN_NAMES

        def rows() -> Iterator[tuple]:
            pk = first
            for u in range(s.total_units):
                profile = PROFILES[self.community_of_unit(u) % len(PROFILES)]
                begin, party, rows_of_unit = pk, [], []
                for i in range(u * s.households, (u + 1) * s.households):
                    household = self.household_ids[i]
                    family = rng.choice(surnames)
                    for position in range(sizes[i]):
                        adult = position < 2
                        surname = family if position != 1 else rng.choice(surnames)
                        name = surname + rng.choice(given)
                        tags = [code for code, chance in profile if adult and rng.random() < chance]
                        is_party = adult and rng.random() < (
                            0.4 if "retired-cadre" in tags else 0.12
                        )
                        if is_party and rng.random() < 0.45:
                            tags.insert(0, "party-veteran")
                        if rng.random() < 0.12:
                            birth_year = None
                        elif not adult:
                            birth_year = rng.randint(1985, 2015)
                        else:
                            birth_year = rng.choice(years[tags[0] if tags else None])
                        phone = ""
                        if rng.random() < (0.85 if adult else 0.3):
                            phone = f"{PHONE_PREFIX}{rng.randrange(10_000):04d}"
                        if is_party:
                            party.append(pk)
                        tag_rows.extend((pk, tag_ids[tag]) for tag in tags)
                        rows_of_unit.append(
                            [pk, household, name, phone, is_party, birth_year, created, created]
                        )
                        pk += 1
                # Every unit with residents has a Party member to lead its fund.
                if rows_of_unit and not party:
                    rows_of_unit[0][4] = True
                    party.append(rows_of_unit[0][0])
                self.unit_residents.append((begin, pk))
                self.unit_party.append(party)
                yield from map(tuple, rows_of_unit)

        w.write(
            Resident,
            ("id", "household_id", "name", "phone", "is_party_member", "birth_year",
             "created_at", "updated_at"),
            rows(),
            total=s.residents,
        )  # fmt: skip
        through = Resident.tags.through
        through_ids = self.ids(through, len(tag_rows))
        w.write(
            through,
            ("id", "resident_id", "residenttag_id"),
            ((pk, *row) for pk, row in zip(through_ids, tag_rows, strict=True)),
            label="tags of residents",
            total=len(tag_rows),
        )

    def building_party(self, b: int) -> list[int]:
        units = range(b * self.scale.units, (b + 1) * self.scale.units)
        return [pk for u in units for pk in self.unit_party[u]]

    # Step 3: corridors, exhibits with their history and shared photos, before/after pairs

    def store_photos(self) -> tuple[dict[str, tuple], tuple | None]:
        """A handful of generated pictures, stored once through the photo pipeline."""
        from communities import images
        from corridor_portal.demo import DemoPictures

        pictures = DemoPictures()
        installed = self.today - timedelta(days=200)
        small, large = min(images.thumb_sizes()), max(images.thumb_sizes())
        stored = {}
        for kind in PHOTO_KINDS:
            title = EXHIBIT_TITLES[kind][0]
            processed = pictures.work_photo(kind, title, "老年大学学员", installed)
            photo = images.store_photo(processed, folder=PHOTO_FOLDER)
            self.photo_files += photo.names
            stored[kind] = (
                photo.name,
                photo.thumbnail_names[small],
                photo.thumbnail_names[large],
                photo.content_type,
                photo.thumbnail_content_type,
                photo.width,
                photo.height,
            )
        before = images.store_photo(pictures.before_photo(), folder=PAIR_FOLDER)
        after = images.store_photo(pictures.after_photo(), folder=PAIR_FOLDER)
        self.photo_files += before.names + after.names
        pair = (
            before.name,
            before.thumbnail_names[large],
            before.thumbnail_content_type,
            after.name,
            after.thumbnail_names[large],
            after.thumbnail_content_type,
        )
        return stored, pair

    def corridors_and_exhibits(self) -> None:
        from exhibits.models import (
            BeforeAfterPair,
            Corridor,
            Exhibit,
            ExhibitPhoto,
            ExhibitPlacement,
            ExhibitTransition,
        )

        s, rng, w, now = self.scale, self.rng, self.writer, self.now
        C, X = Corridor.Status, Exhibit.Status
        photos, pair = self.store_photos()
        statuses = [C.PLANNING] * 20 + [C.BUILDING] * 25 + [C.COMPLETE] * 20 + [C.CERTIFIED] * 35
        corridors = []  # (id, status, created_by, created_at) of each unit's corridor
        corridor_ids = self.ids(Corridor, s.total_units)

        def corridor_rows():
            for u, pk in enumerate(corridor_ids):
                c = self.community_of_unit(u)
                status = rng.choice(statuses)
                created = self.moment(self.days_ago(30, HISTORY_DAYS))
                # A third untouched for more than 60 days: stalled if not finished.
                quiet = rng.randint(61, 200) if rng.random() < 0.33 else rng.randint(0, 40)
                updated = max(created, now - timedelta(days=quiet))
                certified = status == C.CERTIFIED
                slug = base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")
                official = self.officials[c // s.communities]
                corridors.append((pk, status, self.heads[c], created))
                yield (
                    pk, self.unit_ids[u], THEMES[(u + c) % len(THEMES)], "", status,
                    official if certified else None, updated if certified else None, slug,
                    self.heads[c], created, updated,
                )  # fmt: skip

        w.write(
            Corridor,
            ("id", "unit_id", "theme", "style_notes", "status", "certified_by_id",
             "certified_at", "public_slug", "created_by_id", "created_at", "updated_at"),
            corridor_rows(),
            total=s.total_units,
        )  # fmt: skip
        certified = [(u, row) for u, row in enumerate(corridors) if row[1] == C.CERTIFIED]
        pair_ids = self.ids(BeforeAfterPair, len(certified))
        w.write(
            BeforeAfterPair,
            ("id", "corridor_id", "caption", "before_image", "before_thumb",
             "before_content_type", "after_image", "after_thumb", "after_content_type",
             "created_by_id", "created_at"),
            (
                (pk, row[0], "楼道改造前后", *pair, row[2], row[3])
                for pk, (_u, row) in zip(pair_ids, certified, strict=True)
            ),
        )  # fmt: skip

        # Exhibits hang in corridors past planning; each went through the review up to its
        # status, approvals spread over the last twelve months.
        showing = [u for u, row in enumerate(corridors) if row[1] != C.PLANNING]
        showing = showing or list(range(len(corridors)))
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
        kinds = Exhibit.Kind.values
        exhibit_ids = self.ids(Exhibit, s.exhibits)
        transitions, placements, photo_rows = [], [], []

        def exhibit_rows():
            for pk in exhibit_ids:
                u = rng.choice(showing)
                corridor, _status, head, _created = corridors[u]
                c = self.community_of_unit(u)
                official, secretary = self.officials[c // s.communities], self.secretaries[c]
                status = rng.choice(exhibit_statuses)
                kind = rng.choice(kinds)
                approved = self.moment(self.days_ago(0, 364), rng.randint(8 * 60, 18 * 60))
                checked = approved - timedelta(days=rng.randint(1, 10))
                submitted = checked - timedelta(days=rng.randint(1, 10))
                created = submitted - timedelta(days=1)
                at = {
                    X.SUBMITTED: submitted,
                    X.RETURNED: checked,
                    X.CHECKED: checked,
                    X.APPROVED: approved,
                    X.RETIRED: approved + timedelta(days=rng.randint(1, 30)),
                }
                by = {X.SUBMITTED: head, X.CHECKED: secretary, X.APPROVED: official}
                by[X.RETIRED] = by[X.RETURNED] = secretary
                steps = [("", X.DRAFT, head, created, "")]
                steps += [
                    (before, to, by[to], min(at[to], now), RETURN_NOTE if to == X.RETURNED else "")
                    for before, to in zip([X.DRAFT, *paths[status]], paths[status], strict=False)
                ]
                changed = steps[-1][3]
                begin, end = self.unit_residents[u]
                by_resident = end > begin and rng.random() < 0.4
                floor = rng.randint(1, self.floors)
                on_landing = rng.random() < 0.2
                transitions.extend((pk, *step) for step in steps)
                until = at[X.RETIRED] if status == X.RETIRED else None
                placements.append((pk, corridor, floor, on_landing, created, until, head))
                if status != X.DRAFT:
                    photo_kind = kind if kind in photos else PHOTO_KINDS[pk % len(PHOTO_KINDS)]
                    photo_rows.append((pk, photo_kind, created))
                yield (
                    pk, corridor, kind, rng.choice(EXHIBIT_TITLES[kind]),
                    rng.randrange(begin, end) if by_resident else None,
                    "" if by_resident else "老年大学学员", "", floor, on_landing,
                    created.date() if status in (X.APPROVED, X.RETIRED) else None,
                    status, changed, head, created, changed,
                )  # fmt: skip

        w.write(
            Exhibit,
            ("id", "corridor_id", "kind", "title", "creator_resident_id", "creator_name",
             "description", "floor", "on_landing", "installed_on", "status",
             "status_changed_at", "created_by_id", "created_at", "updated_at"),
            exhibit_rows(),
            total=s.exhibits,
        )  # fmt: skip
        ids = self.ids(ExhibitTransition, len(transitions))
        w.write(
            ExhibitTransition,
            ("id", "exhibit_id", "from_status", "to_status", "by_id", "at", "note"),
            ((pk, *row) for pk, row in zip(ids, transitions, strict=True)),
            total=len(transitions),
        )
        ids = self.ids(ExhibitPlacement, len(placements))
        w.write(
            ExhibitPlacement,
            ("id", "exhibit_id", "corridor_id", "floor", "on_landing", "since", "until",
             "by_id", "note"),
            ((pk, *row, "") for pk, row in zip(ids, placements, strict=True)),
            total=len(placements),
        )  # fmt: skip
        ids = self.ids(ExhibitPhoto, len(photo_rows))
        w.write(
            ExhibitPhoto,
            ("id", "exhibit_id", "image", "thumb_small", "thumb_large", "content_type",
             "thumb_content_type", "width", "height", "caption", "position", "created_at"),
            (
                (pk, exhibit, *photos[kind], "", 0, created)
                for pk, (exhibit, kind, created) in zip(ids, photo_rows, strict=True)
            ),
            total=len(photo_rows),
        )  # fmt: skip

    # Step 4: funds, donations (quotas, in kind, outside money, reversals), expenses

    def funds(self) -> None:
        from buildings.models import Donation, Expense, Fund

        s, rng, w, today = self.scale, self.rng, self.writer, self.today
        # A fund per unit (楼馨园 at 300 yuan a household, repainting and flowers at 570,
        # or without a quota) and one per building for its notice board.
        funds = []  # (building index, unit index or None, quota, opened_on, payers, party)
        for u in range(s.total_units):
            purpose, quota = FUND_KINDS[u % len(FUND_KINDS)]
            opened = self.days_ago(HISTORY_DAYS - 60, HISTORY_DAYS)
            funds.append((u // s.units, u, purpose, quota, opened))
        for b in range(s.total_buildings):
            funds.append(
                (b, None, "楼栋宣传栏", None, self.days_ago(HISTORY_DAYS - 60, HISTORY_DAYS))
            )
        fund_ids = self.ids(Fund, len(funds))
        payers = [self.occupied(u) for u in range(s.total_units)]

        def givers(f: int) -> list[int]:
            b, u = funds[f][0], funds[f][1]
            if u is not None:
                return payers[u]
            return [h for u in range(b * s.units, (b + 1) * s.units) for h in payers[u]]

        def party_of(f: int) -> list[int]:
            b, u = funds[f][0], funds[f][1]
            return self.unit_party[u] if u is not None else self.building_party(b)

        def fund_rows():
            for f, pk in enumerate(fund_ids):
                b, u, purpose, quota, opened = funds[f]
                c = self.community_of_building(b)
                party = party_of(f)
                target = quota * len(payers[u]) if quota is not None and payers[u] else None
                yield (
                    pk, self.building_ids[b], self.unit_ids[u] if u is not None else None,
                    purpose, "", target, quota, party[0] if party else None,
                    rng.random() < 0.8, opened, self.secretaries[c], self.moment(opened),
                )  # fmt: skip

        w.write(
            Fund,
            ("id", "building_id", "unit_id", "purpose", "description", "target", "quota",
             "leader_id", "is_open", "opened_on", "created_by_id", "created_at"),
            fund_rows(),
            total=len(funds),
        )  # fmt: skip

        # Donations per fund: quota funds first collect the quota from distinct households.
        originals = s.donations - s.reversals
        per_fund = _split(originals, len(funds))
        reversed_at = set(rng.sample(range(originals), s.reversals)) if originals else set()
        to_reverse: list[tuple] = []
        donation_ids = self.ids(Donation, s.donations)
        money = (Decimal(20), Decimal(50), Decimal(100), Decimal(200), Decimal(500))

        def donation_rows():
            n = 0
            for f, count in enumerate(per_fund):
                b, _u, _purpose, quota, opened = funds[f]
                fund, recorder = fund_ids[f], self.secretaries[self.community_of_building(b)]
                households, party = givers(f), party_of(f)
                days = max(0, (today - opened).days)
                quota_payers = rng.sample(households, len(households)) if quota else []
                for k in range(count):
                    pk = donation_ids[n]
                    day = opened + timedelta(days=rng.randint(0, days))
                    pick = rng.random()
                    forced = n in reversed_at
                    kind, amount, description = "money", None, ""
                    household = resident = raised_by = None
                    donor_name = ""
                    if k < len(quota_payers) and rng.random() < 0.9:
                        amount, household = quota, quota_payers[k]
                    elif pick < 0.04 and party and not forced:  # outside money brought in
                        donor_name, raised_by = rng.choice(OUTSIDE_DONORS), rng.choice(party)
                        amount = Decimal(rng.choice((200, 500, 1000)))
                    elif pick < 0.06 and party:  # a Party member's own money
                        amount, resident = Decimal(200), rng.choice(party)
                    elif pick < 0.10 and not forced:
                        kind, description = "labour", "义务粉刷楼道"
                        household = rng.choice(households) if households else None
                        donor_name = "" if households else "热心居民"
                    elif pick < 0.14 and not forced:
                        kind, description = "goods", "捐赠绿植和花盆"
                        amount = Decimal(rng.randint(50, 300))
                        household = rng.choice(households) if households else None
                        donor_name = "" if households else "热心居民"
                    else:
                        amount = rng.choice(money)
                        household = rng.choice(households) if households else None
                        donor_name = "" if households else rng.choice(OUTSIDE_DONORS)
                    receipt = f"SJ{pk:08d}" if kind == "money" else ""
                    row = (
                        pk, fund, kind, amount, day, receipt, None, "", self.uuid(), household,
                        resident, donor_name, raised_by, description, recorder,
                        self.moment(day, 10 * 60),
                    )  # fmt: skip
                    if forced:
                        to_reverse.append(row)
                    n += 1
                    yield row
            # Reversals of mistaken entries, within two weeks of the original.
            for original in to_reverse:
                pk = donation_ids[n]
                day = min(today, original[4] + timedelta(days=rng.randint(0, 14)))
                reverse_amount = -original[3] if original[3] is not None else None
                yield (
                    pk, original[1], original[2], reverse_amount, day, "", original[0],
                    "收据号录入错误，冲正", self.uuid(), *original[9:13], original[13],
                    original[14], self.moment(day, 16 * 60),
                )  # fmt: skip
                n += 1

        w.write(
            Donation,
            ("id", "fund_id", "kind", "amount", "date", "receipt_no", "reverses_id", "reason",
             "token", "donor_household_id", "donor_resident_id", "donor_name",
             "raised_by_id", "description", "recorded_by_id", "recorded_at"),
            donation_rows(),
            total=s.donations,
        )  # fmt: skip

        expenses = s.donations // 10
        expense_ids = self.ids(Expense, expenses)

        def expense_rows():
            for pk in expense_ids:
                f = rng.randrange(len(funds))
                b, opened = funds[f][0], funds[f][4]
                day = opened + timedelta(days=rng.randint(0, max(0, (today - opened).days)))
                yield (
                    pk, fund_ids[f], rng.choice(EXPENSE_ITEMS), Decimal(rng.randint(10, 300)),
                    day, f"FP{pk:08d}", None, "", self.uuid(),
                    self.secretaries[self.community_of_building(b)], self.moment(day, 15 * 60),
                )  # fmt: skip

        w.write(
            Expense,
            ("id", "fund_id", "item", "amount", "date", "receipt_no", "reverses_id", "reason",
             "token", "recorded_by_id", "recorded_at"),
            expense_rows(),
            total=expenses,
        )  # fmt: skip

    # Step 5: weekly duty rosters, their order of households, exemptions and turns

    def duty_rosters(self) -> None:
        from buildings.models import (
            DutyRoster,
            DutyShift,
            RosterExemption,
            RosterOrder,
            RosterSlot,
        )

        s, rng, w, today = self.scale, self.rng, self.writer, self.today
        monday = today - timedelta(days=today.weekday())
        turns = _split(s.shifts, s.total_units)
        roster_ids = self.ids(DutyRoster, s.total_units)
        starts = [monday - timedelta(weeks=max(0, t - FUTURE_WEEKS)) for t in turns]
        w.write(
            DutyRoster,
            ("id", "unit_id", "duties", "rotation", "starts_on", "ends_on", "is_active",
             "created_by_id", "created_at"),
            (
                (pk, self.unit_ids[u], DUTIES, "weekly", starts[u], None, True,
                 self.heads[self.community_of_unit(u)], self.moment(starts[u] - timedelta(days=3)))
                for u, pk in enumerate(roster_ids)
            ),
            total=s.total_units,
        )  # fmt: skip
        order_ids = self.ids(RosterOrder, s.total_units)
        w.write(
            RosterOrder,
            ("id", "roster_id", "effective_from", "created_by_id", "created_at"),
            (
                (pk, roster_ids[u], starts[u], self.heads[self.community_of_unit(u)],
                 self.moment(starts[u] - timedelta(days=3)))
                for u, pk in enumerate(order_ids)
            ),
        )  # fmt: skip
        # The order: every household of the unit by room; vacant ones are skipped when
        # turns are planned, as are exempt ones (one roster in ten exempts an elderly one).
        slot_ids = iter(self.ids(RosterSlot, s.total_households))
        w.write(
            RosterSlot,
            ("id", "order_id", "household_id", "position"),
            (
                (next(slot_ids), order_ids[u], self.household_ids[u * s.households + p], p)
                for u in range(s.total_units)
                for p in range(s.households)
            ),
            total=s.total_households,
        )
        taking_turns, exemptions = [], []
        for u in range(s.total_units):
            households = self.occupied(u)
            if len(households) > 2 and rng.random() < 0.1:
                exempt = rng.choice(households)
                households = [h for h in households if h != exempt]
                exemptions.append((roster_ids[u], exempt, starts[u], u))
            taking_turns.append(households)
        ids = self.ids(RosterExemption, len(exemptions))
        w.write(
            RosterExemption,
            ("id", "roster_id", "household_id", "reason", "since", "until", "created_by_id"),
            (
                (pk, roster, household, "高龄独居，免于值日", since, None,
                 self.heads[self.community_of_unit(u)])
                for pk, (roster, household, since, u) in zip(ids, exemptions, strict=True)
            ),
        )  # fmt: skip
        marks = ["done"] * 86 + ["missed"] * 7 + ["upcoming"] * 7
        shift_ids = iter(self.ids(DutyShift, s.shifts))
        week = timedelta(weeks=1)
        six = timedelta(days=6)
        marked_at: dict[date, datetime] = {}

        def shift_rows():
            for u, roster in enumerate(roster_ids):
                households = taking_turns[u]
                head = self.heads[self.community_of_unit(u)]
                day = starts[u]
                for k in range(turns[u]):
                    ends = day + six
                    status = "upcoming" if day > today else rng.choice(marks)
                    marked = status != "upcoming"
                    if marked and ends not in marked_at:
                        marked_at[ends] = min(self.moment(ends, 20 * 60), self.now)
                    yield (
                        next(shift_ids), roster, households[k % len(households)], day, ends,
                        status, head if marked else None, marked_at[ends] if marked else None,
                        "外出探亲，未清扫" if status == "missed" else "", None, None, None,
                    )  # fmt: skip
                    day += week

        w.write(
            DutyShift,
            ("id", "roster_id", "household_id", "starts_on", "ends_on", "status",
             "marked_by_id", "marked_at", "note", "swapped_with_id", "swapped_by_id",
             "swapped_at"),
            shift_rows(),
            total=s.shifts,
        )  # fmt: skip

    # Step 6: campaigns, symposiums, suggestions, polls, guidance visits

    def engagement(self) -> None:
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

        s, rng, w, today = self.scale, self.rng, self.writer, self.today
        n = s.total_communities
        households = s.buildings * s.units * s.households
        campaign_ids = self.ids(Campaign, n)
        w.write(
            Campaign,
            ("id", "community_id", "title", "letters_sent", "starts_on", "ends_on", "channels",
             "description", "created_by_id", "created_at", "updated_at"),
            (
                (pk, self.community_ids[c], "致辖区居民的一封信", households,
                 today - timedelta(days=200), today - timedelta(days=140),
                 ["letter", "box", "phone", "symposium"], "征求居民对楼道文化的意见和建议。",
                 self.secretaries[c], self.moment(today - timedelta(days=205)),
                 self.moment(today - timedelta(days=140)))
                for c, pk in enumerate(campaign_ids)
            ),
        )  # fmt: skip
        symposium_ids = self.ids(Symposium, n)
        w.write(
            Symposium,
            ("id", "community_id", "campaign_id", "title", "held_on", "place", "attendees",
             "notes", "created_by_id", "created_at"),
            (
                (pk, self.community_ids[c], campaign_ids[c], "居民代表座谈会",
                 today - timedelta(days=150), "社区活动室", rng.randint(15, 60),
                 "居民最喜欢书画展。", self.secretaries[c],
                 self.moment(today - timedelta(days=150), 16 * 60))
                for c, pk in enumerate(symposium_ids)
            ),
        )  # fmt: skip
        SS = Suggestion.Status
        answers = [SS.NEW] * 15 + [SS.CONSIDERED] * 15 + [SS.ADOPTED] * 45 + [SS.DECLINED] * 25
        per_community = max(3, s.buildings // 2)
        suggestion_ids = iter(self.ids(Suggestion, n * per_community))
        channels = Channel.values

        def suggestion_rows():
            for c in range(n):
                secretary = self.secretaries[c]
                for k in range(per_community):
                    b = c * s.buildings + k % s.buildings
                    u = b * s.units + rng.randrange(s.units)
                    begin, end = self.unit_residents[u]
                    status = rng.choice(answers)
                    received = self.days_ago(0, HISTORY_DAYS - 1)
                    answered = status in (SS.ADOPTED, SS.DECLINED)
                    decided = self.moment(min(today, received + timedelta(days=rng.randint(3, 40))))
                    yield (
                        next(suggestion_ids), self.community_ids[c],
                        campaign_ids[c] if k % 2 else None,
                        symposium_ids[c] if k % 5 == 0 else None,
                        rng.choice(channels), received, rng.choice(SUGGESTIONS),
                        rng.randrange(begin, end) if end > begin and k % 3 else None,
                        self.building_ids[b] if k % 4 else None, status,
                        REPLIES.get(status, ""),
                        secretary if answered else None, decided if answered else None,
                        secretary, self.moment(received),
                        decided if answered else self.moment(received),
                    )  # fmt: skip

        w.write(
            Suggestion,
            ("id", "community_id", "campaign_id", "symposium_id", "channel", "received_on",
             "content", "resident_id", "building_id", "status", "reply", "decided_by_id",
             "decided_at", "created_by_id", "created_at", "updated_at"),
            suggestion_rows(),
        )  # fmt: skip
        poll_ids = self.ids(Poll, n)
        closed = self.moment(today - timedelta(days=100))
        w.write(
            Poll,
            ("id", "community_id", "campaign_id", "question", "opens_on", "is_closed",
             "closed_at", "closed_by_id", "created_by_id", "created_at"),
            (
                (pk, self.community_ids[c], campaign_ids[c], "居民最喜欢哪种楼道文化活动？",
                 today - timedelta(days=120), c % 2 == 0, closed if c % 2 == 0 else None,
                 self.secretaries[c] if c % 2 == 0 else None, self.secretaries[c],
                 self.moment(today - timedelta(days=121)))
                for c, pk in enumerate(poll_ids)
            ),
        )  # fmt: skip
        labels = ("书画展", "牌匾和镜匾", "绿植装饰")
        option_ids = self.ids(PollOption, n * len(labels))
        w.write(
            PollOption,
            ("id", "poll_id", "label", "position"),
            (
                (option_ids[c * len(labels) + p], poll_ids[c], label, p)
                for c in range(n)
                for p, label in enumerate(labels)
            ),
        )
        # Ballots counted in the community's first buildings, and some not attributed.
        tallied = min(3, s.buildings)
        tally_ids = iter(self.ids(PollTally, len(option_ids) * (tallied + 1)))
        w.write(
            PollTally,
            ("id", "option_id", "building_id", "votes", "counted_by_id", "counted_at"),
            (
                (next(tally_ids), option_ids[c * len(labels) + p],
                 self.building_ids[c * s.buildings + k] if k < tallied else None,
                 rng.randint(5, 120), self.secretaries[c], closed)
                for c in range(n)
                for p in range(len(labels))
                for k in range(tallied + 1)
            ),
        )  # fmt: skip
        visits = []  # (community index, visited_on)
        for c in range(n):
            visits += [(c, self.days_ago(0, HISTORY_DAYS - 1)) for _k in range(6)]
        visit_ids = self.ids(GuidanceVisit, len(visits))
        w.write(
            GuidanceVisit,
            ("id", "community_id", "visited_on", "purpose", "notes", "created_by_id",
             "created_at", "updated_at"),
            (
                (pk, self.community_ids[c], day, "指导楼道文化阵地建设", "",
                 self.officials[c // s.communities], self.moment(day, 17 * 60),
                 self.moment(day, 17 * 60))
                for pk, (c, day) in zip(visit_ids, visits, strict=True)
            ),
        )  # fmt: skip
        visitor_ids = iter(self.ids(GuidanceVisitor, 2 * len(visits)))
        w.write(
            GuidanceVisitor,
            ("id", "visit_id", "name", "title", "position"),
            (
                (next(visitor_ids), pk, *VISITORS[(v + p) % len(VISITORS)], p)
                for v, pk in enumerate(visit_ids)
                for p in range(2)
            ),
        )
        problem_ids = iter(self.ids(GuidanceProblem, 3 * len(visits)))

        def problem_rows():
            for pk, (c, day) in zip(visit_ids, visits, strict=True):
                for p in range(3):
                    done = p < 2 and day < today - timedelta(days=20)
                    fixed = day + timedelta(days=15)
                    yield (
                        next(problem_ids), pk, PROBLEMS[p], day + timedelta(days=30),
                        "closed" if done else "open", "社区物业" if done else "",
                        fixed if done else None, "已更换灯具并修复展板。" if done else "",
                        self.secretaries[c] if done else None,
                        self.moment(fixed) if done else None, self.moment(day, 17 * 60),
                    )  # fmt: skip

        w.write(
            GuidanceProblem,
            ("id", "visit_id", "description", "due_on", "status", "fixed_by", "fixed_on",
             "resolution", "closed_by_id", "closed_at", "created_at"),
            problem_rows(),
        )  # fmt: skip


# --- Replacing generated data ----------------------------------------------------------------


def generated_files(connection) -> list[str]:
    """The photo files that generated rows point at (they are shared: a few in all)."""
    from communities import images
    from exhibits.models import BeforeAfterPair, ExhibitPhoto

    names = set(
        ExhibitPhoto.objects.filter(image__startswith=f"{PHOTO_FOLDER}/")
        .values_list("image", flat=True)
        .distinct()
    )
    for column in ("before_image", "after_image"):
        names |= set(
            BeforeAfterPair.objects.filter(**{f"{column}__startswith": f"{PAIR_FOLDER}/"})
            .values_list(column, flat=True)
            .distinct()
        )
    return [file for name in sorted(names) for file in images.files_of(name)]


def wipe(connection) -> int:
    """Delete every row of the portal's tables (``flush``, with the ledger's guard lifted
    for it) and the generated photo files they pointed at; how many files were deleted."""
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from buildings import ledger

    files = generated_files(connection)
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # TRUNCATE refuses tables with foreign-key checks still deferred in the transaction.
        connection.check_constraints()
    with ledger.guard_lifted(connection):
        call_command("flush", verbosity=0, interactive=False)
    for name in files:
        default_storage.delete(name)
    return len(files)
