"""The audit log: recent changes to the records that matter, across their history tables.

Each tracked model keeps django-simple-history's ``HistoricalRecords``; this module reads
their history tables together, newest first, for the communities a user may audit
(``communities.scoping.audit_community_ids``: an official's district, a secretary's
community). A page runs one query per history table (only the chosen one when filtered by
type) and one more per table shown for the versions just before those listed (to say what
changed): a constant number whatever the size of the tables. Pages follow a signed cursor
(the last row's time, table and id), never an offset.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from buildings.models import Donation, DutyShift, Expense, Fund, Household, Resident, mask_phone
from communities import scoping
from communities.models import Membership
from exhibits.models import Corridor, Exhibit, ExhibitTransition

PAGE_SIZE = 50
CURSOR_PARAM = "cursor"
CURSOR_SALT = "corridor.audit_log"
HIDDEN = "—"


@dataclass(frozen=True)
class Tracked:
    key: str
    model: type
    label: object  # the historical row -> a short text from its own columns
    related: tuple[str, ...] = ()
    # The page the row belongs on: a URL name and the historical row's column for its id.
    link: tuple[str, str] | None = None

    @property
    def community_path(self) -> str:
        return self.model.scope.community

    @property
    def history_model(self):
        return self.model.history.model


def _amount(row) -> str:
    return "" if row.amount is None else f"{row.amount} 元"


TRACKED = (
    Tracked("resident", Resident, lambda r: r.name, link=("buildings:resident_detail", "id")),
    Tracked("household", Household, lambda r: r.room, link=("buildings:household_detail", "id")),
    Tracked(
        "membership",
        Membership,
        lambda r: f"{r.user} · {r.get_role_display()}",
        related=("user",),
    ),
    Tracked("corridor", Corridor, lambda r: r.theme, link=("exhibits:corridor_detail", "id")),
    Tracked("exhibit", Exhibit, lambda r: r.title, link=("exhibits:exhibit_detail", "id")),
    Tracked(
        "review",
        ExhibitTransition,
        lambda r: f"{r.get_from_status_display() or '—'} → {r.get_to_status_display()}",
        link=("exhibits:exhibit_detail", "exhibit_id"),
    ),
    Tracked("fund", Fund, lambda r: r.purpose, link=("buildings:fund_detail", "id")),
    Tracked(
        "donation",
        Donation,
        lambda r: f"{r.get_kind_display()} {_amount(r)}".strip(),
        link=("buildings:fund_detail", "fund_id"),
    ),
    Tracked(
        "expense",
        Expense,
        lambda r: f"{r.item} {_amount(r)}".strip(),
        link=("buildings:fund_detail", "fund_id"),
    ),
    Tracked(
        "shift",
        DutyShift,
        lambda r: f"{r.starts_on}–{r.ends_on} {r.get_status_display()}",
        link=("buildings:roster_detail", "roster_id"),
    ),
)
BY_KEY = {tracked.key: tracked for tracked in TRACKED}


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Record"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("all records"))] + [
            (t.key, t.model._meta.verbose_name_plural) for t in TRACKED
        ]
        for name, widget_field in self.fields.items():
            css = "form-select" if name == "kind" else "form-control"
            widget_field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for value in (start, end):
            if value is not None and not 1900 <= value.year <= 2999:
                raise forms.ValidationError(_("Choose dates between the years 1900 and 2999."))
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned


@dataclass
class Entry:
    """One change as the page shows it."""

    at: datetime.datetime
    order: int
    history_id: int
    kind: str
    kind_label: str
    object_id: int
    label: str
    action: str
    user: str
    url: str
    changes: list[dict] = field(default_factory=list)


@dataclass
class AuditPage:
    entries: list[Entry]
    next_cursor: str


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def read_cursor(value: str | None) -> tuple[datetime.datetime, int, int] | None:
    if not value or len(value) > 500:
        return None
    try:
        data = signing.loads(value, salt=CURSOR_SALT)
        at = parse_datetime(data["t"])
        order, history_id = int(data["o"]), int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if at is None or timezone.is_naive(at):
        return None
    return at, order, history_id


def make_cursor(entry: Entry) -> str:
    return signing.dumps(
        {"t": entry.at.isoformat(), "o": entry.order, "i": entry.history_id}, salt=CURSOR_SALT
    )


def _scope_q(tracked: Tracked, user, community_ids: list[int] | None) -> Q | None:
    if community_ids is None:
        return None
    q = Q(**{f"{tracked.community_path}__in": community_ids})
    if tracked.model is Membership:
        # Officials' own memberships belong to the district, not to a community.
        districts = [m.district_id for m in scoping.memberships_of(user) if m.role == "official"]
        if districts:
            q |= Q(community__isnull=True, district__in=districts)
    return q


def _after(order: int, cursor) -> Q:
    """Rows after the cursor in the order (time, table, id), all descending."""
    at, cursor_order, history_id = cursor
    if order < cursor_order:
        return Q(history_date__lte=at)
    if order == cursor_order:
        return Q(history_date__lt=at) | Q(history_date=at, history_id__lt=history_id)
    return Q(history_date__lt=at)


def _rows(tracked: Tracked, order: int, *, user, community_ids, start, end, cursor):
    rows = tracked.history_model.objects.all()
    q = _scope_q(tracked, user, community_ids)
    if q is not None:
        rows = rows.filter(q)
    if start:
        rows = rows.filter(history_date__gte=_midnight(start))
    if end:
        rows = rows.filter(history_date__lt=_midnight(end + datetime.timedelta(days=1)))
    if cursor is not None:
        rows = rows.filter(_after(order, cursor))
    rows = rows.annotate(audit_community=F(f"{tracked.community_path}_id"))
    if tracked.model is Resident or tracked.model is Household:
        rows = rows.annotate(audit_district=F(f"{tracked.community_path}__district_id"))
    return list(
        rows.select_related("history_user", *tracked.related).order_by(
            "-history_date", "-history_id"
        )[: PAGE_SIZE + 1]
    )


def _previous_versions(tracked: Tracked, rows) -> list:
    """The version just before each changed row (one query)."""
    changed = [row.history_id for row in rows if row.history_type == "~"]
    if not changed:
        return []
    model = tracked.history_model
    before = model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    previous_id = Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])
    ids = model.objects.filter(history_id__in=changed).annotate(p=previous_id).values("p")
    return list(model.objects.filter(history_id__in=Subquery(ids)))


def _key(row) -> tuple:
    return (row.history_date, row.history_id)


def _value(model, name: str, value) -> str:
    field_ = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _changes(tracked: Tracked, row, previous, user) -> list[dict]:
    delta = row.diff_against(previous)
    community_id = getattr(row, "audit_community", None)
    district_id = getattr(row, "audit_district", None)
    changes = []
    for change in delta.changes:
        model_field = tracked.model._meta.get_field(change.field)
        old = _value(tracked.model, change.field, change.old)
        new = _value(tracked.model, change.field, change.new)
        if change.field == "phone" and not scoping.can_see_personal_data(user, community_id):
            old, new = mask_phone(change.old) or "—", mask_phone(change.new) or "—"
        if change.field == "is_party_member" and not scoping.can_see_party_membership(
            user, community_id, district_id
        ):
            old = new = HIDDEN
        changes.append({"field": model_field.verbose_name, "old": old, "new": new})
    return changes


ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def audit_page(user, *, kind: str = "", start=None, end=None, cursor=None) -> AuditPage:
    """A page of changes ``user`` may audit, newest first."""
    community_ids = scoping.audit_community_ids(user)
    chosen = [(i, t) for i, t in enumerate(TRACKED) if not kind or t.key == kind]
    fetched = []
    for order, tracked in chosen:
        rows = _rows(
            tracked,
            order,
            user=user,
            community_ids=community_ids,
            start=start,
            end=end,
            cursor=cursor,
        )
        fetched.extend((row.history_date, order, row.history_id, tracked, row) for row in rows)
    fetched.sort(key=lambda item: item[:3], reverse=True)
    has_next = len(fetched) > PAGE_SIZE
    shown = fetched[:PAGE_SIZE]

    by_table: dict[str, list] = {}
    for *_ignored, tracked, row in shown:
        by_table.setdefault(tracked.key, []).append(row)
    candidates: dict[str, dict[int, list]] = {}
    for key, rows in by_table.items():
        pool: dict[int, list] = {}
        for version in [*rows, *_previous_versions(BY_KEY[key], rows)]:
            pool.setdefault(version.id, []).append(version)
        candidates[key] = pool

    entries = []
    for at, order, history_id, tracked, row in shown:
        changes = []
        if row.history_type == "~":
            older = [v for v in candidates[tracked.key][row.id] if _key(v) < _key(row)]
            if older:
                changes = _changes(tracked, row, max(older, key=_key), user)
        url = ""
        if row.history_type != "-" and tracked.link is not None:
            url_name, column = tracked.link
            url = reverse(url_name, args=[getattr(row, column)])
        entries.append(
            Entry(
                at=at,
                order=order,
                history_id=history_id,
                kind=tracked.key,
                kind_label=str(tracked.model._meta.verbose_name),
                object_id=row.id,
                label=str(tracked.label(row)),
                action=str(ACTIONS.get(row.history_type, row.history_type)),
                user=str(row.history_user) if row.history_user else "",
                url=url,
                changes=changes,
            )
        )
    next_cursor = make_cursor(entries[-1]) if has_next and entries else ""
    return AuditPage(entries=entries, next_cursor=next_cursor)
