"""Events: report, list, read with the timeline, take workflow actions, merge duplicates.

The channel of a report follows from who sends it: a grid worker's is `grid_worker`, a
dispatcher typing a citizen's call is `hotline` (with the caller's name and contact), any
other signed-in user's is `resident`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.core.api.common import errors, latitude_field, longitude_field
from gridgov.core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.api_pagination import NewestIdFirstPagination, keyset_pagination
from gridgov.core.exceptions import Forbidden, NotFound
from gridgov.core.permissions import Capability, has_capability
from gridgov.events import selectors, services
from gridgov.events.api.common import (
    EventCreatedSerializer,
    EventDetailSerializer,
    EventsApiView,
    EventSerializer,
    OptionalBooleanField,
    created_body,
    detail_body,
    events_json,
    photos_field,
)
from gridgov.events.models import Channel, Urgency
from gridgov.events.workflow import Action, Status, user_may

IDEMPOTENCY_BODY = dict(required=False, max_length=200, write_only=True,
                        help_text="Same as the `Idempotency-Key` header.")


def channel_of(user) -> str:
    if has_capability(user, Capability.REPORT_FROM_GRID):
        return Channel.GRID_WORKER
    if has_capability(user, Capability.REGISTER_EVENTS):
        return Channel.HOTLINE
    return Channel.RESIDENT


class StatusListField(serializers.CharField):
    """`dispatched` or a comma list `dispatched,accepted`."""

    def to_internal_value(self, data):
        values = [v.strip() for v in super().to_internal_value(data).split(",") if v.strip()]
        unknown = [v for v in values if v not in Status.values]
        if unknown:
            raise serializers.ValidationError(_("Unknown status: %(s)s.") % {"s": ", ".join(unknown)})
        return tuple(values)


class EventListApi(EventsApiView):
    """`GET`: the events the user sees, newest first. `POST`: report an event.

    Each row's traffic light needs the working calendar of the event's place. The calendars
    are loaded once per page, not per row: one query for the working-hour schedules of every
    ancestor of the page's org codes, one for the holiday overrides (whatever the page's
    length or the number of counties on it), then the most specific schedule per event is
    picked in Python, as `core.selectors.work_calendar_for` does for one code.
    """

    pagination_class = NewestIdFirstPagination
    event_access = {"GET": selectors.require_event_loop, "POST": services.require_may_report}

    class FilterSerializer(serializers.Serializer):
        status = StatusListField(required=False, allow_blank=True)
        category = serializers.RegexField(r"^[a-z0-9_.]{1,60}$", required=False, allow_blank=True)
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)
        department = serializers.CharField(required=False, allow_blank=True, max_length=60)
        overdue = serializers.BooleanField(required=False, default=False)
        since = serializers.DateField(required=False, allow_null=True, default=None)
        until = serializers.DateField(required=False, allow_null=True, default=None)

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
                raise serializers.ValidationError({"until": [_("The end comes before the start.")]})
            return attrs

    @extend_schema_serializer(component_name="EventReport")
    class InputSerializer(serializers.Serializer):
        category = serializers.CharField(max_length=60, help_text="A leaf category code, e.g. `food.unlicensed`.")
        lat = latitude_field(required=False, allow_null=True, default=None)
        lng = longitude_field(required=False, allow_null=True, default=None)
        address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300,
                                        help_text="Needed when no point is given.")
        description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ORDINARY)
        place = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="A register place (shop, school…) the event concerns; its "
                                                   "point is used when none is given.")
        reporter_name = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=100,
            help_text="Hotline only: the caller's name, kept to tell them the outcome; never public.",
        )
        reporter_contact = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=200,
            help_text="Hotline only: the caller's phone or e-mail; never public.",
        )
        photos = photos_field()
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="events_list",
        summary="Events the user sees, newest first",
        tags=["events"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="A status or a comma list of statuses."),
            OpenApiParameter("category", OpenApiTypes.STR, description="A category code; its sub-categories too."),
            OpenApiParameter("org", OpenApiTypes.STR, description="An org-unit code: events in its subtree."),
            OpenApiParameter("department", OpenApiTypes.STR, description="A department or station code."),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Open events past their step deadline."),
            OpenApiParameter("since", OpenApiTypes.DATE, description="Reported on or after this day."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Reported on or before this day."),
        ],
        responses={200: EventSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        filters = selectors.EventFilters(
            statuses=data.get("status") or (), category=data.get("category") or "", org=data.get("org") or "",
            department=data.get("department") or "", overdue=data["overdue"], since=data["since"],
            until=data["until"],
        )
        rows = selectors.event_list_rows(request.user, filters)
        # The cursor follows the order that the filters' index gives (EventFilters.order).
        paginator = (self.pagination_class if filters.order == selectors.ID_ORDER
                     else keyset_pagination(*filters.order))()
        page = paginator.paginate_queryset(rows, request, view=self)
        # Plain rows, serialised by hand (issue 12); EventSerializer documents their shape.
        return paginator.get_paginated_response(events_json(page))

    @extend_schema(
        operation_id="events_create",
        summary="Report an event (photos as multipart)",
        tags=["events"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: EventCreatedSerializer, **errors(400, 401, 403, 409)},
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        channel = channel_of(request.user)
        hotline = channel == Channel.HOTLINE
        event = services.event_submit(actor=request.user, submission=services.Submission(
            category_code=fields["category"], description=fields["description"], channel=channel,
            lat=fields["lat"], lng=fields["lng"], address=fields["address"], urgency=fields["urgency"],
            reporter_name=fields["reporter_name"] if hotline else "",
            reporter_contact=fields["reporter_contact"] if hotline else "",
            photos=fields["photos"], place_id=fields["place"],
        ))
        return Response(created_body(event, user=request.user), status=201)


class EventDetailApi(EventsApiView):
    event_access = {"GET": selectors.require_event_loop}

    @extend_schema(
        operation_id="events_retrieve",
        summary="One event with its timeline",
        tags=["events"],
        responses={200: EventDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, event_id: int):
        event = selectors.access_event(request.user, event_id)
        return Response(detail_body(event, user=request.user, request=request))


class EventActionApi(EventsApiView):
    """Take one step of the workflow. A role that may never take the action gets 403, an
    action the event's status does not allow 409 (`illegal_transition`)."""

    event_access = {"POST": selectors.require_event_loop}

    @extend_schema_serializer(component_name="EventAction")
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=Action.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
        department = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=60,
            help_text="`dispatch`: a department or station code (optional when a routing rule names one).",
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                       help_text="`return`, `extend`, `suspend`, `cancel`, `reopen`.")
        suggested_department = serializers.CharField(required=False, allow_blank=True, default="", max_length=60,
                                                     help_text="`return`: where it should go instead.")
        passed = OptionalBooleanField(help_text="`verify`: false sends it back for rework.")
        hours = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True,
                                         default=None, help_text="`extend`: working hours asked for.")
        approve = OptionalBooleanField(help_text="`approve_extension`: approve or refuse.")
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None,
                                          help_text="`evaluate`: 1 to 5.")
        photos = photos_field()
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="events_act",
        summary="Take a workflow action",
        tags=["events"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request, event_id: int):
        event = selectors.access_event(request.user, event_id)
        action = request.data.get("action") if hasattr(request.data, "get") else None
        if action in Action.values and not user_may(request.user, action):
            raise Forbidden(_("Your role may not take this action."))  # 403 before any other check
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        event = services.event_act(actor=request.user, event=event, request=services.ActionRequest(
            action=fields["action"], note=fields["note"], department=fields["department"], reason=fields["reason"],
            suggested_department=fields["suggested_department"], passed=fields["passed"], hours=fields["hours"],
            approve=fields["approve"], rating=fields["rating"], photos=fields["photos"],
        ))
        # The actor just acted on it, so they see the result even when it has now left their
        # hands (a station that returned it).
        return Response(detail_body(event, user=request.user, request=request))


