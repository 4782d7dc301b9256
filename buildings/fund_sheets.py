"""A fund's ledger as an Excel workbook, and donations imported from the same layout.

The layout is a file format shared with people who keep their lists in Excel, so its
sheet names, headers and kind words are fixed Chinese whatever the UI language (as in
the roster, ``buildings.importing``):

``捐款``  one row per donation: 日期, 捐款人, 类别, 说明, 金额（元）, 争取人, 收据号, 冲销
``支出``  one row per expense: 日期, 项目, 金额（元）, 收据号, 冲销
``汇总``  the fund's totals, from ``services.fund_totals``

Writing: amounts are numbers formatted ``#,##0.00``, dates real dates formatted
``yyyy-mm-dd``, and every text is written as a string cell, never a formula: a donor
called ``=HYPERLINK(...)`` stays a name (text starting with = + - or @ also carries
Excel's quote prefix, so that editing the cell in Excel keeps it text). Phone numbers
are never written.

Importing the ``捐款`` layout goes in three steps, like the roster's:

``read_donations``   the workbook: readable, first row names the columns, within the
                     row limit; gives ``DonationRow`` values (raises ``DonationFileError``);
``plan_donations``   every row against the fund's records, loaded in a fixed number of
                     queries; gives a ``DonationPlan``: the errors by row, or the donations;
``apply_donations``  plans again inside a transaction and records every row through
                     ``services.donation_record``: all rows or none.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from buildings import importing, services
from buildings.importing import Column, RowError, cell_text, text_cell
from buildings.models import Donation, Expense, Fund, Household, Resident
from buildings.models.funds import MAX_AMOUNT

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = importing.XLSX_CONTENT_TYPE

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# A fund's paper list is a few hundred rows; the cap keeps every lookup one query
# (SQLite allows some 32,000 parameters in a statement).
MAX_ROWS = 5000

# Tokens of imported donations: uuid5(IMPORT_NAMESPACE, "<fund>:<upload>:<row>"), so that
# applying the same stored upload twice records every row once.
IMPORT_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-5e8f-9a0b-1c2d3e4f5a6b")

# A text starting with one of these is a formula (or DDE call) to a spreadsheet that
# re-reads the cell, e.g. when a person edits it.

KIND_LABELS = {
    Donation.Kind.MONEY: "现金",
    Donation.Kind.LABOUR: "出工",
    Donation.Kind.GOODS: "物品",
}
KIND_BY_TEXT = {label: kind for kind, label in KIND_LABELS.items()} | {
    "money": Donation.Kind.MONEY,
    "labour": Donation.Kind.LABOUR,
    "labor": Donation.Kind.LABOUR,
    "goods": Donation.Kind.GOODS,
}

DONATION_SHEET = "捐款"
EXPENSE_SHEET = "支出"
SUMMARY_SHEET = "汇总"
COMMUNITY_SHEET = "集资"

DONATION_COLUMNS = (
    Column("date", "日期", 12, True, gettext_lazy("the date, e.g. 2024-05-01")),
    Column(
        "donor",
        "捐款人",
        18,
        True,
        gettext_lazy(
            "a household's room (301 or 6单元301), a resident's name, "
            "or an outside organisation's or person's name"
        ),
    ),
    Column("kind", "类别", 8, False, gettext_lazy("现金, 出工 or 物品 (empty means 现金)")),
    Column("description", "说明", 24, False, gettext_lazy("for 出工 and 物品: what was given")),
    Column(
        "amount",
        "金额（元）",
        14,
        True,
        gettext_lazy("yuan, at most two decimals; for 出工 and 物品 an optional estimate"),
    ),
    Column(
        "raised_by",
        "争取人",
        10,
        False,
        gettext_lazy("the Party member who brought in outside money"),
    ),
    Column("receipt_no", "收据号", 12, False, gettext_lazy("unique within the fund")),
    Column("reversal", "冲销", 30, False, gettext_lazy("filled in by the export; leave empty")),
)
DONATION_COLUMN = {column.key: column for column in DONATION_COLUMNS}
EXPENSE_HEADERS = (("日期", 12), ("项目", 24), ("金额（元）", 14), ("收据号", 12), ("冲销", 30))
COMMUNITY_HEADERS = (
    ("楼栋单元", 24),
    ("用途", 24),
    ("开始日期", 12),
    ("目标（元）", 14),
    ("每户份额（元）", 14),
    ("募集（元）", 14),
    ("出工及物品折价（元）", 14),
    ("支出（元）", 14),
    ("结余（元）", 14),
    ("状态", 8),
)
OPEN, CLOSED = "进行中", "已结束"


class DonationUploadForm(importing.RosterUploadForm):
    """The upload: an .xlsx within ``settings.IMPORT_MAX_BYTES`` (checks of the roster's)."""

    file = forms.FileField(
        label=gettext_lazy("Donation list (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}", "class": "form-control"}
        ),
    )


