"""The figures of the dashboards and the upward report, from database aggregates only.

Every figure is computed by a grouped query per source table (conditional aggregation),
keyed by the row the table shows -- a community on the district dashboard, a building on a
community's, a unit on a building's -- so the number of queries does not grow with the
number of communities or records. Rows come from ``visible_to(user)``: an official sees
their district, a secretary their community.

Figures and their period (``Period``, both ends included):

- corridors by status, certified against target, stalled: the corridors as they stand now,
  among those started by the end of the period; "stalled" means planning or being built
  with no change for ``DASHBOARD_THRESHOLDS["stalled_days"]`` days;
- exhibits approved (by kind): approvals (transitions to "approved") within the period;
- households that took part: non-vacant households with a donation dated in the period
  that was not reversed, or a duty turn in the period marked done, out of all non-vacant
  households;
- money raised and spent: ledger entries dated in the period, reversals included (a
  reversal cancels its entry in the totals);
- duty completion: turns that ended within the period and before today (done, missed,
  overdue = never marked);
- suggestions received (received in the period), adopted (answered "adopted" in the
  period) and unanswered (new or considered, received more than
  ``DASHBOARD_THRESHOLDS["unanswered_days"]`` days ago);
- guidance visits in the period, and problems still open.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Donation, DutyShift, Expense, Household, Unit
from communities import scoping
from communities.models import Community, DataVersion
from engagement.models import GuidanceProblem, GuidanceVisit, Suggestion
from exhibits.models import Corridor, Exhibit, ExhibitTransition

ZERO = Decimal("0.00")
C = Corridor.Status


def thresholds() -> dict:
    """The red / amber / green limits, kept in settings (``DASHBOARD_THRESHOLDS``)."""
    return settings.DASHBOARD_THRESHOLDS


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        """The last twelve months up to today."""
        return cls.last_days(365, today)

    def start_dt(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    def end_dt(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


# Grouping levels: the path from each source to the building it belongs to, and the key
# that a row of the table is grouped by.
LEVELS = ("community", "building", "unit")


def _key(level: str, building_path: str, unit_path: str | None) -> str | None:
    """The grouping path of a source whose building is at ``building_path``."""
    if level == "community":
        return f"{building_path}__community"
    if level == "building":
        return building_path
    return unit_path


@dataclass
class Figures:
    """The figures of one row (a community, building or unit) or of the whole page."""

    target: int = 0
    corridors: dict = field(default_factory=lambda: dict.fromkeys(C.values, 0))
    stalled: int = 0
    approved: dict = field(default_factory=dict)  # exhibit kind → approvals
    households: int = 0
    participating: int = 0
    raised: Decimal = ZERO
    in_kind: Decimal = ZERO
    spent: Decimal = ZERO
    duty_due: int = 0
    duty_done: int = 0
    duty_missed: int = 0
    duty_overdue: int = 0
    suggestions: int = 0
    adopted: int = 0
    unanswered: int = 0
    visits: int = 0
    open_problems: int = 0

    @property
    def corridor_total(self) -> int:
        return sum(self.corridors.values())

    @property
    def certified(self) -> int:
        return self.corridors.get(C.CERTIFIED, 0)

    @property
    def approved_total(self) -> int:
        return sum(self.approved.values())

    @property
    def target_share(self) -> int | None:
        return round(self.certified * 100 / self.target) if self.target else None

    @property
    def participation(self) -> int | None:
        return round(self.participating * 100 / self.households) if self.households else None

    @property
    def duty_rate(self) -> int | None:
        return round(self.duty_done * 100 / self.duty_due) if self.duty_due else None

    @property
    def balance(self) -> Decimal:
        return self.raised - self.spent

    def add(self, other: Figures) -> None:
        """Add ``other`` into these figures (for the page's totals)."""
        for name in (
            "target",
            "stalled",
            "households",
            "participating",
            "raised",
            "in_kind",
            "spent",
            "duty_due",
            "duty_done",
            "duty_missed",
            "duty_overdue",
            "suggestions",
            "adopted",
            "unanswered",
            "visits",
            "open_problems",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.corridors.items():
            self.corridors[status] = self.corridors.get(status, 0) + n
        for kind, n in other.approved.items():
            self.approved[kind] = self.approved.get(kind, 0) + n


DASHBOARD_ROLES = frozenset({scoping.OFFICIAL, scoping.SECRETARY})


def may_use_dashboard(user) -> bool:
    """Superusers, district officials and community secretaries."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(scoping.roles_of(user) & DASHBOARD_ROLES)


def dashboard_communities(user):
    """The communities on ``user``'s dashboards: an official's district, a secretary's own
    community, every community for a superuser -- never one seen through another role."""
    communities = Community.objects.visible_to(user)
    if user.is_superuser:
        return communities
    allowed = scoping.NOTHING
    for membership in scoping.memberships_of(user):
        if membership.role == scoping.OFFICIAL and membership.district_id:
            allowed |= Q(district_id=membership.district_id)
        elif membership.role == scoping.SECRETARY and membership.community_id:
            allowed |= Q(pk=membership.community_id)
    return communities.filter(allowed)


RAG_GREEN, RAG_AMBER, RAG_RED = "green", "amber", "red"


def rag(figures: Figures, limits: dict | None = None) -> tuple[str, list[str]]:
    """Red, amber or green for a community, with the reasons, from the thresholds."""
    limits = limits or thresholds()
    level = RAG_GREEN
    reasons: list[str] = []

    def mark(value, amber, red, reason):
        nonlocal level
        if value >= red:
            level = RAG_RED
            reasons.append(reason)
        elif value >= amber:
            level = RAG_AMBER if level == RAG_GREEN else level
            reasons.append(reason)

    share = figures.target_share
    if share is not None and share < limits["target_amber_below"]:
        reason = str(_("%(share)d%% of the corridor target certified") % {"share": share})
        if share < limits["target_red_below"]:
            level = RAG_RED
        elif level == RAG_GREEN:
            level = RAG_AMBER
        reasons.append(reason)
    mark(
        figures.stalled,
        limits["stalled_amber"],
        limits["stalled_red"],
        str(_("%(n)d stalled corridors") % {"n": figures.stalled}),
    )
    mark(
        figures.duty_overdue,
        limits["overdue_amber"],
        limits["overdue_red"],
        str(_("%(n)d duty turns never marked") % {"n": figures.duty_overdue}),
    )
    mark(
        figures.unanswered,
        limits["unanswered_amber"],
        limits["unanswered_red"],
        str(_("%(n)d suggestions unanswered") % {"n": figures.unanswered}),
    )
    return level, reasons


def _grouped(rows, key: str, **aggregates) -> dict:
    """``{key value: {name: value}}`` from one grouped query."""
    return {
        row[key]: row
        for row in rows.order_by().values(key).annotate(**aggregates).values(key, *aggregates)
    }


def _within(queryset, level: str, within, building_path: str, unit_path: str | None):
    """``queryset`` narrowed to the rows of ``within`` (communities, buildings or units,
    by ``level``), reached from the source through ``building_path`` or ``unit_path``."""
    path = {
        "community": f"{building_path}__community__in",
        "building": f"{building_path}__in",
        "unit": f"{unit_path}__in",
    }[level]
    return queryset.filter(**{path: within})


# The community of a row of each level, for its data version (corridor_portal/versions.py).
COMMUNITY_OF = {"community": "pk", "building": "community_id", "unit": "building__community_id"}


def with_versions(queryset, level: str):
    """``queryset`` of rows of ``level`` annotated with ``data_version``."""
    return queryset.annotate(data_version=DataVersion.of(COMMUNITY_OF[level]))


def _cache_key(kind: str, level: str, obj, *parts) -> str | None:
    """The cache key of ``kind`` figures of ``obj`` at its community's data version, or
    None (never cached) when the version is unknown. The thresholds are part of the key:
    they decide "stalled" and "unanswered"."""
    version = getattr(obj, "data_version", None)
    if version is None:
        return None
    signature = hashlib.sha1(repr(sorted(thresholds().items())).encode()).hexdigest()[:12]
    tail = ":".join(str(part) for part in parts)
    return f"dashboard:{kind}:{level}:{obj.pk}:{version}:{signature}:{tail}"


def _cached_per_object(kind, level, objects, parts, fill) -> dict:
    """``{pk: value}`` for ``objects`` from the cache, asking ``fill(missing pks)`` for
    ``{pk: value}`` of the rest in one go and caching those."""
    keys = {obj.pk: _cache_key(kind, level, obj, *parts) for obj in objects}
    found = cache.get_many([key for key in keys.values() if key])
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in values]
    if missing:
        fresh = fill(missing)
        values.update((pk, fresh[pk]) for pk in missing)
        cache.set_many(
            {keys[pk]: fresh[pk] for pk in missing if keys[pk]}, settings.DASHBOARD_CACHE_SECONDS
        )
    return values


def compute(user, *, level: str, within, period: Period, today: date | None = None) -> dict:
    """Figures per row of ``level`` for the rows of ``within``, and the totals.

    ``within`` is a queryset of communities (level "community"), of buildings ("building")
    or of units ("unit"), already scoped to ``user``; it bounds every source. Returns
    ``{"objects": [...], "rows": {key: Figures}, "total": Figures}``; each object carries
    its ``figures``.

    A row's figures are cached under its community's data version, which the database
    raises on every write to a source (corridor_portal/versions.py), so a cached figure is
    always the figure of the data as it stands. The figures of a row do not depend on who
    asks: every dashboard user (official, secretary, superuser) sees the whole of the
    communities on their dashboard. One query for the rows, and on a cache miss one query
    per source table for the missing rows (:func:`recount`).
    """
    assert level in LEVELS
    today = today or timezone.localdate()
    objects = list(with_versions(within, level))
    model = within.model

    def fill(missing):
        bound = model._default_manager.filter(pk__in=missing)
        wanted = set(missing)
        chosen = [obj for obj in objects if obj.pk in wanted]
        result = recount(
            user, level=level, within=bound, period=period, today=today, objects=chosen
        )
        return result["rows"]

    rows = _cached_per_object("rows", level, objects, (period.start, period.end, today), fill)
    total = Figures()
    for obj in objects:
        figures = replace(rows[obj.pk], corridors=dict(rows[obj.pk].corridors))
        figures.approved = dict(figures.approved)
        figures.target = getattr(obj, "target_corridors", 0) if level == "community" else 0
        obj.figures = rows[obj.pk] = figures
        total.add(figures)
    return {"objects": objects, "rows": rows, "total": total}


def recount(
    user, *, level: str, within, period: Period, today: date | None = None, objects=None
) -> dict:
    """:func:`compute` from the records, without the cache: one query per source table
    (and one for the rows of ``within`` unless they are given as ``objects``)."""
    assert level in LEVELS
    today = today or timezone.localdate()
    limits = thresholds()
    start, end = period.start, period.end
    start_dt, end_dt = period.start_dt(), period.end_dt()
    rows: dict = defaultdict(Figures)

    def bounded(queryset, building_path: str, unit_path: str | None):
        return _within(queryset, level, within, building_path, unit_path)

    # The rows themselves, in the caller's order; a community brings its target.
    objects = list(within) if objects is None else objects
    for obj in objects:
        rows[obj.pk].target = getattr(obj, "target_corridors", 0) if level == "community" else 0

    # Corridors, by status, and the stalled ones: no change since the start of the day
    # ``stalled_days`` ago (a whole-day limit, so that the figure holds for the day).
    key = _key(level, "unit__building", "unit")
    stalled_before = timezone.make_aware(
        datetime.combine(today - timedelta(days=limits["stalled_days"]), time.min)
    )
    corridors = bounded(Corridor.objects.visible_to(user), "unit__building", "unit").filter(
        created_at__lt=end_dt
    )
    aggregates = {s: Count("pk", filter=Q(status=s)) for s in C.values}
    aggregates["stalled"] = Count(
        "pk",
        filter=Q(status__in=[C.PLANNING, C.BUILDING], updated_at__lt=stalled_before),
    )
    for pk, row in _grouped(corridors, key, **aggregates).items():
        rows[pk].corridors = {s: row[s] for s in C.values}
        rows[pk].stalled = row["stalled"]

    # Exhibits approved in the period, by kind.
    building_path = "exhibit__corridor__unit__building"
    unit_path = "exhibit__corridor__unit"
    key = _key(level, building_path, unit_path)
    approvals = (
        bounded(
            ExhibitTransition.objects.visible_to(user), building_path, "exhibit__corridor__unit"
        )
        .filter(to_status=Exhibit.Status.APPROVED, at__gte=start_dt, at__lt=end_dt)
        .order_by()
        .values(key, "exhibit__kind")
        .annotate(n=Count("exhibit", distinct=True))
    )
    for row in approvals:
        rows[row[key]].approved[row["exhibit__kind"]] = row["n"]

    # Households, and those that took part in a fund or a roster in the period.
    key = _key(level, "unit__building", "unit")
    kept = Donation.objects.filter(
        donor_household=OuterRef("pk"),
        date__range=(start, end),
        reverses__isnull=True,
        reversed_by__isnull=True,
    )
    served = DutyShift.objects.filter(
        household=OuterRef("pk"),
        status=DutyShift.Status.DONE,
        ends_on__gte=start,
        starts_on__lte=end,
    )
    households = bounded(Household.objects.visible_to(user), "unit__building", "unit").exclude(
        occupancy=Household.Occupancy.VACANT
    )
    grouped = _grouped(
        households,
        key,
        households=Count("pk"),
        participating=Count("pk", filter=Q(Exists(kept)) | Q(Exists(served))),
    )
    for pk, row in grouped.items():
        rows[pk].households = row["households"]
        rows[pk].participating = row["participating"]

    # Money raised (and given in kind) and spent in the period.
    _money(rows, user, level=level, within=within, period=period)

    # Duty turns that ended in the period, before today.
    key = _key(level, "roster__unit__building", "roster__unit")
    shifts = bounded(DutyShift.objects.visible_to(user), "roster__unit__building", "roster__unit")
    S = DutyShift.Status
    grouped = _grouped(
        shifts.filter(ends_on__gte=start, ends_on__lte=end, ends_on__lt=today),
        key,
        due=Count("pk"),
        done=Count("pk", filter=Q(status=S.DONE)),
        missed=Count("pk", filter=Q(status=S.MISSED)),
        overdue=Count("pk", filter=Q(status=S.UPCOMING)),
    )
    for pk, row in grouped.items():
        figures = rows[pk]
        figures.duty_due, figures.duty_done = row["due"], row["done"]
        figures.duty_missed, figures.duty_overdue = row["missed"], row["overdue"]

    # Suggestions and guidance visits belong to a community (a suggestion may name its
    # building); they have no unit.
    if level != "unit":
        _engagement(rows, user, level=level, within=within, period=period, today=today)

    rows.pop(None, None)
    total = Figures()
    for obj in objects:
        obj.figures = rows[obj.pk]
        total.add(obj.figures)
    return {"objects": objects, "rows": dict(rows), "total": total}


def _money(rows, user, *, level: str, within, period: Period) -> None:
    """Money raised, given in kind and spent in the period into ``rows``: two grouped
    queries. At the unit level a fund of a whole building belongs to no unit's row."""
    path = {
        "community": "fund__building__community__in",
        "building": "fund__building__in",
        "unit": "fund__unit__in",
    }[level]
    key = _key(level, "fund__building", "fund__unit")
    dated = {"date__range": (period.start, period.end), path: within}
    grouped = _grouped(
        Donation.objects.visible_to(user).filter(**dated),
        key,
        raised=Coalesce(Sum("amount", filter=Q(kind=Donation.Kind.MONEY)), ZERO),
        in_kind=Coalesce(Sum("amount", filter=~Q(kind=Donation.Kind.MONEY)), ZERO),
    )
    for pk, row in grouped.items():
        rows[pk].raised = row["raised"]
        rows[pk].in_kind = row["in_kind"]
    grouped = _grouped(
        Expense.objects.visible_to(user).filter(**dated), key, spent=Coalesce(Sum("amount"), ZERO)
    )
    for pk, row in grouped.items():
        rows[pk].spent = row["spent"]


def _engagement(rows, user, *, level: str, within, period: Period, today: date) -> None:
    """Suggestions (and for communities, guidance visits and open problems) into ``rows``:
    one grouped query per source table. A building's suggestions are those naming it."""
    limits = thresholds()
    start, end = period.start, period.end
    start_dt, end_dt = period.start_dt(), period.end_dt()
    key = "community" if level == "community" else "building"
    suggestions = Suggestion.objects.visible_to(user)
    suggestions = (
        suggestions.filter(community__in=within)
        if level == "community"
        else suggestions.filter(building__in=within)
    )
    SS = Suggestion.Status
    grouped = _grouped(
        suggestions,
        key,
        received=Count("pk", filter=Q(received_on__range=(start, end))),
        adopted=Count(
            "pk",
            filter=Q(status=SS.ADOPTED, decided_at__gte=start_dt, decided_at__lt=end_dt),
        ),
        unanswered=Count(
            "pk",
            filter=Q(
                status__in=[SS.NEW, SS.CONSIDERED],
                received_on__lt=today - timedelta(days=limits["unanswered_days"]),
            ),
        ),
    )
    for pk, row in grouped.items():
        rows[pk].suggestions = row["received"]
        rows[pk].adopted = row["adopted"]
        rows[pk].unanswered = row["unanswered"]
    if level == "community":
        visits = GuidanceVisit.objects.visible_to(user).filter(community__in=within)
        grouped = _grouped(
            visits, "community", n=Count("pk", filter=Q(visited_on__range=(start, end)))
        )
        for pk, row in grouped.items():
            rows[pk].visits = row["n"]
        problems = GuidanceProblem.objects.visible_to(user).filter(
            visit__community__in=within, status=GuidanceProblem.Status.OPEN
        )
        for pk, row in _grouped(problems, "visit__community", n=Count("pk")).items():
            rows[pk].open_problems = row["n"]


def headline(user, *, level: str, obj, total: Figures, period: Period, today=None) -> Figures:
    """The figures of one community (``level`` "community") or building ("building") as a
    whole, from ``total`` -- the sum of its buildings' or units' rows -- and what belongs
    to the whole and to none of its parts: the community's target, the suggestions not
    naming a building, guidance visits and open problems; a building's funds that belong
    to no unit (one query when cached, 4 when not)."""
    assert level in ("community", "building")
    today = today or timezone.localdate()
    figures = replace(total, corridors=dict(total.corridors), approved=dict(total.approved))
    model = type(obj)
    loaded = with_versions(model._default_manager.filter(pk=obj.pk), level).get()

    def fill(missing):
        rows: dict = defaultdict(Figures)
        within = model._default_manager.filter(pk__in=missing)
        _engagement(rows, user, level=level, within=within, period=period, today=today)
        if level == "building":
            _money(rows, user, level=level, within=within, period=period)
        return {pk: rows[pk] for pk in missing}

    whole = _cached_per_object("whole", level, [loaded], (period.start, period.end, today), fill)[
        obj.pk
    ]
    figures.suggestions, figures.adopted = whole.suggestions, whole.adopted
    figures.unanswered = whole.unanswered
    if level == "community":
        figures.target = obj.target_corridors
        figures.visits, figures.open_problems = whole.visits, whole.open_problems
    else:
        figures.raised, figures.in_kind, figures.spent = whole.raised, whole.in_kind, whole.spent
    return figures


def _first_month(today: date, months: int) -> date:
    first = date(today.year, today.month, 1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _empty_series(first: date, today: date) -> dict:
    series: dict = {}
    month = first
    while month <= today:
        series[month] = {"month": month, "approved": 0, "raised": ZERO, "done": 0}
        month = (month + timedelta(days=32)).replace(day=1)
    return series


def trends(user, *, level: str, within, months: int = 12, today: date | None = None) -> list:
    """Per month for the last ``months`` months, summed over the rows of ``within``:
    approvals, money raised, turns done. Months without records are present with zeros.

    Each row's series is cached under its community's data version like :func:`compute`'s
    figures: one query for the rows, and three grouped queries for the rows not cached.
    """
    today = today or timezone.localdate()
    first = _first_month(today, months)
    objects = list(with_versions(within, level))
    model = within.model

    def fill(missing):
        bound = model._default_manager.filter(pk__in=missing)
        return recount_trends(
            user, level=level, within=bound, first=first, today=today, pks=missing
        )

    per_row = _cached_per_object("trends", level, objects, (first, today), fill)
    series = _empty_series(first, today)
    for obj in objects:
        for month, values in per_row[obj.pk].items():
            line = series[month]
            line["approved"] += values["approved"]
            line["raised"] += values["raised"]
            line["done"] += values["done"]
    return list(series.values())


def recount_trends(user, *, level: str, within, first: date, today: date, pks=None) -> dict:
    """``{row pk: {month: {"approved", "raised", "done"}}}`` from the records, from the
    month of ``first`` to ``today``: three grouped queries (and one for the rows of
    ``within`` unless their ``pks`` are given)."""
    period = Period(first, today)

    def bounded(queryset, building_path, unit_path):
        return _within(queryset, level, within, building_path, unit_path)

    pks = [obj.pk for obj in within] if pks is None else pks
    per_row = {pk: _empty_series(first, today) for pk in pks}

    def month_of(value):
        return value.date() if isinstance(value, datetime) else value

    def put(rows, key, name, value_name):
        for row in rows:
            month = month_of(row["month"])
            if row[key] in per_row and month in per_row[row[key]]:
                per_row[row[key]][month][name] = row[value_name]

    building_path, unit_path = "exhibit__corridor__unit__building", "exhibit__corridor__unit"
    key = _key(level, building_path, unit_path)
    approvals = (
        bounded(ExhibitTransition.objects.visible_to(user), building_path, unit_path)
        .filter(
            to_status=Exhibit.Status.APPROVED, at__gte=period.start_dt(), at__lt=period.end_dt()
        )
        .annotate(month=TruncMonth("at"))
        .order_by()
        .values(key, "month")
        .annotate(n=Count("exhibit", distinct=True))
    )
    put(approvals, key, "approved", "n")
    key = _key(level, "fund__building", "fund__unit")
    raised = (
        bounded(Donation.objects.visible_to(user), "fund__building", "fund__unit")
        .filter(kind=Donation.Kind.MONEY, date__range=(period.start, period.end))
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values(key, "month")
        .annotate(total=Coalesce(Sum("amount"), ZERO))
    )
    put(raised, key, "raised", "total")
    key = _key(level, "roster__unit__building", "roster__unit")
    done = (
        bounded(DutyShift.objects.visible_to(user), "roster__unit__building", "roster__unit")
        .filter(status=DutyShift.Status.DONE, ends_on__range=(period.start, period.end))
        .annotate(month=TruncMonth("ends_on"))
        .order_by()
        .values(key, "month")
        .annotate(n=Count("pk"))
    )
    put(done, key, "done", "n")
    return per_row


def scoped_rows(user, level: str, parent=None):
    """The rows a dashboard of ``level`` shows: communities (under an optional district
    filter), the buildings of a community, or the units of a building."""
    if level == "community":
        return Community.objects.visible_to(user)
    if level == "building":
        return Building.objects.visible_to(user).filter(community=parent)
    return Unit.objects.visible_to(user).filter(building=parent)
