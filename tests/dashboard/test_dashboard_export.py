"""The district dashboard's table as an .xlsx file, opened again with openpyxl."""

import zipfile
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from corridor_portal.dashboard import Period
from corridor_portal.dashboard_sheets import HEADERS

TODAY = timezone.localdate()
START = TODAY - timedelta(days=89)
FILTER = {"start": START.isoformat(), "end": TODAY.isoformat()}
COLUMN = {header: index for index, (header, _width) in enumerate(HEADERS, start=1)}


def _export(client, user, data=None):
    client.force_login(user)
    response = client.get(reverse("dashboard:export"), data or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(BytesIO(content)), content, response


def _rows(sheet):
    """Data rows by community name (the first column), below the two header rows."""
    return {row[0].value: row for row in sheet.iter_rows(min_row=3)}


def _value(row, header):
    return row[COLUMN[header] - 1]


@pytest.mark.django_db
def test_export_official_gets_every_figure_as_numbers(client, known):
    workbook, _content, response = _export(client, known.official, FILTER)

    assert workbook.sheetnames == ["社区"]
    sheet = workbook["社区"]
    assert sheet["A1"].value == "楼道文化阵地工作统计"
    assert sheet["B1"].value == f"统计期间：{START:%Y-%m-%d} 至 {TODAY:%Y-%m-%d}"
    assert [cell.value for cell in sheet[2]] == [header for header, _width in HEADERS]
    rows = _rows(sheet)
    assert list(rows) == ["清福社区", "花园社区", "合计"]
    a = rows["清福社区"]
    expected = {
        "状态": "黄",
        "目标楼道数": 2,
        "文明楼道": 1,
        "楼道总数": 2,
        "建设中楼道": 1,
        "停滞楼道": 1,
        "审定展品": 1,
        "审定书法": 1,
        "非空置户数": 2,
        "参与户数": 1,
        "募集（元）": 300,
        "出工及物品折价（元）": 100,
        "支出（元）": 120,
        "结余（元）": 180,
        "应值班次": 3,
        "已值班次": 1,
        "漏值班次": 1,
        "未登记班次": 1,
        "收到建议": 2,
        "采纳建议": 1,
        "未答复建议": 2,
        "指导次数": 1,
        "未销号问题": 1,
    }
    assert {header: _value(a, header).value for header in expected} == expected
    assert _value(a, "目标完成率").value == 0.5
    assert _value(a, "目标完成率").number_format == "0%"
    assert abs(_value(a, "值班完成率").value - 1 / 3) < 1e-9
    money = _value(a, "募集（元）")
    assert money.data_type == "n" and money.number_format == "#,##0.00"
    assert _value(a, "文明楼道").data_type == "n"
    assert "停滞" in _value(a, "原因").value or "stalled" in _value(a, "原因").value
    total = rows["合计"]
    assert _value(total, "文明楼道").value == 2
    assert _value(total, "募集（元）").value == 300
    assert _value(total, "目标楼道数").value == 2
    assert response["Content-Disposition"].startswith("attachment")
    assert f"dashboard-{START:%Y%m%d}-{TODAY:%Y%m%d}.xlsx" in response["Content-Disposition"]


@pytest.mark.django_db
def test_export_obeys_the_community_filter(client, known):
    workbook, _content, _response = _export(
        client, known.official, FILTER | {"community": known.b.community.pk}
    )

    rows = _rows(workbook["社区"])
    assert list(rows) == ["花园社区", "合计"]
    assert _value(rows["合计"], "募集（元）").value == 0


@pytest.mark.django_db
def test_export_obeys_the_period(client, known):
    long_ago = {"start": (TODAY - timedelta(days=400)).isoformat(), "end": START.isoformat()}

    workbook, _content, _response = _export(client, known.official, long_ago)

    a = _rows(workbook["社区"])["清福社区"]
    assert _value(a, "募集（元）").value == 0
    assert _value(a, "审定展品").value == 0
    assert _value(a, "指导次数").value == 1


@pytest.mark.django_db
def test_export_follows_the_sort(client, known):
    workbook, _content, _response = _export(client, known.official, FILTER | {"sort": "raised"})

    assert list(_rows(workbook["社区"])) == ["花园社区", "清福社区", "合计"]


@pytest.mark.django_db
def test_export_secretary_gets_only_own_community(client, known):
    workbook, content, _response = _export(client, known.a.secretary)

    assert list(_rows(workbook["社区"])) == ["清福社区", "合计"]
    assert "花园社区".encode() not in content


@pytest.mark.django_db
def test_export_bad_filter_uses_the_default_period(client, known):
    workbook, _content, _response = _export(
        client, known.official, {"start": "2024-13-01", "community": "x", "sort": "?"}
    )

    default = Period.default()
    assert workbook["社区"]["B1"].value == (
        f"统计期间：{default.start:%Y-%m-%d} 至 {default.end:%Y-%m-%d}"
    )
    assert list(_rows(workbook["社区"])) == ["清福社区", "花园社区", "合计"]


@pytest.mark.django_db
def test_export_formula_like_names_stay_text(client, known):
    name = '=HYPERLINK("http://x","点击")'
    Community.objects.filter(pk=known.b.community.pk).update(name=name)

    workbook, content, _response = _export(client, known.official)

    cell = _rows(workbook["社区"])[name][0]
    assert cell.value == name and cell.data_type == "s" and cell.quotePrefix is True
    with zipfile.ZipFile(BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["cadre", "head"])
def test_export_community_roles_forbidden(client, known, role):
    client.force_login(getattr(known.a, role))

    assert client.get(reverse("dashboard:export")).status_code == 403


@pytest.mark.django_db
def test_export_anonymous_sent_to_login(client, known):
    response = client.get(reverse("dashboard:export"))

    assert response.status_code == 302 and "/login/" in response.url
