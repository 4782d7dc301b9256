"""Bar charts drawn on the server as SVG: geometry here, markup in templates/dashboard/_chart.html.

A chart is plain data (rectangles, ticks, labels) that the template writes as SVG
attributes, so pages need neither JavaScript nor inline styles, print as they show, and
every value also appears as text (each bar's ``<title>`` and the table beside the chart).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.formats import date_format, number_format

# The drawing's coordinate system (the viewBox); CSS scales it to the page's width.
WIDTH = 360
HEIGHT = 190
LEFT = 44  # room for the value axis labels
RIGHT = 6
TOP = 10
BOTTOM = 34  # room for the month and year labels
TICKS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the short label under the bar: the month's number
    year: str  # the year, under the first bar and under each January
    title: str  # the hover text: month and value
    value: str
    center: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass
class BarChart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def tick_label_x(self) -> int:
        return self.left - 4

    @property
    def month_y(self) -> int:
        return self.bottom + 13

    @property
    def year_y(self) -> int:
        return self.bottom + 27

    @property
    def summary(self) -> str:
        """The chart in words, for ``aria-label``."""
        return f"{self.title}: " + "; ".join(bar.title for bar in self.bars)


def nice_step(maximum: float, ticks: int = TICKS) -> float:
    """A round step (1, 2 or 5 times a power of ten) so that ``ticks`` steps cover
    ``maximum``; whole numbers at least 1."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        step = multiple * power
        if step >= raw:
            return max(step, 1)
    return max(10 * power, 1)  # pragma: no cover - the loop always returns


def _year_shown(months: list, index: int) -> bool:
    """The year goes under each January, and under the first bar unless a January
    follows too closely for both labels to fit."""
    if months[index].month == 1:
        return True
    return index == 0 and all(month.month != 1 for month in months[1:3])


def _format(value, decimals: int) -> str:
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def bar_chart(series: list[dict], key: str, *, title: str, decimals: int = 0) -> BarChart:
    """A bar per month of ``series`` (``dashboard.trends`` rows) for the value at ``key``."""
    chart = BarChart(title=str(title))
    values = [float(row[key]) for row in series]
    step = nice_step(max(values, default=0))
    top_value = step * TICKS
    plot_height = chart.bottom - chart.top
    slot = (chart.right - chart.left) / max(len(series), 1)
    bar_width = slot * 0.7
    for index in range(TICKS + 1):
        value = step * index
        y = chart.bottom - plot_height * value / top_value
        chart.ticks.append(Tick(y=round(y, 1), label=_format(int(value), 0)))
    months = [row["month"] for row in series]
    for index, (row, value) in enumerate(zip(series, values, strict=True)):
        # a month whose reversals outweigh its entries draws no bar; its title and the
        # table beside the chart give the number
        height = plot_height * max(value, 0) / top_value
        x = chart.left + slot * index + (slot - bar_width) / 2
        month = row["month"]
        shown = _format(row[key], decimals)
        month_text = date_format(month, "YEAR_MONTH_FORMAT")
        chart.bars.append(
            Bar(
                x=round(x, 1),
                y=round(chart.bottom - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                label=str(month.month),
                year=str(month.year) if _year_shown(months, index) else "",
                title=f"{month_text}: {shown}",
                value=shown,
                center=round(x + bar_width / 2, 1),
            )
        )
    return chart
