"""Days turned into moments for filters, safe at the edges of the calendar (robustness, issue 10).

`?until=9999-12-31` used to be a 500: a day is added to include the whole last day
(`OverflowError` past year 9999), and `0001-01-01` at midnight in Asia/Shanghai is before
year 1 in UTC, where the database adapter converts it. Every date filter of a list (events,
the audit log, care reports and payments) turns its days into moments here. Days are
clamped to [`EARLIEST_DAY`, `LATEST_DAY`], which no record of gridgov lies outside, so a
far-away bound means "no bound" and the arithmetic can never overflow.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date

EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2199, 12, 31)


def clamp_day(day: datetime.date) -> datetime.date:
    return min(max(day, EARLIEST_DAY), LATEST_DAY)


def start_of_day(day: datetime.date, tz=None) -> datetime.datetime:
    """Midnight at the start of `day` in the server's time zone (or `tz`), as an aware moment."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return datetime.datetime.combine(clamp_day(day), datetime.time.min, tzinfo=tz or timezone.get_default_timezone())


def end_of_day(day: datetime.date, tz=None) -> datetime.datetime:
    """The exclusive upper bound of `day`: midnight at the start of the next day."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return start_of_day(clamp_day(day) + datetime.timedelta(days=1), tz)


def clamp_moment(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment within the days above (a naive one is taken as server time)."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.get_default_timezone())
    earliest, latest = start_of_day(EARLIEST_DAY), end_of_day(LATEST_DAY)
    try:
        return min(max(moment, earliest), latest)
    except OverflowError:  # an offset that pushes the moment out of Python's range
        return latest if moment.year > 2000 else earliest


def parse_day(text: str | None) -> datetime.date | None:
    """A `YYYY-MM-DD` day, or None for anything else (also for 2026-02-30, which
    `parse_date` answers with ValueError)."""
    try:
        return parse_date((text or "").strip())
    except ValueError:
        return None


def shift_month(month: datetime.date, delta: int) -> datetime.date:
    """The first day of the month `delta` months after `month`'s (before it, when negative)."""
    index = month.year * 12 + month.month - 1 + delta
    return datetime.date(index // 12, index % 12 + 1, 1)
