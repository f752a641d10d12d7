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
from gridgov.events.deadlines import step_light
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


def _local(value: str | datetime.datetime | None) -> datetime.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.localtime(value) if value else None


light_of = step_light  # the same light as the pages (events.deadlines)


def event_row(event: Event, *, calendars: dict, now: datetime.datetime) -> dict:
    """The fields of `EventSerializer`; `event` has its category and department loaded."""
    department = event.department
    return {
        "id": event.pk,
        "code": event.code,
        "status": event.status,
        "category": event.category.code,
        "category_name": event.category.name,
        "urgency": event.urgency,
        "channel": event.channel,
        "description": event.description,
        "grid_code": event.org_code,
        "lat": event.lat,
        "lng": event.lng,
        "address": event.address,
        "place": event.place_id,
        "department": {"code": department.code, "name": department.name} if department else None,
        "step": event.step or None,
        "step_deadline": event.step_deadline,
        "deadlines": {step: _local(at) for step, at in (event.deadlines or {}).items() if at},
        "light": light_of(event, calendars, now),
        "rework_count": event.rework_count,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        "closed_at": event.closed_at,
    }


def event_rows(events: list[Event]) -> list[dict]:
    """Rows for a page of events: the working calendars of the page in two queries."""
    if not events:
        return []
    calendars = selectors.work_calendars_for(e.org_code for e in events)
    now = timezone.now()
    return [event_row(event, calendars=calendars, now=now) for event in events]


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
    return EventCreatedSerializer({**event_rows([event])[0],
                                   "possible_duplicates": duplicates_of(event, user=user)}).data


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
