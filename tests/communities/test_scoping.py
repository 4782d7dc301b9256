"""The scoping rule itself: who sees which rows and who may change them."""

import pytest

from buildings.models import Building, Household, Resident, Unit
from communities.models import Community, District, Membership, Section


def _names(queryset):
    return {str(row) for row in queryset}


def test_visible_to_secretary_sees_own_community_only(world):
    visible = Resident.objects.visible_to(world.a.secretary)

    assert world.a.resident in visible
    assert world.b.resident not in visible


def test_visible_to_official_sees_whole_district(world):
    assert set(Community.objects.visible_to(world.official)) == {
        world.a.community,
        world.b.community,
    }


def test_visible_to_official_of_other_district_sees_nothing(world):
    other = District.objects.create(name="西城区", code="xicheng")
    official = Membership.objects.create(
        user=world.outsider, role=Membership.Role.OFFICIAL, district=other
    ).user

    assert not Building.objects.visible_to(official).exists()


def test_visible_to_cadre_sees_own_section_buildings_only(world):
    visible = Building.objects.visible_to(world.a.cadre)

    assert set(visible) == {world.a.section_building}


def test_visible_to_cadre_sees_own_section_not_sibling(world):
    assert set(Section.objects.visible_to(world.a.cadre)) == {world.a.section}


def test_visible_to_head_sees_headed_building_only(world):
    assert set(Unit.objects.visible_to(world.a.head)) == {world.a.unit}
    assert set(Community.objects.visible_to(world.a.head)) == {world.a.community}


def test_visible_to_user_without_membership_sees_nothing(world):
    assert not Household.objects.visible_to(world.outsider).exists()
    assert not District.objects.visible_to(world.outsider).exists()


def test_visible_to_superuser_sees_all(world):
    assert Resident.objects.visible_to(world.superuser).count() == Resident.objects.count()


def test_visible_to_inactive_membership_sees_nothing(world):
    world.a.secretary.memberships.update(is_active=False)

    assert not Resident.objects.visible_to(world.a.secretary).exists()


def test_visible_to_district_once_for_member_of_two_communities(world):
    Membership.objects.create(
        user=world.a.secretary,
        role=Membership.Role.SECRETARY,
        district=world.district,
        community=world.b.community,
    )

    assert list(District.objects.visible_to(world.a.secretary)) == [world.district]


def test_editable_by_official_is_nothing(world):
    assert not Building.objects.editable_by(world.official).exists()
    assert not District.objects.editable_by(world.official).exists()


def test_editable_by_secretary_is_own_community(world):
    editable = Building.objects.editable_by(world.a.secretary)

    assert set(editable) == {world.a.building, world.a.section_building}


def test_editable_by_cadre_is_section_and_not_community(world):
    assert set(Building.objects.editable_by(world.a.cadre)) == {world.a.section_building}
    assert not Community.objects.editable_by(world.a.cadre).exists()


def test_editable_by_head_is_nothing_for_the_register(world):
    assert not Resident.objects.editable_by(world.a.head).exists()


@pytest.mark.parametrize(
    "role", ["official", "secretary", "cadre", "head", "outsider", "superuser"]
)
@pytest.mark.parametrize("target", ["building", "section_building", "unit", "resident"])
def test_can_edit_loaded_agrees_with_editable_by(world, role, target):
    from communities import scoping

    user = {
        "official": world.official,
        "secretary": world.a.secretary,
        "cadre": world.a.cadre,
        "head": world.a.head,
        "outsider": world.outsider,
        "superuser": world.superuser,
    }[role]
    obj = getattr(world.a, target)
    fresh = type(obj).objects.get(pk=obj.pk)

    assert scoping.can_edit_loaded(user, fresh) == scoping.can_edit(user, fresh)