class DonationFileError(importing.SheetFileError):
    """The upload cannot be read as a donation list."""


class DonationsInvalid(Exception):
    """The rows do not fit the fund's records; ``plan.messages`` list them by row."""

    def __init__(self, plan: DonationPlan):
        super().__init__(f"{len(plan.errors)} rows with errors")
        self.plan = plan


# Writing


def value_cell(sheet, value, *, money: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        return text_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=value)
    if money:
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    return cell


def _sheet(workbook, title: str, headers) -> object:
    sheet = workbook.create_sheet(title=title)
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    row = []
    for header, _width in headers:
        cell = text_cell(sheet, header)
        cell.font = bold
        row.append(cell)
    sheet.append(row)
    return sheet


def _append(sheet, values, money_columns=()) -> None:
    sheet.append(
        [
            value_cell(sheet, value, money=index in money_columns)
            for index, value in enumerate(values)
        ]
    )


def workbook_bytes(workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def household_label(household: Household) -> str:
    """A household as the file names it: 6单元301."""
    return f"{household.unit.number}单元{household.room}"


def _donor_text(donation: Donation) -> str:
    if donation.donor_household_id:
        return household_label(donation.donor_household)
    if donation.donor_resident_id:
        return donation.donor_resident.name
    return donation.donor_name


def _reversal_text(entry, row_of: dict[int, int]) -> str:
    if not entry.reverses_id:
        return ""
    original = entry.reverses
    text = f"冲销第{row_of[original.pk]}行" if original.pk in row_of else "冲销"
    if original.receipt_no:
        text += f"（收据号 {original.receipt_no}）"
    return f"{text}：{entry.reason}"


def _visible_fund(fund: Fund, user) -> Fund:
    visible = (
        Fund.objects.visible_to(user)
        .select_related("building", "unit__building")
        .filter(pk=fund.pk)
        .first()
    )
    if visible is None:
        raise PermissionDenied
    return visible


def export_filename(fund: Fund) -> str:
    return f"fund-{fund.pk}-{timezone.localdate():%Y%m%d}.xlsx"


def community_export_filename(community) -> str:
    return f"funds-{community.code}-{timezone.localdate():%Y%m%d}.xlsx"


def export_fund(fund: Fund, *, user) -> bytes:
    """The ledger of ``fund`` as an .xlsx file: donations, expenses and the totals.

    ``user`` must see the fund (else PermissionDenied). Every entry is listed, reversals
    too, each pointing at the row it reverses; the totals are ``services.fund_totals``.
    """
    fund = _visible_fund(fund, user)
    workbook = openpyxl.Workbook(write_only=True)

    donations = (
        Donation.objects.filter(fund=fund)
        .select_related("donor_household__unit", "donor_resident", "raised_by", "reverses")
        .order_by("date", "pk")
    )
    sheet = _sheet(
        workbook, DONATION_SHEET, [(column.header, column.width) for column in DONATION_COLUMNS]
    )
    donations = list(donations)
    row_of = {donation.pk: number for number, donation in enumerate(donations, start=2)}
    for donation in donations:
        values = [
            donation.date,
            _donor_text(donation),
            KIND_LABELS.get(donation.kind, donation.kind),
            donation.description,
            donation.amount,
            donation.raised_by.name if donation.raised_by_id else "",
            donation.receipt_no,
            _reversal_text(donation, row_of),
        ]
        _append(sheet, values, money_columns={4})

    expenses = list(
        Expense.objects.filter(fund=fund).select_related("reverses").order_by("date", "pk")
    )
    sheet = _sheet(workbook, EXPENSE_SHEET, EXPENSE_HEADERS)
    row_of = {expense.pk: number for number, expense in enumerate(expenses, start=2)}
    for expense in expenses:
        values = [
            expense.date,
            expense.item,
            expense.amount,
            expense.receipt_no,
            _reversal_text(expense, row_of),
        ]
        _append(sheet, values, money_columns={2})

    totals = services.fund_totals(fund)
    sheet = _sheet(workbook, SUMMARY_SHEET, [("项目", 24), ("金额（元）", 30)])
    _append(sheet, ["集资", str(fund)])
    for label, value in [
        ("募集现金", totals["raised"]),
        ("出工及物品折价", totals["in_kind"]),
        ("支出", totals["spent"]),
        ("结余", totals["balance"]),
        ("目标", fund.target),
        ("每户份额", fund.quota),
    ]:
        _append(sheet, [label, value], money_columns={1})
    return workbook_bytes(workbook)


def _ledger_sum(model, **filters):
    total = (
        model.objects.filter(fund=OuterRef("pk"), **filters)
        .order_by()
        .values("fund")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), ZERO, output_field=money)


