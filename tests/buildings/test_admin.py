"""The admin of buildings, units, households and residents leaks nothing across scopes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildings.models import Building, Household, Resident, Unit
from communities.models import Membership
from tests import factories


def _filter_labels(response) -> set[str]:
    return {
        str(label)
        for spec in response.context["cl"].filter_specs
        for _, label in getattr(spec, "lookup_choices", [])
    }


def _building_post(building, **changes) -> dict:
    data = {
        "community": building.community_id,
        "section": building.section_id or "",
        "compound": building.compound,
        "number": building.number,
        "name": building.name,
        "head": building.head_id or "",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_building_changelist_secretary_sees_only_own_community(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:buildings_building_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "清福小区" in content
    assert "花园小区" not in content
    assert "花园社区" not in content


def test_building_changelist_superuser_sees_both(client, staff_world):
    client.force_login(staff_world.superuser)

    response = client.get(reverse("admin:buildings_building_changelist"))

    content = response.content.decode()
    assert "清福小区" in content
    assert "花园小区" in content
    assert _filter_labels(response) >= {
        "清福社区",
        "花园社区",
        "清福社区 · 清福一片",
        "花园社区 · 花园一片",
    }


def test_building_change_other_community_looks_missing(client, staff_world):
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:buildings_building_change", args=[staff_world.b.building.pk])

    response = client.get(url, follow=True)

    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert response.status_code == 200
    content = response.content.decode()
    assert "花园小区" not in content
    assert "花园社区" not in content


def test_building_changelist_filters_do_not_name_other_community(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:buildings_building_changelist"))

    # A single community is no choice at all, so Django leaves that filter out.
    labels = _filter_labels(response)
    assert "清福社区 · 清福一片" in labels
    assert not any("花园" in label for label in labels)
    assert "花园一片" not in response.content.decode()


def test_building_changelist_filters_for_cadre_name_only_their_section(client, staff_world):
    client.force_login(staff_world.a.cadre)

    response = client.get(reverse("admin:buildings_building_changelist"))

    labels = _filter_labels(response)
    assert "清福社区 · 清福一片" in labels
    assert "清福社区 · 清福二片" not in labels


def test_building_add_form_choices_are_own_community(client, staff_world):
    a, b = staff_world.a, staff_world.b
    client.force_login(a.secretary)

    response = client.get(reverse("admin:buildings_building_add"))

    fields = response.context["adminform"].form.fields
    assert set(fields["community"].queryset) == {a.community}
    assert set(fields["section"].queryset) == {a.section, a.other_section}
    assert set(fields["head"].queryset) == {a.head}
    content = response.content.decode()
    assert b.head.full_name not in content
    assert "花园" not in content


def test_building_head_choices_for_superuser_are_everyone(client, staff_world):
    client.force_login(staff_world.superuser)

    response = client.get(reverse("admin:buildings_building_add"))

    heads = set(response.context["adminform"].form.fields["head"].queryset)
    assert {staff_world.a.head, staff_world.b.head, staff_world.outsider} <= heads


def test_unit_autocomplete_offers_only_own_buildings(client, staff_world):
    a = staff_world.a
    client.force_login(a.secretary)

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "buildings", "model_name": "unit", "field_name": "building", "term": ""},
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert {int(row["id"]) for row in results} == {a.building.pk, a.section_building.pk}
    texts = " ".join(row["text"] for row in results)
    assert "清福小区" in texts
    assert "花园小区" not in texts


def test_unit_autocomplete_omits_buildings_the_cadre_only_heads(client, staff_world):
    a = staff_world.a
    factories.MembershipFactory(user=a.cadre, role=Membership.Role.HEAD, community=a.community)
    Building.objects.filter(pk=a.building.pk).update(head=a.cadre)
    client.force_login(a.cadre)

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "buildings", "model_name": "unit", "field_name": "building", "term": ""},
    )

    assert {int(row["id"]) for row in response.json()["results"]} == {a.section_building.pk}


def test_unit_add_form_offers_only_own_buildings(client, staff_world):
    a = staff_world.a
    client.force_login(a.secretary)

    response = client.get(reverse("admin:buildings_unit_add"))

    queryset = response.context["adminform"].form.fields["building"].queryset
    assert set(queryset) == {a.building, a.section_building}


def test_unit_add_with_forged_building_saves_nothing(client, staff_world):
    client.force_login(staff_world.a.secretary)
    before = Unit.objects.count()

    response = client.post(
        reverse("admin:buildings_unit_add"),
        {"building": staff_world.b.building.pk, "number": "7", "floors": "6"},
    )

    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert Unit.objects.count() == before


def test_building_inline_with_forged_unit_of_other_community_changes_nothing(client, staff_world):
    a, b = staff_world.a, staff_world.b
    client.force_login(a.secretary)
    data = _building_post(
        a.section_building,
        **{
            "units-TOTAL_FORMS": "1",
            "units-INITIAL_FORMS": "1",
            "units-0-id": str(b.unit.pk),
            "units-0-building": str(a.section_building.pk),
            "units-0-number": "9",
            "units-0-floors": "6",
        },
    )

    client.post(reverse("admin:buildings_building_change", args=[a.section_building.pk]), data)

    b.unit.refresh_from_db()
    assert (b.unit.building_id, b.unit.number) == (b.building.pk, 6)
    assert not Unit.objects.filter(building=a.section_building).exists()


def test_building_change_cadre_outside_section_looks_missing(client, staff_world):
    a = staff_world.a
    client.force_login(a.cadre)
    url = reverse("admin:buildings_building_change", args=[a.building.pk])

    response = client.post(url, _building_post(a.building, name="改名"))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    a.building.refresh_from_db()
    assert a.building.name != "改名"


def test_building_change_cadre_who_only_heads_it_gets_403(client, staff_world):
    a = staff_world.a
    factories.MembershipFactory(user=a.cadre, role=Membership.Role.HEAD, community=a.community)
    Building.objects.filter(pk=a.building.pk).update(head=a.cadre)
    a.building.refresh_from_db()
    client.force_login(a.cadre)
    url = reverse("admin:buildings_building_change", args=[a.building.pk])

    read = client.get(url)
    response = client.post(url, _building_post(a.building, name="改名"))

    assert read.status_code == 200
    assert response.status_code == 403
    a.building.refresh_from_db()
    assert a.building.name != "改名"


def test_building_change_cadre_inside_section_saves(client, staff_world):
    a = staff_world.a
    client.force_login(a.cadre)
    url = reverse("admin:buildings_building_change", args=[a.section_building.pk])

    response = client.post(url, _building_post(a.section_building, name="楼馨园"))

    assert response.status_code == 302
    assert response.url == reverse("admin:buildings_building_changelist")
    a.section_building.refresh_from_db()
    assert a.section_building.name == "楼馨园"


def test_building_change_cadre_moving_it_out_of_section_is_refused(client, staff_world):
    a = staff_world.a
    client.force_login(a.cadre)
    url = reverse("admin:buildings_building_change", args=[a.section_building.pk])

    response = client.post(
        url, _building_post(a.section_building, section=a.other_section.pk, name="移走")
    )

    # The other section is not among the cadre's choices: a form error, nothing saved.
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["section"]
    a.section_building.refresh_from_db()
    assert (a.section_building.section_id, a.section_building.name) == (a.section.pk, "")


def test_building_delete_other_community_refused(client, staff_world):
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:buildings_building_delete", args=[staff_world.b.section_building.pk])

    client.post(url, {"post": "yes"})

    assert Building.objects.filter(pk=staff_world.b.section_building.pk).exists()


def test_resident_changelist_masks_phone_for_official(client, staff_world):
    client.force_login(staff_world.official)

    response = client.get(reverse("admin:buildings_resident_changelist"))

    content = response.content.decode()
    assert "清福居民" in content
    assert "139****5678" in content
    assert "13912345678" not in content


def test_resident_change_masks_phone_for_official(client, staff_world):
    client.force_login(staff_world.official)
    url = reverse("admin:buildings_resident_change", args=[staff_world.a.resident.pk])

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "139****5678" in content
    assert "13912345678" not in content


def test_resident_changelist_shows_phone_to_secretary(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:buildings_resident_changelist"))

    content = response.content.decode()
    assert "13912345678" in content
    assert "清福居民" in content
    assert "花园居民" not in content


def test_household_change_inline_masks_phone_for_head(client, staff_world):
    a = staff_world.a
    client.force_login(a.head)

    response = client.get(reverse("admin:buildings_household_change", args=[a.household.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "清福居民" in content
    assert "139****5678" in content
    assert "13912345678" not in content


def test_resident_tag_admin_is_read_only_for_staff(client, staff_world):
    factories.ResidentTagFactory()
    client.force_login(staff_world.a.secretary)

    listing = client.get(reverse("admin:buildings_residenttag_changelist"))
    adding = client.get(reverse("admin:buildings_residenttag_add"))

    assert listing.status_code == 200
    assert "离退休干部" in listing.content.decode()
    assert adding.status_code == 403


def _more_rows(side, count: int) -> None:
    """``count`` residents, each in its own building, unit and household."""
    for i in range(count):
        building = factories.BuildingFactory(
            community=side.community, section=side.section, compound="清福三区"
        )
        unit = factories.UnitFactory(building=building, number=1)
        household = factories.HouseholdFactory(unit=unit, room=f"{i + 101}")
        factories.ResidentFactory(household=household)


def _queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize(
    ("model", "url_name"),
    [
        (Resident, "admin:buildings_resident_changelist"),
        (Household, "admin:buildings_household_changelist"),
    ],
)
def test_changelist_query_count_constant_for_2_and_30_rows(client, staff_world, model, url_name):
    a = staff_world.a
    client.force_login(a.secretary)
    url = reverse(url_name)
    _more_rows(a, 1)
    client.get(url)  # warm process-wide caches (content types) before counting

    few, few_rows = _queries_for(client, url)
    _more_rows(a, 28)
    many, many_rows = _queries_for(client, url)

    assert (few_rows, many_rows) == (2, 30)
    assert few == many
