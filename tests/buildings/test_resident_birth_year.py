"""A resident's year of birth: on the form, the detail page, the admin and the roster import."""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from buildings import importing
from buildings.models import Resident
from tests import factories
from tests.conftest import grant_admin_access

HEADER = ["小区", "楼号", "单元", "房号", "姓名"]
THIS_YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path, client):
    """Uploads go to a temporary media root; messages are asserted in English."""
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _xlsx(rows, header) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, community, content):
    upload = SimpleUploadedFile("roster.xlsx", content, content_type=importing.XLSX_CONTENT_TYPE)
    return client.post(reverse("buildings:roster_import", args=[community.pk]), {"file": upload})


def _import(client, community, rows, header):
    preview = _upload(client, community, _xlsx(rows, header))
    assert preview.status_code == 200
    assert not preview.context.get("row_errors")
    url = reverse("buildings:roster_import_confirm", args=[community.pk])
    return preview, client.post(url, {"token": preview.context["token"]})


# The form


@pytest.mark.parametrize("year", ["1900", "1948", str(THIS_YEAR)])
def test_resident_form_year_within_bounds_saves(client, world, year):
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_create", args=[world.a.household.pk])

    response = client.post(url, {"name": "张三", "birth_year": year})

    assert response.status_code == 302
    assert Resident.objects.get(name="张三").birth_year == int(year)


@pytest.mark.parametrize(
    "year", ["1899", str(THIS_YEAR + 1), "2100", "-1948", "一九四八", "1948.5", "9" * 30]
)
def test_resident_form_year_out_of_bounds_or_garbage_saves_nothing(client, world, year):
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_create", args=[world.a.household.pk])
    before = Resident.objects.count()

    response = client.post(url, {"name": "张三", "birth_year": year})

    assert response.status_code == 200
    assert "birth_year" in response.context["form"].errors
    assert Resident.objects.count() == before


