"""The audit log, for auditors: filtered, newest first."""

from __future__ import annotations

import datetime
import json

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from gridgov.core import audit_labels, dates, selectors, services
from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestFirstPagination
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
            return dates.end_of_day(day) if self.end_of_day else dates.start_of_day(day)
        return dates.clamp_moment(moment)  # year 1 or 9999 with an offset cannot overflow

    def to_representation(self, value):
        return value.isoformat()


class PeriodFilter(serializers.Serializer):
    """`since` / `until` query parameters of a list filtered by period (until inclusive)."""

    since = MomentField(required=False)
    until = MomentField(required=False, end_of_day=True)

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": [_("The end must be after the start.")]})
        return attrs


class AuditEntryListSerializer(serializers.ListSerializer):
    """A page of entries: the actors' names and the places' name paths looked up once for
    the page (core.audit_presenters), not once per row."""

    def to_representation(self, data):
        from gridgov.core import orgnames
        from gridgov.core.audit_presenters import actor_labels

        entries = list(data.all() if hasattr(data, "all") else data)
        self._context["audit_actor_labels"] = actor_labels(e.actor_id for e in entries)
        self._context["audit_places"] = orgnames.org_name_paths({e.org_code for e in entries if e.org_code})
        return super().to_representation(entries)


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
    # emergency (issue 10): the codes in words, in the user's language
    action_label = serializers.SerializerMethodField(help_text="The action in words.")
    object_type_label = serializers.SerializerMethodField(help_text="The kind of record in words.")
    # issue 11 (names, not codes): who and where in words, beside `actor` and `org_code`
    actor_label = serializers.SerializerMethodField(help_text="The actor's display name, or “System”.")
    org_name = serializers.SerializerMethodField(help_text="The org unit's name path (县 › 镇 › 村 › 网格).")
    person = serializers.IntegerField(source="person_id", allow_null=True,
                                      help_text="Id of the person the entry is about, if any.")
    org_code = serializers.CharField()
    ip = serializers.CharField()
    purpose = serializers.CharField(
        help_text="As stored: a purpose code from `core.purposes`, `: ` and the note (older entries: free text).")
    purpose_label = serializers.CharField(help_text="The purpose's label in the user's language, and the note.")
    changes = serializers.SerializerMethodField()
    hash = serializers.CharField(help_text="sha256(previous hash + canonical JSON of the entry).")

    def get_object_repr(self, entry) -> str:
        return display_label(entry)

    def get_action_label(self, entry) -> str:
        return audit_labels.action_label(entry.action)

    def get_object_type_label(self, entry) -> str:
        return audit_labels.object_type_label(entry.object_type)

    def get_actor_label(self, entry) -> str:
        from gridgov.core.audit_presenters import actor_label, actor_labels

        labels = self.context.get("audit_actor_labels")
        return actor_label(entry, labels if labels is not None else actor_labels([entry.actor_id]))

    def get_org_name(self, entry) -> str:
        from gridgov.core import orgnames
        from gridgov.core.audit_presenters import place

        places = self.context.get("audit_places")
        return place(entry.org_code, places if places is not None else orgnames.org_name_paths([entry.org_code]))

    class Meta:
        list_serializer_class = AuditEntryListSerializer

    def get_changes(self, entry) -> dict:
        return json.loads(entry.changes or "{}")


class ActorActionFilter(PeriodFilter):
    """Who acted and which action (or its prefix), within a period."""

    actor = serializers.CharField(required=False, allow_blank=True, max_length=150)
    action = serializers.CharField(required=False, allow_blank=True, max_length=64)


def audit_filter_parameters(action_example: str, *, since: str, until: str, more=()) -> list[OpenApiParameter]:
    """The query parameters of a list of audit entries: `actor`, `action` (`action_example` is
    a prefix), any `more`, then `since` and `until` with their descriptions."""
    return [
        OpenApiParameter("actor", OpenApiTypes.STR, description="Username of the actor."),
        OpenApiParameter("action", OpenApiTypes.STR, description=f"An action, or its prefix (`{action_example}`)."),
        *more,
        OpenApiParameter("since", OpenApiTypes.STR, description=since),
        OpenApiParameter("until", OpenApiTypes.STR, description=until),
    ]


