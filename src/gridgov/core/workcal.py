"""Working time on the Chinese calendar: official holidays and 调休 make-up workdays.

`chinesecalendar` knows the State Council's schedule up to the last published year. An
admin enters later years as overrides (`HolidayOverride`); for a year nobody has entered,
Monday to Friday are workdays. Deadlines are computed once, when a step starts, by the pure
functions here, and stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar

DEFAULT_PERIODS = (
    (datetime.time(8, 30), datetime.time(12, 0)),
    (datetime.time(13, 30), datetime.time(17, 30)),
)


def official_schedule_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are workdays and which hours of them count."""

    periods: tuple[tuple[datetime.time, datetime.time], ...] = DEFAULT_PERIODS
    overrides: Mapping[datetime.date, bool] = field(default_factory=dict)

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(start, end) for start, end in self.periods) / 3600


def _seconds(start: datetime.time, end: datetime.time) -> float:
    return (datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)).total_seconds()


def _day_windows(day: datetime.date, cal: WorkCalendar, tz) -> list[tuple[datetime.datetime, datetime.datetime]]:
    if not cal.is_workday(day):
        return []
    return [
        (datetime.datetime.combine(day, start, tzinfo=tz), datetime.datetime.combine(day, end, tzinfo=tz))
        for start, end in cal.periods
    ]


MAX_DAYS_SEARCHED = 3660  # a deadline more than ten years out means a configuration error


def add_working_hours(start: datetime.datetime, hours: float, cal: WorkCalendar) -> datetime.datetime:
    """The moment `hours` of working time after `start` (an aware datetime), in start's zone."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if hours < 0:
        raise ValueError("hours must not be negative")
    tz = start.tzinfo
    remaining = hours * 3600
    day = start.date()
    for _day in range(MAX_DAYS_SEARCHED):
        for window_start, window_end in _day_windows(day, cal, tz):
            begin = max(window_start, start)
            if begin > window_end or (begin == window_end and remaining > 0):
                continue  # a zero-hour step at a window's end stays there: a + 0 == a
            available = (window_end - begin).total_seconds()
            if remaining <= available:
                if remaining == 0:
                    return begin
                return begin + datetime.timedelta(seconds=remaining)
            remaining -= available
        day += datetime.timedelta(days=1)
    raise ValueError("no working time found within ten years: check the working calendar")


def working_seconds_between(start: datetime.datetime, end: datetime.datetime, cal: WorkCalendar) -> float:
    """Working seconds elapsed from `start` to `end` (0 if end is not after start)."""
    return WorkClock(cal, start.tzinfo).seconds_between(start, end)


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class WorkClock:
    """Working time on one calendar in one zone, for many moments: each day's working windows
    are worked out once (the holiday lookups of `WorkCalendar.is_workday`), then reused by
    every later question. A list page keeps one per calendar for all its traffic lights
    (issue 12); the answers are those of `working_seconds_between` and `traffic_light`."""

    def __init__(self, cal: WorkCalendar, tz):
        self.cal, self.tz = cal, tz
        self._windows: dict[datetime.date, list[tuple[datetime.datetime, datetime.datetime]]] = {}

    def windows(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        found = self._windows.get(day)
        if found is None:
            found = self._windows[day] = _day_windows(day, self.cal, self.tz)
        return found

    def seconds_between(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """`working_seconds_between` for a `start` in this clock's zone."""
        if end <= start:
            return 0.0
        end = end.astimezone(self.tz)
        total = 0.0
        day = start.date()
        while day <= end.date():
            for window_start, window_end in self.windows(day):
                begin, finish = max(window_start, start), min(window_end, end)
                if finish > begin:
                    total += (finish - begin).total_seconds()
            day += datetime.timedelta(days=1)
        return total

    def light(self, *, started: datetime.datetime, deadline: datetime.datetime, now: datetime.datetime) -> str:
        """`traffic_light` for a `started` in this clock's zone."""
        if now >= deadline:
            return Light.RED
        if deadline <= started:
            return Light.RED  # no working time allowed
        # The time allowed (start → deadline) and used (start → now) in one walk over the days:
        # each sum takes the same terms in the same order as `seconds_between` would.
        deadline, now = deadline.astimezone(self.tz), now.astimezone(self.tz)
        allowed = used = 0.0
        counting_used = now > started
        day, last, today = started.date(), deadline.date(), now.date()
        while day <= last:
            for window_start, window_end in self.windows(day):
                begin = max(window_start, started)
                finish = min(window_end, deadline)
                if finish > begin:
                    allowed += (finish - begin).total_seconds()
                if counting_used and day <= today:
                    finish = min(window_end, now)
                    if finish > begin:
                        used += (finish - begin).total_seconds()
            day += datetime.timedelta(days=1)
        if allowed <= 0:
            return Light.RED
        return Light.YELLOW if used / allowed >= 0.8 else Light.GREEN


def traffic_light(
    *, started: datetime.datetime, deadline: datetime.datetime, now: datetime.datetime, cal: WorkCalendar
) -> str:
    """Green below 80 % of the allowed working time, yellow from 80 % to 100 %, red past it."""
    return WorkClock(cal, started.tzinfo).light(started=started, deadline=deadline, now=now)


def add_working_days(start: datetime.date, days: int, cal: WorkCalendar) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted): e.g. the day by
    which a correction request must be answered."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    for _day in range(MAX_DAYS_SEARCHED):
        if days == 0:
            return day
        day += datetime.timedelta(days=1)
        if cal.is_workday(day):
            days -= 1
    raise ValueError("no working day found within ten years: check the working calendar")
