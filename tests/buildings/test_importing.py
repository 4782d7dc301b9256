"""The roster spreadsheet: export, upload, preview, confirm; bad files, leaks, query counts."""

import uuid
import zipfile
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildings import importing, services
from buildings.models import Household, Resident
from tests import factories

HEADER = ["小区", "楼号", "单元", "房号", "居住状态", "姓名", "电话", "党员", "标签", "出生年份"]


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path, client):
    """Uploads go to a temporary media root; messages are asserted in English."""
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def tag(db):
    return factories.ResidentTagFactory(code="retired-cadre", name="离退休干部")


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, community, content, name="roster.xlsx"):
    upload = SimpleUploadedFile(name, content, content_type=importing.XLSX_CONTENT_TYPE)
    return client.post(reverse("buildings:roster_import", args=[community.pk]), {"file": upload})


def _confirm(client, community, token, **kwargs):
    url = reverse("buildings:roster_import_confirm", args=[community.pk])
    return client.post(url, {"token": token}, **kwargs)


def _export(client, community):
    response = client.get(reverse("buildings:roster_export", args=[community.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _cells(content) -> list[tuple]:
    workbook = openpyxl.load_workbook(BytesIO(content))
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _counts():
    return Household.objects.count(), Resident.objects.count()


def _stored_uploads():
    if not default_storage.exists(importing.UPLOAD_DIR):
        return []
    return default_storage.listdir(importing.UPLOAD_DIR)[1]


def _page(response):
    return response.content.decode()


# Export, then import the same file


def test_roster_export_then_import_unchanged(client, world, tag):
    world.a.resident.tags.add(tag)
    world.a.resident.birth_year = 1948
    world.a.resident.save(update_fields=["birth_year"])
    factories.HouseholdFactory(unit=world.a.unit, room="302", occupancy=Household.Occupancy.VACANT)
    client.force_login(world.a.secretary)
    content = _export(client, world.a.community)
    before = _counts()

    response = _upload(client, world.a.community, content)

    assert response.status_code == 200
    assert response.context["summary"] == {
        "households_created": 0,
        "households_changed": 0,
        "residents_created": 0,
        "residents_changed": 0,
        "unchanged": 2,
    }
    assert response.context["token"] == ""
    assert "nothing to import" in _page(response)
    assert _counts() == before
    assert _stored_uploads() == []


def test_roster_export_layout(client, world, tag):
    world.a.resident.tags.add(tag)
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:roster_export", args=[world.a.community.pk]))
    content = b"".join(response.streaming_content)

    assert response["Content-Type"] == importing.XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert world.a.community.code in disposition
    assert f"{timezone.localdate():%Y%m%d}" in disposition
    sheet = openpyxl.load_workbook(BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width > 10
    assert [cell.value for cell in sheet[2]] == [
        "清福小区",
        "15",
        6,
        "301",
        "自住",
        "清福居民",
        "13912345678",
        "是",
        "离退休干部",
        None,
    ]


def test_roster_export_household_without_residents_has_empty_name(client, world):
    factories.HouseholdFactory(unit=world.a.unit, room="302", occupancy=Household.Occupancy.VACANT)
    client.force_login(world.a.secretary)

    rows = _cells(_export(client, world.a.community))

    assert rows[2][3:6] == ("302", "空置", None)


# Export: personal data and leaks


def test_roster_export_official_masks_phone(client, world):
    client.force_login(world.official)

    cells = [str(value) for row in _cells(_export(client, world.a.community)) for value in row]

    assert "13912345678" not in cells
    assert "139****5678" in cells
    assert "清福居民" in cells


def test_roster_export_secretary_sees_full_phone(client, world):
    client.force_login(world.a.secretary)

    cells = [str(value) for row in _cells(_export(client, world.a.community)) for value in row]

    assert "13912345678" in cells
    assert "139****5678" not in cells


@pytest.mark.parametrize("role", ["secretary", "official", "superuser"])
def test_roster_export_never_contains_other_community(client, world, role):
    user = {"secretary": world.a.secretary, "official": world.official}.get(role, world.superuser)
    client.force_login(user)

    cells = [str(value) for row in _cells(_export(client, world.a.community)) for value in row]

    assert "清福居民" in cells
    assert "花园居民" not in cells
    assert "花园小区" not in cells


def test_roster_export_head_gets_only_their_building(client, world):
    other = factories.UnitFactory(building=world.a.section_building, number=1)
    factories.ResidentFactory(household__unit=other, name="四号楼居民")
    client.force_login(world.a.head)

    cells = [str(value) for row in _cells(_export(client, world.a.community)) for value in row]

    assert "清福居民" in cells
    assert "四号楼居民" not in cells


def test_roster_export_other_community_is_404(client, world):
    client.force_login(world.b.secretary)

    response = client.get(reverse("buildings:roster_export", args=[world.a.community.pk]))

    assert response.status_code == 404


# Upload, preview, confirm


def _new_rows():
    return [
        ["清福小区", "15", 6, "302", "出租", "张三", "13900001111", "是", "离退休干部"],
        ["清福小区", "15", 6, "302", "", "李四", "", "否", ""],
        ["清福小区", "15", 6, "303", "空置", "", "", "", ""],
        ["清福小区", "15", 6, "301", "", "清福居民", "13900002222", "是", ""],
        ["清福小区", "15", 6, "301", "", "王五", "0451-12345678", "", "离退休干部"],
    ]


def test_roster_import_saves_only_after_confirm(client, world, tag):
    client.force_login(world.a.secretary)
    before = _counts()

    preview = _upload(client, world.a.community, _xlsx(_new_rows()))

    assert preview.status_code == 200
    assert preview.context["summary"] == {
        "households_created": 2,
        "households_changed": 0,
        "residents_created": 3,
        "residents_changed": 1,
        "unchanged": 0,
    }
    assert "13912345678" in _page(preview)  # the old phone, shown next to the new
    assert _counts() == before
    token = preview.context["token"]
    assert _stored_uploads() == [f"{token}.xlsx"]

    response = _confirm(client, world.a.community, token, follow=True)

    assert response.redirect_chain[-1][0] == (
        f"{reverse('buildings:resident_list')}?community={world.a.community.pk}"
    )
    assert "2 households created" in _page(response)
    assert _counts() == (before[0] + 2, before[1] + 3)
    zhang = Resident.objects.get(name="张三")
    assert zhang.household.room == "302"
    assert zhang.household.occupancy == Household.Occupancy.RENTED
    assert zhang.phone == "13900001111"
    assert zhang.is_party_member
    assert list(zhang.tags.all()) == [tag]
    assert Household.objects.get(unit=world.a.unit, room="303").occupancy == "vacant"
    world.a.resident.refresh_from_db()
    assert world.a.resident.phone == "13900002222"
    assert list(world.a.resident.tags.all()) == []
    assert Resident.objects.get(name="王五").household == world.a.household
    assert _stored_uploads() == []


def test_roster_import_confirm_twice_refused(client, world, tag):
    client.force_login(world.a.secretary)
    token = _upload(client, world.a.community, _xlsx(_new_rows())).context["token"]
    _confirm(client, world.a.community, token)
    after_first = _counts()

    response = _confirm(client, world.a.community, token, follow=True)

    assert "expired or does not exist" in _page(response)
    assert _counts() == after_first


def test_roster_import_leaves_missing_residents_alone(client, world):
    client.force_login(world.a.secretary)
    rows = [["清福小区", "15", 6, "302", "自住", "张三", "", "", ""]]
    token = _upload(client, world.a.community, _xlsx(rows)).context["token"]

    _confirm(client, world.a.community, token)

    assert Resident.objects.filter(pk=world.a.resident.pk).exists()


def test_roster_import_changes_occupancy(client, world):
    client.force_login(world.a.secretary)
    rows = [["清福小区", "15", 6, "301", "rented", "清福居民", "13912345678", "yes", ""]]
    preview = _upload(client, world.a.community, _xlsx(rows))
    assert preview.context["summary"]["households_changed"] == 1

    _confirm(client, world.a.community, preview.context["token"])

    world.a.household.refresh_from_db()
    assert world.a.household.occupancy == Household.Occupancy.RENTED


def test_roster_import_reordered_columns_and_number_cells(client, world):
    client.force_login(world.a.secretary)
    header = ["姓名", "电话", "房号", "单元", "楼号", "小区", "备注"]
    rows = [["赵六", 13900001234.0, 302, 6.0, 15, "清福小区", "anything"]]
    preview = _upload(client, world.a.community, _xlsx(rows, header=header))
    assert preview.context["summary"]["residents_created"] == 1

    _confirm(client, world.a.community, preview.context["token"])

    zhao = Resident.objects.get(name="赵六")
    assert zhao.phone == "13900001234"
    assert zhao.household.room == "302"
    assert zhao.household.occupancy == Household.Occupancy.OWNER


# Bad rows: the whole file is refused


GOOD = ["清福小区", "15", 6, "302", "自住", "张三", "13900001111", "否", ""]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (["清福小区", "99", 1, "101", "", "李四", "", "", ""], "no building 清福小区 99"),
        (["清福小区", "15", 9, "101", "", "李四", "", "", ""], "has no unit 9"),
        (["清福小区", "15", 6, "3/01", "", "李四", "", "", ""], "房号"),
        (["清福小区", "15", 6, "304", "自住", "李四", "12345", "", ""], "电话"),
        (["清福小区", "15", 6, "304", "自住", "张" * 10000, "", "", ""], "at most 30 characters"),
        (["清福小区", "15", 6, "304", "自住", "李四", "", "", "不存在"], "no such tag 不存在"),
        (["清福小区", "15", 6, "304", "住", "李四", "", "", ""], "居住状态"),
        (["清福小区", "15", 6, "304", "", "李四", "", "maybe", ""], "党员"),
        (GOOD, "the same resident as row 2"),
        (["清福小区", "15", 6, "302", "出租", "李四", "", "", ""], "differs from row 2"),
        (["清福小区", "15", 6, "304", "空置", "李四", "", "", ""], "is vacant"),
        (["清福小区", "15", 6, "304", "", "", "13900001111", "", ""], "without a name"),
    ],
)
def test_roster_import_bad_row_refuses_file(client, world, tag, bad, reason):
    client.force_login(world.a.secretary)
    rows = [GOOD, bad, ["清福小区", "15", 6, "305", "自住", "王五", "", "", ""]]
    before = _counts()

    response = _upload(client, world.a.community, _xlsx(rows))

    assert response.status_code == 200
    errors = response.context["row_errors"]
    assert [error.row for error in errors] == [3]
    assert reason in "; ".join(errors[0].reasons)
    assert "Row 3: " in _page(response)
    assert _counts() == before
    assert _stored_uploads() == []


def test_roster_import_lists_every_bad_row(client, world):
    client.force_login(world.a.secretary)
    rows = [
        ["清福小区", "99", 1, "101", "", "李四", "", "", ""],
        GOOD,
        ["清福小区", "15", 6, "304", "自住", "王五", "12345", "", ""],
    ]

    response = _upload(client, world.a.community, _xlsx(rows))

    assert [error.row for error in response.context["row_errors"]] == [2, 4]


def test_roster_import_other_community_building_refused(client, world):
    client.force_login(world.a.secretary)
    rows = [GOOD, ["花园小区", "15", 6, "301", "", "花园居民", "13900009999", "", ""]]
    before = _counts()

    response = _upload(client, world.a.community, _xlsx(rows))

    assert "Row 3: this community has no building 花园小区 15" in _page(response)
    assert _counts() == before
    world.b.resident.refresh_from_db()
    assert world.b.resident.phone == "13912345678"


def test_roster_import_cadre_outside_section_refused(client, world):
    factories.UnitFactory(building=world.a.section_building, number=1)
    client.force_login(world.a.cadre)
    rows = [
        ["清福小区", "4", 1, "101", "自住", "李四", "", "", ""],
        ["清福小区", "15", 6, "301", "", "清福居民", "13900002222", "", ""],
    ]

    response = _upload(client, world.a.community, _xlsx(rows))

    errors = response.context["row_errors"]
    assert [error.row for error in errors] == [3]
    assert "outside your section" in errors[0].reasons[0]
    assert "Row 3: building 清福小区15号楼 is outside your section" in _page(response)


def test_roster_import_cadre_own_section_accepted(client, world):
    factories.UnitFactory(building=world.a.section_building, number=1)
    client.force_login(world.a.cadre)
    rows = [["清福小区", "4号楼", "1单元", "101室", "自住", "李四", "", "", ""]]
    preview = _upload(client, world.a.community, _xlsx(rows))

    _confirm(client, world.a.community, preview.context["token"])

    assert Resident.objects.get(name="李四").household.unit.building == world.a.section_building


# Bad files


def _zip_without_workbook():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("roster.xlsx", "姓名,电话\n张三,139\n".encode(), "could not be read"),
        ("roster.xlsx", b"", "The submitted file is empty."),
        ("roster.xlsx", _zip_without_workbook(), "could not be read"),
        ("roster.csv", _xlsx([GOOD]), "ending in .xlsx"),
        ("roster.xlsx", _xlsx([GOOD])[:-200], "could not be read"),
    ],
    ids=["text", "empty", "zip", "extension", "truncated"],
)
def test_roster_import_unreadable_file_refused(client, world, name, content, reason):
    client.force_login(world.a.secretary)
    before = _counts()

    response = _upload(client, world.a.community, content, name=name)

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert reason in _page(response)
    assert _counts() == before