# Audit entries, newest first, filtered by `FilterSerializer`: `filters_of(request)` gives the
# checked query parameters, `page(request, entries)` one page of the list. (A comment, not a
# docstring: the schema would show it as the description of a subclass without one.)
class AuditEntriesApi(APIView):
    permission_classes = API_PERMISSIONS
    pagination_class = NewestFirstPagination
    OutputSerializer = AuditEntrySerializer
    FilterSerializer = ActorActionFilter

    def filters_of(self, request) -> dict:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def page(self, request, entries):
        return paginated_response(request=request, view=self, queryset=entries, serializer_class=self.OutputSerializer)


class AuditEntryListApi(AuditEntriesApi):
    required_capabilities = {"GET": Capability.VIEW_AUDIT}

    class FilterSerializer(ActorActionFilter):
        object_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
        object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)
        person_resident_id = serializers.CharField(required=False, allow_blank=True, max_length=32)
        person = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)

    @extend_schema(
        operation_id="audit_entries_list",
        summary="Audit log entries, newest first (auditors)",
        tags=["audit"],
        parameters=audit_filter_parameters(
            "person.", since="From this date (start of day) or ISO 8601 date-time, inclusive.",
            until="Up to this date (end of day) or ISO 8601 date-time, exclusive.", more=[
            OpenApiParameter("object_type", OpenApiTypes.STR, description="E.g. `core.person`."),
            OpenApiParameter("object_id", OpenApiTypes.STR),
            OpenApiParameter("org", OpenApiTypes.STR, description="An org-unit code: its subtree."),
            OpenApiParameter(
                "person_resident_id", OpenApiTypes.STR,
                description="Entries about the person with this resident ID number.",
            ),
            OpenApiParameter("person", OpenApiTypes.INT, description="Entries about the person with this id."),
        ]),
        responses={200: AuditEntrySerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        f = self.filters_of(request)
        filters = selectors.AuditFilters(
            actor=f.get("actor", ""),
            action=f.get("action", ""),
            object_type=f.get("object_type", ""),
            object_id=f.get("object_id", ""),
            org_code=f.get("org", ""),
            person_resident_id=f.get("person_resident_id", ""),
            person_id=f.get("person"),
            since=f.get("since"),
            until=f.get("until"),
        )
        entries = selectors.audit_entries_for(request.user, filters)
        if filters.person_resident_id and not request.query_params.get("cursor"):
            services.audit_person_search_record(actor=request.user, filters=filters)
        return self.page(request, entries)


# --- emergency (issue 10): a person's access log, for their program officer -------------------


class PersonAccessLogApi(AuditEntriesApi):
    """Who read or changed this person's record: for the person's own program officer."""

    required_capabilities = {"GET": Capability.MANAGE_ENROLLMENTS}

    @extend_schema(
        operation_id="people_access_log",
        summary="Who read or changed this person's record (the person's program officer)",
        tags=["audit"],
        parameters=audit_filter_parameters(
            "care.", since="From this date or date-time, inclusive.", until="Up to the end of this date, exclusive."),
        responses={200: AuditEntrySerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request, person_id: int):
        from gridgov.core import access_log
        from gridgov.core.api.common import no_store

        person = selectors.access_person(request.user, person_id)
        f = self.filters_of(request)
        filters = access_log.AccessLogFilters(actor=f.get("actor", ""), action=f.get("action", ""),
                                              since=f.get("since"), until=f.get("until"))
        entries = access_log.person_access_log(request.user, person, filters)
        if not request.query_params.get("cursor"):
            access_log.person_access_log_record(actor=request.user, person=person, filters=filters)
        return no_store(self.page(request, entries))
