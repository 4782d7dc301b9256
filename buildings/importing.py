"""The roster spreadsheet a community secretary keeps: one row per resident.

Layout: row 1 holds the headers (matched by text, so columns may come in any order),
every further row one resident -- or one household without residents, with an empty
name. The layout is a file format shared with people who keep it in Excel, so its
headers and its occupancy and yes/no words are fixed Chinese whatever the UI language.

Reading goes in three steps, each of which may refuse the file:

``RosterUploadForm``  the upload: extension and size;
``read_roster``       the workbook: a readable .xlsx whose first row names the required
                      columns, within ``IMPORT_MAX_ROWS``; gives ``RosterRow`` values;
``plan_roster``       every row against the community's records, loaded once (a fixed
                      number of queries whatever the number of rows); gives a
                      ``RosterPlan``: the errors, or the changes an import would make.

``buildings.services.roster_import_apply`` builds the plan again inside its transaction
and applies it. ``write_roster`` writes the same layout for an export.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from buildings.forms import EARLIEST_BIRTH_YEAR
from buildings.models import Building, Household, Resident, ResidentTag, Unit
from communities import scoping

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Uploads waiting for confirmation live in media storage under this folder, named by a
# random token; the token is all a confirm request carries, so it is checked strictly.
UPLOAD_DIR = "imports"
TOKEN_RE = re.compile(r"[0-9a-f]{32}")

# A 5 MB .xlsx that inflates to gigabytes is a zip bomb, not a roster: real rosters
# compress about tenfold.
MAX_INFLATION = 20

# The preview lists this many changes and the error page this many rows; the counts
# above them are always complete.
DISPLAY_LIMIT = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    description: str
    # Other headers that name the column (compared as ``header_key`` compares them).
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("compound", "小区", 16, True, gettext_lazy("compound, e.g. 清福二区")),
    Column("building", "楼号", 8, True, gettext_lazy("building number, e.g. 15")),
    Column("unit", "单元", 8, True, gettext_lazy("unit number, e.g. 6")),
    Column("room", "房号", 8, True, gettext_lazy("room number, e.g. 301")),
    Column(
        "occupancy",
        "居住状态",
        10,
        False,
        gettext_lazy("自住, 出租, 空置 or 商铺 (or owner, rented, vacant, shop)"),
    ),
    Column(
        "name",
        "姓名",
        12,
        True,
        gettext_lazy("the resident's full name; empty for a household without residents"),
    ),
    Column("phone", "电话", 16, False, gettext_lazy("mobile or landline number")),
    Column("party", "党员", 8, False, gettext_lazy("是 or 否 (empty means 否)")),
    Column("tags", "标签", 30, False, gettext_lazy("tag names separated by 、 or a comma")),
    Column(
        "birth_year",
        "出生年份",
        10,
        False,
        gettext_lazy("year of birth, e.g. 1948 (or empty)"),
        aliases=("出生年", "year of birth", "birth year"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

OCCUPANCY_LABELS = {
    Household.Occupancy.OWNER: "自住",
    Household.Occupancy.RENTED: "出租",
    Household.Occupancy.VACANT: "空置",
    Household.Occupancy.SHOP: "商铺",
}
OCCUPANCY_BY_TEXT = {label: code for code, label in OCCUPANCY_LABELS.items()} | {
    code.value: code for code in Household.Occupancy
}
YES, NO = "是", "否"
PARTY_BY_TEXT = dict.fromkeys([YES, "yes", "y", "1", "true"], True) | dict.fromkeys(
    [NO, "no", "n", "0", "false", ""], False
)
TAG_SEPARATORS = re.compile(r"[、,，;；]")


class SheetFileError(Exception):
    """An upload cannot be read as the expected spreadsheet; ``messages`` say why."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)


class RosterFileError(SheetFileError):
    """The upload cannot be read as a roster."""


class RosterInvalid(Exception):
    """The rows do not fit the community's records; ``plan.errors`` lists them by row."""

    def __init__(self, plan: RosterPlan):
        super().__init__(f"{len(plan.errors)} rows with errors")
        self.plan = plan


# The upload


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}", "class": "form-control"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _("Upload an Excel workbook ending in .xlsx (Excel 2007 or later)."),
                code="extension",
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; files up to %(limit)s are accepted.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
                },
                code="size",
            )
        return upload


