"""Keyset (cursor) pagination for the long lists.

Django's ``Paginator`` counts every matching row and skips ``OFFSET`` rows: at district
scale (250,000 residents) the count is the slowest query of the page and each page is
slower than the one before. A keyset page instead asks for the rows *after* the last row
shown, in an ordering on columns an index supports::

    WHERE (name, id) > ('王建国', 81722) ORDER BY name, id LIMIT 51

so that page 500 costs what page 1 costs. The ordering ends with ``pk``, which makes it
total and stable; its fields may not be NULL (a NULL compares as unknown and would drop
rows). The cursor -- the sort values of the last (or first) row shown and the direction
-- travels in one signed, opaque URL parameter; a cursor that is garbled, forged or from
another list is ignored and the first page shown.

There are no page numbers. The page says how many rows match, counted with a ``LIMIT``
(at most ``COUNT_CAP`` rows, "more than 1,000" beyond), and not at all when the list fits on one
page.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

CURSOR_PARAM = "cursor"
COUNT_CAP = 1_000
# A cursor holds a handful of short values; anything longer is not one of ours.
CURSOR_MAX_LENGTH = 1000
FORWARD, BACKWARD = "n", "p"


def related_count(model: type[models.Model], field: str, **filters) -> Coalesce:
    """The number of ``model`` rows whose ``field`` is the listed row, as an annotation.

    A correlated subquery rather than ``Count()``: it is computed for the rows of the
    page only, where a ``Count`` join and its ``GROUP BY`` would aggregate every matching
    row before the ``LIMIT``.
    """
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class RowComparison(Expression):
    """``(a, b, c) > (%s, %s, %s)``: one condition an index on (a, b, c) can seek to."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs: Sequence, operator: str, rhs: Sequence):
        if operator not in {"<", ">"} or len(lhs) != len(rhs) or not lhs:
            raise ValueError("A row comparison needs rows of equal length and < or >.")
        super().__init__()
        self.lhs = list(lhs)
        self.operator = operator
        self.rhs = list(rhs)

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs):
        self.lhs, self.rhs = list(exprs[: len(self.lhs)]), list(exprs[len(self.lhs) :])

    def as_sql(self, compiler, connection):
        sides, params = [], []
        for side in (self.lhs, self.rhs):
            parts = []
            for expression in side:
                sql, part_params = compiler.compile(expression)
                parts.append(sql)
                params.extend(part_params)
            sides.append(f"({', '.join(parts)})")
        return f"{sides[0]} {self.operator} {sides[1]}", params


@dataclass(frozen=True)
class SortKey:
    path: str
    descending: bool
    field: models.Field
    # Where the row keeps the value: an attribute of the model, or an annotation for a
    # key reached through a relation.
    attribute: str
    annotation: str | None = None

    @property
    def order(self) -> str:
        return f"-{self.path}" if self.descending else self.path

    @property
    def reversed_order(self) -> str:
        return self.path if self.descending else f"-{self.path}"


def _sort_keys(model: type[models.Model], ordering: Sequence[str]) -> list[SortKey]:
    if not ordering or ordering[-1].lstrip("-") not in {"pk", model._meta.pk.name}:
        raise ImproperlyConfigured(
            f"A keyset ordering must end with the primary key: {list(ordering)!r}."
        )
    keys = []
    for position, item in enumerate(ordering):
        path = item.lstrip("-")
        if path == "pk":
            keys.append(SortKey("pk", item.startswith("-"), model._meta.pk, "pk"))
            continue
        field = _resolve(model, path)
        if "__" in path:
            annotation = f"keyset_value_{position}"
            keys.append(SortKey(path, item.startswith("-"), field, annotation, annotation))
        else:
            keys.append(SortKey(path, item.startswith("-"), field, field.attname))
    return keys


