"""What the event endpoints share: the event's shape, its traffic light, the timeline as
staff and as the public see it, and a base view that loads the user's roles once."""

from __future__ import annotations

import datetime

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from gridgov.core.api.common import API_PERMISSIONS
from gridgov.core.permissions import Capability, has_capability
from gridgov.events import selectors
from gridgov.events.deadlines import PageLights
from gridgov.events.models import Event, Step, Urgency
from gridgov.events.workflow import Status


def is_staff(user) -> bool:
    """Staff of the grid centre and the departments; everyone else is "the public"."""
    return has_capability(user, Capability.TAKE_PART_IN_EVENTS)


class EventAccess(BasePermission):
    """Who may call each method at all, declared on the view as `event_access = {"GET":
    check, ...}`: `check(user)` raises `Forbidden` for a role that may never do this. It runs
    after authentication and before any input is read, so its 403 wins over 400 and 404
    (CONTRACTS); selectors and services still decide which events, and which action."""

    def has_permission(self, request, view):
        method = "GET" if request.method == "HEAD" else request.method
        check = getattr(view, "event_access", {}).get(method)
        if check is not None:
            check(request.user)
        return True


class EventsApiView(APIView):
    """Signed-in users. The user's roles are loaded once, with the authentication, so that
    every later check (visibility, workflow) reads them without another query."""

    permission_classes = [*API_PERMISSIONS, EventAccess]
    event_access: dict = {}

    def perform_authentication(self, request):
        super().perform_authentication(request)
        user = request.user
        if user.is_authenticated and "role_rows" not in getattr(user, "_prefetched_objects_cache", {}):
            prefetch_related_objects([user], "role_rows")


class OptionalBooleanField(serializers.BooleanField):
    """true, false, or not given (None) — also in multipart forms, where DRF would
    otherwise read a missing box as false."""

    default_empty_html = empty

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)


def photos_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=9,
        help_text="JPEG, PNG or WebP images (multipart/form-data), at most 9 and 10 MB each.",
    )


# --- The event's shape ------------------------------------------------------------------


@extend_schema_serializer(component_name="DepartmentRef")
class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Event")
class EventSerializer(serializers.Serializer):
    """An event as a list row (reads the dict of `event_row`)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="`<county>-<yyyymmdd>-<seq>`, also the Open311 service_request_id.")
    status = serializers.ChoiceField(choices=Status.choices)
    category = serializers.CharField(help_text="The category code.")
    category_name = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    channel = serializers.CharField()
    description = serializers.CharField()
    grid_code = serializers.CharField(help_text="The grid cell (or the area, for a report without a point).")
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    address = serializers.CharField()
    place = serializers.IntegerField(allow_null=True, help_text="The register place the event concerns, if any.")
    department = DepartmentRefSerializer(allow_null=True, help_text="Who handles it now; null before dispatch.")
    step = serializers.ChoiceField(choices=Step.choices, allow_null=True, help_text="The timed step running now.")
    step_deadline = serializers.DateTimeField(allow_null=True)
    deadlines = serializers.DictField(
        child=serializers.DateTimeField(), help_text="Each step's deadline as computed when it started."
    )
    light = serializers.ChoiceField(
        choices=["green", "yellow", "red"], allow_null=True,
        help_text="Time used of the running step: green below 80 %, yellow to 100 %, red past the deadline.",
    )
    rework_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="PossibleDuplicate")
class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    distance_m = serializers.IntegerField()


@extend_schema_serializer(component_name="EventCreated")
class EventCreatedSerializer(EventSerializer):
    possible_duplicates = DuplicateSerializer(
        many=True, help_text="Open events of the same category within 50 m, nearest first."
    )


@extend_schema_serializer(component_name="TimelineEntry")
class TimelineEntrySerializer(serializers.Serializer):
    step = serializers.CharField(help_text="The action: `register`, `dispatch`, `accept`, `handle`, …")
    status = serializers.ChoiceField(choices=Status.choices, help_text="The status it left the event in.")
    actor = serializers.CharField(allow_null=True, help_text="Who did it; null for the public unless it was them.")
    at = serializers.DateTimeField()
    note = serializers.CharField()
    photos = serializers.ListField(
        child=serializers.URLField(), help_text="Originals for staff; EXIF-stripped copies for the public."
    )


@extend_schema_serializer(component_name="EventDetail")
class EventDetailSerializer(EventSerializer):
    timeline = TimelineEntrySerializer(many=True)


# --- Rows, by hand (issue 12) -------------------------------------------------------------
# A list page builds its rows from plain `values()` rows (`selectors.event_list_rows`) with
# the functions below, not through `EventSerializer`: they give exactly what the serialiser
# gave (its field order; each time as `DateTimeField` writes it, in the current zone, looked
# up once per page), at a fraction of the cost. `EventSerializer` still describes the shape
# in the OpenAPI document, and the detail and the new report pass these rows through it.


def _iso(value: datetime.datetime | None, tz) -> str | None:
    """`DateTimeField.to_representation` (ISO 8601 in the zone `tz`, `Z` for UTC)."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _deadlines(deadlines: dict | None, tz) -> dict:
    """Each step's deadline as stored (ISO text) in the zone `tz`; empty ones left out."""
    out = {}
    for step, at in (deadlines or {}).items():
        if not at:
            continue
        moment = parse_datetime(at) if isinstance(at, str) else at
        if moment is not None and moment.tzinfo is None:
            moment = timezone.localtime(moment)  # refused, as it always was
        out[str(step)] = _iso(moment, tz) if moment is not None else None
    return out


