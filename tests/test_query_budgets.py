"""Every list and detail page runs the same number of queries for 2 rows and for 40."""

import pytest
from django.urls import reverse

from tests import factories
from tests.budgets import BUDGETS
from tests.test_matrix import _named_urls
from tests.utils import assert_constant_queries

MANY = 40


def _grow_communities(world):
    def grow():
        for i in range(MANY):
            community = factories.CommunityFactory(district=world.district, name=f"新社区{i}")
            factories.ResidentFactory(
                household__unit__building__community=community, name=f"新居民{i}"
            )

    return grow


def _grow_buildings(community, section=None):
    def grow():
        for i in range(MANY):
            building = factories.BuildingFactory(
                community=community, section=section, compound="新区", number=str(100 + i)
            )
            factories.ResidentFactory(household__unit__building=building)

    return grow


def _grow_units(building):
    def grow():
        for i in range(MANY):
            unit = factories.UnitFactory(building=building, number=10 + i)
            factories.HouseholdFactory.create_batch(2, unit=unit)

    return grow


def _grow_households(unit):
    def grow():
        for i in range(MANY):
            household = factories.HouseholdFactory(unit=unit, room=f"9{i:02d}")
            factories.ResidentFactory(household=household)

    return grow


def _grow_residents(household):
    def grow():
        tag = factories.ResidentTagFactory()
        for i in range(MANY):
            resident = factories.ResidentFactory(household=household, name=f"新居民{i}")
            resident.tags.add(tag)

    return grow


def _grow_tags(resident):
    def grow():
        for i in range(MANY):
            resident.tags.add(factories.ResidentTagFactory(code=f"tag-{i}", name=f"标签{i}"))

    return grow


PAGES = {
    "portal:community_list": (
        "official",
        lambda w: {},
        _grow_communities,
        lambda w: "新社区39",
    ),
    "portal:community_detail": (
        "sec_a",
        lambda w: {"pk": w.a.community.pk},
        lambda w: _grow_buildings(w.a.community, w.a.section),
        lambda w: "新区",
    ),
    "buildings:building_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_buildings(w.a.community),
        lambda w: "新区",
    ),
    "buildings:building_detail": (
        "sec_a",
        lambda w: {"pk": w.a.building.pk},
        lambda w: _grow_units(w.a.building),
        lambda w: "/units/",
    ),
    "buildings:unit_detail": (
        "sec_a",
        lambda w: {"pk": w.a.unit.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: "939",
    ),
    "buildings:household_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_households(w.a.unit),
        lambda w: "939室",
    ),
    "buildings:household_detail": (
        "sec_a",
        lambda w: {"pk": w.a.household.pk},
        lambda w: _grow_residents(w.a.household),
        lambda w: "新居民39",
    ),
    "buildings:resident_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_residents(w.a.household),
        lambda w: "新居民39",
    ),
    "buildings:resident_detail": (
        "sec_a",
        lambda w: {"pk": w.a.resident.pk},
        lambda w: _grow_tags(w.a.resident),
        lambda w: "标签39",
    ),
}


def _user(world, role):
    return {"official": world.official, "sec_a": world.a.secretary}[role]


def test_budgets_cover_every_list_and_detail_page():
    pages = {n for n in _named_urls() if n.endswith(("_list", "_detail"))}
    assert pages <= set(BUDGETS), sorted(pages - set(BUDGETS))
    assert set(PAGES) == set(BUDGETS)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_queries_constant(client, world, name):
    role, kwargs, grow, expect = PAGES[name]
    client.force_login(_user(world, role))
    url = reverse(name, kwargs=kwargs(world))

    assert_constant_queries(
        client, url, grow=grow(world), budget=BUDGETS[name], expect_text=lambda: expect(world)
    )
