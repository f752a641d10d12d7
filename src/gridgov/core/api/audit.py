"""The audit log, for auditors: filtered, newest first."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from gridgov.core import selectors
from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestFirstPagination
from gridgov.core import services
from gridgov.core.audit import display_label
from gridgov.core.permissions import Capability


class MomentField(serializers.Field):
    """An ISO 8601 date (`2026-05-01`) or date-time. A date means the start of that day in
    the server's time zone, or with `end_of_day` the start of the next day (so that
    `until=2026-05-01` includes all of 1 May). A time without offset is server time."""

    default_error_messages = {
        "invalid": _("Enter a date (YYYY-MM-DD) or an ISO 8601 date and time."),
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> datetime.datetime:
        text = str(data).strip()
        moment = day = None
        try:
            # A bare date first: parse_datetime would read "2026-05-01" as midnight.
            if len(text) == 10:
                day = parse_date(text)
            else:
                moment = parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        if moment is None:
            if self.end_of_day:
                day += datetime.timedelta(days=1)
            moment = datetime.datetime.combine(day, datetime.time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def to_representation(self, value):
        return value.isoformat()


@extend_schema_serializer(component_name="AuditEntry")
class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    chain = serializers.CharField(help_text="The county code of the chain, or `city`.")
    seq = serializers.IntegerField(help_text="Position in the chain, from 1.")
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_username", help_text="Username, or `system`.")
    action = serializers.CharField(help_text="E.g. `person.open_record`.")
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object_repr = serializers.SerializerMethodField(help_text="Names and home addresses come masked.")
    org_code = serializers.CharField()
    ip = serializers.CharField()
    purpose = serializers.CharField()
    changes = serializers.SerializerMethodField()
    hash = serializers.CharField(help_text="sha256(previous hash + canonical JSON of the entry).")

    def get_object_repr(self, entry) -> str:
        return display_label(entry)

    def get_changes(self, entry) -> dict:
        return json.loads(entry.changes or "{}")


class AuditEntryListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.VIEW_AUDIT}
    pagination_class = NewestFirstPagination
    OutputSerializer = AuditEntrySerializer

    class FilterSerializer(serializers.Serializer):
        actor = serializers.CharField(required=False, allow_blank=True, max_length=150)
        action = serializers.CharField(required=False, allow_blank=True, max_length=64)
        object_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
        object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)
        person_resident_id = serializers.CharField(required=False, allow_blank=True, max_length=32)
        since = MomentField(required=False)
        until = MomentField(required=False, end_of_day=True)

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
                raise serializers.ValidationError({"until": [_("The end must be after the start.")]})
            return attrs

    @extend_schema(
        operation_id="audit_entries_list",
        summary="Audit log entries, newest first (auditors)",
        tags=["audit"],
        parameters=[
            OpenApiParameter("actor", OpenApiTypes.STR, description="Username of the actor."),
            OpenApiParameter("action", OpenApiTypes.STR, description="An action, or its prefix (`person.`)."),
            OpenApiParameter("object_type", OpenApiTypes.STR, description="E.g. `core.person`."),
            OpenApiParameter("object_id", OpenApiTypes.STR),
            OpenApiParameter("org", OpenApiTypes.STR, description="An org-unit code: its subtree."),
            OpenApiParameter(
                "person_resident_id", OpenApiTypes.STR,
                description="Entries about the person with this resident ID number.",
            ),
            OpenApiParameter(
                "since", OpenApiTypes.STR,
                description="From this date (start of day) or ISO 8601 date-time, inclusive.",
            ),
            OpenApiParameter(
                "until", OpenApiTypes.STR,
                description="Up to this date (end of day) or ISO 8601 date-time, exclusive.",
            ),
        ],
        responses={200: AuditEntrySerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        filters = selectors.AuditFilters(
            actor=f.get("actor", ""),
            action=f.get("action", ""),
            object_type=f.get("object_type", ""),
            object_id=f.get("object_id", ""),
            org_code=f.get("org", ""),
            person_resident_id=f.get("person_resident_id", ""),
            since=f.get("since"),
            until=f.get("until"),
        )
        entries = selectors.audit_entries_for(request.user, filters)
        if filters.person_resident_id and not request.query_params.get("cursor"):
            services.audit_person_search_record(actor=request.user, filters=filters)
        return paginated_response(
            request=request, view=self, queryset=entries, serializer_class=self.OutputSerializer
        )
