"""The one-month time limit of mediation (人民调解: "一般在一个月内结束"), in calendar days."""

from __future__ import annotations

import calendar
import datetime


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day of the next month; the month's last day when it has no such day
    (31 January → 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