def community_funds(community, *, user):
    """The funds of ``community`` that ``user`` sees, with raised, in_kind, spent and
    balance annotated: one query whatever the number of funds."""
    money = DecimalField(max_digits=14, decimal_places=2)
    return (
        Fund.objects.visible_to(user)
        .filter(building__community=community)
        .select_related("building", "unit__building")
        .annotate(
            raised=_ledger_sum(Donation, kind=Donation.Kind.MONEY),
            in_kind=_ledger_sum(Donation, kind__in=[Donation.Kind.LABOUR, Donation.Kind.GOODS]),
            spent=_ledger_sum(Expense),
        )
        .annotate(balance=ExpressionWrapper(F("raised") - F("spent"), output_field=money))
        # Length first puts building 4 before building 15; a fund of a whole building
        # before its units' funds, on every database.
        .order_by(
            "building__compound",
            Length("building__number"),
            "building__number",
            F("unit__number").asc(nulls_first=True),
            "opened_on",
            "pk",
        )
    )


def export_community_funds(community, *, user) -> bytes:
    """Every fund of ``community`` that ``user`` sees, one row each, with its totals."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = _sheet(workbook, COMMUNITY_SHEET, COMMUNITY_HEADERS)
    for fund in community_funds(community, user=user):
        values = [
            str(fund.unit or fund.building),
            fund.purpose,
            fund.opened_on,
            fund.target,
            fund.quota,
            fund.raised,
            fund.in_kind,
            fund.spent,
            fund.balance,
            OPEN if fund.is_open else CLOSED,
        ]
        _append(sheet, values, money_columns={3, 4, 5, 6, 7, 8})
    return workbook_bytes(workbook)


# Reading the donation list


@dataclass(frozen=True)
class DonationRow:
    """One spreadsheet row: ``date`` and ``amount`` as the cell held them (a date, a
    number or text), the rest as text."""

    number: int
    date: object
    donor: str
    amount: object
    kind: str = ""
    description: str = ""
    raised_by: str = ""
    receipt_no: str = ""
    reversal: str = ""


HEADER_KEYS = (
    {column.header: column.key for column in DONATION_COLUMNS}
    | {column.key: column.key for column in DONATION_COLUMNS}
    | {"金额": "amount", "捐款单位": "donor", "捐款人姓名": "donor", "收据编号": "receipt_no"}
)


RAW_KEYS = {"date", "amount"}


def _read_sheet(sheet, max_rows: int) -> list[DonationRow]:
    rows = sheet.iter_rows(values_only=True)
    positions = importing.match_header(
        next(rows, ()), columns=DONATION_COLUMNS, header_keys=HEADER_KEYS, error=DonationFileError
    )
    width = max(positions.values()) + 1
    result = []
    # read-only sheets fill in missing rows, so the count matches Excel's row numbers
    for number, values in enumerate(rows, start=2):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        cells = {}
        for key, index in positions.items():
            value = values[index]
            if key not in RAW_KEYS or value is None:
                value = cell_text(value)
            elif isinstance(value, str):
                value = value.strip()
            cells[key] = value
        if not any(value not in ("", None) for value in cells.values()):
            continue
        if len(result) >= max_rows:
            raise DonationFileError(
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": max_rows}
            )
        result.append(DonationRow(number=number, **cells))
    if not result:
        raise DonationFileError(_("The file has no rows below the header row."))
    return result


def read_donations(file: IO[bytes], *, max_rows: int | None = None) -> list[DonationRow]:
    """The rows of the 捐款 sheet (or else the first sheet) of an .xlsx file.

    Raises DonationFileError when the file is not a readable workbook, is a zip bomb,
    lacks the required columns, has no rows or more than the row limit
    (``settings.IMPORT_MAX_ROWS``, at most ``MAX_ROWS``).
    """
    if max_rows is None:
        max_rows = min(settings.IMPORT_MAX_ROWS, MAX_ROWS)
    return importing.read_workbook(
        file,
        lambda sheet: _read_sheet(sheet, max_rows),
        error=DonationFileError,
        sheet_name=DONATION_SHEET,
    )


# Checking the rows against the fund's records


DONOR_HOUSEHOLD, DONOR_RESIDENT, DONOR_OUTSIDE = "household", "resident", "outside"

# 301, 301室, 6单元301, 6单元 301室: a room (starting with a digit) with an optional unit.
ROOM_RE = re.compile(r"^(?:(?P<unit>\d{1,2})\s*单元\s*)?(?P<room>\d[0-9A-Za-z\-]*)\s*室?$")
DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
AMOUNT_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass
class PlannedDonation:
    """One row as the donation it records; ``data`` goes to ``services.donation_record``."""

    row: int
    data: dict
    token: uuid.UUID | None
    donor_kind: str
    donor_label: str
    recorded: bool = False  # recorded before, by applying the same upload

    @property
    def amount(self) -> Decimal | None:
        return self.data["amount"]

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.data["kind"]]

    @property
    def donor_kind_label(self) -> str:
        return {
            DONOR_HOUSEHOLD: _("household"),
            DONOR_RESIDENT: _("resident"),
            DONOR_OUTSIDE: _("outside donor"),
        }[self.donor_kind]


@dataclass
class DonationPlan:
    """What importing ``rows`` into ``fund`` would record, or why it may not."""

    fund: Fund
    rows: list[DonationRow]
    upload_id: str = ""
    errors: list[RowError] = field(default_factory=list)
    fund_errors: list[str] = field(default_factory=list)
    entries: list[PlannedDonation] = field(default_factory=list)
    recorded_now: int = 0  # set by apply_donations

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.fund_errors

    @property
    def messages(self) -> list[str]:
        """Every reason the file is refused, for the person: "Row 3: ..." each."""
        return [*self.fund_errors, *(str(error) for error in self.errors)]

    @property
    def new_entries(self) -> list[PlannedDonation]:
        return [entry for entry in self.entries if not entry.recorded]

    @property
    def summary(self) -> dict:
        new = self.new_entries
        return {
            "rows": len(self.entries),
            "new": len(new),
            "recorded_before": len(self.entries) - len(new),
            "money": sum(
                (e.amount for e in new if e.kind == Donation.Kind.MONEY and e.amount), ZERO
            ),
            "in_kind": sum(
                (e.amount for e in new if e.kind != Donation.Kind.MONEY and e.amount), ZERO
            ),
        }


def row_token(*, fund: Fund, upload_id: str, row: int) -> uuid.UUID:
    """The form token of row ``row`` of upload ``upload_id`` into ``fund``."""
    return uuid.uuid5(IMPORT_NAMESPACE, f"{fund.pk}:{upload_id}:{row}")


def _column_error(key: str, message: str) -> str:
    return _("%(column)s: %(error)s") % {"column": DONATION_COLUMN[key].header, "error": message}


def _parse_date(value, reasons) -> datetime.date | None:
    parsed = None
    if isinstance(value, datetime.datetime):
        parsed = value.date()
    elif isinstance(value, datetime.date):
        parsed = value
    elif isinstance(value, str) and (match := DATE_RE.match(value)):
        try:
            parsed = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            parsed = None
    if value in ("", None):
        reasons.append(_column_error("date", _("enter the date")))
    elif parsed is None:
        reasons.append(_column_error("date", _("enter a date such as 2024-05-01")))
    elif parsed > timezone.localdate():
        reasons.append(
            _column_error("date", _("%(date)s is in the future") % {"date": parsed.isoformat()})
        )
        parsed = None
    return parsed


def parse_amount(value) -> Decimal | None:
    """A positive yuan amount with at most two decimals, up to MAX_AMOUNT; None for an
    empty cell. Excel's floats go through their shortest text (Decimal(str(x))), so 0.1
    is 0.1 and 1.234 is refused, never rounded. Raises ValidationError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        amount = None
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = None
    else:
        text = str(value).strip().lstrip("¥￥").removesuffix("元").strip()
        text = text.replace(",", "").replace("，", "")
        amount = Decimal(text) if AMOUNT_RE.match(text) else None
    if amount is None or not amount.is_finite():
        raise ValidationError(_("enter a number such as 300 or 12.50"))
    if amount <= 0:
        raise ValidationError(_("the amount must be more than 0"))
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("the amount may be at most %(max)s yuan") % {"max": f"{MAX_AMOUNT:,.2f}"}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(_("at most two decimal places (fen)"))
    return amount.quantize(CENT)