def test_resident_form_year_is_optional(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_create", args=[world.a.household.pk])

    client.post(url, {"name": "张三", "birth_year": ""})

    assert Resident.objects.get(name="张三").birth_year is None


def test_resident_form_update_clears_year(client, world):
    resident = world.a.resident
    resident.birth_year = 1950
    resident.save(update_fields=["birth_year"])
    client.force_login(world.a.secretary)

    client.post(
        reverse("buildings:resident_update", args=[resident.pk]),
        {"name": resident.name, "phone": resident.phone, "birth_year": ""},
    )

    resident.refresh_from_db()
    assert resident.birth_year is None


def test_resident_form_year_field_bounds_the_input(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:resident_create", args=[world.a.household.pk]))

    content = response.content.decode()
    assert 'min="1900"' in content
    assert f'max="{THIS_YEAR}"' in content


# The detail page and the admin


def test_resident_detail_shows_year_of_birth(client, world):
    resident = world.a.resident
    resident.birth_year = 1948
    resident.save(update_fields=["birth_year"])
    client.force_login(world.a.head)

    response = client.get(reverse("buildings:resident_detail", args=[resident.pk]))

    content = response.content.decode()
    assert "Year of birth" in content
    assert "1948" in content


def test_resident_detail_without_year_shows_a_dash(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:resident_detail", args=[world.a.resident.pk]))

    assert response.status_code == 200
    assert "None" not in response.content.decode()


def test_resident_admin_saves_year_and_refuses_a_future_one(client, world):
    grant_admin_access(world.a.secretary)
    resident = world.a.resident
    client.force_login(world.a.secretary)
    url = reverse("admin:buildings_resident_change", args=[resident.pk])
    data = {
        "household": resident.household_id,
        "name": resident.name,
        "phone": resident.phone,
        "is_party_member": "on",
    }

    refused = client.post(url, {**data, "birth_year": str(THIS_YEAR + 1)})
    saved = client.post(url, {**data, "birth_year": "1952"})

    assert refused.status_code == 200
    assert "birth_year" in refused.context["adminform"].form.errors
    assert saved.status_code == 302
    resident.refresh_from_db()
    assert resident.birth_year == 1952


# The roster import


def test_roster_import_with_year_column_sets_and_changes_years(client, world):
    client.force_login(world.a.secretary)
    rows = [
        ["清福小区", "15", 6, "301", "清福居民", 1949],
        ["清福小区", "15", 6, "302", "张三", "1956年"],
        ["清福小区", "15", 6, "302", "李四", ""],
        ["清福小区", "15", 6, "303", "王五", "１９５１"],
    ]

    preview, response = _import(client, world.a.community, rows, [*HEADER, "出生年份"])

    assert response.status_code == 302
    assert preview.context["summary"]["residents_changed"] == 1
    assert "1949" in preview.content.decode()
    world.a.resident.refresh_from_db()
    assert world.a.resident.birth_year == 1949
    assert Resident.objects.get(name="张三").birth_year == 1956
    assert Resident.objects.get(name="李四").birth_year is None
    assert Resident.objects.get(name="王五").birth_year == 1951


def test_roster_import_english_year_header_matches(client, world):
    client.force_login(world.a.secretary)
    rows = [["清福小区", "15", 6, "302", "张三", 1960]]

    _import(client, world.a.community, rows, [*HEADER, "Year of Birth"])

    assert Resident.objects.get(name="张三").birth_year == 1960


def test_roster_import_without_year_column_keeps_years(client, world):
    resident = world.a.resident
    resident.birth_year = 1950
    resident.save(update_fields=["birth_year"])
    client.force_login(world.a.secretary)
    rows = [
        ["清福小区", "15", 6, "301", "清福居民", "13900002222"],
        ["清福小区", "15", 6, "302", "张三", ""],
    ]

    _import(client, world.a.community, rows, [*HEADER, "电话"])

    resident.refresh_from_db()
    assert (resident.phone, resident.birth_year) == ("13900002222", 1950)
    assert Resident.objects.get(name="张三").birth_year is None


def test_roster_import_empty_year_cell_clears_the_year(client, world):
    resident = world.a.resident
    resident.birth_year = 1950
    resident.save(update_fields=["birth_year"])
    client.force_login(world.a.secretary)

    _import(
        client,
        world.a.community,
        [["清福小区", "15", 6, "301", "清福居民", ""]],
        [*HEADER, "出生年份"],
    )

    resident.refresh_from_db()
    assert resident.birth_year is None


@pytest.mark.parametrize(
    "bad", ["1899", str(THIS_YEAR + 1), "四八年", "48", "1948-05-01", "x" * 500]
)
def test_roster_import_bad_year_is_a_row_error(client, world, bad):
    client.force_login(world.a.secretary)
    rows = [
        ["清福小区", "15", 6, "302", "张三", 1950],
        ["清福小区", "15", 6, "303", "李四", bad],
    ]
    before = Resident.objects.count()

    response = _upload(client, world.a.community, _xlsx(rows, [*HEADER, "出生年份"]))

    errors = response.context["row_errors"]
    assert [error.row for error in errors] == [3]
    assert f"出生年份: enter a year from 1900 to {THIS_YEAR}" in "; ".join(errors[0].reasons)
    assert "Row 3: " in response.content.decode()
    assert Resident.objects.count() == before


def test_roster_import_year_without_name_is_a_row_error(client, world):
    client.force_login(world.a.secretary)
    rows = [["清福小区", "15", 6, "303", "", 1950]]

    response = _upload(client, world.a.community, _xlsx(rows, [*HEADER, "出生年份"]))

    errors = response.context["row_errors"]
    assert "may not give a year of birth" in "; ".join(errors[0].reasons)


def test_roster_import_page_lists_the_year_column(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:roster_import", args=[world.a.community.pk]))

    assert "出生年份" in response.content.decode()


def test_roster_export_writes_the_year_of_birth(client, world):
    factories.ResidentFactory(household=world.a.household, name="张三", birth_year=1950)
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:roster_export", args=[world.a.community.pk]))

    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index("出生年份")
    years = {row[5].value: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert years["张三"] == 1950
    assert years[world.a.resident.name] is None
