"""The dashboards: a district's communities, a community's buildings, a building's units.

Who may open them: district officials (their district), community secretaries (their own
community) and superusers; other roles get 403 and a community or building outside the
user's dashboard communities is a 404. Every figure obeys the filter
(``forms.DashboardFilterForm``); the trends cover the twelve months up to the end of the
chosen period. Figures come from ``corridor_portal.dashboard`` (grouped database
aggregates): the number of queries does not depend on the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.functions import Length
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from buildings.models import Building
from communities.models import Community
from corridor_portal import charts, dashboard, dashboard_sheets
from corridor_portal.forms import DashboardFilterForm
from exhibits.models import Corridor, Exhibit

# Sorting the table: a whitelist of keys; ``None`` values (no target, no households, no
# turns due) go last in both directions; equal values keep the natural order.

RAG_RANK = {dashboard.RAG_GREEN: 0, dashboard.RAG_AMBER: 1, dashboard.RAG_RED: 2}

SORT_KEYS = {
    "name": lambda row: row.position,
    "rag": lambda row: RAG_RANK[row.rag],
    "target": lambda row: row.figures.target_share,
    "certified": lambda row: row.figures.certified,
    "corridors": lambda row: row.figures.corridor_total,
    "approved": lambda row: row.figures.approved_total,
    "participation": lambda row: row.figures.participation,
    "raised": lambda row: row.figures.raised,
    "spent": lambda row: row.figures.spent,
    "duty": lambda row: row.figures.duty_rate,
    "suggestions": lambda row: row.figures.suggestions,
    "visits": lambda row: row.figures.visits,
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True
    descending_first: bool | None = None  # the first click's direction; numbers: biggest first

    @property
    def first_descending(self) -> bool:
        return self.numeric if self.descending_first is None else self.descending_first


COLUMNS = {
    "community": [
        Column("name", _("Community"), numeric=False),
        Column("rag", _("Status"), numeric=False, descending_first=True),
        Column("target", _("Civilized corridors / target")),
        Column("corridors", _("Corridors")),
        Column("approved", _("Exhibits approved")),
        Column("participation", _("Households taking part")),
        Column("raised", _("Raised (yuan)")),
        Column("spent", _("Spent (yuan)")),
        Column("duty", _("Duty turns done")),
        Column("suggestions", _("Suggestions")),
        Column("visits", _("Guidance visits")),
    ],
    "building": [
        Column("name", _("Building"), numeric=False),
        Column("certified", _("Civilized corridors")),
        Column("corridors", _("Corridors")),
        Column("approved", _("Exhibits approved")),
        Column("participation", _("Households taking part")),
        Column("raised", _("Raised (yuan)")),
        Column("spent", _("Spent (yuan)")),
        Column("duty", _("Duty turns done")),
        Column("suggestions", _("Suggestions")),
    ],
    "unit": [
        Column("name", _("Unit"), numeric=False),
        Column("corridors", _("Corridor")),
        Column("approved", _("Exhibits approved")),
        Column("participation", _("Households taking part")),
        Column("raised", _("Raised (yuan)")),
        Column("spent", _("Spent (yuan)")),
        Column("duty", _("Duty turns done")),
    ],
}


@dataclass
class Row:
    """One line of the table: a community, building or unit with its figures."""

    obj: object
    figures: dashboard.Figures
    position: int
    rag: str = dashboard.RAG_GREEN
    reasons: tuple = ()
    url: str = ""
    corridor_status: str | None = None  # a unit's corridor, by its status label


def parse_sort(value: str | None, level: str) -> tuple[str, bool]:
    """``(key, descending)`` from ``?sort=key`` or ``?sort=-key``; unknown keys sort by name."""
    value = value or ""
    descending = value.startswith("-")
    key = value.lstrip("-")
    allowed = {column.key for column in COLUMNS[level]}
    if key not in allowed:
        return "name", False
    return key, descending


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Stable: rows with equal values stay in their natural order; missing values last."""
    value_of = SORT_KEYS[key]
    known = [row for row in rows if value_of(row) is not None]
    missing = [row for row in rows if value_of(row) is None]
    return sorted(known, key=value_of, reverse=descending) + missing


def _query(params: dict) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