def test_roster_import_oversize_file_refused(client, world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(world.a.secretary)

    response = _upload(client, world.a.community, _xlsx([GOOD]))

    assert "files up to 1000" in _page(response)
    assert _stored_uploads() == []


def test_roster_import_too_many_rows_refused(client, world, settings):
    settings.IMPORT_MAX_ROWS = 3
    client.force_login(world.a.secretary)
    rows = [[*GOOD[:3], f"30{i}", "自住", f"居民{i}", "", "", ""] for i in range(4)]

    response = _upload(client, world.a.community, _xlsx(rows))

    assert "more than 3 rows" in _page(response)


def test_roster_import_missing_column_refused(client, world):
    client.force_login(world.a.secretary)
    header = [column for column in HEADER if column != "楼号"]
    rows = [[value for index, value in enumerate(GOOD) if index != 1]]

    response = _upload(client, world.a.community, _xlsx(rows, header=header))

    assert "missing: 楼号" in _page(response)


def test_roster_import_header_only_refused(client, world):
    client.force_login(world.a.secretary)

    response = _upload(client, world.a.community, _xlsx([]))

    assert "no rows below the header" in _page(response)


def _with_sheet_extension(content):
    """The workbook as Excel writes it with a drop-down list: a sheet extension that
    openpyxl warns about (and tests turn warnings into errors)."""
    extension = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b"<x14:dataValidations/></ext></extLst></worksheet>"
    )
    source = zipfile.ZipFile(BytesIO(content))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", extension)
            archive.writestr(info, data)
    return buffer.getvalue()


