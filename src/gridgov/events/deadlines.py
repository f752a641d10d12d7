"""Step deadlines of an event, in working hours, computed once when a step starts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from gridgov.core.selectors import work_calendar_for
from gridgov.core.workcal import WorkClock, add_working_hours
from gridgov.events.models import Category, Urgency

# Used only when neither the category nor any ancestor has limits for the urgency: the
# common local practice of DOMAIN.md (dispatch in 10 / 30 minutes, verify in 2 hours).
FALLBACK_HOURS = {
    Urgency.CRITICAL: {"dispatch": Decimal("0.17"), "accept": Decimal("0.5"), "handle": Decimal("2"), "verify": Decimal("1")},
    Urgency.URGENT: {"dispatch": Decimal("0.17"), "accept": Decimal("1"), "handle": Decimal("4"), "verify": Decimal("1")},
    Urgency.ORDINARY: {"dispatch": Decimal("0.5"), "accept": Decimal("4"), "handle": Decimal("24"), "verify": Decimal("2")},
}


def limit_hours(*, category: Category, urgency: str, step: str) -> Decimal:
    """The limit of the nearest category (itself, then its ancestors) that has one, from the
    lookup cache while no limit changes (`events.lookups`, issue 12)."""
    from gridgov.events.lookups import limits_of
    from gridgov.events.routing import category_ancestry

    limits = limits_of(category.code, urgency)
    for code in category_ancestry(category.code):
        if code in limits:
            return limits[code][step]
    return FALLBACK_HOURS[urgency][step]


def step_deadline(*, category: Category, urgency: str, step: str, org_code: str,
                  start: datetime.datetime, extra_hours: Decimal = Decimal(0)) -> datetime.datetime:
    hours = limit_hours(category=category, urgency=urgency, step=step) + extra_hours
    # Working hours are local office hours, whatever zone the start time came in.
    return add_working_hours(timezone.localtime(start), float(hours), work_calendar_for(org_code))


def step_light(event, calendars: dict, now: datetime.datetime) -> str | None:
    """The traffic light of the event's running step (`core.workcal.traffic_light`), or None
    when no clock runs or its area has no calendar among `calendars` (by org code). The
    pages and the API show the same light."""
    return PageLights(calendars, now=now).light(status=event.status, org_code=event.org_code,
                                                started=event.step_started_at, deadline=event.step_deadline)


class PageLights:
    """`step_light` for the rows of one page (issue 12): one `WorkClock` per distinct calendar,
    so that each working day's hours are worked out once for the page, and the zone and
    `now` are converted once, not per row."""

    def __init__(self, calendars: dict, *, now: datetime.datetime):
        self.calendars = calendars
        self.tz = timezone.get_current_timezone()
        self.now = now.astimezone(self.tz)
        self._clocks: dict[int, WorkClock] = {}

    def light(self, *, status: str, org_code: str, started: datetime.datetime | None,
              deadline: datetime.datetime | None) -> str | None:
        from gridgov.events.workflow import OPEN_STATUSES

        if status not in OPEN_STATUSES or not (deadline and started):
            return None
        calendar = self.calendars.get(org_code)
        if calendar is None:
            return None
        clock = self._clocks.get(id(calendar))
        if clock is None:
            clock = self._clocks[id(calendar)] = WorkClock(calendar, self.tz)
        return clock.light(started=started.astimezone(self.tz), deadline=deadline.astimezone(self.tz), now=self.now)
