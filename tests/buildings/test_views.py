"""Pages for buildings, units, households and residents: writes, bad input, leaks."""

import html
import re

import pytest
from django.urls import reverse

from buildings.models import Building, Household, Resident, Unit
from tests import factories


def _errors(response):
    return response.context["form"].errors


# Creating and editing


def test_building_create_secretary_saves(client, world):
    client.force_login(world.a.secretary)
    data = {
        "community": world.a.community.pk,
        "section": world.a.section.pk,
        "compound": "清福一区",
        "number": "4",
        "name": "",
    }

    response = client.post(reverse("buildings:building_create"), data, follow=True)

    building = Building.objects.get(community=world.a.community, compound="清福一区", number="4")
    assert response.redirect_chain[-1][0] == building.get_absolute_url()
    assert "清福一区4号楼" in response.content.decode()


def test_building_create_other_community_refused(client, world):
    client.force_login(world.a.secretary)
    data = {"community": world.b.community.pk, "compound": "伪造", "number": "1"}

    response = client.post(reverse("buildings:building_create"), data)

    assert response.status_code == 200
    assert "community" in _errors(response)
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_section_of_other_community_refused(client, world):
    client.force_login(world.a.secretary)
    data = {
        "community": world.a.community.pk,
        "section": world.b.section.pk,
        "compound": "伪造",
        "number": "1",
    }

    response = client.post(reverse("buildings:building_create"), data)

    assert "section" in _errors(response)
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_cadre_other_section_refused(client, world):
    client.force_login(world.a.cadre)
    data = {
        "community": world.a.community.pk,
        "section": world.a.other_section.pk,
        "compound": "伪造",
        "number": "1",
    }

    response = client.post(reverse("buildings:building_create"), data)

    assert "section" in _errors(response)
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_cadre_without_section_refused(client, world):
    client.force_login(world.a.cadre)
    data = {"community": world.a.community.pk, "compound": "伪造", "number": "1"}

    response = client.post(reverse("buildings:building_create"), data)

    assert "section" in _errors(response)
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_cadre_own_section_saves(client, world):
    client.force_login(world.a.cadre)
    data = {
        "community": world.a.community.pk,
        "section": world.a.section.pk,
        "compound": "清福一区",
        "number": "5",
    }

    client.post(reverse("buildings:building_create"), data)

    assert Building.objects.filter(section=world.a.section, number="5").exists()


def test_building_create_head_of_other_community_refused(client, world):
    client.force_login(world.a.secretary)
    data = {
        "community": world.a.community.pk,
        "compound": "伪造",
        "number": "1",
        "head": world.b.head.pk,
    }

    response = client.post(reverse("buildings:building_create"), data)

    assert "head" in _errors(response)
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_official_forbidden(client, world):
    client.force_login(world.official)
    data = {"community": world.a.community.pk, "compound": "伪造", "number": "1"}

    response = client.post(reverse("buildings:building_create"), data)

    assert response.status_code == 403
    assert not Building.objects.filter(compound="伪造").exists()


def test_building_create_duplicate_number_refused(client, world):
    client.force_login(world.a.secretary)
    existing = world.a.building
    data = {
        "community": world.a.community.pk,
        "section": existing.section_id,
        "compound": existing.compound,
        "number": existing.number,
    }

    response = client.post(reverse("buildings:building_create"), data)

    assert response.status_code == 200
    assert _errors(response)
    assert Building.objects.filter(compound=existing.compound, number=existing.number).count() == 1


def test_unit_create_duplicate_number_refused(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:unit_create", args=[world.a.building.pk])

    response = client.post(url, {"number": world.a.unit.number, "floors": 6})

    assert "number" in _errors(response)
    assert Unit.objects.filter(building=world.a.building).count() == 1


def test_household_create_duplicate_room_refused(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:household_create", args=[world.a.unit.pk])

    response = client.post(url, {"room": "301", "occupancy": "owner"})

    assert "room" in _errors(response)
    assert Household.objects.filter(unit=world.a.unit).count() == 1


def test_household_create_saves(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:household_create", args=[world.a.unit.pk])

    client.post(url, {"room": "302", "occupancy": "rented"})

    assert Household.objects.get(unit=world.a.unit, room="302").occupancy == "rented"


def test_resident_create_saves_and_lists(client, world):
    client.force_login(world.a.secretary)
    tag = factories.ResidentTagFactory()
    url = reverse("buildings:resident_create", args=[world.a.household.pk])

    response = client.post(
        url,
        {"name": "张三", "phone": "139 0000 1111", "is_party_member": "on", "tags": [tag.pk]},
        follow=True,
    )

    resident = Resident.objects.get(name="张三")
    assert resident.phone == "13900001111"
    assert resident.is_party_member
    assert list(resident.tags.all()) == [tag]
    assert "张三" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "长" * 10_000}, "name"),
        ({"name": "李四", "phone": "not-a-phone"}, "phone"),
        ({"name": "李四", "phone": "1" * 200}, "phone"),
        ({"name": "李四", "tags": ["abc"]}, "tags"),
        ({"name": "李四", "tags": ["999999"]}, "tags"),
    ],
)
def test_resident_create_bad_input_refused(client, world, data, field):
    client.force_login(world.a.secretary)
    before = Resident.objects.count()
    url = reverse("buildings:resident_create", args=[world.a.household.pk])

    response = client.post(url, data)

    assert response.status_code == 200
    assert field in _errors(response)
    assert Resident.objects.count() == before


