"""The demo data set: the district, communities, buildings and people of the report.

The names, places and amounts come from the district report 《小楼道成党建新阵地》 (see
DESIGN.md). Everything else -- the other residents, their rooms and phone numbers -- is generated
from fixed lists with seeded random generators, so that every run produces the same rows.

:func:`load_demo` is idempotent: every row is found by its natural key and created or brought
back to the demo values, never duplicated; rows the demo does not know about are left alone.
Features add their demo records as further ``load_*`` steps called from :func:`load_demo`.

Corridors and exhibits are the exception to "brought back": a corridor is found by its unit
(and gets its theme and style notes back), but its exhibits are created only when it has none
yet, and walked through the real workflow by the exhibit services. Rerunning therefore
refreshes the logins and people but keeps the existing exhibits, their history and their
photos as they are (no duplicate rows, no new files).

Funds are like corridors, and stricter, because their ledger is append-only (a donation or an
expense can be neither changed nor deleted): a fund is found by (building, unit, purpose), and
its donations, expenses and reversal are recorded only in the run that creates it. Every entry
carries a token derived from its natural key (uuid5), so even a run that stopped halfway could
not record an entry twice.

Duty rosters are found by their unit too: a unit that has a roster is left alone. A new one is
created, exempted, generated, marked and swapped through the roster services, with its dates
counted from today (``timezone.localdate()``), so a fresh demo always has turns that ended
(done, missed, overdue), one in progress and turns to come.

Listening and guidance (``load_engagement``) follows the report: 清福社区's pilot campaign
《致辖区居民的一封信》 (1,800 letters), its symposiums, suggestions from every channel in every
status, and the poll that 书画展 won, counted per building and closed; the officials' guidance
visits, named and titled as the report gives them, with problems closed out or still open;
and the theme rules that give 花园社区 plaques and calligraphy and 建福社区 self-reliance and
market information from their residents' tags. Campaigns and theme rules are found by name
and brought back; suggestions, symposiums, polls and visits are found by their natural keys
and created, through the engagement services, only when missing -- with their answers,
ballots and close-outs -- so a second run adds nothing. Generated residents get a year of
birth that fits their tags (or none), drawn from a generator of their own so that no other
drawn value changed when the years were added.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from buildings import roster_services
from buildings import services as fund_services
from buildings.models import (
    Building,
    Donation,
    DutyRoster,
    DutyShift,
    Expense,
    Fund,
    Household,
    Resident,
    ResidentTag,
    RosterExemption,
    Unit,
)
from communities import images
from communities.models import Community, District, Membership, Section, User
from engagement import services as engagement_services
from engagement.models import (
    Campaign,
    Channel,
    GuidanceProblem,
    GuidanceVisit,
    Poll,
    Suggestion,
    Symposium,
    ThemeRule,
)
from exhibits import services as exhibit_services
from exhibits.models import BeforeAfterPair, Corridor, Exhibit, ExhibitPhoto

# --- Places -----------------------------------------------------------------------------------

DEMO_SEED = "corridor-demo-v1"
DEFAULT_PASSWORD = "corridor-demo"

DISTRICT_CODE = "dongan"
DISTRICT_NAME = "东安区"


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    name: str
    org_kind: str
    is_pilot: bool
    address: str
    theme: str
    target_corridors: int
    sections: tuple[str, ...]


COMMUNITIES = (
    CommunitySpec(
        code="qingfu",
        name="清福社区",
        org_kind=Community.OrgKind.GENERAL_BRANCH,
        is_pilot=True,
        address="东安区清福一区社区服务站",
        theme=(
            "楼道文化创建试点。社区党总支向辖区居民发放《致辖区居民的一封信》1800余封，"
            "设立意见箱和公开电话，并召开座谈会多方研讨，确定居民最喜欢的书画展形式，"
            "以书画展为主题创建楼道文化。"
        ),
        target_corridors=6,
        sections=("清福一区片", "清福二区片"),
    ),
    CommunitySpec(
        code="huayuan",
        name="花园社区",
        org_kind=Community.OrgKind.BRANCH,
        is_pilot=False,
        address="东安区花园社区农行小区",
        theme=(
            "农行小区基础条件好，楼道宽敞明亮、采光好；居民多是农行退休的老干部，文化底蕴深，"
            "书法作品有较高的艺术品位。采取悬挂牌匾和书法作品相结合的方式布展，"
            "并用居民自己养植的鲜花点缀。"
        ),
        target_corridors=3,
        sections=("花园一区片", "花园二区片"),
    ),
    CommunitySpec(
        code="jianfu",
        name="建福社区",
        org_kind=Community.OrgKind.COMMITTEE,
        is_pilot=False,
        address="东安区建福社区建福宿舍",
        theme=(
            "宿舍楼居住的多为下岗职工，楼道文化定位在体现自立自强和市场信息的书画作品上，"
            "给人以激励和帮助。"
        ),
        target_corridors=2,
        sections=("建福一区片", "建福二区片"),
    ),
)


@dataclass(frozen=True)
class BuildingSpec:
    community: str  # Community.code
    section: str
    compound: str
    number: str
    units: int
    name: str = ""
    floors: int = 6


BUILDINGS = (
    # 清福二区15号楼6单元: 刘铁华's unit, the 楼馨园 fitness corner.
    BuildingSpec("qingfu", "清福二区片", "清福二区", "15", units=6),
    BuildingSpec("qingfu", "清福二区片", "清福二区", "16", units=2),
    # 清福一区4号楼9单元: 米丽芳 and 王治普's green corridor.
    BuildingSpec("qingfu", "清福一区片", "清福一区", "4", units=9),
    BuildingSpec("qingfu", "清福一区片", "清福一区", "5", units=2),
    BuildingSpec("huayuan", "花园一区片", "农行小区", "1", units=2),
    BuildingSpec("huayuan", "花园一区片", "农行小区", "2", units=2),
    BuildingSpec("huayuan", "花园二区片", "农行小区", "3", units=2),
    BuildingSpec("jianfu", "建福一区片", "建福宿舍", "1", units=3, name="1号宿舍楼"),
    BuildingSpec("jianfu", "建福二区片", "建福宿舍", "2", units=3, name="2号宿舍楼"),
)
DOORS_PER_FLOOR = 2

# --- People -----------------------------------------------------------------------------------

TAG_RETIRED_CADRE = "retired-cadre"
TAG_LAID_OFF = "laid-off"
TAG_SENIOR_UNIVERSITY = "senior-university"
TAG_PARTY_VETERAN = "party-veteran"

RESIDENT_TAGS = (
    (TAG_RETIRED_CADRE, "离退休干部"),
    (TAG_LAID_OFF, "下岗职工"),
    (TAG_SENIOR_UNIVERSITY, "老年大学学员"),
    (TAG_PARTY_VETERAN, "老党员"),
)


@dataclass(frozen=True)
class ReportResident:
    """A Party member the report names, placed in the unit it names."""

    name: str
    community: str
    compound: str
    building: str
    unit: int
    room: str
    tags: tuple[str, ...] = ()


REPORT_RESIDENTS = (
    ReportResident("刘铁华", "qingfu", "清福二区", "15", 6, "301"),
    ReportResident(
        "米丽芳", "qingfu", "清福一区", "4", 9, "201", (TAG_PARTY_VETERAN, TAG_SENIOR_UNIVERSITY)
    ),
    ReportResident("王治普", "qingfu", "清福一区", "4", 9, "502"),
    ReportResident(
        "李淑芹",
        "huayuan",
        "农行小区",
        "2",
        1,
        "302",
        (TAG_PARTY_VETERAN, TAG_SENIOR_UNIVERSITY, TAG_RETIRED_CADRE),
    ),
)

# Chances that a generated resident gets a tag, by community: 农行小区 is home to retired bank
# cadres, 建福宿舍 to laid-off workers.
TAG_CHANCES = {
    "qingfu": ((TAG_RETIRED_CADRE, 0.10), (TAG_SENIOR_UNIVERSITY, 0.12)),
    "huayuan": ((TAG_RETIRED_CADRE, 0.65), (TAG_SENIOR_UNIVERSITY, 0.20)),
    "jianfu": ((TAG_LAID_OFF, 0.60), (TAG_SENIOR_UNIVERSITY, 0.05)),
}
# Years of birth, by the first tag a resident has in this order (else the last range): the
# retired cadres and Party veterans are old, the laid-off workers in their fifties and sixties.
BIRTH_YEARS = (
    (TAG_PARTY_VETERAN, (1935, 1958)),
    (TAG_RETIRED_CADRE, (1936, 1962)),
    (TAG_SENIOR_UNIVERSITY, (1940, 1963)),
    (TAG_LAID_OFF, (1956, 1976)),
    (None, (1945, 2004)),
)
# Share of residents whose year of birth the community does not know.
BIRTH_YEAR_UNKNOWN_CHANCE = 0.12
PARTY_MEMBER_CHANCE = 0.12
PARTY_VETERAN_CHANCE = 0.45
PHONE_CHANCE = 0.8
# Obviously fictitious: 1390000 followed by a four-digit serial.
PHONE_PREFIX = "1390000"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "雷钱汤尹常武乔贺"
)
GIVEN_NAMES = (
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "淑珍", "淑华", "淑兰", "丽华",
    "建国", "建华", "国庆", "志强", "志刚", "卫东", "红梅", "玉珍", "德明", "文华",
    "宝山", "振华", "春生", "海燕", "丽娟", "素芬", "永胜", "长江", "玉梅", "桂芝",
    "凤兰", "树林", "福生", "国华", "金凤", "秀云", "德胜", "国强", "玉芬", "立新",
    "红军", "建军", "爱华", "桂珍", "秀芝", "丽萍", "晓东", "晓梅", "伟", "军",
    "勇", "敏", "静", "强", "磊", "艳", "杰", "涛", "平", "刚", "辉", "霞", "斌", "红",
)  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    """A demo login. ``role`` None means staff without a membership (the superuser)."""

    username: str
    full_name: str
    role: str | None
    community: str | None = None
    section: str | None = None
    group_position: str = Membership.GroupPosition.NONE
    title: str = ""
    heads: tuple[str, str] | None = None  # (compound, number) in ``community``
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("official", "王毅", Membership.Role.OFFICIAL, title="区委常委、组织部长"),
    DemoUser(
        "secretary-qingfu",
        "张桂兰",
        Membership.Role.SECRETARY,
        "qingfu",
        group_position=Membership.GroupPosition.LEADER,
        title="社区党总支书记",
    ),
    DemoUser(
        "secretary-huayuan",
        "陈淑华",
        Membership.Role.SECRETARY,
        "huayuan",
        group_position=Membership.GroupPosition.LEADER,
        title="社区党支部书记",
    ),
    DemoUser(
        "secretary-jianfu",
        "赵国强",
        Membership.Role.SECRETARY,
        "jianfu",
        group_position=Membership.GroupPosition.LEADER,
        title="社区党委书记",
    ),
    DemoUser(
        "cadre-qingfu",
        "孙丽娟",
        Membership.Role.CADRE,
        "qingfu",
        "清福二区片",
        Membership.GroupPosition.DEPUTY,
        "社区居委会副主任",
    ),
    DemoUser(
        "cadre-huayuan",
        "周建平",
        Membership.Role.CADRE,
        "huayuan",
        "花园一区片",
        Membership.GroupPosition.DEPUTY,
        "社区居委会委员",
    ),
    DemoUser(
        "cadre-jianfu",
        "吴秀云",
        Membership.Role.CADRE,
        "jianfu",
        "建福一区片",
        Membership.GroupPosition.DEPUTY,
        "社区居委会委员",
    ),
    # The cadres of the two committees who guide the other section of each community.
    DemoUser(
        "cadre-qingfu-1",
        "马建新",
        Membership.Role.CADRE,
        "qingfu",
        "清福一区片",
        Membership.GroupPosition.MEMBER,
        "社区居委会委员",
    ),
    DemoUser(
        "cadre-huayuan-2",
        "钱玉洁",
        Membership.Role.CADRE,
        "huayuan",
        "花园二区片",
        Membership.GroupPosition.MEMBER,
        "社区居委会委员",
    ),
    DemoUser(
        "cadre-jianfu-2",
        "黄立军",
        Membership.Role.CADRE,
        "jianfu",
        "建福二区片",
        Membership.GroupPosition.MEMBER,
        "社区居委会委员",
    ),
    DemoUser(
        "head-qingfu-15",
        "刘铁华",
        Membership.Role.HEAD,
        "qingfu",
        group_position=Membership.GroupPosition.MEMBER,
        title="楼院长",
        heads=("清福二区", "15"),
    ),
    DemoUser(
        "head-qingfu-4",
        "王治普",
        Membership.Role.HEAD,
        "qingfu",
        group_position=Membership.GroupPosition.MEMBER,
        title="楼院长",
        heads=("清福一区", "4"),
    ),
    DemoUser(
        "head-huayuan-2",
        "蒋国栋",
        Membership.Role.HEAD,
        "huayuan",
        group_position=Membership.GroupPosition.MEMBER,
        title="楼院长",
        heads=("农行小区", "2"),
    ),
    DemoUser(
        "head-jianfu-1",
        "郑永刚",
        Membership.Role.HEAD,
        "jianfu",
        group_position=Membership.GroupPosition.MEMBER,
        title="楼院长",
        heads=("建福宿舍", "1"),
    ),
    DemoUser("staff", "郑晓燕", None, is_superuser=True),
)

# Generated residents never take these names, so that a name in the demo means one person.
RESERVED_NAMES = frozenset(r.name for r in REPORT_RESIDENTS) | {u.full_name for u in DEMO_USERS}


# --- Loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    where: str


@dataclass
class DemoContext:
    """The rows loaded so far, by natural key, for the steps that follow."""

    district: District | None = None
    communities: dict[str, Community] = field(default_factory=dict)
    sections: dict[tuple[str, str], Section] = field(default_factory=dict)
    buildings: dict[tuple[str, str, str], Building] = field(default_factory=dict)
    units: dict[tuple[str, str, str, int], Unit] = field(default_factory=dict)
    tags: dict[str, ResidentTag] = field(default_factory=dict)
    households: dict[tuple[str, str, str, int, str], Household] = field(default_factory=dict)
    resident_count: int = 0
    logins: list[Login] = field(default_factory=list)
    corridors: dict[tuple[str, str, str, int], Corridor] = field(default_factory=dict)
    exhibits_created: int = 0
    # Every file this run stored through the photo pipeline (see load_demo).
    stored_files: list[str] = field(default_factory=list)
    exhibit_summary: str = ""
    funds: dict[tuple[str, str, str, int | None, str], Fund] = field(default_factory=dict)
    funds_created: int = 0
    fund_summary: str = ""
    rosters: dict[tuple[str, str, str, int], DutyRoster] = field(default_factory=dict)
    rosters_created: int = 0
    roster_summary: str = ""
    campaigns: dict[tuple[str, str], Campaign] = field(default_factory=dict)
    suggestions_created: int = 0
    visits_created: int = 0
    engagement_summary: str = ""


@transaction.atomic
def load_demo(*, password: str, stdout=None) -> DemoContext:
    """Load (or bring back) the whole demo; returns what was loaded, logins included.

    Everything runs in one transaction. Photo files are not part of it: the exhibit and fund
    services delete their files only when their own block fails, so when a later step raises,
    the files this run stored (``ctx.stored_files``) are deleted here before the rollback. A
    failure of the commit itself would still leave them behind: acceptable for demo data.
    """
    ctx = DemoContext()
    try:
        load_network(ctx)
        load_buildings(ctx)
        load_tags(ctx)
        load_households(ctx)
        load_people(ctx, password=password)
        load_exhibits(ctx)
        load_funds(ctx)
        load_rosters(ctx)
        load_engagement(ctx)
        if stdout is not None:
            stdout.write(
                f"{ctx.district}: {len(ctx.communities)} communities, "
                f"{len(ctx.buildings)} buildings, {len(ctx.units)} units, "
                f"{len(ctx.households)} households, {ctx.resident_count} residents, "
                f"{len(ctx.logins)} logins."
            )
            stdout.write(ctx.exhibit_summary)
            stdout.write(ctx.fund_summary)
            stdout.write(ctx.roster_summary)
            stdout.write(ctx.engagement_summary)
    except BaseException:
        _delete_files(ctx.stored_files)
        raise
    return ctx


def load_network(ctx: DemoContext) -> None:
    """The district, its communities and their sections (片区)."""
    ctx.district, _created = District.objects.update_or_create(
        code=DISTRICT_CODE, defaults={"name": DISTRICT_NAME}
    )
    for spec in COMMUNITIES:
        community, _created = Community.objects.update_or_create(
            code=spec.code,
            defaults={
                "district": ctx.district,
                "name": spec.name,
                "org_kind": spec.org_kind,
                "is_pilot": spec.is_pilot,
                "address": spec.address,
                "theme": spec.theme,
                "target_corridors": spec.target_corridors,
            },
        )
        ctx.communities[spec.code] = community
        for name in spec.sections:
            section, _created = Section.objects.get_or_create(community=community, name=name)
            ctx.sections[spec.code, name] = section


def load_buildings(ctx: DemoContext) -> None:
    """Buildings (楼) and their units (单元)."""
    for spec in BUILDINGS:
        building, _created = Building.objects.update_or_create(
            community=ctx.communities[spec.community],
            compound=spec.compound,
            number=spec.number,
            defaults={"section": ctx.sections[spec.community, spec.section], "name": spec.name},
        )
        ctx.buildings[spec.community, spec.compound, spec.number] = building
        for number in range(1, spec.units + 1):
            unit, _created = Unit.objects.update_or_create(
                building=building, number=number, defaults={"floors": spec.floors}
            )
            ctx.units[spec.community, spec.compound, spec.number, number] = unit


def load_tags(ctx: DemoContext) -> None:
    """The resident-tag vocabulary."""
    for code, name in RESIDENT_TAGS:
        ctx.tags[code], _created = ResidentTag.objects.update_or_create(
            code=code, defaults={"name": name}
        )


@dataclass
class _PlannedResident:
    name: str
    phone: str = ""
    is_party_member: bool = False
    tags: tuple[str, ...] = ()
    birth_year: int | None = None


@dataclass
class _PlannedHousehold:
    unit_key: tuple[str, str, str, int]
    room: str
    occupancy: str
    residents: list[_PlannedResident]


def _plan_households() -> list[_PlannedHousehold]:
    """Every household and resident of the demo, the same on every run.

    Each unit draws from its own generator, seeded by its natural key, so adding a building
    later does not reshuffle the others.
    """
    named: dict[tuple, list[ReportResident]] = {}
    for person in REPORT_RESIDENTS:
        key = (person.community, person.compound, person.building, person.unit, person.room)
        named.setdefault(key, []).append(person)

    phones = iter(f"{PHONE_PREFIX}{n:04d}" for n in range(1, 10_000))
    plan = []
    for spec in BUILDINGS:
        for unit_number in range(1, spec.units + 1):
            unit_key = (spec.community, spec.compound, spec.number, unit_number)
            rng = random.Random(f"{DEMO_SEED}:{':'.join(map(str, unit_key))}")
            for floor in range(1, spec.floors + 1):
                for door in range(1, DOORS_PER_FLOOR + 1):
                    room = f"{floor}{door:02d}"
                    people = named.get((*unit_key, room), [])
                    occupancy = _draw_occupancy(rng, floor, has_named=bool(people))
                    residents = [
                        _PlannedResident(p.name, next(phones), True, p.tags) for p in people
                    ]
                    residents += _draw_residents(
                        rng, spec.community, occupancy, len(residents), phones
                    )
                    for resident in residents:
                        resident.birth_year = _draw_birth_year(unit_key, room, resident)
                    plan.append(_PlannedHousehold(unit_key, room, occupancy, residents))
    return plan


def _draw_birth_year(unit_key: tuple, room: str, resident: _PlannedResident) -> int | None:
    """A year of birth that fits the resident's tags, or None (not known).

    Drawn from the resident's own generator, so the years were added to the demo without
    changing any other drawn value (names, rooms, phones, occupancy).
    """
    rng = random.Random(f"{DEMO_SEED}:birth:{':'.join(map(str, unit_key))}:{room}:{resident.name}")
    if rng.random() < BIRTH_YEAR_UNKNOWN_CHANCE:
        return None
    first, last = next(years for tag, years in BIRTH_YEARS if tag is None or tag in resident.tags)
    return rng.randint(first, last)


def _draw_occupancy(rng: random.Random, floor: int, *, has_named: bool) -> str:
    roll = rng.random()
    if has_named:
        return Household.Occupancy.OWNER
    if floor == 1 and roll < 0.10:
        return Household.Occupancy.SHOP
    if roll > 0.93:
        return Household.Occupancy.VACANT
    if roll > 0.83:
        return Household.Occupancy.RENTED
    return Household.Occupancy.OWNER


def _draw_residents(rng, community: str, occupancy: str, already: int, phones):
    if occupancy == Household.Occupancy.VACANT:
        return []
    wanted = 1 if occupancy == Household.Occupancy.SHOP else rng.choice((1, 2, 2, 2, 3))
    taken = set()
    residents = []
    for _index in range(max(0, wanted - already)):
        name = _draw_name(rng, taken)
        taken.add(name)
        is_party_member = rng.random() < PARTY_MEMBER_CHANCE
        tags = [code for code, chance in TAG_CHANCES[community] if rng.random() < chance]
        if is_party_member and rng.random() < PARTY_VETERAN_CHANCE:
            tags.append(TAG_PARTY_VETERAN)
        phone = next(phones) if rng.random() < PHONE_CHANCE else ""
        residents.append(_PlannedResident(name, phone, is_party_member, tuple(tags)))
    return residents


def _draw_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in taken and name not in RESERVED_NAMES:
            return name


def load_households(ctx: DemoContext) -> None:
    """Households (户), their residents and the residents' tags, in a few bulk queries."""
    plan = _plan_households()
    units = list(ctx.units.values())
    unit_key_of = {unit.pk: key for key, unit in ctx.units.items()}
    now = timezone.now()

    existing = {
        (unit_key_of[h.unit_id], h.room): h for h in Household.objects.filter(unit__in=units)
    }
    to_create, to_update = [], []
    for planned in plan:
        household = existing.get((planned.unit_key, planned.room))
        if household is None:
            to_create.append(
                Household(
                    unit=ctx.units[planned.unit_key],
                    room=planned.room,
                    occupancy=planned.occupancy,
                )
            )
        elif household.occupancy != planned.occupancy:
            household.occupancy = planned.occupancy
            household.updated_at = now
            to_update.append(household)
    Household.objects.bulk_create(to_create, batch_size=500)
    Household.objects.bulk_update(to_update, ["occupancy", "updated_at"], batch_size=500)
    households = {
        (*unit_key_of[h.unit_id], h.room): h for h in Household.objects.filter(unit__in=units)
    }
    ctx.households = {(*p.unit_key, p.room): households[(*p.unit_key, p.room)] for p in plan}

    def resident_key(resident):
        return resident.household_id, resident.name

    existing_residents = {}
    for resident in Resident.objects.filter(household__unit__in=units).order_by("pk"):
        existing_residents.setdefault(resident_key(resident), resident)
    to_create, to_update = [], []
    for planned in plan:
        household = ctx.households[(*planned.unit_key, planned.room)]
        for person in planned.residents:
            resident = existing_residents.get((household.pk, person.name))
            if resident is None:
                to_create.append(
                    Resident(
                        household=household,
                        name=person.name,
                        phone=person.phone,
                        is_party_member=person.is_party_member,
                        birth_year=person.birth_year,
                    )
                )
            elif (resident.phone, resident.is_party_member, resident.birth_year) != (
                person.phone,
                person.is_party_member,
                person.birth_year,
            ):
                resident.phone = person.phone
                resident.is_party_member = person.is_party_member
                resident.birth_year = person.birth_year
                resident.updated_at = now
                to_update.append(resident)
    Resident.objects.bulk_create(to_create, batch_size=500)
    Resident.objects.bulk_update(
        to_update, ["phone", "is_party_member", "birth_year", "updated_at"], batch_size=500
    )

    resident_ids = {}
    for resident in Resident.objects.filter(household__unit__in=units).order_by("pk"):
        resident_ids.setdefault(resident_key(resident), resident.pk)
    through = Resident.tags.through
    links = [
        through(
            resident_id=resident_ids[ctx.households[(*p.unit_key, p.room)].pk, person.name],
            residenttag_id=ctx.tags[code].pk,
        )
        for p in plan
        for person in p.residents
        for code in person.tags
    ]
    # Tags are only ever added: a tag someone gave a demo resident by hand stays.
    through.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
    ctx.resident_count = sum(len(p.residents) for p in plan)


