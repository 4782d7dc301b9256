"""Resident.community follows the household's place, however rows are written."""

import pytest

from buildings.models import Building, Household, Resident, Unit
from tests import factories


def _community_of(resident):
    return Resident.all_objects.values_list("community_id", flat=True).get(pk=resident.pk)


@pytest.mark.django_db
def test_save_and_bulk_create_set_the_community(world):
    a = world.a
    saved = factories.ResidentFactory(household=a.household)
    assert saved.community_id == a.community.pk
    assert _community_of(saved) == a.community.pk

    Resident.objects.bulk_create([Resident(household=a.household, name="批量")])
    bulk = Resident.objects.get(name="批量")
    assert bulk.community_id == a.community.pk


@pytest.mark.django_db
def test_a_forged_community_is_corrected_by_the_database(world):
    resident = factories.ResidentFactory(household=world.a.household)
    Resident.objects.filter(pk=resident.pk).update(community=world.b.community)
    assert _community_of(resident) == world.a.community.pk


@pytest.mark.django_db
def test_residents_follow_a_household_unit_or_building_that_moves(world):
    a, b = world.a, world.b
    resident = factories.ResidentFactory(household=a.household)

    Household.objects.filter(pk=a.household.pk).update(unit=b.unit, room="moved-in")
    assert _community_of(resident) == b.community.pk
    Household.objects.filter(pk=a.household.pk).update(unit=a.unit)
    assert _community_of(resident) == a.community.pk

    number = a.unit.number
    Unit.objects.filter(pk=a.unit.pk).update(building=b.building, number=999)
    assert _community_of(resident) == b.community.pk
    Unit.objects.filter(pk=a.unit.pk).update(building=a.building, number=number)
    assert _community_of(resident) == a.community.pk

    Building.objects.filter(pk=a.building.pk).update(community=b.community)
    assert _community_of(resident) == b.community.pk


@pytest.mark.django_db
def test_the_secretary_sees_the_residents_of_the_community_only(world):
    a, b = world.a, world.b
    mine = factories.ResidentFactory(household=a.household)
    theirs = factories.ResidentFactory(household=b.household)
    visible = set(Resident.objects.visible_to(a.secretary))
    assert mine in visible and theirs not in visible
