"""Bulk rows for PostgreSQL's COPY (issue 12, seeding a province).

`TableSpec` names the columns a bulk writer fills for one model and checks them against the
model: every NOT NULL column without a database default must be given, so that a field
added to a model later makes the seed fail loudly instead of writing rows the app cannot
read. `copy_line` turns one row of Python values into a line of COPY's text format (the
rows are made, and their sensitive values encrypted, in worker processes; the main process
only streams the bytes). `CopyLoader` writes them with psycopg 3's `cursor.copy()` inside
the caller's transaction, counts rows and time per table and prints progress.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import NOT_PROVIDED
from django.db.models.fields import AutoFieldMixin

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _str(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _json(value) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return _str(json.dumps(value, ensure_ascii=False))


# By exact type (the hot path: millions of rows); anything else goes through `_text`.
_FORMATS = {
    str: _str, int: str, float: repr, bool: lambda v: "t" if v else "f", type(None): lambda _v: "\\N",
    datetime.datetime: datetime.datetime.isoformat, datetime.date: datetime.date.isoformat, dict: _json, list: _json,
}


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _str(str(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return _json(value)
    return str(value)


def copy_line(values) -> str:
    """One row in COPY's text format (tab-separated, backslash escapes, \\N for NULL)."""
    formats = _FORMATS
    return "\t".join([(formats.get(type(v)) or _text)(v) for v in values]) + "\n"


@dataclass(frozen=True)
class TableSpec:
    """The columns (in order) a bulk writer gives for `label` ("app.Model")."""

    label: str
    columns: tuple[str, ...]

    def model(self):
        from django.apps import apps

        return apps.get_model(self.label)

    def check(self) -> None:
        model = self.model()
        known = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(self.columns) - set(known)
        if unknown:
            raise RuntimeError(f"{self.label}: no such columns {sorted(unknown)}")
        missing = [
            column for column, f in known.items()
            if column not in self.columns and not f.null and not isinstance(f, AutoFieldMixin)
            and f.db_default is NOT_PROVIDED
        ]
        if missing:
            raise RuntimeError(f"{self.label}: the bulk seed does not fill {missing}; add them to its rows")

    @property
    def table(self) -> str:
        return self.model()._meta.db_table

    def copy_sql(self) -> str:
        quote = connection.ops.quote_name
        return f"COPY {quote(self.table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"


class CopyLoader:
    """Streams COPY text into tables through the default connection (PostgreSQL), in the
    caller's transaction; keeps rows and seconds per table and prints progress lines."""

    def __init__(self, specs: dict[str, TableSpec], say, *, every_seconds: float = 10.0):
        self.specs = specs
        self.say = say
        self.rows: dict[str, int] = defaultdict(int)
        self.copy_seconds: dict[str, float] = defaultdict(float)
        self.first_at: dict[str, float] = {}
        self.last_at: dict[str, float] = {}
        self.started = time.perf_counter()
        self.every = every_seconds
        self._last_report = self.started
        for spec in specs.values():
            spec.check()

    def write(self, name: str, data: str, rows: int) -> None:
        if not rows:
            return
        spec = self.specs[name]
        start = time.perf_counter()
        self.first_at.setdefault(name, start)
        with connection.cursor() as cursor, cursor.cursor.copy(spec.copy_sql()) as copy:
            copy.write(data.encode())
        end = time.perf_counter()
        self.copy_seconds[name] += end - start
        self.last_at[name] = end
        self.rows[name] += rows

    def progress(self, *, force: bool = False, done: int | None = None, of: int | None = None) -> None:
        """Every `every_seconds` (or when forced): rows and rows/s per table, and with `done`
        and `of` (units of work, e.g. counties) how far the bulk is and the time it has left
        at the pace so far."""
        now = time.perf_counter()
        if not force and now - self._last_report < self.every:
            return
        self._last_report = now
        elapsed = max(now - self.started, 1e-9)
        total = sum(self.rows.values())
        head = f"  {elapsed:,.0f} s: {total:,} rows, {total / elapsed:,.0f} rows/s"
        if done is not None and of:
            left = elapsed / done * (of - done) if done else 0.0
            head += f"; {done} of {of} done, ~{left / 60:,.0f} min left at this pace"
        self.say(head)
        for name in self.specs:
            if self.rows.get(name):
                self.say(f"    {self.specs[name].table}: {self.rows[name]:,} rows, "
                         f"{self.rows[name] / elapsed:,.0f} rows/s")

    def summary(self) -> list[tuple[str, int, float, float, float]]:
        """(table, rows, seconds from its first to its last COPY, rows/s over that, seconds
        inside COPY) per table written."""
        result = []
        for name, spec in self.specs.items():
            rows = self.rows.get(name, 0)
            if not rows:
                continue
            span = max(self.last_at[name] - self.started, 1e-9)
            result.append((spec.table, rows, span, rows / span, self.copy_seconds[name]))
        return result