class _Records:
    """The fund's records a plan checks against, each loaded in one query."""

    def __init__(self, fund: Fund, rows: list[DonationRow], user, tokens: dict):
        households = Household.objects.visible_to(user).filter(unit__building=fund.building_id)
        if fund.unit_id:
            households = households.filter(unit=fund.unit_id)
        self.by_room = defaultdict(list)
        self.by_unit_room = {}
        for household in households.select_related("unit__building"):
            self.by_room[household.room.upper()].append(household)
            self.by_unit_room[(household.unit.number, household.room.upper())] = household

        names = {row.raised_by for row in rows if row.raised_by}
        names |= {row.donor for row in rows if row.donor and not ROOM_RE.match(row.donor)}
        self.residents = defaultdict(list)
        residents = (
            Resident.objects.visible_to(user)
            .filter(household__unit__building__community=fund.building.community_id)
            .filter(name__in=sorted(names))
            .select_related("household__unit__building")
            .order_by("pk")
        )
        for resident in residents:
            self.residents[resident.name].append(resident)

        self.receipts = set(
            Donation.objects.filter(fund=fund)
            .exclude(receipt_no="")
            .values_list("receipt_no", flat=True)
        )
        self.recorded_tokens = set(
            Donation.objects.filter(fund=fund, token__in=list(tokens.values())).values_list(
                "token", flat=True
            )
        )


