"""Event codes `<county>-<yyyymmdd>-<seq>` (docs/events.md), numbered without a lock held
until the submission commits (issue 12).

- **PostgreSQL, the live path.** One sequence, `events_event_code_seq` (migration events
  0008), whose value carries the day it numbers: `yyyymmdd × 1,000,000 + n`. `nextval` never
  waits on another transaction and is not rolled back, so concurrent submissions in one
  county never queue on a counter; a rolled-back submission leaves a gap, which is allowed.
  The first number of a new day moves the sequence on to that day (`setval`, under a
  session advisory lock held for those two statements only, so that two first submissions
  of a day cannot set it back past each other). The number is shared by the counties
  (unique on its own), so one county's numbers of a day rise with gaps; up to 999,999
  numbers a day.
- **A day behind the sequence** (a report dated in the past: the demo's history, a server
  whose clock lags at midnight) and **other databases** (SQLite, which serialises writers
  anyway): the per-county, per-day `EventCodeCounter`, incremented by one upsert; on
  PostgreSQL it first catches up with the highest number that day's codes already carry,
  so that it never hands out a number the sequence gave.
"""

from __future__ import annotations

import datetime

from django.db import connection

from gridgov.events.models import Event, EventCodeCounter

SEQUENCE = "events_event_code_seq"
PER_DAY = 1_000_000
# pg_advisory_lock key of the day's roll-over ("gridgov" event codes).
_ROLLOVER_LOCK = 0x67726964_636F6465 & 0x7FFFFFFFFFFFFFFF


def county_of(org_code: str) -> str:
    return org_code[:6].ljust(6, "0")


def format_code(county: str, day: datetime.date, number: int) -> str:
    return f"{county}-{day:%Y%m%d}-{number:04d}"


def next_code(org_code: str, day: datetime.date) -> str:
    """A new, unique event code for an event reported on `day` in `org_code`'s county."""
    county = county_of(org_code)
    if connection.vendor == "postgresql":
        number = _from_sequence(day)
        if number is not None:
            return format_code(county, day, number)
    return format_code(county, day, _from_counter(county, day))


def _day_value(day: datetime.date) -> int:
    return int(f"{day:%Y%m%d}") * PER_DAY


def _from_sequence(day: datetime.date) -> int | None:
    """The day's next number from the sequence, or None when the sequence is past `day`."""
    base = _day_value(day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        value = cursor.fetchone()[0]
        if value < base:
            # The day's first number: move the sequence on to the day (once; whoever comes
            # second finds it moved already).
            cursor.execute("SELECT pg_advisory_lock(%s)", [_ROLLOVER_LOCK])
            try:
                cursor.execute(f"SELECT last_value FROM {SEQUENCE}")  # noqa: S608 - a constant
                if cursor.fetchone()[0] < base:
                    cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, base])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ROLLOVER_LOCK])
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
            value = cursor.fetchone()[0]
    if base < value < base + PER_DAY:
        return value - base
    return None


def _from_counter(county: str, day: datetime.date) -> int:
    table = connection.ops.quote_name(EventCodeCounter._meta.db_table)
    start = 0
    if connection.vendor == "postgresql":
        start = _highest_number(county, day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county, day, last) VALUES (%s, %s, %s) "  # noqa: S608 - the model's table
            f"ON CONFLICT (county, day) DO UPDATE SET last = "
            f"CASE WHEN {table}.last >= excluded.last THEN {table}.last + 1 ELSE excluded.last END "
            "RETURNING last",
            [county, day, start + 1],
        )
        return cursor.fetchone()[0]


def _highest_number(county: str, day: datetime.date) -> int:
    prefix = f"{county}-{day:%Y%m%d}-"
    codes = Event.objects.filter(code__gte=prefix, code__lt=prefix + "~").values_list("code", flat=True)
    return max((int(code[len(prefix):]) for code in codes if code[len(prefix):].isdigit()), default=0)


def sync_sequence(day: datetime.date) -> None:
    """After codes were written without the sequence (the province's COPY seed, an upgrade):
    the sequence goes on past the highest number used on `day` in any county."""
    if connection.vendor != "postgresql":
        return
    highest = max(EventCodeCounter.objects.filter(day=day).values_list("last", flat=True), default=0)
    base = _day_value(day)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {SEQUENCE}")  # noqa: S608 - a constant
        current = cursor.fetchone()[0]
        if current < base + highest:
            cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, base + highest])
