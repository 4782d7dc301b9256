"""The dashboards run the same number of queries for 2 and for 25 rows with records in each,
within their budgets (tests/budgets.py)."""

import pytest
from django.urls import reverse

from tests.budgets import BUDGETS
from tests.dashboard.matrix_dashboard import (
    fill_building,
    fill_community,
    fill_unit,
    grow_buildings,
    grow_communities,
    grow_units,
)
from tests.utils import assert_constant_queries, count_queries

MORE = 23  # 2 rows, then 25


@pytest.fixture
def filled(exhibit_world):
    """Both communities, both of side A's buildings and two units of side A's building
    hold records of every kind, so that the "few rows" request runs every query."""
    w = exhibit_world
    for index, community in enumerate([w.a.community, w.b.community]):
        fill_community(community, w.superuser, 90 + index)
    fill_building(w.a.section_building, w.superuser, 95)
    from tests import factories

    fill_unit(factories.UnitFactory(building=w.a.building, number=8), w.superuser, 96)
    return w


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?start=2020-01-01&end=2030-12-31&sort=-raised"])
def test_district_dashboard_queries_constant(client, filled, query):
    client.force_login(filled.official)

    assert_constant_queries(
        client,
        reverse("dashboard:district") + query,
        grow=grow_communities(filled, MORE),
        budget=BUDGETS["dashboard:district"],
        expect_text=lambda: "新社区22",
    )


@pytest.mark.django_db
def test_district_dashboard_queries_constant_with_a_community_chosen(client, filled):
    client.force_login(filled.official)
    url = reverse("dashboard:district") + f"?community={filled.a.community.pk}"

    assert_constant_queries(
        client,
        url,
        grow=grow_buildings(filled, MORE),
        budget=BUDGETS["dashboard:district"],
    )


@pytest.mark.django_db
def test_district_dashboard_secretary_queries_constant(client, filled):
    client.force_login(filled.a.secretary)

    assert_constant_queries(
        client,
        reverse("dashboard:district"),
        grow=grow_buildings(filled, MORE),
        budget=BUDGETS["dashboard:district"],
    )


@pytest.mark.django_db
def test_community_dashboard_queries_constant(client, filled):
    client.force_login(filled.official)

    assert_constant_queries(
        client,
        reverse("dashboard:community", args=[filled.a.community.pk]),
        grow=grow_buildings(filled, MORE),
        budget=BUDGETS["dashboard:community"],
        expect_text=lambda: "新区122号楼",
    )


@pytest.mark.django_db
def test_building_dashboard_queries_constant(client, filled):
    client.force_login(filled.a.secretary)

    assert_constant_queries(
        client,
        reverse("dashboard:building", args=[filled.a.building.pk]),
        grow=grow_units(filled, MORE),
        budget=BUDGETS["dashboard:building"],
    )


@pytest.mark.django_db
def test_export_queries_constant(client, filled):
    client.force_login(filled.official)
    url = reverse("dashboard:export")

    small, _response = count_queries(client, url)
    grow_communities(filled, MORE)()
    large, _response = count_queries(client, url)

    assert small == large