def _check_donor(row: DonationRow, fund: Fund, records: _Records, reasons):
    """(field, value, kind, label) for the donor, or None with a reason."""
    text = row.donor
    if not text:
        reasons.append(
            _column_error(
                "donor",
                _("enter a household's room, a resident's name or an outside donor's name"),
            )
        )
        return None
    match = ROOM_RE.match(text)
    if match:
        room = match["room"].upper()
        if match["unit"]:
            household = records.by_unit_room.get((int(match["unit"]), room))
            label = f"{int(match['unit'])}单元{room}"
        else:
            found = records.by_room.get(room, [])
            if len(found) > 1:
                example = household_label(found[0])
                reasons.append(
                    _column_error(
                        "donor",
                        _("room %(room)s is in several units; write it as %(example)s")
                        % {"room": room, "example": example},
                    )
                )
                return None
            household = found[0] if found else None
            label = room
        if household is None:
            if fund.unit_id:
                message = _("no household %(room)s in this unit")
            else:
                message = _("no household %(room)s in this building")
            reasons.append(_column_error("donor", message % {"room": label}))
            return None
        return "donor_household", household, DONOR_HOUSEHOLD, str(household)
    residents = records.residents.get(text, [])
    if len(residents) > 1:
        reasons.append(
            _column_error(
                "donor",
                _(
                    "%(count)d residents called %(name)s live in this community; record "
                    "this donation on the fund's page, where you can choose the resident"
                )
                % {"count": len(residents), "name": text},
            )
        )
        return None
    if residents:
        return "donor_resident", residents[0], DONOR_RESIDENT, text
    reasons.extend(importing._field_errors(Donation, "donor_name", text, "捐款人"))
    return "donor_name", text, DONOR_OUTSIDE, text