def test_resident_create_under_other_community_household_404(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_create", args=[world.b.household.pk])

    response = client.post(url, {"name": "入侵"})

    assert response.status_code == 404
    assert not Resident.objects.filter(name="入侵").exists()


def test_resident_update_saves(client, world):
    client.force_login(world.a.cadre)
    resident = factories.ResidentFactory(
        household__unit__building=world.a.section_building, name="旧名"
    )

    client.post(reverse("buildings:resident_update", args=[resident.pk]), {"name": "新名"})

    resident.refresh_from_db()
    assert resident.name == "新名"


def test_url_non_numeric_id_404(client, world):
    client.force_login(world.a.secretary)

    response = client.get("/buildings/abc/")

    assert response.status_code == 404


def test_url_huge_id_404(client, world):
    client.force_login(world.a.secretary)

    response = client.get(f"/buildings/residents/{2**70}/")

    assert response.status_code == 404


# Reading: leaks, masking, search


def test_resident_list_shows_own_community_not_other(client, world):
    client.force_login(world.a.secretary)

    content = client.get(reverse("buildings:resident_list")).content.decode()

    assert world.a.resident.name in content
    assert world.b.resident.name not in content


def test_building_list_official_sees_both_communities(client, world):
    client.force_login(world.official)

    content = client.get(reverse("buildings:building_list")).content.decode()

    assert "清福小区15号楼" in content
    assert "花园小区15号楼" in content


def test_building_list_filter_by_other_community_is_refused(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:building_list"), {"community": world.b.community.pk})

    assert response.status_code == 200
    assert "花园小区" not in response.content.decode()


def test_resident_list_phone_masked_for_official(client, world):
    client.force_login(world.official)

    content = client.get(reverse("buildings:resident_list")).content.decode()

    assert "139****5678" in content
    assert "13912345678" not in content


def test_resident_list_phone_full_for_secretary(client, world):
    client.force_login(world.a.secretary)

    content = client.get(reverse("buildings:resident_detail", args=[world.a.resident.pk]))

    assert "13912345678" in content.content.decode()


def test_resident_list_search_by_name(client, world):
    client.force_login(world.a.secretary)
    factories.ResidentFactory(household=world.a.household, name="刘铁华")

    content = client.get(reverse("buildings:resident_list"), {"q": "铁华"}).content.decode()

    assert "刘铁华" in content
    assert world.a.resident.name not in content


def test_resident_list_paginates(client, world, settings):
    client.force_login(world.a.secretary)
    for i in range(60):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:02d}")

    first = client.get(reverse("buildings:resident_list"))
    following = re.search(r'href="\?([^"]*)" rel="next"', first.content.decode())
    second = client.get(f"{reverse('buildings:resident_list')}?{html.unescape(following[1])}")

    assert "邻居00" in first.content.decode() and "邻居59" not in first.content.decode()
    assert "邻居59" in second.content.decode() and "邻居00" not in second.content.decode()


def test_resident_list_garbled_cursor_shows_first_page(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:resident_list"), {"cursor": "abc", "page": "abc"})

    assert response.status_code == 200
    assert world.a.resident.name in response.content.decode()


def test_household_list_filter_by_building(client, world):
    client.force_login(world.a.secretary)
    other = factories.HouseholdFactory(unit__building=world.a.section_building, room="909")

    content = client.get(
        reverse("buildings:household_list"), {"building": world.a.building.pk}
    ).content.decode()

    assert str(world.a.household) in content
    assert str(other) not in content