class DashboardMixin(LoginRequiredMixin):
    """The filter, the table's rows (sorted, paginated), the headline and the trends."""

    level = "community"
    parent_level: str | None = None  # the level of the page's own object, if any

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not dashboard.may_use_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    # The filter

    def get_form(self):
        user = self.request.user
        form = DashboardFilterForm(
            self.request.GET or None,
            user=user,
            communities=dashboard.dashboard_communities(user).order_by("name", "pk"),
        )
        if self.level != "community":
            del form.fields["community"]
        return form

    def filter_params(self, form) -> dict:
        """The valid filter values, to carry in links (drill-down, sorting, export)."""
        if not form.is_bound or not form.is_valid():
            return {}
        data = form.cleaned_data
        params = {}
        for name in ("start", "end"):
            if self.request.GET.get(name):
                params[name] = data[name].isoformat()
        community = data.get("community")
        if community is not None:
            params["community"] = community.pk
        return params

    # The rows

    def get_within(self, form):
        raise NotImplementedError

    def row_url(self, obj, period_query: str) -> str:
        return ""

    def build_rows(self, user, within, period) -> tuple[list[Row], dashboard.Figures]:
        result = dashboard.compute(user, level=self.level, within=within, period=period)
        rows = []
        for position, obj in enumerate(result["objects"]):
            row = Row(obj=obj, figures=obj.figures, position=position)
            if self.level == "community":
                row.rag, reasons = dashboard.rag(obj.figures)
                row.reasons = tuple(reasons)
            elif self.level == "unit":
                row.corridor_status = next(
                    (
                        label
                        for value, label in Corridor.Status.choices
                        if obj.figures.corridors[value]
                    ),
                    None,
                )
            rows.append(row)
        return rows, result["total"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.get_form()
        period = form.period()
        params = self.filter_params(form)
        period_query = _query({k: v for k, v in params.items() if k != "community"})
        within = self.get_within(form)
        rows, total = self.build_rows(user, within, period)
        for row in rows:
            row.url = self.row_url(row.obj, period_query)
        sort, descending = parse_sort(self.request.GET.get("sort"), self.level)
        sort_value = f"{'-' if descending else ''}{sort}"
        rows = sort_rows(rows, sort, descending)
        page = Paginator(rows, settings.PAGE_SIZE).get_page(self.request.GET.get("page"))
        headline = self.get_headline(total, period)
        series = dashboard.trends(
            user, level=self.trend_level(), within=self.trend_within(within), today=period.end
        )
        context.update(
            {
                "level": self.level,
                "form": form,
                "period": period,
                "params": params,
                "period_query": period_query,
                "page_obj": page,
                "rows": page.object_list,
                "row_count": len(rows),
                "headline": headline,
                "table_total": total,
                "corridor_statuses": [
                    (label, headline.corridors.get(value, 0))
                    for value, label in Corridor.Status.choices
                ],
                "approved_kinds": [
                    (label, headline.approved[value])
                    for value, label in Exhibit.Kind.choices
                    if headline.approved.get(value)
                ],
                "columns": self.header(sort, descending, params),
                "sort": sort,
                "descending": descending,
                "sort_choices": self.sort_choices(),
                "sort_value": sort_value,
                # the filter and the sort, for the pages and the export
                "query_string": _query(
                    params | {"sort": "" if sort_value == "name" else sort_value}
                ),
                "series": series,
                "charts": [
                    charts.bar_chart(series, "approved", title=_("Exhibits approved")),
                    charts.bar_chart(series, "raised", title=_("Money raised (yuan)"), decimals=2),
                    charts.bar_chart(series, "done", title=_("Duty turns done")),
                ],
                "trend_start": series[0]["month"] if series else None,
                "trend_end": series[-1]["month"] if series else None,
            }
        )
        return context

    def get_headline(self, total, period):
        return total

    def trend_level(self) -> str:
        return self.parent_level or self.level

    def trend_within(self, within):
        return within

    # The table's header: each column a link that sorts by it, keeping the filter

    def header(self, sort: str, descending: bool, params: dict) -> list[dict]:
        columns = []
        for column in COLUMNS[self.level]:
            active = column.key == sort
            next_descending = (not descending) if active else column.first_descending
            value = f"{'-' if next_descending else ''}{column.key}"
            columns.append(
                {
                    "key": column.key,
                    "label": column.label,
                    "numeric": column.numeric,
                    "url": "?" + _query(params | {"sort": value}),
                    "active": active,
                    "aria_sort": (
                        ("descending" if descending else "ascending") if active else None
                    ),
                }
            )
        return columns

    def sort_choices(self) -> list[tuple[str, str]]:
        """For the sort menu that phones show instead of the header."""
        choices = []
        for column in COLUMNS[self.level]:
            sign = "-" if column.first_descending else ""
            choices.append((f"{sign}{column.key}", column.label))
        return choices


class DistrictDashboardView(DashboardMixin, TemplateView):
    """The communities of the user's district (a secretary: their own community)."""

    template_name = "dashboard/district.html"
    level = "community"

    def get_within(self, form):
        communities = dashboard.dashboard_communities(self.request.user).select_related("district")
        chosen = form.chosen_community()
        if chosen is not None:
            communities = communities.filter(pk=chosen.pk)
        return communities.order_by("name", "pk")

    def row_url(self, obj, period_query):
        url = reverse("dashboard:community", args=[obj.pk])
        return f"{url}?{period_query}" if period_query else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["page_obj"].paginator.object_list
        context["community_count"] = len(rows)
        context["pilots"] = [row.obj for row in rows if row.obj.is_pilot]
        context["districts"] = sorted({row.obj.district.name for row in rows})
        query = "?" + context["query_string"] if context["query_string"] else ""
        context["export_url"] = reverse("dashboard:export") + query
        context["report_url"] = reverse("dashboard:report") + query
        return context


class CommunityDashboardView(DashboardMixin, TemplateView):
    """The buildings of one community, with the community's figures as the headline."""

    template_name = "dashboard/community.html"
    level = "building"
    parent_level = "community"

    def get_community(self):
        community = (
            dashboard.dashboard_communities(self.request.user)
            .select_related("district")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if community is None:
            raise Http404
        return community

    def get(self, request, *args, **kwargs):
        self.community = self.get_community()
        return super().get(request, *args, **kwargs)

    def get_within(self, form):
        return (
            Building.objects.visible_to(self.request.user)
            .filter(community=self.community)
            .order_by("compound", Length("number"), "number", "pk")
        )

    def row_url(self, obj, period_query):
        url = reverse("dashboard:building", args=[obj.pk])
        return f"{url}?{period_query}" if period_query else url

    def get_headline(self, total, period):
        return dashboard.headline(
            self.request.user, level="community", obj=self.community, total=total, period=period
        )

    def trend_within(self, within):
        return Community.objects.filter(pk=self.community.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["community"] = self.community
        context["rag"], context["reasons"] = dashboard.rag(context["headline"])
        return context


class BuildingDashboardView(DashboardMixin, TemplateView):
    """The units of one building, with the building's figures as the headline."""

    template_name = "dashboard/building.html"
    level = "unit"
    parent_level = "building"

    def get_building(self):
        building = (
            Building.objects.visible_to(self.request.user)
            .filter(
                pk=self.kwargs["pk"],
                community__in=dashboard.dashboard_communities(self.request.user),
            )
            .select_related("community")
            .first()
        )
        if building is None:
            raise Http404
        return building

    def get(self, request, *args, **kwargs):
        self.building = self.get_building()
        return super().get(request, *args, **kwargs)

    def get_within(self, form):
        return dashboard.scoped_rows(self.request.user, "unit", self.building).order_by(
            "number", "pk"
        )

    def get_headline(self, total, period):
        return dashboard.headline(
            self.request.user, level="building", obj=self.building, total=total, period=period
        )

    def trend_within(self, within):
        return Building.objects.filter(pk=self.building.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["building"] = self.building
        context["community"] = self.building.community
        return context


@require_GET
@login_required
def dashboard_export(request):
    """The district dashboard's table as an .xlsx workbook, under the same filter and sort."""
    if not dashboard.may_use_dashboard(request.user):
        raise PermissionDenied
    view = DistrictDashboardView()
    view.setup(request)
    form = view.get_form()
    period = form.period()
    rows, total = view.build_rows(request.user, view.get_within(form), period)
    sort, descending = parse_sort(request.GET.get("sort"), view.level)
    rows = sort_rows(rows, sort, descending)
    content = dashboard_sheets.export_communities(rows, total=total, period=period)
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=dashboard_sheets.export_filename(period),
        content_type=dashboard_sheets.XLSX_CONTENT_TYPE,
    )