# Reading the workbook


@dataclass(frozen=True)
class RosterRow:
    """One spreadsheet row as text; ``None`` means the file has no such column."""

    number: int
    compound: str
    building: str
    unit: str
    room: str
    name: str
    occupancy: str | None = None
    phone: str | None = None
    party: str | None = None
    tags: str | None = None
    birth_year: str | None = None


def cell_text(value) -> str:
    """A cell as the text a person sees: 13900001234.0 (a number cell) is "13900001234"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def header_key(value) -> str:
    """A header cell as compared: no spaces, lower case, full-width parentheses."""
    return "".join(cell_text(value).split()).lower().replace("(", "（").replace(")", "）")


HEADER_KEYS = (
    {column.header: column.key for column in COLUMNS}
    | {column.key: column.key for column in COLUMNS}
    | {header_key(alias): column.key for column in COLUMNS for alias in column.aliases}
)


def match_header(header, *, columns, header_keys, error=SheetFileError) -> dict[str, int]:
    """Where each known column stands in the header row; ``error`` lists what is wrong."""
    by_key = {column.key: column for column in columns}
    positions: dict[str, int] = {}
    messages = []
    for index, value in enumerate(header):
        key = header_keys.get(header_key(value))
        if key is None:
            continue  # other columns (notes and the like) are ignored
        if key in positions:
            messages.append(
                _("The column %(column)s appears twice in the first row.")
                % {"column": by_key[key].header}
            )
        positions[key] = index
    missing = [
        column.header for column in columns if column.required and column.key not in positions
    ]
    if missing:
        messages.insert(
            0,
            _("The first row must hold the column headers; missing: %(columns)s.")
            % {"columns": "、".join(missing)},
        )
    if messages:
        raise error(*messages)
    return positions


def _read_sheet(sheet, max_rows: int) -> list[RosterRow]:
    rows = sheet.iter_rows(values_only=True)
    positions = match_header(
        next(rows, ()), columns=COLUMNS, header_keys=HEADER_KEYS, error=RosterFileError
    )
    width = max(positions.values()) + 1
    result = []
    # read-only sheets fill in missing rows, so the count matches Excel's row numbers
    for number, values in enumerate(rows, start=2):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        texts = {key: cell_text(values[index]) for key, index in positions.items()}
        if not any(texts.values()):
            continue
        if len(result) >= max_rows:
            raise RosterFileError(
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": max_rows}
            )
        result.append(RosterRow(number=number, **texts))
    if not result:
        raise RosterFileError(_("The file has no rows below the header row."))
    return result


def read_workbook(file: IO[bytes], read_sheet, *, error=SheetFileError, sheet_name=None):
    """``read_sheet`` applied to one sheet of an .xlsx upload (``sheet_name`` if the
    workbook has it, else the first); ``error`` with a clear message when the file is no
    readable workbook, or inflates to far more than the upload limit (a zip bomb)."""
    not_xlsx = _(
        "The file could not be read as an Excel .xlsx workbook. Save it from Excel as "
        "“Excel Workbook (.xlsx)”, without a password, and upload it again."
    )
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise error(not_xlsx) from exc
    if inflated > MAX_INFLATION * settings.IMPORT_MAX_BYTES:
        raise error(not_xlsx)
    file.seek(0)
    try:
        # openpyxl warns about parts it drops (data validation, default styles) from
        # files other programs wrote; those parts do not matter here.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?$")
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise error(not_xlsx)
                if sheet_name in workbook.sheetnames:
                    return read_sheet(workbook[sheet_name])
                return read_sheet(workbook.worksheets[0])
            finally:
                workbook.close()
    except SheetFileError:
        raise
    except Exception as exc:
        # A damaged or foreign workbook makes openpyxl raise almost anything (KeyError,
        # ValueError, XML parse errors...): for the person it is all "not a workbook".
        logger.info("spreadsheet upload unreadable: %r", exc)
        raise error(not_xlsx) from exc


def read_roster(file: IO[bytes], *, max_rows: int | None = None) -> list[RosterRow]:
    """The rows of the first sheet of an .xlsx file; RosterFileError when it cannot be read."""
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    return read_workbook(file, lambda sheet: _read_sheet(sheet, max_rows), error=RosterFileError)


# Checking the rows against the records


@dataclass
class RowError:
    row: int
    reasons: list[str]

    def __str__(self):
        return _("Row %(row)d: %(reason)s") % {"row": self.row, "reason": "; ".join(self.reasons)}


@dataclass
class Change:
    """One line of the preview: what a row does, with (field, old, new) details."""

    row: int
    kind: str
    subject: str
    details: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class NewResident:
    resident: Resident
    tag_ids: frozenset[int]


@dataclass
class ChangedResident:
    resident: Resident
    tag_ids: frozenset[int] | None  # None: the tags stay as they are


@dataclass
class RosterPlan:
    """What importing ``rows`` into ``community`` would do, or why it may not."""

    community: object
    rows: list[RosterRow]
    errors: list[RowError] = field(default_factory=list)
    new_households: list[Household] = field(default_factory=list)
    changed_households: list[Household] = field(default_factory=list)
    new_residents: list[NewResident] = field(default_factory=list)
    changed_residents: list[ChangedResident] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unit_ids: set[int] = field(default_factory=set)
    unchanged: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(
            self.new_households
            or self.changed_households
            or self.new_residents
            or self.changed_residents
        )

    @property
    def summary(self) -> dict[str, int]:
        return {
            "households_created": len(self.new_households),
            "households_changed": len(self.changed_households),
            "residents_created": len(self.new_residents),
            "residents_changed": len(self.changed_residents),
            "unchanged": self.unchanged,
        }


@dataclass
class _Checked:
    """A row whose building, unit and values passed the first checks."""

    source: RosterRow
    unit: Unit
    room: str
    name: str
    occupancy: str | None
    phone: str | None
    party: bool | None
    tag_ids: frozenset[int] | None
    # Whether the file has a year-of-birth column; when it has, the year (None: empty).
    birth_year_given: bool = False
    birth_year: int | None = None


@dataclass
class _HouseholdState:
    unit: Unit
    room: str
    existing: Household | None
    first_row: int
    occupancy: str | None = None
    occupancy_row: int = 0
    instance: Household | None = None

    @property
    def final_occupancy(self) -> str:
        if self.occupancy:
            return self.occupancy
        return self.existing.occupancy if self.existing else Household.Occupancy.OWNER


def _strip_suffix(text: str, *suffixes: str) -> str:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def _field_errors(model, name: str, value, header: str) -> list[str]:
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError as exc:
        return [
            _("%(column)s: %(error)s") % {"column": header, "error": message}
            for message in exc.messages
        ]
    return []


def _tags_text(tag_ids, tag_names) -> str:
    return "、".join(sorted(tag_names[tag_id] for tag_id in tag_ids))


def _year_text(value: int | None) -> str:
    return "" if value is None else str(value)


def _party_text(value: bool) -> str:
    """For the preview, in the UI language (the file itself always says 是 or 否)."""
    return _("yes") if value else _("no")


def may_import(user, community) -> bool:
    """Secretaries and cadres of ``community`` (cadres for their section's rows) and superusers."""
    community_ids = scoping.writable_community_ids(user, Resident)
    return community_ids is None or community.pk in community_ids


def plan_roster(*, community, rows: list[RosterRow], user) -> RosterPlan:
    """Check every row against ``community`` as ``user`` may change it; plan the changes.

    Households are matched by (unit, room), residents by (household, name); residents
    missing from the file are left alone. A row is an error when its building is not
    one of the community's that ``user`` may edit. The queries are a fixed number: the
    community's buildings, the editable ones, units, tags, then the households,
    residents and tag links of the units the file names.
    """
    plan = RosterPlan(community=community, rows=list(rows))
    buildings = list(Building.objects.filter(community=community))
    building_by_key = {(b.compound, b.number): b for b in buildings}
    building_by_id = {b.pk: b for b in buildings}
    editable_ids = set(
        Building.objects.editable_by(user).filter(community=community).values_list("pk", flat=True)
    )
    unit_by_key = {}
    for unit in Unit.objects.filter(building__community=community):
        unit.building = building_by_id[unit.building_id]
        unit_by_key[(unit.building_id, unit.number)] = unit
    tags = list(ResidentTag.objects.all())
    tag_by_name = {tag.name: tag for tag in tags}
    tag_names = {tag.pk: tag.name for tag in tags}

    errors: dict[int, list[str]] = defaultdict(list)
    checked: list[_Checked] = []
    seen_residents: dict[tuple, int] = {}
    for row in plan.rows:
        reasons = errors[row.number]
        unit = _check_place(row, building_by_key, editable_ids, unit_by_key, reasons)
        room = _strip_suffix(row.room, "室").upper()
        reasons += _field_errors(Household, "room", room, COLUMN_BY_KEY["room"].header)
        values = _check_values(row, tag_by_name, reasons)
        if row.name:
            unit_text = _strip_suffix(row.unit, "单元")
            key = (row.compound, _building_number(row.building), unit_text, room, row.name)
            if key in seen_residents:
                reasons.append(_("the same resident as row %(row)d") % {"row": seen_residents[key]})
            else:
                seen_residents[key] = row.number
        if not reasons and unit is not None:
            checked.append(_Checked(row, unit, room, row.name, *values))

    plan.unit_ids = {item.unit.pk for item in checked}
    _plan_changes(plan, checked, errors, tag_names)
    plan.errors = [RowError(number, reasons) for number, reasons in errors.items() if reasons]
    plan.errors.sort(key=lambda error: error.row)
    return plan


def _building_number(text: str) -> str:
    return _strip_suffix(text, "号楼", "号", "栋")


def _check_place(row, building_by_key, editable_ids, unit_by_key, reasons) -> Unit | None:
    if not row.compound or not row.building:
        reasons.append(_("the compound (小区) and the building number (楼号) are required"))
        return None
    building = building_by_key.get((row.compound, _building_number(row.building)))
    if building is None:
        reasons.append(
            _("this community has no building %(building)s")
            % {"building": f"{row.compound} {row.building}"}
        )
        return None
    if building.pk not in editable_ids:
        reasons.append(_("building %(building)s is outside your section") % {"building": building})
        return None
    unit_text = _strip_suffix(row.unit, "单元")
    if not unit_text.isdigit():
        reasons.append(_("%(column)s: enter the unit number") % {"column": "单元"})
        return None
    unit = unit_by_key.get((building.pk, int(unit_text)))
    if unit is None:
        reasons.append(
            _("building %(building)s has no unit %(unit)s")
            % {"building": building, "unit": unit_text}
        )
    return unit


def _check_values(row, tag_by_name, reasons):
    occupancy = None
    if row.occupancy:
        occupancy = OCCUPANCY_BY_TEXT.get(row.occupancy.lower())
        if occupancy is None:
            reasons.append(
                _("%(column)s: use %(choices)s")
                % {"column": "居住状态", "choices": "、".join(OCCUPANCY_LABELS.values())}
            )
    if row.name:
        reasons += _field_errors(Resident, "name", row.name, "姓名")
    phone = None
    if row.phone is not None:
        phone = "".join(row.phone.split())
        reasons += _field_errors(Resident, "phone", phone, "电话")
    party = None
    if row.party is not None:
        party = PARTY_BY_TEXT.get(row.party.lower())
        if party is None:
            reasons.append(_("%(column)s: use 是 or 否") % {"column": "党员"})
    tag_ids = None
    if row.tags is not None:
        names = [name.strip() for name in TAG_SEPARATORS.split(row.tags) if name.strip()]
        unknown = [name for name in names if name not in tag_by_name]
        if unknown:
            reasons.append(
                _("%(column)s: no such tag %(tags)s")
                % {"column": "标签", "tags": "、".join(unknown)}
            )
        tag_ids = frozenset(tag_by_name[name].pk for name in names if name in tag_by_name)
    birth_year_given = row.birth_year is not None
    birth_year = _check_birth_year(row.birth_year, reasons) if birth_year_given else None
    if not row.name and (phone or party or tag_ids):
        reasons.append(_("a row without a name may not give a phone, Party membership or tags"))
    if not row.name and birth_year:
        reasons.append(_("a row without a name may not give a year of birth"))
    return occupancy, phone, party, tag_ids, birth_year_given, birth_year


def _check_birth_year(text: str, reasons: list[str]) -> int | None:
    """The year in ``text`` ("1948", "1948年", full-width "１９４８"), None for an empty cell;
    a reason when it is no year from 1900 to the current year."""
    text = _strip_suffix(unicodedata.normalize("NFKC", text).strip(), "年")
    if not text:
        return None
    latest = timezone.localdate().year
    if len(text) == 4 and text.isascii() and text.isdigit():
        year = int(text)
        if EARLIEST_BIRTH_YEAR <= year <= latest:
            return year
    reasons.append(
        _("%(column)s: enter a year from %(first)d to %(last)d")
        % {
            "column": COLUMN_BY_KEY["birth_year"].header,
            "first": EARLIEST_BIRTH_YEAR,
            "last": latest,
        }
    )
    return None


def _plan_changes(plan, checked, errors, tag_names) -> None:
    """Second pass: match households and residents, find conflicts, plan the writes."""
    households = {
        (h.unit_id, h.room.upper()): h for h in Household.objects.filter(unit_id__in=plan.unit_ids)
    }
    residents = defaultdict(list)
    for resident in Resident.objects.filter(household__unit_id__in=plan.unit_ids):
        residents[(resident.household_id, resident.name)].append(resident)
    current_tags = defaultdict(set)
    links = Resident.tags.through.objects.filter(resident__household__unit_id__in=plan.unit_ids)
    for resident_id, tag_id in links.values_list("resident_id", "residenttag_id"):
        current_tags[resident_id].add(tag_id)

    states: dict[tuple[int, str], _HouseholdState] = {}
    for item in checked:
        key = (item.unit.pk, item.room)
        state = states.get(key)
        if state is None:
            state = states[key] = _HouseholdState(
                item.unit, item.room, households.get(key), item.source.number
            )
        if item.occupancy is None:
            continue
        if state.occupancy is None:
            state.occupancy, state.occupancy_row = item.occupancy, item.source.number
        elif state.occupancy != item.occupancy:
            errors[item.source.number].append(
                _("%(column)s differs from row %(row)d for the same household")
                % {"column": "居住状态", "row": state.occupancy_row}
            )

    changed_rows = set()
    for state in states.values():
        if state.existing is None:
            state.instance = Household(unit=state.unit, room=state.room)
            state.instance.occupancy = state.final_occupancy
            plan.new_households.append(state.instance)
            plan.changes.append(
                Change(
                    state.first_row,
                    _("new household"),
                    str(state.instance),
                    [(_("occupancy"), "", state.instance.get_occupancy_display())],
                )
            )
            changed_rows.add(state.first_row)
            continue
        state.instance = state.existing
        state.existing.unit = state.unit
        if state.occupancy and state.occupancy != state.existing.occupancy:
            old = state.existing.get_occupancy_display()
            state.existing.occupancy = state.occupancy
            plan.changed_households.append(state.existing)
            plan.changes.append(
                Change(
                    state.occupancy_row,
                    _("occupancy changed"),
                    str(state.existing),
                    [(_("occupancy"), old, state.existing.get_occupancy_display())],
                )
            )
            changed_rows.add(state.occupancy_row)

    for item in checked:
        if not item.name:
            continue
        state = states[(item.unit.pk, item.room)]
        number = item.source.number
        if state.final_occupancy == Household.Occupancy.VACANT:
            errors[number].append(
                _("household %(household)s is vacant (空置) but the row names a resident")
                % {"household": state.instance}
            )
            continue
        matches = residents.get((state.existing.pk, item.name), []) if state.existing else []
        if len(matches) > 1:
            errors[number].append(
                _(
                    "%(count)d residents called %(name)s live in household %(household)s; "
                    "correct them on the household's page first"
                )
                % {"count": len(matches), "name": item.name, "household": state.instance}
            )
            continue
        subject = f"{item.name} · {state.instance}"
        if not matches:
            resident = Resident(
                household=state.instance,
                name=item.name,
                phone=item.phone or "",
                is_party_member=bool(item.party),
                birth_year=item.birth_year,
            )
            tag_ids = item.tag_ids or frozenset()
            plan.new_residents.append(NewResident(resident, tag_ids))
            details = [
                (_("phone"), "", resident.phone),
                (_("Party member"), "", _party_text(resident.is_party_member)),
                (_("tags"), "", _tags_text(tag_ids, tag_names)),
            ]
            if item.birth_year_given:
                details.append((_("year of birth"), "", _year_text(resident.birth_year)))
            plan.changes.append(Change(number, _("new resident"), subject, details))
            changed_rows.add(number)
            continue
        resident = matches[0]
        details = []
        if item.phone is not None and item.phone != resident.phone:
            details.append((_("phone"), resident.phone, item.phone))
            resident.phone = item.phone
        if item.party is not None and item.party != resident.is_party_member:
            details.append(
                (_("Party member"), _party_text(resident.is_party_member), _party_text(item.party))
            )
            resident.is_party_member = item.party
        if item.birth_year_given and item.birth_year != resident.birth_year:
            details.append(
                (
                    _("year of birth"),
                    _year_text(resident.birth_year),
                    _year_text(item.birth_year),
                )
            )
            resident.birth_year = item.birth_year
        new_tags = None
        old_tags = frozenset(current_tags.get(resident.pk, ()))
        if item.tag_ids is not None and item.tag_ids != old_tags:
            new_tags = item.tag_ids
            details.append(
                (_("tags"), _tags_text(old_tags, tag_names), _tags_text(new_tags, tag_names))
            )
        if details:
            plan.changed_residents.append(ChangedResident(resident, new_tags))
            plan.changes.append(Change(number, _("resident changed"), subject, details))
            changed_rows.add(number)
    plan.changes.sort(key=lambda change: change.row)
    plan.unchanged = len(plan.rows) - len(changed_rows)


# Uploads waiting for confirmation


def upload_name(token: str) -> str:
    if not TOKEN_RE.fullmatch(token or ""):
        raise ValueError("bad roster upload token")
    return f"{UPLOAD_DIR}/{token}.xlsx"


def store_upload(file: IO[bytes]) -> str:
    """Keep an upload in media storage until it is confirmed; returns its token."""
    token = uuid.uuid4().hex
    file.seek(0)
    saved = default_storage.save(upload_name(token), file)
    if saved != upload_name(token):  # storage renamed it: never expected with a fresh uuid
        default_storage.delete(saved)
        raise RuntimeError("roster upload name taken")
    return token


def open_upload(token: str) -> bytes:
    """The stored upload's bytes; ValueError for a malformed token, FileNotFoundError if gone."""
    name = upload_name(token)
    if not default_storage.exists(name):
        raise FileNotFoundError(name)
    with default_storage.open(name, "rb") as stored:
        return stored.read(settings.IMPORT_MAX_BYTES + 1)


def delete_upload(token: str) -> None:
    if TOKEN_RE.fullmatch(token or ""):
        default_storage.delete(upload_name(token))


# Writing the roster


def export_filename(community) -> str:
    return f"roster-{community.code}-{timezone.localdate():%Y%m%d}.xlsx"


def roster_values(*, community, user):
    """The export's rows: the user's visible households of ``community`` with their
    visible residents, in compound, building, unit and room order; a household without
    residents is one row with an empty name. Read in chunks, so memory stays flat."""
    show_phone = scoping.can_see_personal_data(user, community.pk)
    # Left empty for those who may not know it; an empty cell imports as "unchanged".
    show_party = scoping.can_see_party_membership(user, community.pk, community.district_id)
    residents = Resident.objects.visible_to(user).prefetch_related("tags").order_by("name", "pk")
    households = (
        Household.objects.visible_to(user)
        .filter(unit__building__community=community)
        .select_related("unit__building")
        .prefetch_related(Prefetch("residents", queryset=residents))
        .order_by(
            "unit__building__compound", "unit__building__number", "unit__number", "room", "pk"
        )
    )
    for household in households.iterator(chunk_size=1000):
        unit = household.unit
        place = [
            unit.building.compound,
            unit.building.number,
            unit.number,
            household.room,
            OCCUPANCY_LABELS.get(household.occupancy, household.occupancy),
        ]
        people = list(household.residents.all())
        if not people:
            yield [*place, "", "", NO, "", None]
        for resident in people:
            phone = resident.phone if show_phone else resident.masked_phone
            tags = "、".join(sorted(tag.name for tag in resident.tags.all()))
            party = (YES if resident.is_party_member else NO) if show_party else ""
            yield [*place, resident.name, phone, party, tags, resident.birth_year]


# Cells beginning with these would become formulas in a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A string cell that stays a string: never a formula, never an error code."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl makes "=..." a formula and "#N/A" an error
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def write_roster(*, community, user, out: IO[bytes]) -> int:
    """Write ``community``'s roster as ``user`` may see it to the binary file ``out``;
    returns the number of rows written (for the access log)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title="花名册")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for values in roster_values(community=community, user=user):
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
        written += 1
    workbook.save(out)
    return written