def _resolve(model: type[models.Model], path: str) -> models.Field:
    """The field at the end of ``path``; every step a non-null column or forward relation."""
    opts = model._meta
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(f"{model.__name__} has no field {path!r}.") from exc
        last = index == len(parts) - 1
        if not field.concrete or field.many_to_many or field.one_to_many:
            raise ImproperlyConfigured(f"{path!r} is not a column of one row.")
        if field.null:
            raise ImproperlyConfigured(f"{path!r} may be NULL; a keyset needs non-null keys.")
        if last:
            if field.is_relation and part != field.attname:
                raise ImproperlyConfigured(
                    f"Order by {field.attname!r}, not by the relation {part!r} "
                    "(which orders by the related model's own ordering)."
                )
            return field
        if not field.is_relation:
            raise ImproperlyConfigured(f"{path!r}: {part!r} is not a relation.")
        opts = field.related_model._meta
    raise AssertionError("unreachable")


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # full precision: microseconds matter to the order
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


class KeysetPaginator:
    """Pages of ``queryset`` in ``ordering``, ``per_page`` rows each.

    ``count`` may be given when the caller knows it (a total kept on a parent row);
    otherwise the page counts ``queryset`` up to ``count_cap`` rows, when it must.
    """

    def __init__(
        self,
        queryset,
        ordering: Sequence[str],
        per_page: int,
        *,
        param: str = CURSOR_PARAM,
        count: int | None = None,
        count_cap: int = COUNT_CAP,
        count_queryset=None,
    ):
        if per_page < 1:
            raise ValueError("per_page must be at least 1.")
        self.keys = _sort_keys(queryset.model, ordering)
        annotations = {key.annotation: F(key.path) for key in self.keys if key.annotation}
        self.queryset = queryset.annotate(**annotations) if annotations else queryset
        self.per_page = per_page
        self.param = param
        self.known_count = count
        # Counted without the annotations the rows carry (their joins cost the count).
        self.count_queryset = queryset if count_queryset is None else count_queryset
        self.count_cap = count_cap
        model = queryset.model._meta.label_lower
        self.salt = f"keyset:{model}:{','.join(ordering)}"

    # The cursor

    def cursor(self, row, direction: str) -> str:
        values = [_encode(getattr(row, key.attribute)) for key in self.keys]
        return signing.dumps({"d": direction, "v": values}, salt=self.salt, compress=True)

    def read_cursor(self, cursor: str | None) -> tuple[str, list] | None:
        """The direction and sort values of a cursor; ``None`` for anything not valid."""
        if not cursor or len(cursor) > CURSOR_MAX_LENGTH:
            return None
        try:
            data = signing.loads(cursor, salt=self.salt)
        except (signing.BadSignature, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or data.get("d") not in {FORWARD, BACKWARD}:
            return None
        raw = data.get("v")
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            return None
        values = []
        for key, value in zip(self.keys, raw, strict=True):
            if value is None or isinstance(value, dict | list):
                return None
            try:
                values.append(key.field.to_python(value))
            except (ValidationError, TypeError, ValueError):
                return None
        return data["d"], values

    # Queries

    def _beyond(self, values: list, *, backward: bool):
        """Rows after ``values`` in the ordering (before them when ``backward``)."""
        if len({key.descending for key in self.keys}) == 1:
            later = self.keys[0].descending == backward
            return RowComparison(
                [F(key.path) for key in self.keys],
                ">" if later else "<",
                [
                    Value(value, output_field=key.field)
                    for key, value in zip(self.keys, values, strict=True)
                ],
            )
        # Mixed directions: no row comparison; the usual expansion, led by a range on
        # the first key so that an index on it still bounds the scan.
        condition = Q()
        for index, key in enumerate(self.keys):
            later = key.descending == backward
            term = Q(
                **{k.path: v for k, v in zip(self.keys[:index], values[:index], strict=True)},
                **{f"{key.path}__{'gt' if later else 'lt'}": values[index]},
            )
            condition |= term
        first = self.keys[0]
        bound = "gte" if first.descending == backward else "lte"
        return Q(**{f"{first.path}__{bound}": values[0]}) & condition

    def _rows(self, values=None, *, backward=False) -> list:
        rows = self.queryset
        if values is not None:
            rows = rows.filter(self._beyond(values, backward=backward))
        order = [key.reversed_order if backward else key.order for key in self.keys]
        return list(rows.order_by(*order)[: self.per_page + 1])

    def page(self, query: QueryDict) -> KeysetPage:
        """The page the cursor in ``query`` points at (the first page without a valid one);
        ``query`` (the request's GET) also gives the other parameters its links keep."""
        cursor = self.read_cursor(query.get(self.param))
        if cursor is None:
            rows = self._rows()
            return KeysetPage(self, query, rows[: self.per_page], len(rows) > self.per_page, False)
        direction, values = cursor
        if direction == FORWARD:
            rows = self._rows(values)
            return KeysetPage(self, query, rows[: self.per_page], len(rows) > self.per_page, True)
        rows = self._rows(values, backward=True)
        more = len(rows) > self.per_page
        if not more and len(rows) < self.per_page:
            # Rows before the cursor were deleted since: the start of the list, in full.
            rows = self._rows()
            return KeysetPage(self, query, rows[: self.per_page], len(rows) > self.per_page, False)
        return KeysetPage(self, query, rows[: self.per_page][::-1], True, more)

    def count_rows(self) -> int:
        """Matching rows, counted up to ``count_cap + 1`` by the database."""
        rows = self.count_queryset.order_by().values("pk")
        return rows[: self.count_cap + 1].count()


class KeysetPage:
    """One page: its rows, whether there are rows before and after, and the links."""

    def __init__(self, paginator: KeysetPaginator, query: QueryDict, rows, has_next, has_previous):
        self.paginator = paginator
        self.object_list = rows
        self._has_next = has_next
        self._has_previous = has_previous
        self._query = query

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __repr__(self):
        return f"<KeysetPage of {len(self)} rows>"

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self._has_previous

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    # Links: the request's parameters (filters, search) with the cursor replaced

    def _query_with(self, cursor: str | None) -> str:
        query = self._query.copy()
        query.pop(self.paginator.param, None)
        query.pop("page", None)  # links from before keyset pages
        if cursor:
            query[self.paginator.param] = cursor
        return query.urlencode()

    @cached_property
    def next_query(self) -> str:
        if not self.has_next():
            return ""
        return self._query_with(self.paginator.cursor(self.object_list[-1], FORWARD))

    @cached_property
    def previous_query(self) -> str:
        if not self.has_previous():
            return ""
        if not self.object_list:  # past the end (rows deleted since): back to the start
            return self.first_query
        return self._query_with(self.paginator.cursor(self.object_list[0], BACKWARD))

    @cached_property
    def first_query(self) -> str:
        return self._query_with(None)

    # How many rows match: known, counted on this page, or counted up to the cap

    @cached_property
    def _count(self) -> tuple[int, bool]:
        paginator = self.paginator
        if paginator.known_count is not None:
            return paginator.known_count, False
        if not self.has_other_pages():
            return len(self.object_list), False
        counted = paginator.count_rows()
        return min(counted, paginator.count_cap), counted > paginator.count_cap

    @property
    def count(self) -> int:
        return self._count[0]

    @property
    def count_capped(self) -> bool:
        """True when more rows match than were counted (``count`` is the cap)."""
        return self._count[1]


class KeysetListMixin:
    """Keyset pages for a ``ListView``: set ``keyset_ordering`` (ending with "pk").

    Pages hold ``settings.PAGE_SIZE`` rows (read per request). The context keeps
    ``page_obj``, ``paginator``, ``is_paginated`` and ``object_list`` as ListView's;
    ``query_string`` holds the filters without the cursor. Templates include
    ``_partials/keyset_pagination.html``.
    """

    keyset_ordering: Sequence[str] = ()
    cursor_param = CURSOR_PARAM
    count_cap = COUNT_CAP

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE

    def row_annotations(self) -> dict:
        """Annotations for the rows of the page only, not for counting them."""
        return {}

    def paginate_queryset(self, queryset, page_size):
        annotations = self.row_annotations()
        paginator = KeysetPaginator(
            queryset.annotate(**annotations) if annotations else queryset,
            self.keyset_ordering,
            page_size,
            param=self.cursor_param,
            count_cap=self.count_cap,
            count_queryset=queryset,
        )
        page = paginator.page(self.request.GET)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.cursor_param, None)
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context
