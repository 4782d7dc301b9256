"""The district dashboard's table of communities as an Excel workbook.

One sheet, ``社区``: the first row names the report and its period, the second the columns
(fixed Chinese headers, like the other spreadsheets of the portal: ``buildings.importing``,
``buildings.fund_sheets``), then one row per community in the order the page shows them
and a ``合计`` row. Counts are numbers, money numbers formatted ``#,##0.00``, shares
fractions formatted as percentages, and every text a string cell that is never read as a
formula (the cell helpers of ``buildings.fund_sheets``). The red / amber / green reasons
are written in the language of the request.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from buildings.fund_sheets import XLSX_CONTENT_TYPE, value_cell, workbook_bytes
from buildings.importing import text_cell
from corridor_portal import dashboard
from exhibits.models import Corridor, Exhibit

__all__ = ["XLSX_CONTENT_TYPE", "export_communities", "export_filename"]

SHEET = "社区"
TITLE = "楼道文化阵地工作统计"
TOTAL = "合计"
PERCENT_FORMAT = "0%"

RAG_WORDS = {dashboard.RAG_GREEN: "绿", dashboard.RAG_AMBER: "黄", dashboard.RAG_RED: "红"}
STATUS_WORDS = {
    Corridor.Status.PLANNING: "筹划中",
    Corridor.Status.BUILDING: "建设中",
    Corridor.Status.COMPLETE: "已建成",
    Corridor.Status.CERTIFIED: "文明楼道",
}
KIND_WORDS = {
    Exhibit.Kind.CALLIGRAPHY: "书法",
    Exhibit.Kind.PAINTING: "绘画",
    Exhibit.Kind.PLAQUE: "牌匾",
    Exhibit.Kind.MIRROR_PLAQUE: "镜匾",
    Exhibit.Kind.PHOTO: "图片",
    Exhibit.Kind.POSTER: "海报",
    Exhibit.Kind.LITERARY: "文学作品",
    Exhibit.Kind.PLANTS: "绿植装饰",
    Exhibit.Kind.OTHER: "其他",
}

# (header, width, kind, value of a row's figures); kind: "text", "count", "money", "share".
FIGURE_COLUMNS = (
    ("目标楼道数", 10, "count", lambda f: f.target),
    ("文明楼道", 10, "count", lambda f: f.certified),
    ("目标完成率", 10, "share", lambda f: (f.certified, f.target)),
    ("楼道总数", 10, "count", lambda f: f.corridor_total),
    *(
        (f"{STATUS_WORDS[status]}楼道", 10, "count", lambda f, s=status: f.corridors.get(s, 0))
        for status in (Corridor.Status.PLANNING, Corridor.Status.BUILDING, Corridor.Status.COMPLETE)
    ),
    ("停滞楼道", 10, "count", lambda f: f.stalled),
    ("审定展品", 10, "count", lambda f: f.approved_total),
    *(
        (f"审定{word}", 10, "count", lambda f, k=kind: f.approved.get(k, 0))
        for kind, word in KIND_WORDS.items()
    ),
    ("非空置户数", 10, "count", lambda f: f.households),
    ("参与户数", 10, "count", lambda f: f.participating),
    ("参与率", 10, "share", lambda f: (f.participating, f.households)),
    ("募集（元）", 14, "money", lambda f: f.raised),
    ("出工及物品折价（元）", 14, "money", lambda f: f.in_kind),
    ("支出（元）", 14, "money", lambda f: f.spent),
    ("结余（元）", 14, "money", lambda f: f.balance),
    ("应值班次", 10, "count", lambda f: f.duty_due),
    ("已值班次", 10, "count", lambda f: f.duty_done),
    ("漏值班次", 10, "count", lambda f: f.duty_missed),
    ("未登记班次", 10, "count", lambda f: f.duty_overdue),
    ("值班完成率", 10, "share", lambda f: (f.duty_done, f.duty_due)),
    ("收到建议", 10, "count", lambda f: f.suggestions),
    ("采纳建议", 10, "count", lambda f: f.adopted),
    ("未答复建议", 10, "count", lambda f: f.unanswered),
    ("指导次数", 10, "count", lambda f: f.visits),
    ("未销号问题", 10, "count", lambda f: f.open_problems),
)
HEADERS = (
    ("社区", 16),
    ("试点", 6),
    ("状态", 6),
    ("原因", 36),
    *((header, width) for header, width, _kind, _value in FIGURE_COLUMNS),
)


def export_filename(period: dashboard.Period) -> str:
    return f"dashboard-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"


def _share_cell(sheet, part: int, whole: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=part / whole if whole else None)
    cell.number_format = PERCENT_FORMAT
    return cell


def _figure_cells(sheet, figures: dashboard.Figures) -> list:
    cells = []
    for _header, _width, kind, value in FIGURE_COLUMNS:
        if kind == "share":
            cells.append(_share_cell(sheet, *value(figures)))
        elif kind == "money":
            cells.append(value_cell(sheet, Decimal(value(figures)), money=True))
        else:
            cells.append(value_cell(sheet, value(figures)))
    return cells


def export_communities(rows, *, total: dashboard.Figures, period: dashboard.Period) -> bytes:
    """``rows`` (the dashboard's rows: ``.obj`` a community, ``.figures``, ``.rag``,
    ``.reasons``) and their ``total`` as an .xlsx workbook."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET)
    for index, (_header, width) in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B3"
    bold = Font(bold=True)

    title = text_cell(sheet, TITLE)
    title.font = bold
    sheet.append(
        [
            title,
            text_cell(sheet, f"统计期间：{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"),
        ]
    )
    header = []
    for text, _width in HEADERS:
        cell = text_cell(sheet, text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    for row in rows:
        community = row.obj
        sheet.append(
            [
                text_cell(sheet, community.name),
                text_cell(sheet, "是" if community.is_pilot else ""),
                text_cell(sheet, RAG_WORDS[row.rag]),
                text_cell(sheet, "；".join(str(reason) for reason in row.reasons)),
                *_figure_cells(sheet, row.figures),
            ]
        )
    footer = [text_cell(sheet, TOTAL), None, None, None, *_figure_cells(sheet, total)]
    for cell in footer:
        if cell is not None:
            cell.font = bold
    sheet.append(footer)
    return workbook_bytes(workbook)
