"""Phone numbers masked and Party membership withheld by role: pages, exports, admin."""

import re
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from buildings.models import Resident
from tests import factories
from tests.conftest import grant_admin_access

FULL = "13912345678"
MASKED = "139****5678"


def _party_cell(html: str) -> str:
    match = re.search(r"Party member</dt><dd[^>]*>([^<]*)</dd>", html)
    assert match, "no Party member row"
    return match.group(1).strip()


@pytest.mark.parametrize(
    ("role", "phone", "party"),
    [
        ("secretary", FULL, "yes"),
        ("official", MASKED, "yes"),
        ("head", MASKED, "—"),
        ("superuser", FULL, "yes"),
    ],
)
def test_resident_page_phone_and_party_by_role(en_client, world, role, phone, party):
    user = {
        "secretary": world.a.secretary,
        "official": world.official,
        "head": world.a.head,
        "superuser": world.superuser,
    }[role]
    en_client.force_login(user)

    html = en_client.get(reverse("buildings:resident_detail", args=[world.a.resident.pk])).content
    html = html.decode()

    assert phone in html
    if phone == MASKED:
        assert FULL not in html
    assert _party_cell(html) == party


def test_resident_list_head_sees_no_party_and_no_party_filter(en_client, world):
    en_client.force_login(world.a.head)

    html = en_client.get(reverse("buildings:resident_list")).content.decode()

    assert world.a.resident.name in html
    assert 'name="is_party_member"' not in html
    assert MASKED in html and FULL not in html
    assert '<td data-label="Party member">yes</td>' not in html


def test_resident_list_party_filter_for_official(en_client, world):
    other = factories.ResidentFactory(household=world.a.household, name="非党员居民")
    en_client.force_login(world.official)

    html = en_client.get(reverse("buildings:resident_list"), {"is_party_member": "false"})
    html = html.content.decode()

    assert 'name="is_party_member"' in html
    assert other.name in html
    assert world.a.resident.name not in html


def test_party_filter_forged_by_head_reveals_nothing(client, world):
    """The head has no filter field; a forged parameter does not narrow the list."""
    factories.ResidentFactory(household=world.a.household, name="非党员居民")
    client.force_login(world.a.head)

    forged = client.get(reverse("buildings:resident_list"), {"is_party_member": "true"})

    html = forged.content.decode()
    assert "非党员居民" in html and world.a.resident.name in html


def _roster_rows(client, community):
    response = client.get(reverse("buildings:roster_export", args=[community.pk]))
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    return [row for row in rows if row["姓名"]]


def test_roster_export_masks_phone_and_withholds_party_for_head(client, world):
    client.force_login(world.a.head)

    (row,) = _roster_rows(client, world.a.community)

    assert row["电话"] == MASKED
    assert row["党员"] in (None, "")


def test_roster_export_official_masked_phone_with_party(client, world):
    client.force_login(world.official)

    (row,) = _roster_rows(client, world.a.community)

    assert row["电话"] == MASKED
    assert row["党员"] == "是"


def test_roster_export_secretary_full(client, world):
    client.force_login(world.a.secretary)

    (row,) = _roster_rows(client, world.a.community)

    assert row["电话"] == FULL
    assert row["党员"] == "是"


def test_household_page_withholds_party_from_head(en_client, world):
    en_client.force_login(world.a.head)

    html = en_client.get(reverse("buildings:household_detail", args=[world.a.household.pk]))
    html = html.content.decode()

    assert MASKED in html and FULL not in html
    assert "<td>yes</td>" not in html and "<td>—</td>" in html


# The admin


@pytest.fixture
def staff(world):
    grant_admin_access(world.official, world.a.secretary, world.a.head)
    return world


def test_admin_resident_list_head_sees_masked_phone_no_party(en_client, staff):
    en_client.force_login(staff.a.head)

    html = en_client.get(reverse("admin:buildings_resident_changelist")).content.decode()

    assert MASKED in html and FULL not in html
    assert "is_party_member=1" not in html  # no Party filter to choose
    assert 'class="field-party">—</td>' in html


def test_admin_resident_change_head_has_no_party_field(en_client, staff):
    en_client.force_login(staff.a.head)

    url = reverse("admin:buildings_resident_change", args=[staff.a.resident.pk])
    html = en_client.get(url).content.decode()

    assert MASKED in html and FULL not in html
    assert "is_party_member" not in html


def test_admin_resident_list_official_filters_party(en_client, staff):
    factories.ResidentFactory(household=staff.a.household, name="非党员居民")
    en_client.force_login(staff.official)

    url = reverse("admin:buildings_resident_changelist")
    html = en_client.get(url, {"is_party_member": "0"}).content.decode()

    assert "非党员居民" in html
    assert staff.a.resident.name not in html
    assert MASKED not in html  # the one masked number belonged to the Party member


def test_admin_history_masks_phone_for_official_without_inline_style(en_client, staff):
    resident = Resident.objects.get(pk=staff.a.resident.pk)
    resident.phone = "13800001111"
    resident.save()
    en_client.force_login(staff.official)

    url = reverse("admin:buildings_resident_history", args=[resident.pk])
    html = en_client.get(url).content.decode()

    assert "138****1111" in html and "139****5678" in html
    assert "13800001111" not in html and FULL not in html
    assert "style=" not in html


def test_admin_history_full_phone_for_secretary(en_client, staff):
    resident = Resident.objects.get(pk=staff.a.resident.pk)
    resident.phone = "13800001111"
    resident.save()
    en_client.force_login(staff.a.secretary)

    url = reverse("admin:buildings_resident_history", args=[resident.pk])
    html = en_client.get(url).content.decode()

    assert "13800001111" in html and FULL in html


def test_admin_history_other_community_is_404(client, world):
    grant_admin_access(world.b.secretary)
    client.force_login(world.b.secretary)

    url = reverse("admin:buildings_resident_history", args=[world.a.resident.pk])

    assert client.get(url).status_code == 404


def test_admin_history_version_page_refused(client, staff):
    version = staff.a.resident.history.latest()
    client.force_login(staff.a.secretary)

    url = reverse("admin:buildings_resident_simple_history", args=[staff.a.resident.pk, version.pk])

    assert client.get(url).status_code == 403
