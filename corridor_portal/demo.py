"""The demo data set: the district, communities, buildings and people of the report.

The names, places and amounts come from the district report 《小楼道成党建新阵地》 (see
DESIGN.md). Everything else -- the other residents, their rooms and phone numbers -- is generated
from fixed lists with seeded random generators, so that every run produces the same rows.

:func:`load_demo` is idempotent: every row is found by its natural key and created or brought
back to the demo values, never duplicated; rows the demo does not know about are left alone.
Features add their demo records as further ``load_*`` steps called from :func:`load_demo`.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.models import Building, Household, Resident, ResidentTag, Unit
from communities.models import Community, District, Membership, Section, User

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


@transaction.atomic
def load_demo(*, password: str, stdout=None) -> DemoContext:
    """Load (or bring back) the whole demo; returns what was loaded, logins included."""
    ctx = DemoContext()
    load_network(ctx)
    load_buildings(ctx)
    load_tags(ctx)
    load_households(ctx)
    load_people(ctx, password=password)
    if stdout is not None:
        stdout.write(
            f"{ctx.district}: {len(ctx.communities)} communities, {len(ctx.buildings)} buildings, "
            f"{len(ctx.units)} units, {len(ctx.households)} households, "
            f"{ctx.resident_count} residents, {len(ctx.logins)} logins."
        )
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
                    plan.append(_PlannedHousehold(unit_key, room, occupancy, residents))
    return plan


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
                    )
                )
            elif (resident.phone, resident.is_party_member) != (
                person.phone,
                person.is_party_member,
            ):
                resident.phone = person.phone
                resident.is_party_member = person.is_party_member
                resident.updated_at = now
                to_update.append(resident)
    Resident.objects.bulk_create(to_create, batch_size=500)
    Resident.objects.bulk_update(
        to_update, ["phone", "is_party_member", "updated_at"], batch_size=500
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
        Membership.objects.update_or_create(
            user=user,
            role=spec.role,
            community=community,
            section=section,
            defaults={
                "district": ctx.district,
                "group_position": spec.group_position,
                "title": spec.title,
                "is_active": True,
            },
        )
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
