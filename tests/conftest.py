"""Shared fixtures: a ``world`` of two communities, each with people who could leak."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from communities.models import Membership
from tests import factories


@dataclass
class Side:
    """One community with its people and records."""

    community: object
    section: object
    other_section: object
    secretary: object
    cadre: object
    head: object
    building: object
    section_building: object
    unit: object
    household: object
    resident: object


@dataclass
class World:
    district: object
    official: object
    superuser: object
    a: Side
    b: Side
    outsider: object


def _side(district, label: str, code: str) -> Side:
    community = factories.CommunityFactory(district=district, name=f"{label}社区", code=code)
    section = factories.SectionFactory(community=community, name=f"{label}一片")
    other_section = factories.SectionFactory(community=community, name=f"{label}二片")
    secretary = factories.UserFactory(username=f"secretary-{label}", full_name=f"{label}书记")
    factories.MembershipFactory(user=secretary, role=Membership.Role.SECRETARY, community=community)
    cadre = factories.UserFactory(username=f"cadre-{label}", full_name=f"{label}委员")
    factories.MembershipFactory(
        user=cadre, role=Membership.Role.CADRE, community=community, section=section
    )
    head = factories.UserFactory(username=f"head-{label}", full_name=f"{label}楼长")
    factories.MembershipFactory(user=head, role=Membership.Role.HEAD, community=community)
    building = factories.BuildingFactory(
        community=community, section=other_section, compound=f"{label}小区", number="15", head=head
    )
    section_building = factories.BuildingFactory(
        community=community, section=section, compound=f"{label}小区", number="4"
    )
    unit = factories.UnitFactory(building=building, number=6)
    household = factories.HouseholdFactory(unit=unit, room="301")
    resident = factories.ResidentFactory(
        household=household, name=f"{label}居民", phone="13912345678", is_party_member=True
    )
    return Side(
        community,
        section,
        other_section,
        secretary,
        cadre,
        head,
        building,
        section_building,
        unit,
        household,
        resident,
    )


@pytest.fixture
def world(db) -> World:
    district = factories.DistrictFactory(name="东安区", code="dongan")
    official = factories.UserFactory(username="official", full_name="王毅")
    factories.MembershipFactory(
        user=official, role=Membership.Role.OFFICIAL, community=None, district=district
    )
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    outsider = factories.UserFactory(username="outsider")
    return World(
        district=district,
        official=official,
        superuser=superuser,
        a=_side(district, "清福", "qingfu"),
        b=_side(district, "花园", "huayuan"),
        outsider=outsider,
    )


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing with PBKDF2 costs a quarter of a second per user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files of a test land in a temporary folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. A rolled-back test can leave ids and data
    versions that the next test reaches again (SQLite reuses ids), so figures cached
    under them would belong to another test's data."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class ExhibitSide:
    corridor: object
    exhibit: object
    photo: object
    pair: object


def _exhibit_side(side: Side) -> ExhibitSide:
    from exhibits import services

    corridor = services.corridor_create(unit=side.unit, theme="老年之友", by=side.secretary)
    exhibit = services.exhibit_create(
        corridor=corridor,
        data={
            "kind": "calligraphy",
            "title": f"{side.community.name}书法",
            "creator_name": "老年大学学员",
            "floor": 2,
        },
        photos=[factories.processed_photo()],
        by=side.secretary,
    )
    pair = services.pair_create(
        corridor=corridor,
        before=factories.processed_photo(color=(90, 90, 90)),
        after=factories.processed_photo(color=(250, 250, 250)),
        caption="粉刷前后",
        by=side.secretary,
    )
    return ExhibitSide(corridor, exhibit, exhibit.photos.get(), pair)


@pytest.fixture
def exhibit_world(world):
    """The world, plus a corridor with a draft exhibit (with a photo) and a before-and-after
    pair on each side's unit."""
    world.ea = _exhibit_side(world.a)
    world.eb = _exhibit_side(world.b)
    return world


def grant_admin_access(*users):
    """Make ``users`` staff with every model permission of the portal's apps."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="record-keepers")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["communities", "buildings", "exhibits", "engagement"]
        )
    )
    for user in users:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)


@pytest.fixture
def staff_world(world):
    """The ``world`` with every role allowed into the admin; scoping alone must separate them."""
    grant_admin_access(
        world.official,
        world.a.secretary,
        world.a.cadre,
        world.a.head,
        world.b.secretary,
        world.b.cadre,
        world.b.head,
    )
    return world