def test_roster_import_excel_extensions_accepted(client, world):
    client.force_login(world.a.secretary)

    response = _upload(client, world.a.community, _with_sheet_extension(_xlsx([GOOD])))

    assert response.status_code == 200
    assert response.context["summary"]["residents_created"] == 1


# Tokens


@pytest.mark.parametrize(
    "token",
    [uuid.uuid4().hex, "../../settings", "", "A" * 32, f"{uuid.uuid4().hex}/../x"],
    ids=["unknown", "traversal", "empty", "uppercase", "suffix"],
)
def test_roster_confirm_forged_token_refused(client, world, token):
    client.force_login(world.a.secretary)
    before = _counts()

    response = _confirm(client, world.a.community, token, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "buildings:roster_import", args=[world.a.community.pk]
    )
    assert "expired or does not exist" in _page(response)
    assert _counts() == before


def test_roster_confirm_token_of_another_session_refused(client, world, tag):
    client.force_login(world.a.secretary)
    token = _upload(client, world.a.community, _xlsx(_new_rows())).context["token"]
    before = _counts()
    client.logout()  # a new session, and a new cookie jar
    client.force_login(world.superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _confirm(client, world.a.community, token, follow=True)

    assert "expired or does not exist" in _page(response)
    assert _counts() == before


def test_roster_confirm_stored_file_gone_refused(client, world, tag):
    client.force_login(world.a.secretary)
    token = _upload(client, world.a.community, _xlsx(_new_rows())).context["token"]
    default_storage.delete(importing.upload_name(token))
    before = _counts()

    response = _confirm(client, world.a.community, token, follow=True)

    assert "expired or does not exist" in _page(response)
    assert _counts() == before


def test_roster_confirm_token_for_other_community_refused(client, world, tag):
    client.force_login(world.superuser)
    token = _upload(client, world.a.community, _xlsx(_new_rows())).context["token"]
    before = _counts()

    response = _confirm(client, world.b.community, token, follow=True)

    assert "expired or does not exist" in _page(response)
    assert _counts() == before


def test_roster_import_keeps_few_pending_uploads(client, world):
    client.force_login(world.a.secretary)
    tokens = [_upload(client, world.a.community, _xlsx([GOOD])).context["token"] for _ in range(7)]

    assert sorted(_stored_uploads()) == sorted(f"{token}.xlsx" for token in tokens[-5:])
    assert "expired" in _page(_confirm(client, world.a.community, tokens[0], follow=True))


def test_roster_confirm_revalidates_changed_records(client, world, tag):
    client.force_login(world.a.secretary)
    token = _upload(client, world.a.community, _xlsx(_new_rows())).context["token"]
    tag.delete()
    before = _counts()

    response = _confirm(client, world.a.community, token, follow=True)

    page = _page(response)
    assert "changed since the preview; nothing was saved" in page
    assert "Row 2: " in page
    assert "no such tag 离退休干部" in page
    assert _counts() == before
    assert _stored_uploads() == []


# Who may import


def test_roster_import_other_secretary_404(client, world):
    client.force_login(world.b.secretary)
    before = _counts()

    page = client.get(reverse("buildings:roster_import", args=[world.a.community.pk]))
    upload = _upload(client, world.a.community, _xlsx([GOOD]))

    assert page.status_code == 404
    assert upload.status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("role", ["head", "official"])
def test_roster_import_reader_403(client, world, role):
    client.force_login(world.a.head if role == "head" else world.official)
    before = _counts()

    page = client.get(reverse("buildings:roster_import", args=[world.a.community.pk]))
    upload = _upload(client, world.a.community, _xlsx([GOOD]))

    assert page.status_code == 403
    assert upload.status_code == 403
    assert _counts() == before


def test_roster_import_apply_refuses_reader(world):
    rows = [importing.RosterRow(2, "清福小区", "15", "6", "302", "张三")]
    before = _counts()

    with pytest.raises(PermissionDenied):
        services.roster_import_apply(
            community=world.a.community, plan_or_rows=rows, by=world.a.head
        )

    assert _counts() == before


def test_roster_import_page_says_residents_are_kept(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:roster_import", args=[world.a.community.pk]))

    assert "never deletes anyone" in _page(response)
    assert 'enctype="multipart/form-data"' in _page(response)


def test_resident_list_links_roster_when_filtered_by_community(client, world):
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_list")
    import_url = reverse("buildings:roster_import", args=[world.a.community.pk])

    filtered = _page(client.get(url, {"community": world.a.community.pk}))
    unfiltered = _page(client.get(url))
    junk = client.get(url, {"community": "x"})

    assert import_url in filtered
    assert reverse("buildings:roster_export", args=[world.a.community.pk]) in filtered
    assert import_url not in unfiltered
    assert junk.status_code == 200


# Query counts


def _preview_queries(client, community, count, first_room):
    rows = [
        ["清福小区", "15", 6, f"{first_room + i}", "自住", f"新居民{i}", "", "否", "离退休干部"]
        for i in range(count)
    ]
    with CaptureQueriesContext(connection) as captured:
        response = _upload(client, community, _xlsx(rows))
    assert response.context["summary"]["residents_created"] == count
    return len(captured)


def test_roster_preview_queries_constant(client, world, tag):
    client.force_login(world.a.secretary)
    for room in range(5):  # existing households and residents must be loaded in bulk too
        factories.ResidentFactory(household__unit=world.a.unit, household__room=f"90{room}")

    few = _preview_queries(client, world.a.community, 5, 400)
    many = _preview_queries(client, world.a.community, 50, 500)

    assert few == many


def test_purge_imports_deletes_only_stale_uploads(settings, tmp_path):
    import io
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("imports/" + "a" * 32 + ".xlsx", ContentFile(b"old"))
    new = default_storage.save("imports/" + "b" * 32 + ".xlsx", ContentFile(b"new"))
    two_days_ago = time.time() - 48 * 3600
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))

    call_command("purge_imports", "--hours", "24", stdout=io.StringIO())

    assert not default_storage.exists(old)
    assert default_storage.exists(new)


def test_roster_export_formula_like_name_stays_text(client, world):
    factories.ResidentFactory(household=world.a.household, name="=HYPERLINK(1)")
    client.force_login(world.a.secretary)

    workbook = openpyxl.load_workbook(BytesIO(_export(client, world.a.community)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    named = [cell for cell in cells if cell.value == "=HYPERLINK(1)"]

    assert len(named) == 1
    assert named[0].data_type == "s"