def event_json(row, *, tz, light: str | None) -> dict:
    """One list row (`EventSerializer`'s fields) from a row of `selectors.EVENT_ROW_FIELDS`."""
    department_code = row["department__code"]
    lat, lng = row["lat"], row["lng"]
    return {
        "id": row["id"],
        "code": row["code"],
        "status": row["status"],
        "category": row["category__code"],
        "category_name": row["category__name"],
        "urgency": row["urgency"],
        "channel": row["channel"],
        "description": row["description"],
        "grid_code": row["org_code"],
        "lat": None if lat is None else float(lat),
        "lng": None if lng is None else float(lng),
        "address": row["address"],
        "place": row["place_id"],
        "department": None if department_code is None else {
            "code": department_code, "name": row["department__name"]},
        "step": row["step"] or None,
        "step_deadline": _iso(row["step_deadline"], tz),
        "deadlines": _deadlines(row["deadlines"], tz),
        "light": light,
        "rework_count": row["rework_count"],
        "created_at": _iso(row["created_at"], tz),
        "updated_at": _iso(row["updated_at"], tz),
        "closed_at": _iso(row["closed_at"], tz),
    }


def events_json(rows: list) -> list[dict]:
    """The rows of a page: the working calendars of its places in two queries, the zone and
    the clock read once, and each light from `deadlines.PageLights` (one calendar's working
    days worked out once for the page, not per row)."""
    if not rows:
        return []
    tz = timezone.get_current_timezone()
    now = timezone.now()
    lights = PageLights(selectors.work_calendars_for(row["org_code"] for row in rows), now=now)
    return [event_json(row, tz=tz, light=lights.light(
        status=row["status"], org_code=row["org_code"], started=row["step_started_at"],
        deadline=row["step_deadline"])) for row in rows]


def _values_of(event: Event) -> dict:
    """An event loaded in full (a detail, a new report) as a row of `selectors.EVENT_ROW_FIELDS`."""
    category, department = event.category, event.department
    return {
        "id": event.pk, "code": event.code, "status": event.status, "category__code": category.code,
        "category__name": category.name, "urgency": event.urgency, "channel": event.channel,
        "description": event.description, "org_code": event.org_code, "lat": event.lat, "lng": event.lng,
        "address": event.address, "place_id": event.place_id,
        "department__code": department.code if department else None,
        "department__name": department.name if department else None,
        "step": event.step, "step_started_at": event.step_started_at, "step_deadline": event.step_deadline,
        "deadlines": event.deadlines, "rework_count": event.rework_count, "created_at": event.created_at,
        "updated_at": event.updated_at, "closed_at": event.closed_at,
    }


def event_row(event: Event, *, calendars: dict, now: datetime.datetime) -> dict:
    """The row of one event loaded in full (`category` and `department` loaded), its light
    from `calendars` (by org code) at `now`."""
    row = _values_of(event)
    light = PageLights(calendars, now=now).light(status=row["status"], org_code=row["org_code"],
                                                 started=row["step_started_at"], deadline=row["step_deadline"])
    return event_json(row, tz=timezone.get_current_timezone(), light=light)


def event_rows(events: list[Event]) -> list[dict]:
    """`events_json` of events loaded in full (`category` and `department` loaded)."""
    return events_json([_values_of(event) for event in events])


def duplicates_of(event: Event, *, user) -> list[dict]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []  # a sensor: it cannot merge anything, and sees no other events
    rows = [
        {"id": other.pk, "code": other.code,
         "distance_m": round(selectors.haversine_m(event.lat, event.lng, other.lat, other.lng))}
        for other in selectors.possible_duplicates(event, user=user)
    ]
    return sorted(rows, key=lambda row: (row["distance_m"], row["id"]))


def created_body(event: Event, *, user) -> dict:
    # One event: its calendar from the lookup cache (core.selectors.work_calendar_for).
    from gridgov.core.selectors import work_calendar_for

    row = event_row(event, calendars={event.org_code: work_calendar_for(event.org_code)}, now=timezone.now())
    return EventCreatedSerializer({**row, "possible_duplicates": duplicates_of(event, user=user)}).data


def detail_body(event: Event, *, user, request) -> dict:
    """The event with its timeline. Staff see every note, who acted and the original
    photos; the public (a resident following their report) sees what was done, their own
    entries, and photo copies with the EXIF (location) stripped."""
    staff = is_staff(user)
    timeline = []
    for entry in selectors.event_timeline(event):
        own = entry.actor_id is not None and entry.actor_id == user.pk
        shown = staff or own or entry.action in selectors.PUBLIC_NOTE_ACTIONS
        # Links to the view that checks access and serves the EXIF-stripped copy: the
        # media folder itself is never served.
        photos = [
            request.build_absolute_uri(reverse("api-event-photo", args=[event.pk, photo.pk]))
            for photo in entry.photos.all()
        ]
        timeline.append({
            "step": entry.action,
            "status": entry.to_status,
            "actor": entry.actor_label if staff or own else None,
            "at": entry.at,
            "note": entry.note if shown else "",
            "photos": photos,
        })
    return EventDetailSerializer({**event_rows([event])[0], "timeline": timeline}).data