def load_people(ctx: DemoContext, *, password: str) -> None:
    """Demo logins, their memberships and the buildings they head.

    Every demo user shares one password, so it is hashed once: hashing it per user would cost
    about a third of a second each, and the shared salt reveals nothing the printed table
    does not.
    """
    password_hash = make_password(password)
    for spec in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "full_name": spec.full_name,
                "password": password_hash,
                "is_active": True,
                "is_staff": spec.is_superuser,
                "is_superuser": spec.is_superuser,
            },
        )
        if spec.role is None:
            ctx.logins.append(Login(user.username, user.full_name, _("superuser"), _("all")))
            continue
        community = ctx.communities[spec.community] if spec.community else None
        section = ctx.sections[spec.community, spec.section] if spec.section else None
        values = {
            "district_id": ctx.district.pk,
            "group_position": spec.group_position,
            "title": spec.title,
            "is_active": True,
        }
        membership, created = Membership.objects.get_or_create(
            user=user, role=spec.role, community=community, section=section, defaults=values
        )
        # Saved only when it differs: each save of a membership is a row of its history.
        if not created and any(getattr(membership, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(membership, name, value)
            membership.save()
        where = str(ctx.district)
        if community is not None:
            where = community.name
        if section is not None:
            where = f"{community.name} {section.name}"
        if spec.heads is not None:
            building = ctx.buildings[(spec.community, *spec.heads)]
            if building.head_id != user.pk:
                building.head = user
                building.save(update_fields=["head", "updated_at"])
            where = f"{community.name} {building}"
        role_label = str(Membership.Role(spec.role).label)
        ctx.logins.append(Login(user.username, user.full_name, role_label, where))


# --- Corridors and exhibits -------------------------------------------------------------------

# Workflow steps of an exhibit after exhibit_create: who takes each is decided by the step
# (an editor submits, the secretary checks and retires, the official approves; a return is
# the secretary's at "submitted" and the official's at "checked").
SUBMIT, CHECK, APPROVE, RETURN, RETIRE = "submit", "check", "approve", "return", "retire"
TO_DRAFT: tuple = ()
TO_SUBMITTED = (SUBMIT,)
TO_CHECKED = (SUBMIT, CHECK)
TO_APPROVED = (SUBMIT, CHECK, APPROVE)
NOTE_MISSING_AUTHOR = "请补充作者姓名和创作时间"


@dataclass(frozen=True)
class ExhibitSpec:
    kind: str
    title: str
    by: str  # username of the editor who logs it (and submits it)
    floor: int | None
    installed_on: date | None
    steps: tuple = TO_APPROVED  # SUBMIT..., or (RETURN, note) / (RETIRE, note)
    resident: str = ""  # creator, a demo resident of the corridor's community
    creator_name: str = ""  # or a typed name
    on_landing: bool = False
    description: str = ""


@dataclass(frozen=True)
class CorridorSpec:
    community: str
    compound: str
    building: str
    unit: int
    theme: str
    style_notes: str
    status: str
    exhibits: tuple[ExhibitSpec, ...]
    pair_caption: str = ""  # a before-and-after pair, when set

    @property
    def unit_key(self) -> tuple[str, str, str, int]:
        return (self.community, self.compound, self.building, self.unit)


K = Exhibit.Kind
CS = Corridor.Status

CORRIDORS = (
    CorridorSpec(
        "qingfu",
        "清福二区",
        "15",
        6,
        theme="楼馨园",
        style_notes=(
            "在社区党员刘铁华的带领下，每户拿出300元修建了健身场所“楼馨园”，安装了楼道健身护栏"
            "和窗户护栏，并建立楼道管理组织，制定每户轮流管理和维护楼道的值班表。"
        ),
        status=CS.CERTIFIED,
        pair_caption="楼道改造前后：杂物清走，护栏装好，“楼馨园”落成",
        exhibits=(
            ExhibitSpec(
                K.CALLIGRAPHY,
                "厚德载物",
                "head-qingfu-15",
                1,
                date(2026, 4, 12),
                creator_name="老年大学学员",
                description="老年大学学员书写的楷书条幅，装裱后悬挂在单元入口。",
            ),
            ExhibitSpec(
                K.MIRROR_PLAQUE,
                "楼馨园公约",
                "head-qingfu-15",
                1,
                date(2026, 4, 12),
                creator_name="6单元楼道管理小组",
                description="各户共同商定的楼道管理公约和轮流值班办法。",
            ),
            ExhibitSpec(
                K.POSTER,
                "全民健身 快乐生活",
                "cadre-qingfu",
                2,
                date(2026, 4, 20),
                on_landing=True,
                creator_name="清福社区居委会",
            ),
            ExhibitSpec(
                K.PHOTO,
                "楼馨园落成合影",
                "head-qingfu-15",
                3,
                date(2026, 5, 1),
                creator_name="刘铁华",
                description="每户出资300元建成的健身场所“楼馨园”落成当天，全单元住户合影。",
            ),
            ExhibitSpec(
                K.PLAQUE,
                "党员先锋岗",
                "cadre-qingfu",
                4,
                date(2026, 5, 1),
                creator_name="清福社区党总支",
            ),
            ExhibitSpec(
                K.POSTER,
                "健身器材使用须知",
                "head-qingfu-15",
                2,
                date(2026, 3, 28),
                steps=(*TO_APPROVED, (RETIRE, "已换成“全民健身 快乐生活”新海报")),
                creator_name="清福社区居委会",
            ),
            ExhibitSpec(
                K.LITERARY,
                "值班表里的邻里情",
                "head-qingfu-15",
                5,
                date(2026, 11, 20),
                steps=TO_DRAFT,
                resident="米丽芳",
                description="记述各户轮流打扫、维护楼道的散文，待定稿后上墙。",
            ),
        ),
    ),
    CorridorSpec(
        "qingfu",
        "清福一区",
        "4",
        9,
        theme="绿色楼道",
        style_notes=(
            "支部老党员米丽芳和社区党员王治普先动员每户为粉刷楼道出钱出力，后又每户收钱570元，"
            "买来装饰用的绿竹、装饰花和彩灯，把楼道装扮一新，进了楼道就像进了新房一样。"
        ),
        status=CS.COMPLETE,
        exhibits=(
            ExhibitSpec(
                K.PLANTS,
                "翠竹迎春",
                "head-qingfu-4",
                1,
                date(2026, 3, 15),
                creator_name="9单元全体住户",
                description="每户集资570元购买的绿竹和装饰花。",
            ),
            ExhibitSpec(
                K.PLANTS,
                "花影彩灯",
                "head-qingfu-4",
                3,
                date(2026, 3, 15),
                on_landing=True,
                creator_name="9单元全体住户",
            ),
            ExhibitSpec(
                K.PAINTING,
                "共绘美好生活",
                "secretary-qingfu",
                2,
                date(2026, 4, 8),
                resident="米丽芳",
                description="老年大学学员在老党员米丽芳带领下拿起画笔创作的国画。",
            ),
            ExhibitSpec(
                K.CALLIGRAPHY,
                "宁静致远",
                "secretary-qingfu",
                4,
                date(2026, 10, 18),
                steps=TO_CHECKED,
                resident="米丽芳",
            ),
            ExhibitSpec(
                K.LITERARY,
                "进了楼道像进了新房",
                "head-qingfu-4",
                5,
                date(2026, 10, 30),
                steps=(SUBMIT, (RETURN, NOTE_MISSING_AUTHOR)),
                creator_name="9单元居民",
            ),
        ),
    ),
    CorridorSpec(
        "huayuan",
        "农行小区",
        "2",
        1,
        theme="老年之友",
        style_notes=(
            "老党员李淑芹自己拿出200元，又在电业局技校争取到500元；老年大学学员在她和米丽芳的"
            "带领下纷纷拿起画笔，社区党组织把他们的书画作品装裱起来，建成“老年之友”楼道。"
        ),
        status=CS.CERTIFIED,
        exhibits=(
            ExhibitSpec(
                K.PLAQUE,
                "老年之友",
                "secretary-huayuan",
                1,
                date(2026, 5, 18),
                creator_name="花园社区党支部",
            ),
            ExhibitSpec(
                K.CALLIGRAPHY,
                "老有所乐",
                "cadre-huayuan",
                2,
                date(2026, 5, 18),
                resident="李淑芹",
            ),
            ExhibitSpec(
                K.PAINTING,
                "夕阳红",
                "cadre-huayuan",
                3,
                date(2026, 5, 25),
                creator_name="老年大学学员",
            ),
            ExhibitSpec(
                K.PHOTO,
                "老年大学书画课",
                "secretary-huayuan",
                4,
                date(2026, 6, 2),
                creator_name="老年大学学员",
            ),
        ),
    ),
    CorridorSpec(
        "huayuan",
        "农行小区",
        "1",
        1,
        theme="书画天地",
        style_notes=(
            "楼道宽敞明亮、采光好，居民多是农行退休的老干部，书法作品艺术品位较高；采取悬挂牌匾"
            "和书法作品相结合的方式布展，并用居民自己养植的鲜花点缀。"
        ),
        status=CS.COMPLETE,
        exhibits=(
            ExhibitSpec(
                K.PLAQUE,
                "书画天地",
                "secretary-huayuan",
                1,
                date(2026, 6, 10),
                creator_name="花园社区党支部",
            ),
            ExhibitSpec(
                K.CALLIGRAPHY,
                "上善若水",
                "cadre-huayuan",
                2,
                date(2026, 6, 10),
                resident="李淑芹",
            ),
            ExhibitSpec(
                K.CALLIGRAPHY,
                "天道酬勤",
                "cadre-huayuan",
                3,
                date(2026, 6, 10),
                creator_name="农行离退休干部",
            ),
            ExhibitSpec(
                K.PAINTING,
                "松鹤延年",
                "cadre-huayuan",
                3,
                date(2026, 6, 16),
                on_landing=True,
                creator_name="老年大学学员",
            ),
            ExhibitSpec(
                K.PLANTS,
                "居民自养鲜花",
                "cadre-huayuan",
                4,
                date(2026, 6, 16),
                creator_name="农行小区居民",
                description="居民把自己养的君子兰、吊兰摆上楼梯平台，给书画作品添彩。",
            ),
            ExhibitSpec(
                K.MIRROR_PLAQUE,
                "清风正气",
                "secretary-huayuan",
                5,
                date(2026, 9, 6),
                # The district sent it back once; the community fixed it and it passed.
                steps=(
                    SUBMIT,
                    CHECK,
                    (RETURN, "镜匾落款不全，" + NOTE_MISSING_AUTHOR),
                    SUBMIT,
                    CHECK,
                    APPROVE,
                ),
                creator_name="农行离退休干部",
            ),
        ),
    ),
    CorridorSpec(
        "huayuan",
        "农行小区",
        "3",
        1,
        theme="学习园地",
        style_notes=(
            "老年大学学员“共写社区发展”，社区把学员的学习心得、书画作品和党的方针政策宣传"
            "装裱上墙，建成“学习园地”。"
        ),
        status=CS.BUILDING,
        exhibits=(
            ExhibitSpec(
                K.POSTER,
                "社区发展",
                "secretary-huayuan",
                1,
                date(2026, 10, 12),
                steps=TO_CHECKED,
                creator_name="老年大学学员",
            ),
            ExhibitSpec(
                K.LITERARY,
                "共写社区发展",
                "secretary-huayuan",
                2,
                date(2026, 10, 12),
                steps=TO_SUBMITTED,
                resident="李淑芹",
            ),
            ExhibitSpec(
                K.CALLIGRAPHY,
                "学无止境",
                "secretary-huayuan",
                3,
                date(2026, 11, 2),
                steps=TO_SUBMITTED,
                creator_name="老年大学学员",
            ),
            ExhibitSpec(
                K.POSTER,
                "党的方针政策宣传",
                "secretary-huayuan",
                2,
                date(2026, 11, 16),
                on_landing=True,
                steps=TO_DRAFT,
                creator_name="花园社区党支部",
            ),
        ),
    ),
    CorridorSpec(
        "jianfu",
        "建福宿舍",
        "1",
        1,
        theme="自立自强",
        style_notes=(
            "宿舍楼居住的多为下岗职工，楼道文化定位在体现自立自强和市场信息的书画作品上，"
            "给人以激励和帮助。"
        ),
        status=CS.PLANNING,
        exhibits=(
            ExhibitSpec(
                K.CALLIGRAPHY,
                "自强不息",
                "secretary-jianfu",
                1,
                None,
                steps=(SUBMIT, (RETURN, NOTE_MISSING_AUTHOR)),
                creator_name="建福宿舍居民",
            ),
            ExhibitSpec(
                K.POSTER,
                "再就业市场信息",
                "cadre-jianfu",
                2,
                None,
                steps=TO_SUBMITTED,
                creator_name="建福社区党委",
                description="招聘、培训和小额贷款信息，每月更新。",
            ),
            ExhibitSpec(
                K.PAINTING,
                "勤劳致富",
                "cadre-jianfu",
                3,
                None,
                steps=TO_DRAFT,
                creator_name="建福宿舍居民",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class MoveSpec:
    """One exhibit that changed corridors, so that its history shows two places."""

    title: str
    source: tuple[str, str, str, int]
    target: tuple[str, str, str, int]
    floor: int
    on_landing: bool
    by: str
    note: str


EXHIBIT_MOVES = (
    MoveSpec(
        "松鹤延年",
        source=("huayuan", "农行小区", "1", 1),
        target=("huayuan", "农行小区", "2", 1),
        floor=2,
        on_landing=True,
        by="secretary-huayuan",
        note="调整布展：移到“老年之友”楼道",
    ),
)

# Who starts and certifies corridors.
SECRETARY_OF = {
    "qingfu": "secretary-qingfu",
    "huayuan": "secretary-huayuan",
    "jianfu": "secretary-jianfu",
}
OFFICIAL = "official"


def load_exhibits(ctx: DemoContext) -> None:
    """Corridors with their exhibits and photos, walked through the exhibit services.

    A corridor is found by its unit; its exhibits (and its before-and-after pair) are made
    only while it has none, so a second run adds no rows and stores no files.
    """
    usernames = {spec.by for c in CORRIDORS for spec in c.exhibits}
    usernames |= {m.by for m in EXHIBIT_MOVES} | set(SECRETARY_OF.values()) | {OFFICIAL}
    # Fresh user objects: the scoping rules cache memberships on the user object.
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    official = users[OFFICIAL]
    pictures = DemoPictures()
    created: dict[tuple[tuple, str], Exhibit] = {}

    for spec in CORRIDORS:
        secretary = users[SECRETARY_OF[spec.community]]
        corridor, corridor_created = _corridor(ctx, spec, secretary)
        ctx.corridors[spec.unit_key] = corridor
        if not corridor.exhibits.exists():
            community = ctx.communities[spec.community]
            for exhibit_spec in spec.exhibits:
                exhibit = _create_exhibit(
                    ctx, community, corridor, exhibit_spec, users, secretary, official, pictures
                )
                created[spec.unit_key, exhibit_spec.title] = exhibit
        if spec.pair_caption and not corridor.pairs.exists():
            pair = exhibit_services.pair_create(
                corridor=corridor,
                before=pictures.before_photo(),
                after=pictures.after_photo(),
                caption=spec.pair_caption,
                by=secretary,
            )
            ctx.stored_files += _pair_files(pair)
        if corridor_created:  # later, its status is the users' to change
            _set_corridor_status(corridor, spec.status, official)

    for move in EXHIBIT_MOVES:
        exhibit = created.get((move.source, move.title))
        if exhibit is not None:  # moved once, in the run that created it
            exhibit_services.exhibit_move(
                exhibit=exhibit,
                corridor=ctx.corridors[move.target],
                floor=move.floor,
                on_landing=move.on_landing,
                by=users[move.by],
                note=move.note,
            )

    ctx.exhibits_created = len(created)
    ctx.exhibit_summary = _exhibit_summary(ctx)


def _corridor(ctx: DemoContext, spec: CorridorSpec, secretary: User) -> tuple[Corridor, bool]:
    """The unit's corridor, started by the community's secretary; (corridor, created)."""
    unit = ctx.units[spec.unit_key]
    corridor = Corridor.objects.filter(unit=unit).first()
    if corridor is None:
        corridor = exhibit_services.corridor_create(
            unit=unit, theme=spec.theme, style_notes=spec.style_notes, by=secretary
        )
        return corridor, True
    if (corridor.theme, corridor.style_notes) != (spec.theme, spec.style_notes):
        corridor.theme = spec.theme
        corridor.style_notes = spec.style_notes
        corridor.save(update_fields=["theme", "style_notes", "updated_at"])
    return corridor, False


def _set_corridor_status(corridor: Corridor, status: str, official: User) -> None:
    """Planning -> building -> complete is the community's own bookkeeping (no service);
    certification is the district's, through the service."""
    corridor.status = CS.COMPLETE if status == CS.CERTIFIED else status
    corridor.save(update_fields=["status", "updated_at"])
    if status == CS.CERTIFIED:  # 文明楼道, by the district
        exhibit_services.corridor_certify(corridor=corridor, by=official)


def _resident(community: Community, name: str) -> Resident:
    return (
        Resident.objects.filter(household__unit__building__community=community, name=name)
        .order_by("pk")
        .get()
    )


def _create_exhibit(
    ctx, community, corridor, spec: ExhibitSpec, users, secretary, official, pictures
) -> Exhibit:
    """Log one exhibit with its photos, then take it through ``spec.steps``."""
    creator = _resident(community, spec.resident) if spec.resident else None
    creator_label = spec.resident or spec.creator_name
    photos = [pictures.work_photo(spec.kind, spec.title, creator_label, spec.installed_on)]
    if APPROVE in spec.steps:  # hangs in the corridor: a second photo, on the wall
        photos.append(
            pictures.on_wall_photo(spec.kind, spec.title, creator_label, spec.installed_on)
        )
    editor = users[spec.by]
    exhibit = exhibit_services.exhibit_create(
        corridor=corridor,
        data={
            "kind": spec.kind,
            "title": spec.title,
            "creator_resident": creator,
            "creator_name": "" if creator else spec.creator_name,
            "description": spec.description,
            "floor": spec.floor,
            "on_landing": spec.on_landing,
            "installed_on": spec.installed_on,
        },
        photos=photos,
        by=editor,
    )
    ctx.stored_files += _photo_files(exhibit)
    S = Exhibit.Status
    for step in spec.steps:
        action, note = step if isinstance(step, tuple) else (step, "")
        if action == SUBMIT:
            exhibit = exhibit_services.exhibit_submit(exhibit=exhibit, by=editor, note=note)
        elif action == CHECK:
            exhibit = exhibit_services.exhibit_check(exhibit=exhibit, by=secretary, note=note)
        elif action == APPROVE:
            exhibit = exhibit_services.exhibit_approve(exhibit=exhibit, by=official, note=note)
        elif action == RETURN:
            reviewer = secretary if exhibit.status == S.SUBMITTED else official
            exhibit = exhibit_services.exhibit_return(exhibit=exhibit, by=reviewer, note=note)
        elif action == RETIRE:
            exhibit = exhibit_services.exhibit_retire(exhibit=exhibit, by=secretary, note=note)
        else:  # pragma: no cover - a typo in the specs above
            raise ValueError(f"Unknown exhibit step {action!r}")
    return exhibit


def _thumbnail_names(name: str) -> list[str]:
    """The thumbnails stored beside ``name`` (``<folder>/<token>_<size>.jpg``, see
    communities.images), including sizes a row does not record."""
    stem = name.rsplit(".", 1)[0]
    return [f"{stem}_{size}.jpg" for size in images.thumb_sizes()]


def _photo_files(exhibit: Exhibit) -> list[str]:
    names = []
    for image in ExhibitPhoto.objects.filter(exhibit=exhibit).values_list("image", flat=True):
        names += [image, *_thumbnail_names(image)]
    return names


def _pair_files(pair: BeforeAfterPair) -> list[str]:
    names = []
    for image in (pair.before_image, pair.after_image):
        names += [image, *_thumbnail_names(image)]
    return names


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):  # best effort: the error being raised matters
            default_storage.delete(name)


def _exhibit_summary(ctx: DemoContext) -> str:
    corridors = Corridor.objects.filter(pk__in=[c.pk for c in ctx.corridors.values()])
    exhibits = Exhibit.objects.filter(corridor__in=corridors)

    def by_status(queryset, choices) -> tuple[int, str]:
        counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
        parts = [f"{value} {counts[value]}" for value in choices.values if counts.get(value)]
        return sum(counts.values()), ", ".join(parts)

    corridor_total, corridor_parts = by_status(corridors, Corridor.Status)
    exhibit_total, exhibit_parts = by_status(exhibits, Exhibit.Status)
    photos = ExhibitPhoto.objects.filter(exhibit__in=exhibits).count()
    return (
        f"Corridors: {corridor_total} ({corridor_parts}); exhibits: {exhibit_total} "
        f"({exhibit_parts}), {photos} photos; {ctx.exhibits_created} exhibits created this run."
    )


# --- Funds ------------------------------------------------------------------------------------

# Entry tokens are uuid5(FUND_TOKEN_NAMESPACE, "<fund key>|<entry key>"): the same entry gets
# the same token on every run, and the services record a token only once.
FUND_TOKEN_NAMESPACE = uuid.UUID("6b0f3c1e-5d2a-5c8e-9a41-2f7d3e8b4c10")
RECEIPT_MISTAKE_REASON = "收据号录入错误"

DK = Donation.Kind


@dataclass(frozen=True)
class DonationSpec:
    """One donation besides the households' own payments: labour, goods or outside money."""

    key: str  # natural key within the fund, part of the token
    day: date
    amount: Decimal | None
    kind: str = DK.MONEY
    household: str = ""  # room of the donor household
    household_unit: int | None = None  # its unit, when the fund is a whole building's
    resident: str = ""  # or a donor resident of the community, by name
    donor_name: str = ""  # or an outside donor
    raised_by: str = ""  # the Party member credited with outside money
    description: str = ""
    receipt_no: str = ""


@dataclass(frozen=True)
class ExpenseSpec:
    key: str
    item: str
    amount: Decimal
    day: date
    receipt_no: str
    vendor: str
    photo: bool = False  # a photo of the vendor's receipt, drawn for the demo


@dataclass(frozen=True)
class MistakeSpec:
    """A household's payment first recorded under a wrong receipt number, then reversed
    and recorded again under the right one."""

    room: str
    wrong_receipt_no: str


@dataclass(frozen=True)
class FundSpec:
    community: str
    compound: str
    building: str
    unit: int | None  # None: the whole building
    purpose: str
    description: str
    leader: str  # a Party member of the community, by name
    by: str  # username of who opens the fund and records its entries
    opened_on: date
    quota: Decimal | None = None
    target: Decimal | None = None  # None with per_household: per_household x households
    # What each non-vacant household of the unit paid, in room order, with receipt numbers
    # receipt_prefix + 001...; exceptions by room (a smaller amount, or None: not yet).
    per_household: Decimal | None = None
    paid_instead: dict[str, Decimal | None] = field(default_factory=dict)
    household_labour: str = ""  # labour every paying household also gave (no value)
    receipt_prefix: str = ""
    collected_from: date | None = None
    mistake: MistakeSpec | None = None
    donations: tuple[DonationSpec, ...] = ()
    expenses: tuple[ExpenseSpec, ...] = ()
    close: bool = False  # closed once everything is recorded

    @property
    def key(self) -> tuple[str, str, str, int | None, str]:
        return (self.community, self.compound, self.building, self.unit, self.purpose)


FUNDS = (
    FundSpec(
        "qingfu",
        "清福二区",
        "15",
        6,
        purpose="修建楼馨园健身场所及护栏",
        description=(
            "在社区党员刘铁华的带领下，每户拿出300元，修建社区健身场所“楼馨园”，"
            "安装楼道健身护栏和窗户护栏。"
        ),
        leader="刘铁华",
        by="head-qingfu-15",
        opened_on=date(2026, 3, 1),
        quota=Decimal("300.00"),
        per_household=Decimal("300.00"),
        paid_instead={
            "202": Decimal("150.00"),
            "602": Decimal("150.00"),
            "402": None,
            "601": None,
        },
        receipt_prefix="QF15-6-",
        collected_from=date(2026, 3, 2),
        mistake=MistakeSpec("401", wrong_receipt_no="QF15-6-070"),
        donations=(
            DonationSpec(
                "labour-railings",
                date(2026, 4, 5),
                Decimal("200.00"),
                kind=DK.LABOUR,
                household="301",
                description="出工：安装护栏",
            ),
            DonationSpec(
                "labour-equipment",
                date(2026, 4, 6),
                Decimal("100.00"),
                kind=DK.LABOUR,
                household="501",
                description="出工：搬运、安装健身器材",
            ),
        ),
        expenses=(
            ExpenseSpec(
                "equipment",
                "健身器材（楼馨园）",
                Decimal("1260.00"),
                date(2026, 3, 25),
                "TY-0325-018",
                "东安区体育器材经销部",
                photo=True,
            ),
            ExpenseSpec(
                "railings",
                "楼道健身护栏",
                Decimal("560.00"),
                date(2026, 4, 2),
                "WJ-0402-031",
                "东安区五金建材店",
            ),
            ExpenseSpec(
                "window-railings",
                "窗户护栏",
                Decimal("480.00"),
                date(2026, 4, 2),
                "WJ-0402-032",
                "东安区五金建材店",
            ),
        ),
    ),
    FundSpec(
        "qingfu",
        "清福一区",
        "4",
        9,
        purpose="粉刷楼道",
        description="支部老党员米丽芳和社区党员王治普动员每户为粉刷楼道出钱出力。",
        leader="米丽芳",
        by="head-qingfu-4",
        opened_on=date(2025, 10, 8),
        per_household=Decimal("50.00"),
        household_labour="出工：粉刷楼道（铲墙皮、刷涂料）",
        receipt_prefix="QF4-9-FS",
        collected_from=date(2025, 10, 9),
        expenses=(
            ExpenseSpec(
                "paint",
                "乳胶漆",
                Decimal("430.00"),
                date(2025, 10, 15),
                "WJ-1015-007",
                "东安区五金建材店",
            ),
            ExpenseSpec(
                "brushes",
                "滚刷、砂纸和报纸",
                Decimal("95.00"),
                date(2025, 10, 15),
                "WJ-1015-008",
                "东安区五金建材店",
            ),
        ),
        close=True,
    ),
    FundSpec(
        "qingfu",
        "清福一区",
        "4",
        9,
        purpose="绿色楼道",
        description=(
            "社区提出创建绿色楼道后，每户收钱570元，买来装饰用的绿竹、装饰花和彩灯，"
            "把楼道装扮一新。"
        ),
        leader="王治普",
        by="head-qingfu-4",
        opened_on=date(2026, 2, 20),
        quota=Decimal("570.00"),
        per_household=Decimal("570.00"),
        paid_instead={"402": None, "601": None},
        receipt_prefix="QF4-9-LS",
        collected_from=date(2026, 2, 22),
        expenses=(
            ExpenseSpec(
                "bamboo",
                "绿竹",
                Decimal("2180.00"),
                date(2026, 3, 10),
                "HH-0310-112",
                "东安区花卉市场",
                photo=True,
            ),
            ExpenseSpec(
                "flowers",
                "装饰花",
                Decimal("1650.00"),
                date(2026, 3, 10),
                "HH-0310-113",
                "东安区花卉市场",
            ),
            ExpenseSpec(
                "lights",
                "彩灯",
                Decimal("1240.00"),
                date(2026, 3, 12),
                "DS-0312-046",
                "东安区灯饰商店",
            ),
        ),
    ),
    FundSpec(
        "huayuan",
        "农行小区",
        "2",
        None,
        purpose="文明楼道建设",
        description=(
            "老党员李淑芹听说建文明楼道社区困难，自己主动拿出200元，并利用老伴与电业局技校的"
            "关系，在电业局技校争取到500元，用于装裱老年大学学员的书画作品。"
        ),
        leader="李淑芹",
        by="secretary-huayuan",
        opened_on=date(2026, 4, 10),
        target=Decimal("700.00"),
        donations=(
            DonationSpec(
                "li-shuqin",
                date(2026, 4, 12),
                Decimal("200.00"),
                resident="李淑芹",
                receipt_no="HY-WM-001",
            ),
            DonationSpec(
                "dianye-jixiao",
                date(2026, 4, 20),
                Decimal("500.00"),
                donor_name="电业局技校",
                raised_by="李淑芹",
                receipt_no="HY-WM-002",
            ),
            DonationSpec(
                "flowers",
                date(2026, 5, 16),
                None,
                kind=DK.GOODS,
                household="601",
                household_unit=1,
                description="自家养植的君子兰和吊兰四盆，点缀楼道",
            ),
        ),
        expenses=(
            ExpenseSpec(
                "mounting",
                "装裱书画作品（12幅）",
                Decimal("360.00"),
                date(2026, 5, 10),
                "ZB-0510-009",
                "东安区翰墨装裱社",
                photo=True,
            ),
            ExpenseSpec(
                "plaque",
                "制作“老年之友”牌匾",
                Decimal("180.00"),
                date(2026, 5, 12),
                "PB-0512-021",
                "东安区牌匾制作部",
            ),
            ExpenseSpec(
                "hooks",
                "挂画轨道和挂钩",
                Decimal("95.00"),
                date(2026, 5, 15),
                "WJ-0515-014",
                "东安区五金建材店",
            ),
        ),
    ),
)


def fund_token(spec: FundSpec, entry_key: str) -> uuid.UUID:
    """The form token of one demo ledger entry: the same on every run."""
    fund_key = "/".join("" if part is None else str(part) for part in spec.key)
    return uuid.uuid5(FUND_TOKEN_NAMESPACE, f"{fund_key}|{entry_key}")


def load_funds(ctx: DemoContext) -> None:
    """The report's funds with their donations, expenses and one reversal, through the
    fund services.

    A fund is found by (building, unit, purpose). Its entries are recorded only in the run
    that creates it: the ledger is append-only, so a later run must add nothing.
    """
    users = {u.username: u for u in User.objects.filter(username__in={s.by for s in FUNDS})}
    pictures = DemoPictures()
    for spec in FUNDS:
        building = ctx.buildings[spec.community, spec.compound, spec.building]
        unit = (
            ctx.units[spec.community, spec.compound, spec.building, spec.unit]
            if spec.unit
            else None
        )
        fund = (
            Fund.objects.filter(building=building, unit=unit, purpose=spec.purpose)
            .order_by("pk")
            .first()
        )
        if fund is None:
            fund = _create_fund(ctx, spec, building, unit, users[spec.by], pictures)
            ctx.funds_created += 1
        ctx.funds[spec.key] = fund
    ctx.fund_summary = _fund_summary(ctx)


def _paying_households(ctx: DemoContext, spec: FundSpec) -> list[Household]:
    """The fund unit's non-vacant households, in room order."""
    unit_key = (spec.community, spec.compound, spec.building, spec.unit)
    return sorted(
        (
            household
            for key, household in ctx.households.items()
            if key[:4] == unit_key and household.occupancy != Household.Occupancy.VACANT
        ),
        key=lambda household: household.room,
    )


def _create_fund(ctx, spec: FundSpec, building, unit, by, pictures) -> Fund:
    community = ctx.communities[spec.community]
    households = _paying_households(ctx, spec) if spec.per_household else []
    target = spec.target
    if target is None and spec.per_household:
        target = spec.per_household * len(households)
    fund = fund_services.fund_create(
        building=building,
        data={
            "unit": unit,
            "purpose": spec.purpose,
            "description": spec.description,
            "target": target,
            "quota": spec.quota,
            "leader": _resident(community, spec.leader),
            "opened_on": spec.opened_on,
        },
        by=by,
    )

    def record(entry_key: str, **data) -> Donation:
        donation, _created = fund_services.donation_record(
            fund=fund, data=data, token=fund_token(spec, entry_key), by=by
        )
        return donation

    receipt = 0
    for index, household in enumerate(households):
        day = spec.collected_from + timedelta(days=index // 4)
        if spec.household_labour:
            record(
                f"labour:{household.room}",
                donor_household=household,
                kind=DK.LABOUR,
                amount=None,
                description=spec.household_labour,
                date=day,
            )
        amount = spec.paid_instead.get(household.room, spec.per_household)
        if amount is None:  # not paid yet
            continue
        receipt += 1
        receipt_no = f"{spec.receipt_prefix}{receipt:03d}"
        if spec.mistake is not None and spec.mistake.room == household.room:
            wrong = record(
                f"household:{household.room}:mistake",
                donor_household=household,
                amount=amount,
                receipt_no=spec.mistake.wrong_receipt_no,
                date=day,
            )
            if not Donation.objects.filter(reverses=wrong).exists():
                fund_services.donation_reverse(
                    donation=wrong,
                    reason=f"{RECEIPT_MISTAKE_REASON}，应为{receipt_no}",
                    by=by,
                )
        record(
            f"household:{household.room}",
            donor_household=household,
            amount=amount,
            receipt_no=receipt_no,
            date=day,
        )

    for donation in spec.donations:
        donor_household = None
        if donation.household:
            unit_number = donation.household_unit or spec.unit
            donor_household = ctx.households[
                spec.community, spec.compound, spec.building, unit_number, donation.household
            ]
        record(
            f"donation:{donation.key}",
            donor_household=donor_household,
            donor_resident=_resident(community, donation.resident) if donation.resident else None,
            donor_name=donation.donor_name,
            raised_by=_resident(community, donation.raised_by) if donation.raised_by else None,
            kind=donation.kind,
            amount=donation.amount,
            description=donation.description,
            receipt_no=donation.receipt_no,
            date=donation.day,
        )

    for expense_spec in spec.expenses:
        photo = (
            pictures.receipt_photo(str(unit or building), expense_spec)
            if expense_spec.photo
            else None
        )
        expense, _created = fund_services.expense_record(
            fund=fund,
            data={
                "item": expense_spec.item,
                "amount": expense_spec.amount,
                "date": expense_spec.day,
                "receipt_no": expense_spec.receipt_no,
            },
            photo=photo,
            token=fund_token(spec, f"expense:{expense_spec.key}"),
            by=by,
        )
        if expense.receipt_image:
            ctx.stored_files += [expense.receipt_image, *_thumbnail_names(expense.receipt_image)]

    if spec.close:
        fund = fund_services.fund_update(fund=fund, data={"is_open": False}, by=by)
    return fund


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _fund_summary(ctx: DemoContext) -> str:
    funds = [fund.pk for fund in ctx.funds.values()]
    donations = Donation.objects.filter(fund__in=funds).aggregate(
        count=Count("pk"),
        reversals=Count("pk", filter=Q(reverses__isnull=False)),
        raised=Coalesce(Sum("amount", filter=Q(kind=DK.MONEY)), fund_services.ZERO),
    )
    expenses = Expense.objects.filter(fund__in=funds).aggregate(
        count=Count("pk"),
        photos=Count("pk", filter=~Q(receipt_image="")),
        spent=Coalesce(Sum("amount"), fund_services.ZERO),
    )
    return (
        f"Funds: {len(funds)}, {donations['count']} donations "
        f"({donations['reversals']} reversed), {expenses['count']} expenses "
        f"({expenses['photos']} with a receipt photo); raised {_yuan(donations['raised'])}, "
        f"spent {_yuan(expenses['spent'])}, balance "
        f"{_yuan(donations['raised'] - expenses['spent'])}; "
        f"{ctx.funds_created} funds created this run."
    )


# Chinese capital numerals (大写), as written on a receipt so that an amount cannot be altered.
CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
CAPITAL_UNITS = ("", "拾", "佰", "仟")


def capital_yuan(amount: Decimal) -> str:
    """``Decimal("1260.00")`` -> 壹仟贰佰陆拾元整 (amounts below 100,000,000 yuan)."""
    cents = int((amount * 100).to_integral_value())
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)

    def group(number: int) -> str:  # 1..9999
        text, zero = "", False
        for power in range(3, -1, -1):
            digit = number // 10**power % 10
            if digit == 0:
                zero = bool(text)
                continue
            if zero:
                text += CAPITAL_DIGITS[0]
                zero = False
            text += CAPITAL_DIGITS[digit] + CAPITAL_UNITS[power]
        return text

    high, low = divmod(yuan, 10_000)
    text = group(high) + "万" if high else ""
    if low:
        text += (CAPITAL_DIGITS[0] if high and low < 1000 else "") + group(low)
    if not (jiao or fen):
        return (text or CAPITAL_DIGITS[0]) + "元整"
    if yuan:
        text += "元"
    if jiao:
        text += CAPITAL_DIGITS[jiao] + "角"
    elif yuan:
        text += CAPITAL_DIGITS[0]
    if fen:
        text += CAPITAL_DIGITS[fen] + "分"
    return text


# --- Duty rosters -----------------------------------------------------------------------------

MISSED_VISITING = "外出探亲，未清扫"


@dataclass(frozen=True)
class RosterExemptionSpec:
    room: str
    reason: str
    after_weeks: int  # since the roster's start + this many weeks


@dataclass(frozen=True)
class RosterSpec:
    """A weekly roster that started ``weeks_before`` weeks before this week's Monday.

    Its turns that have ended are marked done, except ``missed`` (index among the ended
    turns -> note) and the last ``overdue`` ones, which the head has not ticked off yet. The
    turn in progress and the turns to come stay to do. ``swap`` trades two turns to come
    (0 is the next one).
    """

    community: str
    compound: str
    building: str
    unit: int
    duties: tuple[str, ...]
    by: str  # username of who creates it and marks the turns (the building head)
    weeks_before: int
    missed: dict[int, str] = field(default_factory=dict)
    overdue: int = 1
    exemption: RosterExemptionSpec | None = None
    swap: tuple[int, int] | None = None

    @property
    def unit_key(self) -> tuple[str, str, str, int]:
        return (self.community, self.compound, self.building, self.unit)


ROSTER_WEEKS_AHEAD = 8

ROSTERS = (
    # The report: 刘铁华's unit "建立楼道管理组织，制定每户轮流管理和维护楼道的值班表".
    RosterSpec(
        "qingfu",
        "清福二区",
        "15",
        6,
        duties=("清扫楼梯", "擦拭扶手", "检查楼道灯", "照看楼馨园绿植"),
        by="head-qingfu-15",
        weeks_before=10,
        missed={2: MISSED_VISITING, 6: MISSED_VISITING},
        overdue=1,
        exemption=RosterExemptionSpec("101", "高龄独居老人", after_weeks=4),
        swap=(1, 2),
    ),
    RosterSpec(
        "qingfu",
        "清福一区",
        "4",
        9,
        duties=("清扫楼梯", "给绿竹和花卉浇水", "检查彩灯"),
        by="head-qingfu-4",
        weeks_before=8,
        missed={3: "家中老人住院，未清扫"},
        overdue=2,
    ),
    RosterSpec(
        "huayuan",
        "农行小区",
        "2",
        1,
        duties=("清扫楼梯", "擦拭书画镜框", "照料楼道鲜花"),
        by="cadre-huayuan",
        weeks_before=6,
        overdue=1,
    ),
)


def load_rosters(ctx: DemoContext) -> None:
    """Weekly duty rosters of a few units, walked through the roster services.

    A roster is found by its unit: a unit that has one (the demo's, or one made by hand) is
    left as it is, so a second run adds no roster and no shift.
    """
    users = {u.username: u for u in User.objects.filter(username__in={s.by for s in ROSTERS})}
    for spec in ROSTERS:
        unit = ctx.units[spec.unit_key]
        roster = DutyRoster.objects.filter(unit=unit).order_by("pk").first()
        if roster is None:
            roster = _create_roster(ctx, spec, unit, users[spec.by])
            ctx.rosters_created += 1
        ctx.rosters[spec.unit_key] = roster
    ctx.roster_summary = _roster_summary(ctx)


def _create_roster(ctx: DemoContext, spec: RosterSpec, unit: Unit, by: User) -> DutyRoster:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    starts_on = monday - timedelta(weeks=spec.weeks_before)
    roster = roster_services.roster_create(
        unit=unit,
        duties=list(spec.duties),
        rotation_kind=DutyRoster.Rotation.WEEKLY,
        starts_on=starts_on,
        by=by,
    )
    if spec.exemption is not None:  # recorded before the turns are planned: none after it
        roster_services.roster_exempt(
            roster=roster,
            household=ctx.households[(*spec.unit_key, spec.exemption.room)],
            reason=spec.exemption.reason,
            since=starts_on + timedelta(weeks=spec.exemption.after_weeks),
            by=by,
        )
    roster_services.generate(
        roster=roster, first=starts_on, last=today + timedelta(weeks=ROSTER_WEEKS_AHEAD)
    )
    shifts = list(DutyShift.objects.filter(roster=roster).order_by("starts_on"))
    ended = [shift for shift in shifts if shift.ends_on < today]
    for index, shift in enumerate(ended[: len(ended) - spec.overdue]):
        note = spec.missed.get(index, "")
        roster_services.shift_mark(
            shift=shift,
            status=DutyShift.Status.MISSED if note else DutyShift.Status.DONE,
            note=note,
            by=by,
        )
    if spec.swap is not None:
        to_come = [shift for shift in shifts if shift.starts_on > today]
        roster_services.shift_swap(shift=to_come[spec.swap[0]], other=to_come[spec.swap[1]], by=by)
    return roster


def _roster_summary(ctx: DemoContext) -> str:
    rosters = [roster.pk for roster in ctx.rosters.values()]
    today = timezone.localdate()
    upcoming = Q(status=DutyShift.Status.UPCOMING)
    counts = DutyShift.objects.filter(roster__in=rosters).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=DutyShift.Status.DONE)),
        missed=Count("pk", filter=Q(status=DutyShift.Status.MISSED)),
        overdue=Count("pk", filter=upcoming & Q(ends_on__lt=today)),
        to_do=Count("pk", filter=upcoming & Q(ends_on__gte=today)),
        swapped=Count("pk", filter=Q(swapped_with__isnull=False)),
    )
    exemptions = RosterExemption.objects.filter(roster__in=rosters).count()
    return (
        f"Rosters: {len(rosters)}, {counts['total']} shifts (done {counts['done']}, "
        f"missed {counts['missed']}, overdue {counts['overdue']}, to do {counts['to_do']}), "
        f"exemptions: {exemptions}, swapped pairs: {counts['swapped'] // 2}; "
        f"{ctx.rosters_created} rosters created this run."
    )


# --- Listening to residents and guiding the work ----------------------------------------------

SS = Suggestion.Status
CH = Channel
PILOT_CAMPAIGN = "致辖区居民的一封信"
PILOT_POLL = "居民最喜欢哪种楼道文化活动？"


@dataclass(frozen=True)
class SymposiumSpec:
    key: str
    title: str
    held_on: date
    place: str
    attendees: int
    notes: str


@dataclass(frozen=True)
class SuggestionSpec:
    channel: str
    received_on: date
    content: str
    status: str = SS.NEW
    reply: str = ""
    answered_on: date | None = None
    symposium: str = ""  # SymposiumSpec.key
    resident: str = ""  # a demo resident of the community, by name
    building: tuple[str, str] | None = None  # (compound, number)


@dataclass(frozen=True)
class CampaignSpec:
    community: str
    title: str
    letters_sent: int
    starts_on: date
    ends_on: date
    channels: tuple[str, ...]
    description: str
    symposiums: tuple[SymposiumSpec, ...]
    suggestions: tuple[SuggestionSpec, ...]


@dataclass(frozen=True)
class PollSpec:
    community: str
    question: str
    opens_on: date
    closes_on: date | None
    options: tuple[str, ...]
    # Ballots counted in per building ((compound, number); None: not attributed to a
    # building), one count per option, in the options' order.
    ballots: tuple[tuple[tuple[str, str] | None, tuple[int, ...]], ...]
    campaign: str = ""  # the title of a campaign of the same community


ANSWERED_ON = date(2026, 2, 12)
SYMPOSIUM_NOTES = (
    "社区党总支召开座谈会多方研讨，结合辖区实际，确定开展创建楼道文化活动，"
    "充分利用有限的社区条件，为居民营造良好的文化氛围。"
)

CAMPAIGNS = (
    CampaignSpec(
        "qingfu",
        PILOT_CAMPAIGN,
        letters_sent=1800,
        starts_on=date(2026, 1, 10),
        ends_on=date(2026, 2, 10),
        channels=(CH.LETTER, CH.BOX, CH.PHONE, CH.SYMPOSIUM),
        description=(
            "以清福社区党总支为试点，在辖区居民中开展广泛调研，向社区居民发放《致辖区居民的"
            "一封信》1800余封，并设立专门的意见箱和公开电话，向全体居民征求丰富精神文化生活的"
            "好的活动和形式。"
        ),
        symposiums=(
            SymposiumSpec(
                "veterans",
                "老党员、老年大学学员座谈会",
                date(2026, 1, 20),
                "清福社区党员活动室",
                26,
                SYMPOSIUM_NOTES,
            ),
            SymposiumSpec(
                "heads",
                "楼院长、居民代表座谈会",
                date(2026, 2, 3),
                "清福社区服务站会议室",
                18,
                "“两委”干部包片指导，各楼院长具体协调，研讨各楼院创建楼道文化的办法。",
            ),
        ),
        suggestions=(
            SuggestionSpec(
                CH.LETTER,
                date(2026, 1, 12),
                "建议在楼道里办书画展，让老年大学学员的书画作品上墙",
                SS.ADOPTED,
                "已采纳：经座谈会研讨和居民投票，书画展的形式最受居民喜欢，社区以书画展为主题"
                "创建楼道文化。",
                resident="米丽芳",
                building=("清福一区", "4"),
            ),
            SuggestionSpec(
                CH.LETTER,
                date(2026, 1, 13),
                "希望楼道里有宣传党的方针政策的内容，贴近百姓、贴近生活",
                SS.ADOPTED,
                "已采纳：单元入口设置镜匾，用居民喜闻乐见的形式宣传党的方针政策。",
            ),
            SuggestionSpec(
                CH.LETTER,
                date(2026, 1, 16),
                "建议允许在楼道里张贴小商品广告",
                SS.DECLINED,
                "楼道是文化阵地，不张贴商业广告；便民信息在社区公告栏集中发布。",
            ),
            SuggestionSpec(
                CH.LETTER, date(2026, 1, 18), "希望社区组织居民学习书法、绘画", SS.CONSIDERED
            ),
            SuggestionSpec(
                CH.BOX,
                date(2026, 1, 14),
                "楼道里堆放的杂物太多，建议先清理再布展",
                SS.ADOPTED,
                "已采纳：各楼院长组织居民清理楼道杂物，建立健全楼道管理组织。",
                building=("清福二区", "15"),
            ),
            SuggestionSpec(
                CH.BOX, date(2026, 1, 21), "希望在楼道里摆放居民自己养的花卉", SS.CONSIDERED
            ),
            SuggestionSpec(
                CH.BOX,
                date(2026, 1, 27),
                "建议楼道安装声控灯",
                building=("清福二区", "16"),
            ),
            SuggestionSpec(
                CH.PHONE,
                date(2026, 1, 15),
                "建议每户出一点钱，修建一个健身场所",
                SS.ADOPTED,
                "已采纳：清福二区15号楼6单元在社区党员刘铁华的带领下，每户拿出300元，"
                "修建社区健身场所“楼馨园”。",
                resident="刘铁华",
                building=("清福二区", "15"),
            ),
            SuggestionSpec(
                CH.PHONE,
                date(2026, 1, 22),
                "楼道文化活动能否安排在周末，方便上班的居民参加",
                SS.CONSIDERED,
            ),
            SuggestionSpec(
                CH.PHONE,
                date(2026, 2, 2),
                "希望在楼道里安装音箱播放音乐",
                SS.DECLINED,
                "为不影响居民休息，楼道内不播放音乐；欢迎参加社区组织的文艺活动。",
            ),
            SuggestionSpec(
                CH.SYMPOSIUM,
                date(2026, 1, 20),
                "以书画展为主要形式，老年大学的学员可以提供书画作品",
                SS.ADOPTED,
                "已采纳：老年大学学员拿起画笔，共绘美好生活，共写社区发展，"
                "社区党组织把他们的书画作品装裱起来在楼道展出。",
                symposium="veterans",
            ),
            SuggestionSpec(
                CH.SYMPOSIUM,
                date(2026, 1, 20),
                "由老党员带头，动员每户为粉刷楼道出钱出力",
                SS.ADOPTED,
                "已采纳：清福一区4号楼9单元的支部老党员米丽芳和社区党员王治普先动员每户"
                "为粉刷楼道出钱出力。",
                symposium="veterans",
                resident="王治普",
                building=("清福一区", "4"),
            ),
            SuggestionSpec(
                CH.SYMPOSIUM,
                date(2026, 1, 20),
                "展出的作品要注明作者和创作时间",
                SS.CONSIDERED,
                symposium="veterans",
            ),
            SuggestionSpec(
                CH.SYMPOSIUM,
                date(2026, 2, 3),
                "建立楼道管理组织，制定每户轮流管理和维护楼道的值班表",
                SS.ADOPTED,
                "已采纳：各单元建立楼道管理组织，制定每户轮流值班表。",
                symposium="heads",
                building=("清福二区", "15"),
            ),
            SuggestionSpec(
                CH.SYMPOSIUM,
                date(2026, 2, 3),
                "用绿竹、装饰花和彩灯把楼道装扮一新",
                SS.ADOPTED,
                "已采纳：清福一区4号楼9单元创建绿色楼道，每户收钱570元，"
                "买来装饰用的绿竹、装饰花和彩灯。",
                symposium="heads",
                building=("清福一区", "4"),
            ),
            SuggestionSpec(
                CH.SYMPOSIUM, date(2026, 2, 3), "在楼道里设置居民留言板", symposium="heads"
            ),
            SuggestionSpec(
                CH.IN_PERSON, date(2026, 1, 19), "建议评选文明楼道，给予表彰", SS.CONSIDERED
            ),
            SuggestionSpec(CH.IN_PERSON, date(2026, 2, 5), "希望社区组织书法培训班"),
            SuggestionSpec(
                CH.ONLINE,
                date(2026, 1, 26),
                "建议在网上展示楼道文化作品的照片",
                SS.ADOPTED,
                "已采纳：审核通过的楼道作品在公开页面展示，扫描楼道里的二维码即可查看。",
            ),
            SuggestionSpec(
                CH.ONLINE,
                date(2026, 2, 6),
                "建议把楼道改成停放自行车的地方",
                SS.DECLINED,
                "楼道是消防通道，不能停放车辆；社区将另行规划停车位置。",
            ),
            SuggestionSpec(CH.ONLINE, date(2026, 2, 8), "楼道里的作品能否定期更换"),
        ),
    ),
)

POLLS = (
    PollSpec(
        "qingfu",
        PILOT_POLL,
        opens_on=date(2026, 1, 25),
        closes_on=date(2026, 2, 10),
        options=("书画展", "摄影展", "文艺演出", "健身活动"),
        ballots=(
            (("清福二区", "15"), (62, 18, 25, 30)),
            (("清福二区", "16"), (21, 7, 9, 6)),
            (("清福一区", "4"), (88, 20, 31, 15)),
            (("清福一区", "5"), (19, 8, 6, 5)),
            (None, (45, 12, 20, 9)),  # the suggestion box at the service station
        ),
        campaign=PILOT_CAMPAIGN,
    ),
)


@dataclass(frozen=True)
class ProblemSpec:
    description: str
    due_on: date | None = None
    # A closed-out problem: who fixed it, when and how; empty: still open.
    fixed_by: str = ""
    fixed_on: date | None = None
    resolution: str = ""


@dataclass(frozen=True)
class VisitSpec:
    community: str
    visited_on: date
    visitors: tuple[tuple[str, str], ...]  # (name, title) as the report gives them
    purpose: str
    notes: str
    problems: tuple[ProblemSpec, ...] = ()


# The officials the report names, with their titles in its words.
CAO_YANBAI = ("曹岩柏", "市精神文明办主任")
FENG_HONG = ("冯红", "市精神文明办主任")
WANG_YI = ("王毅", "区委常委、组织部长")
GUAN_LI = ("关丽", "宣传部部长")
ZHAO_ZHANPENG = ("赵占鹏", "副区长")
ZHAO_JUN = ("赵军", "区民政局局长")
LI_GANG = ("李刚", "区精神文明办主任")
LU_XIAOPING = ("卢晓萍", "区计生局局长")
SUN_XIAOMEI = ("孙晓梅", "区文体局副局长")
REPORT_OFFICIALS = (
    CAO_YANBAI,
    FENG_HONG,
    WANG_YI,
    GUAN_LI,
    ZHAO_ZHANPENG,
    ZHAO_JUN,
    LI_GANG,
    LU_XIAOPING,
    SUN_XIAOMEI,
)
STILL_OPEN_DUE = date(2026, 12, 31)

VISITS = (
    VisitSpec(
        "qingfu",
        date(2026, 1, 8),
        (CAO_YANBAI, FENG_HONG, WANG_YI),
        "到社区指导楼道文化创建试点工作",
        "要求成立以党组织书记任组长的领导小组，建立社区—楼院—居民的三级工作网络，"
        "形成党组织书记负总责，“两委”干部包片指导，各楼院长具体协调，辖区居民广泛参与的"
        "工作氛围。",
        (
            ProblemSpec(
                "领导小组和三级工作网络尚未建立",
                fixed_by="社区党总支书记张桂兰",
                fixed_on=date(2026, 1, 12),
                resolution="成立以党总支书记任组长的领导小组，“两委”干部包片指导，"
                "各楼院长具体协调。",
            ),
            ProblemSpec(
                "征求意见尚未覆盖辖区全体居民",
                fixed_by="社区党总支",
                fixed_on=date(2026, 2, 10),
                resolution="发放《致辖区居民的一封信》1800余封，设立专门的意见箱和公开电话。",
            ),
        ),
    ),
    VisitSpec(
        "qingfu",
        date(2026, 3, 20),
        (WANG_YI, GUAN_LI, ZHAO_ZHANPENG, ZHAO_JUN),
        "检查试点社区楼道文化建设进展",
        "多次到社区指导工作，进一步激发了党员群众的参与热情，规范了楼道文化建设的内容和形式，"
        "保证了楼道文化建设的顺利实施。",
        (
            ProblemSpec(
                "清福二区15号楼6单元楼道杂物未清理，影响布展",
                fixed_by="楼院长刘铁华",
                fixed_on=date(2026, 3, 28),
                resolution="组织本单元居民清理杂物，安装护栏，制定每户轮流管理和维护楼道的值班表。",
            ),
            ProblemSpec(
                "清福一区4号楼9单元楼道墙面陈旧",
                fixed_by="老党员米丽芳、社区党员王治普",
                fixed_on=date(2026, 4, 2),
                resolution="动员每户为粉刷楼道出钱出力，楼道粉刷一新。",
            ),
            ProblemSpec(
                "老年大学学员的书画作品尚未装裱",
                fixed_by="社区党总支",
                fixed_on=date(2026, 4, 10),
                resolution="把学员们的书画作品装裱起来，在楼道里展出。",
            ),
        ),
    ),
    VisitSpec(
        "huayuan",
        date(2026, 4, 8),
        (LI_GANG,),
        "深入基层出点子、想办法",
        "农行小区基础条件好，楼道宽敞明亮、采光效果好，居民多是农行退休的老干部：建议采取"
        "悬挂牌匾和书法作品相结合的方式布展，并用居民自己养植的鲜花点缀。",
        (
            ProblemSpec(
                "布展缺少资金",
                fixed_by="老党员李淑芹",
                fixed_on=date(2026, 4, 20),
                resolution="自己主动拿出200元，并利用老伴与电业局技校的关系，"
                "在电业局技校争取到500元。",
            ),
            ProblemSpec("农行小区3号楼楼道照明不足", due_on=STILL_OPEN_DUE),
        ),
    ),
    VisitSpec(
        "jianfu",
        date(2026, 4, 22),
        (LU_XIAOPING, SUN_XIAOMEI),
        "亲自参与楼道的设计，亲自找内容，并亲自装钉",
        "宿舍楼居住的多为下岗职工，楼道文化定位在体现自立自强和市场信息的书画作品上，"
        "给人以激励和帮助。",
        (
            ProblemSpec(
                "1号宿舍楼楼梯扶手松动",
                fixed_by="楼院长郑永刚",
                fixed_on=date(2026, 5, 6),
                resolution="组织居民加固楼梯扶手。",
            ),
            ProblemSpec("市场信息栏的内容需要定期更新", due_on=STILL_OPEN_DUE),
        ),
    ),
    VisitSpec(
        "huayuan",
        date(2026, 5, 26),
        (CAO_YANBAI, FENG_HONG, GUAN_LI),
        "推广试点经验，指导文明楼道建设",
        "通过不同楼院的人文特点，进行不同的布展，充分展现出楼道文化的人性化特点。",
        (
            ProblemSpec(
                "部分展品缺少作者姓名和创作时间",
                fixed_by="社区党支部书记陈淑华",
                fixed_on=date(2026, 6, 10),
                resolution="为每件展品补充作者姓名和创作时间。",
            ),
        ),
    ),
    VisitSpec(
        "jianfu",
        date(2026, 9, 16),
        (WANG_YI, ZHAO_JUN),
        "检查文明楼道建设成效",
        "昔日脏乱的楼道成了“艺术长廊”，爱护环境、建设和谐社区成了人们的一种自觉行为。",
        (ProblemSpec("2号宿舍楼楼道文化尚未布展", due_on=STILL_OPEN_DUE),),
    ),
)


@dataclass(frozen=True)
class ThemeRuleSpec:
    name: str
    themes: str
    explanation: str
    tag: str = ""  # ResidentTag.code
    min_share: int = 5
    poll_keyword: str = ""


THEME_RULES = (
    ThemeRuleSpec(
        "离退休干部：牌匾和书法",
        "牌匾、书法、居民自养花卉",
        "居民多是退休的老干部，文化底蕴深，书法作品有较高的艺术品位：采取悬挂牌匾和书法"
        "作品相结合的方式布展，并用居民自己养植的鲜花点缀（花园社区农行小区）。",
        tag=TAG_RETIRED_CADRE,
        min_share=30,
    ),
    ThemeRuleSpec(
        "下岗职工：自强自立",
        "自强自立、市场信息",
        "宿舍楼居住的多为下岗职工：楼道文化定位在体现自立自强和市场信息的书画作品上，"
        "给人以激励和帮助（建福社区）。",
        tag=TAG_LAID_OFF,
        min_share=30,
    ),
    ThemeRuleSpec(
        "居民投票：书画",
        "书画天地",
        "通过征集，确定了书画展的形式最受居民喜欢：以书画展为主题创建楼道文化（清福社区）。",
        poll_keyword="书画",
    ),
    ThemeRuleSpec(
        "老年大学学员：学习园地",
        "学习园地、老年之友",
        "老年大学的学员们拿起画笔，共绘美好生活，共写社区发展：把他们的书画作品装裱起来，"
        "建成“老年之友”“学习园地”等文明楼道。",
        tag=TAG_SENIOR_UNIVERSITY,
        min_share=15,
    ),
)


def _at(day: date) -> datetime:
    """An afternoon of ``day``, for the times the services stamp as "now"."""
    return timezone.make_aware(datetime.combine(day, time(16, 30)))


def load_engagement(ctx: DemoContext) -> None:
    """The pilot's campaign, symposiums, suggestions and poll, the officials' guidance
    visits with the problems they raised, and the theme rules -- through the engagement
    services, so that every row is valid by construction.

    Campaigns and theme rules are found by their names and brought back; symposiums,
    suggestions, polls and visits are found by their natural keys and created only when
    missing, with their answers, ballots and close-outs, so a second run adds nothing.
    """
    usernames = set(SECRETARY_OF.values()) | {OFFICIAL}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    for spec in CAMPAIGNS:
        _campaign(ctx, spec, users[SECRETARY_OF[spec.community]])
    for spec in POLLS:
        _poll(ctx, spec, users[SECRETARY_OF[spec.community]])
    for spec in VISITS:
        _visit(ctx, spec, users[OFFICIAL], users[SECRETARY_OF[spec.community]])
    for position, spec in enumerate(THEME_RULES):
        ThemeRule.objects.update_or_create(
            name=spec.name,
            defaults={
                "tag": ctx.tags[spec.tag] if spec.tag else None,
                "min_share": spec.min_share,
                "poll_keyword": spec.poll_keyword,
                "themes": spec.themes,
                "explanation": spec.explanation,
                "is_active": True,
                "position": position,
            },
        )
    ctx.engagement_summary = _engagement_summary(ctx)


def _campaign(ctx: DemoContext, spec: CampaignSpec, secretary: User) -> Campaign:
    """The campaign, found by its title and brought back to the demo values, with its
    symposiums and suggestions."""
    community = ctx.communities[spec.community]
    values = {
        "letters_sent": spec.letters_sent,
        "starts_on": spec.starts_on,
        "ends_on": spec.ends_on,
        "channels": list(spec.channels),
        "description": spec.description,
    }
    campaign = Campaign.objects.filter(community=community, title=spec.title).order_by("pk").first()
    if campaign is None:
        campaign = Campaign(community=community, title=spec.title, created_by=secretary)
    if campaign.pk is None or any(getattr(campaign, k) != v for k, v in values.items()):
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.full_clean()
        campaign.save()
    ctx.campaigns[spec.community, spec.title] = campaign
    _campaign_records(ctx, spec, campaign, secretary)
    return campaign


def _campaign_records(ctx, spec: CampaignSpec, campaign: Campaign, secretary: User) -> None:
    """The campaign's symposiums and suggestions that are not there yet."""
    community = campaign.community
    symposiums = {}
    for item in spec.symposiums:
        symposium = (
            Symposium.objects.filter(community=community, title=item.title, held_on=item.held_on)
            .order_by("pk")
            .first()
        )
        if symposium is None:
            symposium = Symposium(
                community=community,
                campaign=campaign,
                title=item.title,
                held_on=item.held_on,
                place=item.place,
                attendees=item.attendees,
                notes=item.notes,
                created_by=secretary,
            )
            symposium.full_clean()
            symposium.save()
        symposiums[item.key] = symposium

    known = set(Suggestion.objects.filter(community=community).values_list("content", flat=True))
    for item in spec.suggestions:
        if item.content in known:
            continue
        suggestion = Suggestion(
            community=community,
            campaign=campaign,
            symposium=symposiums[item.symposium] if item.symposium else None,
            channel=item.channel,
            received_on=item.received_on,
            content=item.content,
            resident=_resident(community, item.resident) if item.resident else None,
            building=ctx.buildings[(spec.community, *item.building)] if item.building else None,
            created_by=secretary,
        )
        suggestion.full_clean()
        suggestion.save()
        if item.status != SS.NEW:
            suggestion = engagement_services.suggestion_answer(
                suggestion=suggestion, status=item.status, reply=item.reply, by=secretary
            )
        if suggestion.is_answered:  # answered when the campaign's results were in
            Suggestion.objects.filter(pk=suggestion.pk).update(
                decided_at=_at(item.answered_on or ANSWERED_ON)
            )
        ctx.suggestions_created += 1


def _poll(ctx: DemoContext, spec: PollSpec, secretary: User) -> Poll:
    """The poll, with its ballots counted in per building and closed, when it is missing."""
    community = ctx.communities[spec.community]
    poll = Poll.objects.filter(community=community, question=spec.question).order_by("pk").first()
    if poll is not None:
        return poll
    poll = engagement_services.poll_create(
        community=community,
        question=spec.question,
        opens_on=spec.opens_on,
        options=spec.options,
        campaign=ctx.campaigns.get((spec.community, spec.campaign)),
        by=secretary,
    )
    option_ids = dict(poll.options.values_list("label", "pk"))
    for place, counts in spec.ballots:
        engagement_services.poll_count_in(
            poll=poll,
            building=ctx.buildings[(spec.community, *place)] if place else None,
            votes={option_ids[label]: n for label, n in zip(spec.options, counts, strict=True)},
            by=secretary,
        )
    if spec.closes_on is not None:
        poll = engagement_services.poll_close(poll=poll, by=secretary)
        Poll.objects.filter(pk=poll.pk).update(closed_at=_at(spec.closes_on))
    return poll


def _visit(ctx: DemoContext, spec: VisitSpec, official: User, secretary: User) -> GuidanceVisit:
    """The visit, recorded by the district official, with its problems, when it is missing;
    the problems fixed since are closed out by the community's secretary."""
    community = ctx.communities[spec.community]
    visit = (
        GuidanceVisit.objects.filter(
            community=community, visited_on=spec.visited_on, purpose=spec.purpose
        )
        .order_by("pk")
        .first()
    )
    if visit is not None:
        return visit
    visit = engagement_services.visit_record(
        community=community,
        visited_on=spec.visited_on,
        purpose=spec.purpose,
        notes=spec.notes,
        visitors=spec.visitors,
        by=official,
    )
    for item in spec.problems:
        problem = engagement_services.problem_add(
            visit=visit, description=item.description, due_on=item.due_on, by=official
        )
        if item.fixed_by:
            engagement_services.problem_close(
                problem=problem,
                fixed_by=item.fixed_by,
                fixed_on=item.fixed_on,
                resolution=item.resolution,
                by=secretary,
            )
            GuidanceProblem.objects.filter(pk=problem.pk).update(closed_at=_at(item.fixed_on))
    ctx.visits_created += 1
    return visit


def _engagement_summary(ctx: DemoContext) -> str:
    communities = list(ctx.communities.values())
    suggestions = Suggestion.objects.filter(community__in=communities)
    by_status = dict(suggestions.order_by().values_list("status").annotate(n=Count("pk")))
    statuses = ", ".join(f"{s} {by_status[s]}" for s in SS.values if by_status.get(s))
    polls = Poll.objects.filter(community__in=communities)
    problems = GuidanceProblem.objects.filter(visit__community__in=communities)
    open_problems = problems.filter(status=GuidanceProblem.Status.OPEN).count()
    return (
        f"Engagement: campaigns {len(ctx.campaigns)}, suggestions {suggestions.count()} "
        f"({statuses}), symposiums "
        f"{Symposium.objects.filter(community__in=communities).count()}, polls "
        f"{polls.count()} (closed {polls.filter(is_closed=True).count()}), guidance visits "
        f"{GuidanceVisit.objects.filter(community__in=communities).count()}, problems "
        f"{problems.count()} (open {open_problems}), theme rules "
        f"{ThemeRule.objects.filter(name__in=[r.name for r in THEME_RULES]).count()}; "
        f"{ctx.suggestions_created} suggestions and {ctx.visits_created} visits created "
        f"this run."
    )


# --- Demo pictures ----------------------------------------------------------------------------

# The first of these that exists draws the Chinese titles; without any, each character is
# drawn as a few brush-like strokes, so the demo loads on a machine without CJK fonts.
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
PICTURE_SIZE = (800, 1000)
RECEIPT_SIZE = (600, 800)
RICE_PAPER = "#f3e9d2"
INK = "#1f1b16"
SEAL_RED = "#b3261e"
GOLD = "#e2b552"

# kind -> (background, text colour, mount colour)
KIND_STYLES = {
    K.CALLIGRAPHY: (RICE_PAPER, INK, "#9c7a4f"),
    K.PAINTING: (RICE_PAPER, INK, "#6f5a43"),
    K.PLAQUE: ("#6e2a1c", GOLD, "#3b170f"),
    K.MIRROR_PLAQUE: ("#dde6ec", "#a3211a", "#c9a23f"),
    K.PHOTO: ("#f7f7f4", INK, "#fafafa"),
    K.POSTER: ("#fff6e0", "#fff2b3", "#c8102e"),
    K.LITERARY: ("#fbf7ec", INK, "#b84a3a"),
    K.PLANTS: ("#eef5e4", "#24552e", "#7aa35b"),
    K.OTHER: (RICE_PAPER, INK, "#9c7a4f"),
}


def _find_cjk_font() -> tuple[str, int] | None:
    """(path, face index) of a CJK font, the Simplified Chinese face of a collection."""
    for path in CJK_FONT_CANDIDATES:
        if not os.path.exists(path):
            continue
        best = None
        for index in range(8):
            try:
                family, _style = ImageFont.truetype(path, 24, index=index).getname()
            except OSError:
                break
            if best is None or (family or "").endswith(" SC"):
                best = index
        if best is not None:
            return path, best
    return None


# Processed pictures by what they show (and the font and thumbnail sizes they were made
# with). Drawing and processing cost ~25 ms a picture and the demo has ~50, so a process that
# loads the demo more than once (the tests) makes each of them once. Pixels, not rows: nothing
# here comes from the database, and the set of keys is fixed by the specs above.
_PROCESSED: dict[tuple, images.ProcessedPhoto] = {}


class DemoPictures:
    """Draws the demo's pictures with Pillow and runs them through the photo pipeline.

    One instance per run keeps the fonts and drawn works it made; the processed photos are
    kept for the whole process (``_PROCESSED``), so nothing is drawn or processed twice.
    """

    def __init__(self) -> None:
        self.font_file = _find_cjk_font()
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        self._works: dict[tuple, Image.Image] = {}

    # Photos (processed, ready for the services)

    def work_photo(self, kind, title, creator, installed_on) -> images.ProcessedPhoto:
        key = ("work", kind, title, creator, installed_on)
        return self._processed(key, lambda: self.work(kind, title, creator, installed_on))

    def on_wall_photo(self, kind, title, creator, installed_on) -> images.ProcessedPhoto:
        key = ("wall", kind, title, creator, installed_on)
        return self._processed(
            key, lambda: self.on_wall(self.work(kind, title, creator, installed_on))
        )

    def before_photo(self) -> images.ProcessedPhoto:
        return self._processed(("before",), self.before)

    def after_photo(self) -> images.ProcessedPhoto:
        return self._processed(("after",), self.after)

    def receipt_photo(self, payer: str, spec: ExpenseSpec) -> images.ProcessedPhoto:
        key = ("receipt", payer, spec)
        return self._processed(key, lambda: self.receipt(payer, spec))

    def _processed(self, key, draw) -> images.ProcessedPhoto:
        """The picture drawn by ``draw``, as a JPEG upload run through the photo pipeline."""
        key = (*key, self.font_file, images.thumb_sizes())
        if key not in _PROCESSED:
            buffer = io.BytesIO()
            draw().save(buffer, "JPEG", quality=88)
            upload = SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")
            _PROCESSED[key] = images.process_photo(upload)
        return _PROCESSED[key]

    # Text

    def font(self, size: int):
        if size not in self._fonts:
            path, index = self.font_file
            self._fonts[size] = ImageFont.truetype(path, size, index=index)
        return self._fonts[size]

    def glyph(self, draw: ImageDraw.ImageDraw, char: str, center, size: int, fill) -> None:
        """One character in a ``size`` square around ``center``."""
        cx, cy = center
        if self.font_file is not None:
            draw.text((cx, cy), char, font=self.font(size), fill=fill, anchor="mm")
            return
        # No CJK font: a few brush-like strokes, the same for the same character.
        rng = random.Random(f"{DEMO_SEED}:glyph:{ord(char)}")
        half = size * 0.42
        width = max(2, size // 11)
        for _stroke in range(rng.randint(3, 6)):
            x0, y0 = cx + rng.uniform(-half, half), cy + rng.uniform(-half, half)
            if rng.random() < 0.5:  # horizontal-ish
                x1, y1 = cx + rng.uniform(-half, half), y0 + rng.uniform(-size / 10, size / 10)
            else:  # vertical-ish or a falling stroke
                x1, y1 = x0 + rng.uniform(-size / 4, size / 6), cy + rng.uniform(-half, half)
            draw.line((x0, y0, x1, y1), fill=fill, width=width)
            dot = width * 0.7  # where the brush pressed down
            draw.ellipse((x0 - dot, y0 - dot, x0 + dot, y0 + dot), fill=fill)

    def text(self, draw, text: str, box, *, fill, vertical: bool, per_line: int, max_size: int):
        """Lay ``text`` out in ``box`` (left, top, right, bottom): columns from right to left
        when ``vertical``, else centred lines; characters as large as fit, up to max_size."""
        chars = [ch for ch in text if not ch.isspace()]
        if not chars:
            return
        left, top, right, bottom = box
        lines = math.ceil(len(chars) / per_line)
        per_line = math.ceil(len(chars) / lines)
        along, across = (bottom - top, right - left) if vertical else (right - left, bottom - top)
        size = int(min(max_size, along / per_line, across / (lines * 1.25)))
        for line in range(lines):
            part = chars[line * per_line : (line + 1) * per_line]
            offset = (line - (lines - 1) / 2) * size * 1.25
            for i, ch in enumerate(part):
                step = (i - (len(part) - 1) / 2) * size
                if vertical:
                    center = ((left + right) / 2 - offset, (top + bottom) / 2 + step)
                else:
                    center = ((left + right) / 2 + step, (top + bottom) / 2 + offset)
                self.glyph(draw, ch, center, size, fill)

    def write(self, draw, xy, text: str, size: int, fill) -> None:
        """One line of mixed Chinese and ASCII text from ``xy`` (top left)."""
        if self.font_file is not None:
            draw.text(xy, text, font=self.font(size), fill=fill)
            return
        x, y = xy
        for char in text:
            if ord(char) < 128:
                draw.text((x, y), char, font=self._default_font(size), fill=fill)
                x += size * 0.6
            else:
                self.glyph(draw, char, (x + size / 2, y + size / 2), size, fill)
                x += size

    def _default_font(self, size: int):
        key = -size  # beside the CJK sizes in the same cache
        if key not in self._fonts:
            self._fonts[key] = ImageFont.load_default(size)
        return self._fonts[key]

    def small_label(self, draw, xy, text: str, fill, size: int = 22) -> None:
        """ASCII text (dates, numbers): the CJK font when there is one, else Pillow's own."""
        font = self.font(size) if self.font_file is not None else ImageFont.load_default(size)
        draw.text(xy, text, font=font, fill=fill)

    def seal(self, draw, box, char: str) -> None:
        """A red seal square with one character in the paper's colour."""
        left, top, right, bottom = box
        draw.rectangle(box, fill=SEAL_RED)
        inset = (right - left) // 10
        draw.rectangle(
            (left + inset, top + inset, right - inset, bottom - inset), outline=RICE_PAPER, width=3
        )
        size = int((right - left) * 0.62)
        self.glyph(draw, char, ((left + right) / 2, (top + bottom) / 2), size, RICE_PAPER)

    # Pictures

    def work(self, kind, title, creator, installed_on) -> Image.Image:
        """The work itself: a mounted card in the style of its kind."""
        key = (kind, title, creator, installed_on)
        if key in self._works:
            return self._works[key]
        background, ink, mount = KIND_STYLES.get(kind, KIND_STYLES[K.OTHER])
        width, height = PICTURE_SIZE
        picture = Image.new("RGB", PICTURE_SIZE, mount)
        draw = ImageDraw.Draw(picture)
        margin = 48
        inner = (margin, margin, width - margin, height - margin)
        draw.rectangle(inner, fill=background)
        rng = random.Random(f"{DEMO_SEED}:{kind}:{title}")
        left, top, right, bottom = inner
        if kind == K.PAINTING:
            self._landscape(draw, inner, rng)
            self.text(
                draw,
                title,
                (right - 130, top + 40, right - 40, top + 520),
                fill=ink,
                vertical=True,
                per_line=6,
                max_size=80,
            )
        elif kind in (K.PLAQUE, K.MIRROR_PLAQUE):
            frame = GOLD if kind == K.PLAQUE else mount
            for step in range(3):
                inset = 18 + step * 14
                draw.rectangle(
                    (left + inset, top + inset, right - inset, bottom - inset),
                    outline=frame,
                    width=5 - step,
                )
            if kind == K.MIRROR_PLAQUE:
                for band in range(4):  # reflections on the glass
                    x = left + 60 + band * 120
                    draw.polygon(
                        [
                            (x, bottom - 60),
                            (x + 50, bottom - 60),
                            (x + 190, top + 60),
                            (x + 140, top + 60),
                        ],
                        fill="#eef3f6",
                    )
            self.text(
                draw,
                title,
                (left + 80, top + 120, right - 80, bottom - 240),
                fill=ink,
                vertical=False,
                per_line=5,
                max_size=190,
            )
        elif kind == K.POSTER:
            draw.rectangle((left, top, right, top + 330), fill=mount)
            self.text(
                draw,
                title,
                (left + 40, top + 30, right - 40, top + 300),
                fill=ink,
                vertical=False,
                per_line=5,
                max_size=120,
            )
            for row in range(9):
                y = top + 390 + row * 50
                length = right - left - 120 - rng.randint(0, 220)
                draw.rounded_rectangle(
                    (left + 60, y, left + 60 + length, y + 18), 8, fill="#d9cdb4"
                )
            draw.ellipse((right - 210, bottom - 210, right - 50, bottom - 50), fill="#f2c14e")
        elif kind == K.LITERARY:
            self.text(
                draw,
                title,
                (left + 40, top + 30, right - 40, top + 170),
                fill=ink,
                vertical=False,
                per_line=10,
                max_size=70,
            )
            cell = 44  # 稿纸: a grid of squares with faint characters
            for row in range(12):
                y = top + 220 + row * (cell + 12)
                for col in range(14):
                    x = left + 42 + col * cell
                    draw.rectangle((x, y, x + cell, y + cell), outline=mount, width=1)
                    if rng.random() < 0.8 and y < bottom - 200:
                        draw.line(
                            (x + 10, y + cell / 2, x + cell - 10, y + cell / 2 + 2),
                            fill="#8a8378",
                            width=3,
                        )
        elif kind == K.PLANTS:
            self._bamboo(draw, inner, rng)
            self.text(
                draw,
                title,
                (left + 60, top + 40, right - 60, top + 220),
                fill=ink,
                vertical=False,
                per_line=4,
                max_size=140,
            )
        elif kind == K.PHOTO:
            self._group_photo(draw, inner, rng)
            self.text(
                draw,
                title,
                (left + 40, bottom - 200, right - 40, bottom - 60),
                fill=ink,
                vertical=False,
                per_line=8,
                max_size=80,
            )
        else:  # calligraphy and anything else: vertical columns on rice paper
            self.text(
                draw,
                title,
                (left + 90, top + 80, right - 90, bottom - 200),
                fill=ink,
                vertical=True,
                per_line=5,
                max_size=200,
            )
        if kind in (K.CALLIGRAPHY, K.PAINTING, K.LITERARY, K.OTHER):
            seal_top = bottom - 170
            self.seal(draw, (left + 50, seal_top, left + 150, seal_top + 100), (creator or "印")[0])
        if installed_on is not None:
            self.small_label(draw, (left + 14, bottom - 40), installed_on.isoformat(), "#7d7468")
        self._works[key] = picture
        return picture

    def _landscape(self, draw, box, rng) -> None:
        left, top, right, bottom = box
        draw.ellipse((left + 420, top + 120, left + 540, top + 240), fill="#c8372d")
        for layer, colour in enumerate(("#b9bdb0", "#8c9686", "#59665a")):
            base = top + 520 + layer * 110
            points = [(left, bottom)]
            for x in range(left, right + 1, 60):
                points.append((x, base - rng.randint(40, 220) + layer * 20))
            points.append((right, bottom))
            draw.polygon(points, fill=colour)
        for _bird in range(3):
            x, y = left + rng.randint(120, 380), top + rng.randint(150, 330)
            draw.line((x - 18, y - 8, x, y, x + 18, y - 8), fill=INK, width=3)

    def _bamboo(self, draw, box, rng) -> None:
        left, top, right, bottom = box
        for stalk in range(5):
            x = left + 70 + stalk * 130 + rng.randint(-20, 20)
            draw.rectangle((x, top + 250, x + 26, bottom), fill="#4f8a3c")
            for joint in range(top + 300, bottom, 110):
                draw.line((x - 3, joint, x + 29, joint), fill="#2f5e25", width=5)
                side = 1 if rng.random() < 0.5 else -1
                draw.polygon(
                    [
                        (x + 13, joint),
                        (x + 13 + side * 90, joint - 40),
                        (x + 13 + side * 80, joint - 10),
                    ],
                    fill="#6aa84f",
                )
        for _flower in range(9):  # decorative flowers and coloured lights
            x, y = rng.randint(left + 30, right - 30), rng.randint(top + 260, bottom - 30)
            colour = rng.choice(("#e85d75", "#f2c14e", "#ffffff", "#f08a24"))
            draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=colour)

    def _group_photo(self, draw, box, rng) -> None:
        left, top, right, bottom = box
        draw.rectangle((left, top, right, top + 430), fill="#bcd7ea")
        draw.rectangle((left, top + 430, right, bottom - 220), fill="#c9c3b5")
        draw.rectangle((left + 80, top + 150, right - 80, top + 430), fill="#e8dcc4")
        for row, y in enumerate((top + 470, top + 560)):
            for col in range(7 - row):
                x = left + 90 + col * 92 + row * 46
                colour = rng.choice(("#3b4a6b", "#7a2e2e", "#2f5a3a", "#555555", "#a05a2c"))
                draw.ellipse((x, y - 60, x + 44, y - 16), fill="#e7c29f")
                draw.rounded_rectangle((x - 10, y - 14, x + 54, y + 80), 18, fill=colour)

    def on_wall(self, work: Image.Image) -> Image.Image:
        """The work hanging in a clean stairwell: wall, frame, handrail and a lamp."""
        picture = Image.new("RGB", PICTURE_SIZE, "#f1ece0")
        draw = ImageDraw.Draw(picture)
        width, height = PICTURE_SIZE
        draw.rectangle((0, 640, width, height), fill="#9cb89e")  # painted dado
        draw.line((0, 700, width, 560), fill="#6b4f2a", width=14)  # handrail
        draw.ellipse((360, 30, 440, 90), fill="#ffe9a8")
        draw.rectangle((390, 0, 410, 40), fill="#888888")
        framed = work.reduce(2)  # 400 x 500
        draw.rectangle((180, 90, 620, 630), fill="#4a3424")
        picture.paste(framed, (200, 110))
        return picture

    def before(self) -> Image.Image:
        """The stairwell before: grey, dim, cluttered."""
        rng = random.Random(f"{DEMO_SEED}:before")
        picture = Image.new("RGB", PICTURE_SIZE, "#7b7a75")
        draw = ImageDraw.Draw(picture)
        self._stairs(draw, "#5d5c58", "#6a6964")
        for _stain in range(14):
            x, y = rng.randint(0, 780), rng.randint(0, 600)
            r = rng.randint(10, 60)
            draw.ellipse((x - r, y - r, x + r, y + r), fill="#6c6a63")
        for _scribble in range(10):  # small ads and scribbles on the wall
            x, y = rng.randint(40, 700), rng.randint(80, 520)
            draw.rectangle((x, y, x + 70, y + 40), fill=rng.choice(("#d8d2c2", "#b9b2a0")))
        for _thing in range(9):  # boxes, sacks and an old bicycle wheel on the landing
            x, y = rng.randint(40, 640), rng.randint(700, 880)
            w, h = rng.randint(60, 160), rng.randint(40, 120)
            draw.rectangle((x, y - h, x + w, y), fill=rng.choice(("#6e5b3e", "#8a7556", "#4d4a44")))
        draw.ellipse((520, 640, 700, 820), outline="#2f2f2f", width=8)
        draw.line((0, 700, 800, 560), fill="#4a4a4a", width=6)  # bent old railing
        return picture

    def after(self) -> Image.Image:
        """The same stairwell after: bright walls, a handrail, works, plants and lights."""
        picture = Image.new("RGB", PICTURE_SIZE, "#fbf6ea")
        draw = ImageDraw.Draw(picture)
        self._stairs(draw, "#d9cfbd", "#e8e0d0")
        draw.rectangle((0, 600, 800, 640), fill="#9cb89e")
        draw.line((0, 700, 800, 560), fill="#6b4f2a", width=14)
        for x, colour in ((80, RICE_PAPER), (330, "#6e2a1c"), (580, "#dde6ec")):
            draw.rectangle((x, 150, x + 150, 360), fill="#4a3424")
            draw.rectangle((x + 12, 162, x + 138, 348), fill=colour)
        for x in (40, 260, 480, 700):  # coloured lights along the ceiling
            draw.ellipse((x, 40, x + 40, 80), fill="#ffd966")
        for x in (60, 690):  # potted plants
            draw.rectangle((x, 820, x + 70, 900), fill="#b5651d")
            draw.ellipse((x - 30, 690, x + 100, 840), fill="#4f8a3c")
        return picture

    def receipt(self, payer: str, spec: ExpenseSpec) -> Image.Image:
        """A shop's handwritten receipt (收据) for an expense, with its red seal."""
        picture = Image.new("RGB", RECEIPT_SIZE, "#fbf8ef")
        draw = ImageDraw.Draw(picture)
        width, height = RECEIPT_SIZE
        printed, pen = "#a8322d", "#1f3a8a"  # the printed form, the ballpoint pen
        draw.rectangle((24, 24, width - 24, height - 24), outline=printed, width=3)
        self.write(draw, (width / 2 - 75, 52), "收  据", 50, printed)
        draw.line((200, 116, 400, 116), fill=printed, width=3)
        draw.line((200, 122, 400, 122), fill=printed, width=1)
        self.write(draw, (340, 140), f"No. {spec.receipt_no}", 22, printed)
        day = spec.day
        self.write(draw, (60, 180), "日期", 26, printed)
        self.write(draw, (140, 178), f"{day.year}年{day.month}月{day.day}日", 28, pen)
        rows = (
            ("今收到", payer),
            ("交来", spec.item),
            ("人民币（大写）", capital_yuan(spec.amount)),
            ("¥", f"{spec.amount:,.2f}"),
        )
        for index, (label, value) in enumerate(rows):
            top = 250 + index * 95
            self.write(draw, (60, top), label, 26, printed)
            offset = 60 + 26 * len(label) + 16
            self.write(draw, (offset, top - 4), value, 30, pen)
            draw.line((offset, top + 40, width - 60, top + 40), fill=printed, width=1)
        self.write(draw, (60, 660), "收款单位（盖章）", 24, printed)
        self.write(draw, (60, 700), spec.vendor, 26, pen)
        self._round_seal(draw, (width - 170, 640), 95)
        return picture

    def _round_seal(self, draw, center, radius: int) -> None:
        """A round red company seal: ring, star and 财务专用章 (receipts only)."""
        cx, cy = center
        draw.ellipse(
            (cx - radius, cy - radius, cx + radius, cy + radius), outline=SEAL_RED, width=6
        )
        star = []
        for point in range(10):
            angle = -math.pi / 2 + point * math.pi / 5
            r = radius * (0.32 if point % 2 == 0 else 0.13)
            star.append((cx + r * math.cos(angle), cy - radius * 0.18 + r * math.sin(angle)))
        draw.polygon(star, fill=SEAL_RED)
        self.text(
            draw,
            "财务专用章",
            (cx - radius * 0.7, cy + radius * 0.3, cx + radius * 0.7, cy + radius * 0.62),
            fill=SEAL_RED,
            vertical=False,
            per_line=5,
            max_size=24,
        )

    @staticmethod
    def _stairs(draw, tread, riser) -> None:
        for step in range(6):
            y = 1000 - step * 60
            draw.rectangle((0, y - 60, 800 - step * 70, y), fill=tread if step % 2 else riser)


# --- Output -----------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_logins(logins: list[Login], password: str) -> str:
    """The demo logins as an aligned text table (Chinese characters count double)."""
    header = ("username", "name", "role", "where", "password")
    rows = [header] + [(x.username, x.full_name, x.role, x.where, password) for x in logins]
    widths = [max(_display_width(row[i]) for row in rows) for i in range(len(header))]

    def line(row):
        cells = [
            cell + " " * (w - _display_width(cell)) for cell, w in zip(row, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows[1:])])
