"""Step deadlines of an event, in working hours, computed once when a step starts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from gridgov.core.selectors import work_calendar_for
from gridgov.core.workcal import add_working_hours
from gridgov.events.models import Category, CategoryLimit, Urgency

# Used only when neither the category nor any ancestor has limits for the urgency: the
# common local practice of DOMAIN.md (dispatch in 10 / 30 minutes, verify in 2 hours).
FALLBACK_HOURS = {
    Urgency.CRITICAL: {"dispatch": Decimal("0.17"), "accept": Decimal("0.5"), "handle": Decimal("2"), "verify": Decimal("1")},
    Urgency.URGENT: {"dispatch": Decimal("0.17"), "accept": Decimal("1"), "handle": Decimal("4"), "verify": Decimal("1")},
    Urgency.ORDINARY: {"dispatch": Decimal("0.5"), "accept": Decimal("4"), "handle": Decimal("24"), "verify": Decimal("2")},
}


def limit_hours(*, category: Category, urgency: str, step: str) -> Decimal:
    """The limit of the nearest category (itself, then its ancestors) that has one."""
    from gridgov.events.routing import category_ancestry

    limits = {
        limit.category.code: limit
        for limit in CategoryLimit.objects.filter(
            category__code__in=category_ancestry(category.code), urgency=urgency
        ).select_related("category")
    }
    for code in category_ancestry(category.code):
        if code in limits:
            return limits[code].hours_for(step)
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
    from gridgov.core.workcal import traffic_light
    from gridgov.events.workflow import OPEN_STATUSES

    if event.status not in OPEN_STATUSES or not (event.step_deadline and event.step_started_at):
        return None
    calendar = calendars.get(event.org_code)
    if calendar is None:
        return None
    return traffic_light(started=timezone.localtime(event.step_started_at),
                         deadline=timezone.localtime(event.step_deadline), now=timezone.localtime(now), cal=calendar)