def _check_raiser(row: DonationRow, records: _Records, reasons) -> Resident | None:
    if not row.raised_by:
        return None
    name = row.raised_by
    candidates = records.residents.get(name, [])
    members = [resident for resident in candidates if resident.is_party_member]
    if len(members) == 1:
        return members[0]
    if len(members) > 1:
        message = _(
            "%(count)d Party members called %(name)s live in this community; record "
            "this donation on the fund's page, where you can choose the Party member"
        ) % {"count": len(members), "name": name}
    elif candidates:
        message = _("%(name)s is not a Party member") % {"name": name}
    else:
        message = _("no Party member called %(name)s lives in this community") % {"name": name}
    reasons.append(_column_error("raised_by", message))
    return None


def _check_row(row, fund, records, receipt_rows, reasons):
    """The donation fields of ``row``, with every reason it is refused in ``reasons``."""
    date = _parse_date(row.date, reasons)
    donor = _check_donor(row, fund, records, reasons)

    kind = Donation.Kind.MONEY
    if row.kind:
        kind = KIND_BY_TEXT.get(row.kind.lower())
        if kind is None:
            reasons.append(_column_error("kind", _("use 现金, 出工 or 物品")))

    amount = None
    try:
        amount = parse_amount(row.amount)
    except ValidationError as exc:
        reasons.extend(_column_error("amount", message) for message in exc.messages)
    else:
        if amount is None and kind == Donation.Kind.MONEY:
            reasons.append(_column_error("amount", _("enter the amount of money")))

    description = row.description
    if kind in (Donation.Kind.LABOUR, Donation.Kind.GOODS) and not description:
        reasons.append(_column_error("description", _("say what labour or goods were given")))
    reasons.extend(importing._field_errors(Donation, "description", description, "说明"))

    raised_by = _check_raiser(row, records, reasons)

    receipt = row.receipt_no
    if receipt:
        reasons.extend(importing._field_errors(Donation, "receipt_no", receipt, "收据号"))
        if receipt in receipt_rows:
            reasons.append(
                _column_error(
                    "receipt_no",
                    _("%(receipt)s already appears in row %(row)d")
                    % {"receipt": receipt, "row": receipt_rows[receipt]},
                )
            )
        else:
            receipt_rows[receipt] = row.number

    if row.reversal:
        reasons.append(
            _column_error(
                "reversal",
                _("a reversal cannot be imported; reverse the donation on the fund's page"),
            )
        )

    if reasons:
        return None
    field_name, donor_value, donor_kind, donor_label = donor
    data = {
        "date": date,
        "kind": kind,
        "description": description,
        "amount": amount,
        "raised_by": raised_by,
        "receipt_no": receipt,
        field_name: donor_value,
    }
    return data, donor_kind, donor_label


