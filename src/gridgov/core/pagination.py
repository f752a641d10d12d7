"""The one keyset paginator of the HTML lists (the API's is `core.api_pagination`).

A page is the `size` rows after a position in an ordering that ends in a unique column
(usually the primary key), so the last page costs what the first does and a row added or
removed while someone pages never shifts the others. The position comes in one of two forms:

- the last row's unique key (`after=1234`, the `?after=` of most pages). With a one-column
  ordering it is compared directly; with more columns, the other values of that row are read
  by subqueries in the same SQL statement (no extra query);
- a tuple with one value per ordering column (`after=(moment, 1234)`), for cursors that carry
  the values themselves (the audit log's `at.pk`).

    page = keyset_page(selectors.buildings_visible_to(user), after=form_after, order=("id",), size=50)
    page.rows                       # at most 50 rows
    page.next_url({"org": org})     # "?org=…&after=<last id>", or None on the last page

`query_string` drops empty parameters, so the "next" link keeps only the filters in use.
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils.http import urlencode

PAGE_SIZE = 50


def query_string(params: dict) -> str:
    """`a=1&b=2` of the parameters that have a value (None, "" and False are left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


@dataclass(frozen=True)
class Page:
    rows: list
    order: tuple[str, ...]
    has_next: bool

    @property
    def last(self):
        """The last row when another page follows, else None."""
        return self.rows[-1] if self.has_next and self.rows else None

    @property
    def next_after(self):
        """The unique key (last ordering column) of the last row when another page follows."""
        last = self.last
        return None if last is None else _value(last, self.order[-1])

    def next_url(self, params: dict | None = None, *, key: str = "after",
                 cursor: Callable[[Any], Any] | None = None) -> str | None:
        """The link to the next page: the filters in `params` plus `key` = the position
        (the last row's unique key, or `cursor(last_row)`); None on the last page."""
        last = self.last
        if last is None:
            return None
        position = cursor(last) if cursor else self.next_after
        return "?" + query_string({**(params or {}), key: position})


def _field(name: str) -> str:
    field = name.lstrip("-")
    return "pk" if field == "id" else field


def _value(row, name: str):
    return getattr(row, _field(name))


def keyset_after(queryset: QuerySet, after, order: Sequence[str]) -> QuerySet:
    """The rows of `queryset` after the position `after` in `order` (see the module)."""
    if after in (None, "", ()):
        return queryset
    order = tuple(order)
    if isinstance(after, tuple | list):
        if len(after) != len(order):
            raise ValueError("a cursor needs one value per ordering column")
        values = list(after)
    elif len(order) == 1:
        values = [after]
    else:
        unique = _field(order[-1])
        pivot = queryset.model._base_manager.filter(**{unique: after})
        values = [Subquery(pivot.values(_field(name))[:1]) for name in order[:-1]] + [after]
    conditions, equal = [], {}
    for name, value in zip(order, values, strict=True):
        field = _field(name)
        conditions.append(Q(**equal, **{f"{field}__{'lt' if name.startswith('-') else 'gt'}": value}))
        equal[field] = value
    after_position = functools.reduce(operator.or_, conditions)
    if len(order) > 1:
        # Redundant, and what lets an index on the ordering start at the position: the
        # planner reads no bound out of the OR (issue 12, EXPLAIN of deep pages).
        first = order[0]
        after_position &= Q(**{f"{_field(first)}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return queryset.filter(after_position)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MOMENT_CURSOR = re.compile(r"^(-?[0-9]{1,20})\.([0-9]{1,20})$")


def moment_cursor(moment: datetime.datetime, pk: int) -> str:
    """The opaque `after` value of a keyset on (time, id): microseconds since the epoch, a dot, the id."""
    delta = moment - _EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{pk}"


def parse_moment_cursor(value: str | None) -> tuple[datetime.datetime, int] | None:
    """(time, id) of a `moment_cursor` value; None for anything else."""
    match = _MOMENT_CURSOR.match(value or "")
    if not match:
        return None
    return _EPOCH + datetime.timedelta(microseconds=int(match.group(1))), int(match.group(2))


def keyset_page(queryset: QuerySet, *, after=None, order: Sequence[str] = ("-pk",),
                size: int = PAGE_SIZE) -> Page:
    """One page of `queryset` in `order` (ending in a unique column) after `after`: one query."""
    order = tuple(order)
    rows = list(keyset_after(queryset, after, order).order_by(*order)[: size + 1])
    has_next = len(rows) > size
    return Page(rows=rows[:size], order=order, has_next=has_next)
