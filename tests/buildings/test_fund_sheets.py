"""A fund's ledger as .xlsx: the export cell by cell, the community export, and the
donation import's all-or-nothing rule."""

import datetime
import uuid
import zipfile
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from buildings import fund_sheets, importing, services
from buildings.models import Donation, Fund
from tests import factories

HEADER = ["日期", "捐款人", "类别", "说明", "金额（元）", "争取人", "收据号", "冲销"]
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English."""
    with translation.override("en"):
        yield


# Fund data, recorded through the services


def _fund(side, *, unit=True, purpose="楼馨园健身角", **data):
    data = {
        "unit": side.unit if unit else None,
        "purpose": purpose,
        "target": Decimal("3000.00"),
        "quota": Decimal("300.00"),
        "leader": side.resident,
        "opened_on": datetime.date(2024, 5, 1),
        **data,
    }
    return services.fund_create(building=side.building, data=data, by=side.secretary)


def _donate(fund, by, **data):
    data.setdefault("date", datetime.date(2024, 5, 2))
    donation, created = services.donation_record(fund=fund, data=data, token=uuid.uuid4(), by=by)
    assert created
    return donation


def _spend(fund, by, **data):
    expense, created = services.expense_record(fund=fund, data=data, token=uuid.uuid4(), by=by)
    assert created
    return expense


@pytest.fixture
def fund(world):
    return _fund(world.a)


@pytest.fixture
def li(world):
    """李淑芹: a Party member of household 302, who raises money from outside."""
    return factories.ResidentFactory(
        household__unit=world.a.unit,
        household__room="302",
        name="李淑芹",
        phone="13800001111",
        is_party_member=True,
    )


@pytest.fixture
def ledger(world, fund, li):
    """Donations from a household, a resident, an outside donor raised by 李淑芹, labour,
    goods and a reversed mistake; expenses, one of them reversed."""
    by = world.a.secretary
    d = datetime.date
    _donate(fund, by, donor_household=world.a.household, amount=Decimal("300"), receipt_no="R001")
    _donate(
        fund, by, date=d(2024, 5, 3), donor_resident=li, amount=Decimal("200"), receipt_no="R002"
    )
    _donate(
        fund,
        by,
        date=d(2024, 5, 3),
        donor_name="电业局技校",
        raised_by=li,
        amount=Decimal("500"),
        receipt_no="R003",
    )
    _donate(
        fund,
        by,
        date=d(2024, 5, 4),
        donor_household=li.household,
        kind=Donation.Kind.LABOUR,
        description="搬运花盆、平整地面",
        amount=Decimal("80.50"),
    )
    mistake = _donate(
        fund,
        by,
        date=d(2024, 5, 5),
        donor_household=world.a.household,
        amount=Decimal("30"),
        receipt_no="R004",
    )
    _donate(
        fund,
        by,
        date=d(2024, 5, 6),
        donor_name="花店",
        kind=Donation.Kind.GOODS,
        description="月季 10 盆",
    )
    services.donation_reverse(donation=mistake, reason="重复录入", by=by)
    _spend(fund, by, item="竹子", amount=Decimal("400"), date=d(2024, 5, 10), receipt_no="E001")
    lights = _spend(
        fund, by, item="灯", amount=Decimal("1234.56"), date=d(2024, 5, 11), receipt_no="E002"
    )
    services.expense_reverse(expense=lights, reason="退货", by=by)
    return fund


# Reading the exported workbook back


def _workbook(content):
    return openpyxl.load_workbook(BytesIO(content))


def _assert_cell(cell, expected):
    where = f"{cell.parent.title}!{cell.coordinate}"
    if expected is None:
        assert cell.value is None, where
    elif isinstance(expected, Decimal):
        assert cell.data_type == "n", where
        assert not isinstance(cell.value, str), where
        assert cell.number_format == MONEY, where
        assert Decimal(str(cell.value)) == expected, where
    elif isinstance(expected, datetime.date):
        assert cell.data_type == "d", where
        assert cell.number_format == DATE, where
        assert cell.value == datetime.datetime.combine(expected, datetime.time()), where
    else:
        assert cell.data_type == "s", where
        assert cell.value == expected, where


def _assert_sheet(sheet, expected_rows):
    rows = list(sheet.iter_rows())
    assert len(rows) == len(expected_rows), sheet.title
    for cells, expected in zip(rows, expected_rows, strict=True):
        assert len(cells) == len(expected), f"{sheet.title} row {cells[0].row}"
        for cell, value in zip(cells, expected, strict=True):
            _assert_cell(cell, value)


def _all_text(workbook) -> str:
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


# The fund's ledger


def test_export_fund_every_cell(world, ledger, li):
    content = fund_sheets.export_fund(ledger, user=world.a.secretary)

    workbook = _workbook(content)
    assert workbook.sheetnames == ["捐款", "支出", "汇总"]
    d = datetime.date
    today = timezone.localdate()
    labour = "搬运花盆、平整地面"
    reversal = "冲销第6行（收据号 R004）：重复录入"
    _assert_sheet(
        workbook["捐款"],
        [
            HEADER,
            [d(2024, 5, 2), "6单元301", "现金", None, Decimal("300"), None, "R001", None],
            [d(2024, 5, 3), "李淑芹", "现金", None, Decimal("200"), None, "R002", None],
            [d(2024, 5, 3), "电业局技校", "现金", None, Decimal("500"), "李淑芹", "R003", None],
            [d(2024, 5, 4), "6单元302", "出工", labour, Decimal("80.50"), None, None, None],
            [d(2024, 5, 5), "6单元301", "现金", None, Decimal("30"), None, "R004", None],
            [d(2024, 5, 6), "花店", "物品", "月季 10 盆", None, None, None, None],
            [today, "6单元301", "现金", None, Decimal("-30"), None, None, reversal],
        ],
    )
    _assert_sheet(
        workbook["支出"],
        [
            ["日期", "项目", "金额（元）", "收据号", "冲销"],
            [d(2024, 5, 10), "竹子", Decimal("400"), "E001", None],
            [d(2024, 5, 11), "灯", Decimal("1234.56"), "E002", None],
            [today, "灯", Decimal("-1234.56"), None, "冲销第3行（收据号 E002）：退货"],
        ],
    )
    totals = services.fund_totals(ledger)
    assert totals["raised"] == Decimal("1000.00")
    assert totals["in_kind"] == Decimal("80.50")
    assert totals["spent"] == Decimal("400.00")
    _assert_sheet(
        workbook["汇总"],
        [
            ["项目", "金额（元）"],
            ["集资", "清福小区15号楼6单元·楼馨园健身角"],
            ["募集现金", Decimal("1000")],
            ["出工及物品折价", Decimal("80.50")],
            ["支出", Decimal("400")],
            ["结余", Decimal("600")],
            ["目标", Decimal("3000")],
            ["每户份额", Decimal("300")],
        ],
    )
    text = _all_text(workbook)
    assert world.a.resident.phone not in text
    assert li.phone not in text


def test_export_fund_without_target_or_quota_leaves_cells_empty(world):
    fund = _fund(world.a, target=None, quota=None)

    workbook = _workbook(fund_sheets.export_fund(fund, user=world.a.secretary))

    assert [row[0].value for row in workbook["汇总"].iter_rows(min_row=7)] == ["目标", "每户份额"]
    assert [row[1].value for row in workbook["汇总"].iter_rows(min_row=7)] == [None, None]
    assert workbook["捐款"].max_row == 1
    assert workbook["支出"].max_row == 1


FORMULAS = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2+3", "=1+1"]


def test_export_fund_formula_like_text_stays_text(world):
    fund = _fund(world.a, purpose='=HYPERLINK("http://x","点击")')
    by = world.a.secretary
    for index, name in enumerate(FORMULAS):
        _donate(fund, by, donor_name=name, amount=Decimal("1"), receipt_no=f"@R{index}")
    _donate(
        fund,
        by,
        donor_name="#N/A",
        kind=Donation.Kind.LABOUR,
        description="=cmd|' /C calc'!A0",
    )
    _spend(fund, by, item="=SUM(1,2)", amount=Decimal("1"), date=datetime.date(2024, 5, 9))

    content = fund_sheets.export_fund(fund, user=by)

    workbook = _workbook(content)
    donations = workbook["捐款"]
    for row, name in enumerate(FORMULAS, start=2):
        for cell, value in [
            (donations.cell(row, 2), name),
            (donations.cell(row, 7), f"@R{row - 2}"),
        ]:
            assert cell.value == value
            assert cell.data_type == "s"
            assert cell.quotePrefix is True
    assert donations.cell(7, 2).value == "#N/A"
    assert donations.cell(7, 2).data_type == "s"
    assert donations.cell(7, 4).value == "=cmd|' /C calc'!A0"
    assert donations.cell(7, 4).data_type == "s"
    assert workbook["支出"].cell(2, 2).value == "=SUM(1,2)"
    assert workbook["支出"].cell(2, 2).data_type == "s"
    assert workbook["汇总"].cell(2, 2).value == '清福小区15号楼6单元·=HYPERLINK("http://x","点击")'
    # and no formula element anywhere in the file
    with zipfile.ZipFile(BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert len(sheets) == 3
        for name in sheets:
            assert b"<f>" not in archive.read(name)
            assert b"<f " not in archive.read(name)


def test_export_fund_of_other_community_refused(world, fund):
    with pytest.raises(PermissionDenied):
        fund_sheets.export_fund(fund, user=world.b.secretary)


def test_export_fund_queries_constant(world, fund, li):
    by = world.a.secretary
    fund_sheets.export_fund(fund, user=by)  # memberships are read once per user

    def count():
        with CaptureQueriesContext(connection) as captured:
            fund_sheets.export_fund(fund, user=by)
        return len(captured)

    _donate(fund, by, donor_household=world.a.household, amount=Decimal("1"))
    few = count()
    for index in range(10):
        donation = _donate(
            fund, by, donor_resident=li, raised_by=li, amount=Decimal("2"), receipt_no=f"X{index}"
        )
        _donate(fund, by, donor_household=li.household, amount=Decimal("3"))
        _spend(fund, by, item="花", amount=Decimal("1"), date=datetime.date(2024, 5, 9))
    services.donation_reverse(donation=donation, reason="错", by=by)
    many = count()

    assert few == many


# All funds of a community


@pytest.fixture
def funds(world, ledger, li):
    """Besides ``ledger``: a closed fund of the whole building, one in the section's
    building, and one in the other community."""
    by = world.a.secretary
    building_fund = _fund(world.a, unit=False, purpose="楼道灯", target=None, quota=None)
    _donate(building_fund, by, donor_resident=li, amount=Decimal("99.99"))
    _spend(building_fund, by, item="灯泡", amount=Decimal("150"), date=datetime.date(2024, 6, 1))
    services.fund_update(fund=building_fund, data={"is_open": False}, by=by)
    section_fund = services.fund_create(
        building=world.a.section_building,
        data={"purpose": "竹子", "opened_on": datetime.date(2024, 4, 1)},
        by=by,
    )
    other = _fund(world.b, purpose="花园基金")
    _donate(other, world.b.secretary, donor_household=world.b.household, amount=Decimal("7"))
    return {"unit": ledger, "building": building_fund, "section": section_fund, "other": other}


def _community_rows(content):
    sheet = _workbook(content)["集资"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_community_funds_totals_match_fund_totals(world, funds):
    content = fund_sheets.export_community_funds(world.a.community, user=world.a.secretary)

    workbook = _workbook(content)
    assert workbook.sheetnames == ["集资"]
    sheet = workbook["集资"]
    expected = []
    for key in ("section", "building", "unit"):  # 4号楼, 15号楼, then 15号楼6单元
        fund = Fund.objects.get(pk=funds[key].pk)
        totals = services.fund_totals(fund)
        expected.append(
            [
                str(fund.unit or fund.building),
                fund.purpose,
                fund.opened_on,
                fund.target,
                fund.quota,
                totals["raised"],
                totals["in_kind"],
                totals["spent"],
                totals["balance"],
                "进行中" if fund.is_open else "已结束",
            ]
        )
    header = [
        "楼栋单元",
        "用途",
        "开始日期",
        "目标（元）",
        "每户份额（元）",
        "募集（元）",
        "出工及物品折价（元）",
        "支出（元）",
        "结余（元）",
        "状态",
    ]
    _assert_sheet(sheet, [header, *expected])
    assert expected[1][5:9] == [
        Decimal("99.99"),
        Decimal("0"),
        Decimal("150"),
        Decimal("-50.01"),
    ]
    assert expected[2][8] == Decimal("600")
    assert "花园" not in _all_text(workbook)
    assert "清福小区" in _all_text(workbook)


def test_export_community_funds_for_building_head(world, funds):
    rows = _community_rows(fund_sheets.export_community_funds(world.a.community, user=world.a.head))

    assert [row[1] for row in rows[1:]] == ["楼道灯", "楼馨园健身角"]


def test_export_community_funds_other_community_empty(world, funds):
    rows = _community_rows(
        fund_sheets.export_community_funds(world.a.community, user=world.b.secretary)
    )

    assert rows == [rows[0]]


def test_export_community_funds_one_query(world, funds):
    by = world.a.secretary
    fund_sheets.export_community_funds(world.a.community, user=by)

    def count():
        with CaptureQueriesContext(connection) as captured:
            fund_sheets.export_community_funds(world.a.community, user=by)
        return len(captured)

    few = count()
    for index in range(5):
        fund = _fund(world.a, purpose=f"基金{index}")
        _donate(fund, by, donor_household=world.a.household, amount=Decimal("1"))
        _spend(fund, by, item="花", amount=Decimal("1"), date=datetime.date(2024, 5, 9))
    many = count()

    assert few == many == 1


# Importing donations


def _xlsx(rows, header=HEADER, title=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(content):
    return fund_sheets.read_donations(BytesIO(content))


def _plan(fund, content, user, upload_id=None):
    if upload_id is None:
        upload_id = importing.store_upload(BytesIO(content))
    return fund_sheets.plan_donations(
        fund=fund, rows=_read(content), user=user, upload_id=upload_id
    )


def _import(fund, content, user):
    plan = _plan(fund, content, user)
    assert plan.is_valid, plan.messages
    return fund_sheets.apply_donations(fund=fund, plan=plan, user=user)


def _count(fund):
    return Donation.objects.filter(fund=fund).count()


D = datetime.date(2024, 6, 1)
VALID = [
    [D, "301", "现金", "", 300, "", "R101", ""],
    ["2024-06-02", "6单元302", "money", "", 120.5, "", "R102", ""],
    [datetime.datetime(2024, 6, 3), "李淑芹", "", "", "200", "", "", ""],
    [D, "电业局技校", "现金", "", 500, "李淑芹", "R103", ""],
    [D, "301室", "出工", "搬运花盆", None, "", "", ""],
    [D, "302", "物品", "月季花 10 盆", 150, None, None, None],
]


def test_import_valid_file_records_every_row(world, fund, li):
    plan = _plan(fund, _xlsx(VALID), world.a.secretary)

    assert plan.is_valid
    assert [entry.donor_kind for entry in plan.entries] == [
        "household",
        "household",
        "resident",
        "outside",
        "household",
        "household",
    ]
    assert plan.summary == {
        "rows": 6,
        "new": 6,
        "recorded_before": 0,
        "money": Decimal("1120.50"),
        "in_kind": Decimal("150.00"),
    }

    applied = fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)

    assert applied.recorded_now == 6
    assert _count(fund) == 6
    totals = services.fund_totals(fund)
    assert totals["raised"] == Decimal("1120.50")
    assert totals["in_kind"] == Decimal("150.00")
    r101, r102, r103 = (
        Donation.objects.get(fund=fund, receipt_no=r) for r in ("R101", "R102", "R103")
    )
    assert r101.donor_household == world.a.household
    assert r101.date == D
    assert r102.donor_household == li.household
    assert r102.amount == Decimal("120.50")
    assert r103.donor_name == "电业局技校"
    assert r103.raised_by == li
    resident = Donation.objects.get(fund=fund, donor_resident=li)
    assert resident.amount == Decimal("200.00")
    assert resident.date == datetime.date(2024, 6, 3)
    labour = Donation.objects.get(fund=fund, kind=Donation.Kind.LABOUR)
    assert (labour.donor_household, labour.description, labour.amount) == (
        world.a.household,
        "搬运花盆",
        None,
    )
    assert set(Donation.objects.filter(fund=fund).values_list("recorded_by", flat=True)) == {
        world.a.secretary.pk
    }


def test_import_same_upload_twice_records_once(world, fund, li):
    content = _xlsx(VALID)
    token = importing.store_upload(BytesIO(content))
    first = _plan(fund, content, world.a.secretary, upload_id=token)
    fund_sheets.apply_donations(fund=fund, plan=first, user=world.a.secretary)

    again = _plan(fund, content, world.a.secretary, upload_id=token)
    applied = fund_sheets.apply_donations(fund=fund, plan=again, user=world.a.secretary)
    stale = fund_sheets.apply_donations(fund=fund, plan=first, user=world.a.secretary)

    assert again.is_valid
    assert again.summary["recorded_before"] == 6
    assert applied.recorded_now == stale.recorded_now == 0
    assert _count(fund) == 6
    assert services.fund_totals(fund)["raised"] == Decimal("1120.50")


def test_import_same_file_as_new_upload_refused_by_receipts(world, fund, li):
    content = _xlsx(VALID)
    _import(fund, content, world.a.secretary)

    plan = _plan(fund, content, world.a.secretary)

    assert [error.row for error in plan.errors] == [2, 3, 5]
    assert "R101 is already recorded in this fund" in plan.messages[0]
    with pytest.raises(fund_sheets.DonationsInvalid):
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)
    assert _count(fund) == 6


def test_import_apply_needs_stored_upload_token(world, fund, li):
    plan = _plan(fund, _xlsx(VALID), world.a.secretary, upload_id="")

    assert plan.is_valid
    with pytest.raises(ValueError):
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)
    assert _count(fund) == 0


GOOD_FIRST = [D, "301", "现金", "", 300, "", "R101", ""]
GOOD_LAST = [D, "电业局技校", "现金", "", 500, "李淑芹", "R103", ""]
COLUMN = {header: index for index, header in enumerate(HEADER)} | {"金额": 4}


def _bad(**changes):
    row = [D, "302", "现金", "", 100, "", "R102", ""]
    for header, value in changes.items():
        row[COLUMN[header]] = value
    return row


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (_bad(金额=1.234), "金额（元）: at most two decimal places"),
        (_bad(金额="1.234"), "at most two decimal places"),
        (_bad(金额=0), "金额（元）: the amount must be more than 0"),
        (_bad(金额=-5), "the amount must be more than 0"),
        (_bad(金额="abc"), "金额（元）: enter a number such as 300 or 12.50"),
        (_bad(金额="1e3"), "enter a number"),
        (_bad(金额=True), "enter a number"),
        (_bad(金额=1000000.01), "at most 1,000,000.00 yuan"),
        (_bad(金额=None), "金额（元）: enter the amount of money"),
        (_bad(类别="捐物"), "类别: use 现金, 出工 or 物品"),
        (_bad(类别="出工", 金额=None), "说明: say what labour or goods were given"),
        (_bad(日期="2024-13-01"), "日期: enter a date such as 2024-05-01"),
        (_bad(日期=45413), "enter a date such as"),
        (_bad(日期=None), "日期: enter the date"),
        (_bad(日期=datetime.date(2099, 1, 1)), "2099-01-01 is in the future"),
        (_bad(捐款人=None), "捐款人: enter a household's room"),
        (_bad(捐款人="909"), "捐款人: no household 909 in this unit"),
        (_bad(捐款人="502"), "no household 502 in this unit"),
        (_bad(捐款人="7单元301"), "no household 7单元301 in this unit"),
        (_bad(捐款人="某" * 101), "at most 100 characters"),
        (_bad(收据号="R101"), "收据号: R101 already appears in row 2"),
        (_bad(收据号="R001"), "收据号: R001 is already recorded in this fund"),
        (_bad(收据号="R" * 31), "at most 30 characters"),
        (_bad(争取人="王五"), "争取人: 王五 is not a Party member"),
        (
            _bad(争取人="花园居民"),
            "争取人: no Party member called 花园居民 lives in this community",
        ),
        (_bad(冲销="冲销第2行：错"), "冲销: a reversal cannot be imported"),
    ],
)
def test_import_bad_row_in_middle_refuses_file(world, fund, li, bad, reason):
    factories.HouseholdFactory(unit=world.b.unit, room="502")  # another community's room
    factories.ResidentFactory(household=li.household, name="王五", is_party_member=False)
    _donate(fund, world.a.secretary, donor_name="旧", amount=Decimal("1"), receipt_no="R001")
    before = _count(fund)

    plan = _plan(fund, _xlsx([GOOD_FIRST, bad, GOOD_LAST]), world.a.secretary)

    assert [error.row for error in plan.errors] == [3]
    assert reason in plan.messages[0]
    assert plan.messages[0].startswith("Row 3: ")
    with pytest.raises(fund_sheets.DonationsInvalid) as refused:
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)
    assert [error.row for error in refused.value.plan.errors] == [3]
    assert _count(fund) == before


def test_import_lists_every_bad_row_with_every_reason(world, fund, li):
    rows = [_bad(金额=0, 类别="x"), GOOD_FIRST, _bad(日期="yesterday", 收据号="R101")]

    plan = _plan(fund, _xlsx(rows), world.a.secretary)

    assert [error.row for error in plan.errors] == [2, 4]
    assert plan.messages[0] == (
        "Row 2: 类别: use 现金, 出工 or 物品; 金额（元）: the amount must be more than 0"
    )
    assert plan.messages[1] == (
        "Row 4: 日期: enter a date such as 2024-05-01; 收据号: R101 already appears in row 3"
    )


def test_import_in_chinese_names_the_row(world, fund, li):
    with translation.override("zh-hans"):
        plan = _plan(fund, _xlsx([GOOD_FIRST, _bad(金额=0)]), world.a.secretary)

        assert plan.messages[0].startswith("第 3 行：")


def test_import_other_community_resident_is_only_a_name(world, fund, li):
    rows = [[D, world.b.resident.name, "现金", "", 10, "", "", ""]]

    _import(fund, _xlsx(rows), world.a.secretary)

    donation = Donation.objects.get(fund=fund)
    assert donation.donor_resident is None
    assert donation.donor_household is None
    assert donation.donor_name == "花园居民"


def test_import_building_fund_room_in_several_units(world, li):
    fund = _fund(world.a, unit=False)
    unit7 = factories.UnitFactory(building=world.a.building, number=7)
    other = factories.HouseholdFactory(unit=unit7, room="301")
    rows = [
        [D, "301", "现金", "", 10, "", "", ""],
        [D, "7单元301", "现金", "", 20, "", "", ""],
        [D, "909", "现金", "", 20, "", "", ""],
    ]

    plan = _plan(fund, _xlsx(rows), world.a.secretary)

    assert [error.row for error in plan.errors] == [2, 4]
    assert "room 301 is in several units; write it as 6单元301" in plan.messages[0]
    assert "no household 909 in this building" in plan.messages[1]
    plan = _plan(fund, _xlsx(rows[1:2]), world.a.secretary)
    fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)
    assert Donation.objects.get(fund=fund).donor_household == other


def test_import_two_residents_with_one_name_refused(world, fund, li):
    factories.ResidentFactory(name="李淑芹", household__unit=world.a.unit, is_party_member=False)

    plan = _plan(fund, _xlsx([[D, "李淑芹", "现金", "", 10, "李淑芹", "", ""]]), world.a.secretary)

    assert "2 residents called 李淑芹 live in this community" in plan.messages[0]
    assert "争取人" not in plan.messages[0]  # only one of them is a Party member


def test_import_error_midway_rolls_back_every_row(world, fund, li, monkeypatch):
    record = services.donation_record
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError("the database said no")
        return record(**kwargs)

    monkeypatch.setattr(fund_sheets.services, "donation_record", failing_third)
    plan = _plan(fund, _xlsx(VALID), world.a.secretary)

    with pytest.raises(fund_sheets.DonationsInvalid) as refused:
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)

    assert len(calls) == 3
    assert [str(error) for error in refused.value.plan.errors] == ["Row 4: the database said no"]
    assert _count(fund) == 0


def test_import_stale_plan_rechecked(world, fund, li):
    plan = _plan(fund, _xlsx(VALID), world.a.secretary)
    assert plan.is_valid
    _donate(fund, world.a.secretary, donor_name="抢先", amount=Decimal("1"), receipt_no="R102")

    with pytest.raises(fund_sheets.DonationsInvalid) as refused:
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)

    assert "Row 3: 收据号: R102 is already recorded in this fund" in refused.value.plan.messages
    assert _count(fund) == 1


def test_import_closed_fund_refused(world, fund, li):
    services.fund_update(fund=fund, data={"is_open": False}, by=world.a.secretary)

    plan = _plan(fund, _xlsx(VALID), world.a.secretary)

    assert plan.messages == ["This fund is closed."]
    with pytest.raises(fund_sheets.DonationsInvalid):
        fund_sheets.apply_donations(fund=fund, plan=plan, user=world.a.secretary)
    assert _count(fund) == 0


@pytest.mark.parametrize("role", ["b_secretary", "official", "outsider"])
def test_import_by_someone_who_may_not_edit_refused(world, fund, li, role):
    user = {"b_secretary": world.b.secretary, "official": world.official}.get(role, world.outsider)
    content = _xlsx(VALID)
    rows = _read(content)
    token = importing.store_upload(BytesIO(content))

    with pytest.raises(PermissionDenied):
        fund_sheets.plan_donations(fund=fund, rows=rows, user=user, upload_id=token)
    plan = fund_sheets.DonationPlan(fund=fund, rows=rows, upload_id=token)
    with pytest.raises(PermissionDenied):
        fund_sheets.apply_donations(fund=fund, plan=plan, user=user)
    assert _count(fund) == 0


def test_import_by_building_head(world, fund, li):
    applied = _import(fund, _xlsx(VALID), world.a.head)

    assert applied.recorded_now == 6


def test_export_then_import_into_another_fund(world, fund, li):
    by = world.a.secretary
    _donate(fund, by, donor_household=world.a.household, amount=Decimal("300"), receipt_no="R1")
    _donate(fund, by, donor_resident=li, amount=Decimal("0.10"), receipt_no="R2")
    _donate(fund, by, donor_name="电业局技校", raised_by=li, amount=Decimal("500.05"))
    _donate(fund, by, donor_household=li.household, kind=Donation.Kind.GOODS, description="花")
    second = _fund(world.a, purpose="第二期")

    _import(second, fund_sheets.export_fund(fund, user=by), by)

    assert services.fund_totals(second) == services.fund_totals(fund)
    copied = Donation.objects.get(fund=second, donor_name="电业局技校")
    assert (copied.raised_by, copied.amount) == (li, Decimal("500.05"))


# Reading the file


def _zip_without_workbook():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("日期,捐款人\n2024-06-01,301\n".encode(), "could not be read"),
        (b"", "could not be read"),
        (_zip_without_workbook(), "could not be read"),
        (_xlsx([GOOD_FIRST])[:-200], "could not be read"),
        (_xlsx([GOOD_FIRST], header=HEADER[:1] + HEADER[2:]), "missing: 捐款人"),
        (_xlsx([GOOD_FIRST], header=[*HEADER, "日期"]), "The column 日期 appears twice"),
        (_xlsx([]), "no rows below the header"),
    ],
    ids=["text", "empty", "zip", "truncated", "missing", "twice", "header-only"],
)
def test_read_bad_file_refused(content, reason):
    with pytest.raises(fund_sheets.DonationFileError) as refused:
        _read(content)

    assert reason in " ".join(refused.value.messages)


def test_read_too_many_rows_refused(settings):
    settings.IMPORT_MAX_ROWS = 3

    with pytest.raises(fund_sheets.DonationFileError) as refused:
        _read(_xlsx([GOOD_FIRST] * 4))

    assert "more than 3 rows" in refused.value.messages[0]


def test_read_skips_empty_rows_and_keeps_row_numbers():
    rows = _read(_xlsx([GOOD_FIRST, [None] * 8, ["", " ", None], GOOD_LAST]))

    assert [row.number for row in rows] == [2, 5]
    assert rows[0].amount == 300
    assert rows[0].receipt_no == "R101"
    assert rows[1].raised_by == "李淑芹"


def test_read_columns_in_any_order_and_the_donation_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.append(["not this sheet"])
    sheet = workbook.create_sheet("捐款")
    sheet.append(["备注", "金额", "捐款人", "日期"])
    sheet.append(["anything", 12.5, 301, "2024-06-01"])
    buffer = BytesIO()
    workbook.save(buffer)

    (row,) = _read(buffer.getvalue())

    assert (row.number, row.amount, row.donor, row.date) == (2, 12.5, "301", "2024-06-01")
    assert (row.kind, row.receipt_no) == ("", "")


def test_parse_amount_uses_decimal_text_of_floats():
    assert fund_sheets.parse_amount(0.1) == Decimal("0.10")
    assert fund_sheets.parse_amount(120.5) == Decimal("120.50")
    assert fund_sheets.parse_amount(1000000) == Decimal("1000000.00")
    assert fund_sheets.parse_amount("1,000.50元") == Decimal("1000.50")
    assert fund_sheets.parse_amount(None) is None
    for bad in ("NaN", "Infinity", "0.001", 1e20, "-0", 0.1 + 0.2):
        with pytest.raises(ValidationError):
            fund_sheets.parse_amount(bad)


# Query counts


def _rows(count, households):
    donors = [*households, "李淑芹", "清福居民", "电业局技校"]
    return [
        [
            D,
            donors[i % len(donors)],
            "现金",
            "",
            10 + i,
            "李淑芹" if i % 3 == 0 else "",
            f"Q{i}",
            "",
        ]
        for i in range(count)
    ]


def test_plan_queries_same_for_5_and_50_rows(world, fund, li):
    rooms = [factories.HouseholdFactory(unit=world.a.unit, room=f"40{i}").room for i in range(5)]
    user = world.a.secretary
    _plan(fund, _xlsx(_rows(1, rooms)), user)  # memberships are read once per user

    def count(rows):
        content = _xlsx(rows)
        parsed = _read(content)
        with CaptureQueriesContext(connection) as captured:
            plan = fund_sheets.plan_donations(
                fund=fund, rows=parsed, user=user, upload_id=uuid.uuid4().hex
            )
        assert plan.is_valid, plan.messages
        assert len(plan.entries) == len(rows)
        return len(captured)

    few = count(_rows(5, rooms))
    many = count(_rows(50, rooms))

    assert few == many
    assert many <= 6


def test_upload_form_checks_extension_and_size(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_BYTES = 1000
    content = _xlsx([GOOD_FIRST])

    def form(name):
        return fund_sheets.DonationUploadForm(files={"file": SimpleUploadedFile(name, content)})

    assert "ending in .xlsx" in form("a.csv").errors["file"][0]
    assert "files up to 1000" in form("a.xlsx").errors["file"][0]
    settings.IMPORT_MAX_BYTES = 10**6
    good = form("a.xlsx")
    assert good.is_valid()
    assert "Donation list" in str(good["file"].label)
