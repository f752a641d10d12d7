"""Handovers between places (release from prison or hospital, moving house): the sending
side creates one with a date, the receiving side accepts or rejects it with a reason."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import selectors, services
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    PROGRAM_OR_MASK,
    CareApiView,
    PersonRefSerializer,
    choice_field,
    person_ref,
)
from gridgov.care.models import Handover
from gridgov.core.api.common import errors, no_store, paginated_response
from gridgov.core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.permissions import Capability, has_capability, in_scope


@extend_schema_serializer(component_name="CareHandover")
class HandoverSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    person = PersonRefSerializer()
    program = choice_field("CareProgramLabel", PROGRAM_OR_MASK)
    direction = choice_field("CareHandoverDirection", ["in", "out"], help_text="Into or out of the user's area.")
    from_org_code = serializers.CharField()
    to_org_code = serializers.CharField()
    reason = choice_field("CareHandoverReason", Handover.Reason.choices)
    note = serializers.CharField()
    due_date = serializers.DateField(help_text="The receiving side must accept by this day.")
    status = choice_field("CareHandoverStatus", Handover.Status.choices)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField()


def handover_row(user, handover: Handover) -> dict:
    enrollment = handover.enrollment
    # Both sides' officers need to know what they hand over or take on.
    details_visible = has_capability(user, Capability.VIEW_CARE_DETAILS)
    return {
        "id": handover.pk,
        "enrollment": enrollment.pk,
        "person": person_ref(user, enrollment.person),
        "program": selectors.program_label(user, enrollment, details_visible=details_visible),
        "direction": "in" if in_scope(user, handover.to_org_code) else "out",
        "from_org_code": handover.from_org_code,
        "to_org_code": handover.to_org_code,
        "reason": handover.reason,
        "note": handover.note,
        "due_date": handover.due_date,
        "status": handover.status,
        "created_at": handover.created_at,
        "decided_at": handover.decided_at,
        "reject_reason": handover.reject_reason,
    }


class HandoverListApi(CareApiView):
    """`GET`: handovers into or out of the user's area, newest first. `POST`: hand a person over."""

    required_capabilities = {"GET": Capability.MANAGE_ENROLLMENTS, "POST": Capability.MANAGE_ENROLLMENTS}
    pagination_class = NewestIdFirstPagination

    class FilterSerializer(serializers.Serializer):
        direction = serializers.ChoiceField(choices=["in", "out"], required=False, allow_blank=True)
        status = serializers.ChoiceField(choices=Handover.Status.choices, required=False, allow_blank=True)

    @extend_schema_serializer(component_name="CareHandoverCreate")
    class InputSerializer(serializers.Serializer):
        enrollment = serializers.IntegerField()
        to_org_code = serializers.CharField(max_length=15, help_text="The receiving org unit.")
        due_date = serializers.DateField(help_text="The receiving side must accept by this day.")
        reason = choice_field("CareHandoverReason", Handover.Reason.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="care_handovers_list",
        summary="Handovers into or out of the user's area",
        tags=["care"],
        parameters=[
            OpenApiParameter("direction", OpenApiTypes.STR, enum=["in", "out"]),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Handover.Status.values),
        ],
        responses={200: HandoverSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.handover_list(request.user, direction=filters.validated_data.get("direction") or None,
                                       status=filters.validated_data.get("status") or None)
        return no_store(paginated_response(request=request, view=self, queryset=rows,
                                           serializer_class=HandoverSerializer,
                                           to_row=lambda h: handover_row(request.user, h)))

    @extend_schema(
        operation_id="care_handovers_create",
        summary="Hand a person over to another area",
        tags=["care"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={201: HandoverSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        enrollment = selectors.access_enrollment(request.user, fields["enrollment"])
        handover = services.handover_create(actor=request.user, enrollment=enrollment,
                                            to_org_code=fields["to_org_code"], due_date=fields["due_date"],
                                            reason=fields["reason"], note=fields["note"])
        return no_store(Response(HandoverSerializer(handover_row(request.user, handover)).data, status=201))


class HandoverAcceptApi(CareApiView):
    """The receiving side takes the person on: team, schedule and history move with them."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareHandoverAccept")
    class InputSerializer(serializers.Serializer):
        first_visit_days = serializers.IntegerField(
            required=False, min_value=0, max_value=60, default=services.FIRST_VISIT_AFTER_HANDOVER_DAYS,
            help_text="The receiving team's first visit is due within this many days.",
        )

    @extend_schema(
        operation_id="care_handovers_accept",
        summary="Accept a handover into your area",
        tags=["care"],
        request=InputSerializer,
        responses={200: HandoverSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, handover_id: int):
        handover = selectors.access_handover(request.user, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_accept(actor=request.user, handover=handover,
                                            first_visit_days=data.validated_data["first_visit_days"])
        handover = selectors.access_handover(request.user, handover.pk)
        return no_store(Response(HandoverSerializer(handover_row(request.user, handover)).data))


class HandoverRejectApi(CareApiView):
    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareHandoverReject")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000, help_text="Why the receiving side cannot take the person.")

    @extend_schema(
        operation_id="care_handovers_reject",
        summary="Reject a handover into your area, with the reason",
        tags=["care"],
        request=InputSerializer,
        responses={200: HandoverSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, handover_id: int):
        handover = selectors.access_handover(request.user, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_reject(actor=request.user, handover=handover,
                                            reason=data.validated_data["reason"])
        handover = selectors.access_handover(request.user, handover.pk)
        return no_store(Response(HandoverSerializer(handover_row(request.user, handover)).data))
