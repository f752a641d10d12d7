"""The daily map of an area (who is in hospital, away, visited today, due, or not due) and
the care metrics. Above the county, numbers only: the rows come back empty, the counts full."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import selectors
from gridgov.care.api.common import (
    DAY_STATUSES,
    PROGRAM_OR_MASK,
    CareApiView,
    PersonRefSerializer,
    choice_field,
    person_point,
    person_ref,
    today,
)
from gridgov.care.api.enrollments import ORG_PARAMETER, OrgFilterSerializer, checked_org
from gridgov.core.api.common import errors, no_store
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.db_router import reads_from_replica
from gridgov.core.permissions import Capability


@extend_schema_serializer(component_name="CareTodayRow")
class TodayRowSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    person = PersonRefSerializer()
    program = choice_field("CareProgramLabel", PROGRAM_OR_MASK, help_text="`***` where it would reveal why.")
    status = choice_field("CareDayStatus", DAY_STATUSES,
                          help_text="`away` instead of `hospitalized` where the details are masked.")
    lat = serializers.FloatField(allow_null=True, help_text="The home, WGS-84; null for roles without locations.")
    lng = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="CareTodayCounts")
class TodayCountsSerializer(serializers.Serializer):
    hospitalized = serializers.IntegerField(
        allow_null=True, help_text="Null for roles without the details: those in hospital count as `away`.")
    away = serializers.IntegerField(allow_null=True, help_text="Null where suppressed (see `suppressed`).")
    visited = serializers.IntegerField(allow_null=True)
    due = serializers.IntegerField(allow_null=True)
    not_due = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="CareTodayPage")
class TodayPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TodayRowSerializer(many=True, help_text="Empty above the county (statistics only).")
    date = serializers.DateField(help_text="Today in Asia/Shanghai.")
    counts = TodayCountsSerializer(help_text="Over the whole area, not only this page.")
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Above the county: the keys of `counts` that are null because they are 1–4 (or would give such "
                  "a count back).")


class CareTodayApi(CareApiView):
    required_capabilities = {"GET": Capability.VIEW_CARE_STATISTICS}
    pagination_class = KeysetPagination

    class FilterSerializer(OrgFilterSerializer):
        status = serializers.ChoiceField(choices=DAY_STATUSES, required=False, allow_blank=True)

    @extend_schema(
        operation_id="care_today",
        summary="The daily map of an area: each enrolled person's status today, with counts",
        tags=["care"],
        parameters=[
            ORG_PARAMETER,
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(DAY_STATUSES),
                             description="Only rows with this status (the counts stay over every row)."),
        ],
        responses={200: TodayPageSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        user = request.user
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        org, on = checked_org(user, filters), today()
        if selectors.statistics_only(user):
            counted = selectors.enrollments_in_scope(user, org=org)
        else:
            counted = selectors.enrollments_visible_to(user, org=org)
        counts, suppressed = selectors.today_counts_for(user, counted, on)
        rows = selectors.enrollments_list(user, org=org, status=filters.validated_data.get("status") or None,
                                          today=on)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        body = {
            "next": paginator.get_next_link(), "previous": paginator.get_previous_link(),
            "results": [self._row(user, e, on) for e in page], "date": on, "counts": counts,
            "suppressed": suppressed,
        }
        return no_store(Response(TodayPageSerializer(body).data))

    @staticmethod
    def _row(user, enrollment, on) -> dict:
        lat, lng = person_point(user, enrollment.person)
        return {
            "enrollment": enrollment.pk,
            "person": person_ref(user, enrollment.person),
            "program": selectors.program_label(user, enrollment, details_visible=enrollment.details_visible),
            "status": selectors.day_status(enrollment, on, details_visible=enrollment.details_visible),
            "lat": lat,
            "lng": lng,
        }


@extend_schema_serializer(component_name="CareMetricsRow")
class MetricsRowSerializer(serializers.Serializer):
    program = choice_field(
        "CareProgramLabel", PROGRAM_OR_MASK, help_text="`***`: the sensitive programs together, for roles without details."
    )
    enrolled = serializers.IntegerField(allow_null=True, help_text="Null where suppressed (see `suppressed`).")
    overdue = serializers.IntegerField(allow_null=True, help_text="Active, at home, and past the next visit's date.")
    seen_90_days = serializers.IntegerField(allow_null=True)
    hospitalized = serializers.IntegerField(allow_null=True, help_text="Null for roles without the details.")
    management_rate = serializers.FloatField(allow_null=True, help_text="Share not overdue (0–1).")
    visit_coverage = serializers.FloatField(allow_null=True, help_text="Share seen within 90 days (0–1).")
    crises = serializers.IntegerField(allow_null=True, help_text="Crises this year.")
    crisis_outcomes = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="Crises this year by outcome (`open` while none); for roles without the details only "
                  "`open` and `closed`.")
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Above the county, counts from 1 to 4 are null, and so is what would give them back (another "
                  "count of the group, a rate): their keys, e.g. `overdue`, `management_rate`, "
                  "`crisis_outcomes.open`. Empty at and below the county.")


@extend_schema_serializer(component_name="CareMetricsPage")
class MetricsPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Always null: one row per program.")
    previous = serializers.URLField(allow_null=True)
    results = MetricsRowSerializer(many=True)
    date = serializers.DateField()


class CareMetricsApi(CareApiView):
    """Statistics per program: allowed at every level, the city included."""

    required_capabilities = {"GET": Capability.VIEW_CARE_STATISTICS}

    @extend_schema(
        operation_id="care_metrics",
        summary="Care metrics per program for an area",
        tags=["care"],
        parameters=[ORG_PARAMETER],
        responses={200: MetricsPageSerializer, **errors(400, 401, 403, 404)},
    )
    @reads_from_replica()  # statistics: the replica's, where there is one (issue 12)
    def get(self, request):
        filters = OrgFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        on = today()
        rows = selectors.care_metrics_for(request.user, org=checked_org(request.user, filters), today=on)
        body = {"next": None, "previous": None, "results": rows, "date": on}
        return no_store(Response(MetricsPageSerializer(body).data))