def _editable_fund(fund: Fund, user) -> Fund:
    editable = (
        Fund.objects.editable_by(user)
        .select_related("building", "unit__building")
        .filter(pk=fund.pk)
        .first()
    )
    if editable is None:
        raise PermissionDenied
    return editable


def plan_donations(
    *, fund: Fund, rows: list[DonationRow], user, upload_id: str = ""
) -> DonationPlan:
    """Check every row against ``fund`` as ``user`` records it; plan the donations.

    ``user`` must edit the fund (else PermissionDenied). A donor matching a room is that
    household of the fund's unit (or building) -- a room that matches none is an error,
    never another unit's or community's household; otherwise a name matching exactly one
    resident of the community whom ``user`` sees is that resident; otherwise it is an
    outside donor's name. With ``upload_id`` (the stored upload's token) each row gets
    its form token, and rows recorded by applying the same upload before are marked
    ``recorded`` instead of refused. A fixed number of queries whatever the row count.
    """
    fund = _editable_fund(fund, user)
    plan = DonationPlan(fund=fund, rows=list(rows), upload_id=upload_id)
    if not fund.is_open:
        plan.fund_errors.append(_("This fund is closed."))
    tokens = {
        row.number: row_token(fund=fund, upload_id=upload_id, row=row.number)
        for row in plan.rows
        if upload_id
    }
    records = _Records(fund, plan.rows, user, tokens)

    receipt_rows: dict[str, int] = {}
    for row in plan.rows:
        reasons: list[str] = []
        checked = _check_row(row, fund, records, receipt_rows, reasons)
        token = tokens.get(row.number)
        recorded = token in records.recorded_tokens
        if row.receipt_no in records.receipts and not recorded:
            reasons.append(
                _column_error(
                    "receipt_no",
                    _("%(receipt)s is already recorded in this fund") % {"receipt": row.receipt_no},
                )
            )
        if reasons:
            plan.errors.append(RowError(row.number, reasons))
            continue
        data, donor_kind, donor_label = checked
        plan.entries.append(
            PlannedDonation(row.number, data, token, donor_kind, donor_label, recorded)
        )
    return plan


@transaction.atomic
def apply_donations(*, fund: Fund, plan: DonationPlan, user) -> DonationPlan:
    """Record every row of ``plan`` in ``fund`` as ``user``: all rows or none.

    Invariant: the rows are planned again inside this transaction (the preview's plan
    may be stale), with the fund row locked so that two imports into one fund queue up;
    any error raises DonationsInvalid and nothing is recorded. Each row is recorded
    through ``services.donation_record`` with a token derived from the upload and the
    row, so applying the same upload again records nothing twice. Returns the new plan,
    with ``recorded_now`` the number of donations this call created.
    """
    if not importing.TOKEN_RE.fullmatch(plan.upload_id or ""):
        raise ValueError("apply_donations needs the stored upload's token as plan.upload_id")
    Fund.objects.select_for_update().filter(pk=fund.pk).values_list("pk", flat=True).first()
    fresh = plan_donations(fund=fund, rows=plan.rows, user=user, upload_id=plan.upload_id)
    if not fresh.is_valid:
        raise DonationsInvalid(fresh)
    for entry in fresh.new_entries:
        try:
            _donation, created = services.donation_record(
                fund=fresh.fund, data=entry.data, token=entry.token, by=user
            )
        except ValidationError as exc:
            fresh.errors.append(RowError(entry.row, exc.messages))
            raise DonationsInvalid(fresh) from exc
        fresh.recorded_now += int(created)
    return fresh