class EventMergeApi(EventsApiView):
    """A dispatcher cancels a duplicate report, pointing it at the event it repeats."""

    event_access = {"POST": selectors.require_event_desk}

    @extend_schema_serializer(component_name="EventMerge")
    class InputSerializer(serializers.Serializer):
        into = serializers.IntegerField(help_text="The id of the event this one repeats.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="events_merge",
        summary="Merge a duplicate into the event it repeats",
        tags=["events"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request, event_id: int):
        duplicate = selectors.access_event(request.user, event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        original = selectors.access_event(request.user, data.validated_data["into"])
        event = services.event_merge(actor=request.user, duplicate=duplicate, original=original)
        return Response(detail_body(event, user=request.user, request=request))


class EventPhotoApi(EventsApiView):
    """A photo of an event the caller may see, as the EXIF-stripped copy."""

    event_access = {"GET": selectors.require_event_loop}

    @extend_schema(
        operation_id="events_photo",
        summary="A photo of an event (JPEG, location data removed)",
        tags=["events"],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **errors(401, 403, 404)},
    )
    def get(self, request, event_id: int, photo_id: int):
        from gridgov.events.views.common import photo_response

        event = selectors.access_event(request.user, event_id)
        photo = event.photos.filter(pk=photo_id).first()
        if photo is None:
            raise NotFound(_("No such photo."))
        return photo_response(photo.public_image)
