"""Reads of the event loop, scoped by role and area."""

from __future__ import annotations

import math

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.models import Role
from gridgov.events.models import Event
from gridgov.events.workflow import OPEN_STATUSES

SEES_AREA = {Role.DISPATCHER, Role.CITY_ADMIN, Role.GRID_WORKER}
HANDLER_ROLES = {Role.DEPARTMENT_STAFF, Role.STATION_STAFF}


def events_visible_to(user) -> QuerySet[Event]:
    """Dispatchers and admins see their area; grid workers their cells; a department or
    station the events sent to it; everyone the events they reported themselves."""
    if not user.is_authenticated:
        return Event.objects.none()
    roles = user.roles
    visible = Q(reporter=user)
    if roles & SEES_AREA and user.scope_code:
        visible |= Q(org_code__startswith=user.scope_code)
    if roles & HANDLER_ROLES and user.department_id:
        visible |= Q(department_id=user.department_id) | Q(owner_department_id=user.department_id)
    return Event.objects.filter(visible)


def access_event(user, event_id) -> Event:
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        pk = -1
    event = events_visible_to(user).select_related("category", "department", "owner_department").filter(pk=pk).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


DUPLICATE_RADIUS_M = 50


def _metres_to_degrees(lat: float, metres: float) -> tuple[float, float]:
    d_lat = metres / 111_320
    d_lng = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return d_lat, d_lng


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def possible_duplicates(event: Event) -> list[Event]:
    """Open events of the same category within 50 m, offered to the dispatcher for merging."""
    if event.lat is None or event.lng is None:
        return []
    d_lat, d_lng = _metres_to_degrees(event.lat, DUPLICATE_RADIUS_M)
    nearby = Event.objects.filter(
        category_id=event.category_id, status__in=OPEN_STATUSES,
        lat__range=(event.lat - d_lat, event.lat + d_lat), lng__range=(event.lng - d_lng, event.lng + d_lng),
    ).exclude(pk=event.pk).order_by("created_at")
    return [e for e in nearby if haversine_m(event.lat, event.lng, e.lat, e.lng) <= DUPLICATE_RADIUS_M]
