"""Handovers between places (release from prison or hospital, moving house): the sending
side creates one with a date, the receiving side accepts or rejects it with a reason."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers

from gridgov.care import selectors, services
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    PROGRAM_OR_MASK,
    CareApiView,
    PersonRefSerializer,
    care_action,
    choice_field,
    person_ref,
    respond,
)
from gridgov.care.models import Handover
from gridgov.core.api.common import errors
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
        filters = self.filters(request)
        rows = selectors.handover_list(request.user, direction=filters.get("direction") or None,
                                       status=filters.get("status") or None)
        return self.page_of(request, rows, HandoverSerializer, lambda h: handover_row(request.user, h))

    @care_action("care_handovers_create", "Hand a person over to another area", request=InputSerializer,
                 response=HandoverSerializer)
    def post(self, request):
        fields = self.validated(request)
        enrollment = selectors.access_enrollment(request.user, fields["enrollment"])
        handover = services.handover_create(actor=request.user, enrollment=enrollment,
                                            to_org_code=fields["to_org_code"], due_date=fields["due_date"],
                                            reason=fields["reason"], note=fields["note"])
        return respond(HandoverSerializer, handover_row(request.user, handover), status=201)


# The receiving side's decision on a handover into its area: `decide` runs the service, and the
# answer is the handover as it now stands. (A comment: the schema would show a docstring.)
class HandoverDecisionApi(CareApiView):
    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    def decided(self, request, handover_id: int):
        handover = selectors.access_handover(request.user, handover_id)
        handover = self.decide(request, handover, self.validated(request))
        handover = selectors.access_handover(request.user, handover.pk)
        return respond(HandoverSerializer, handover_row(request.user, handover))


class HandoverAcceptApi(HandoverDecisionApi):
    """The receiving side takes the person on: team, schedule and history move with them."""

    @extend_schema_serializer(component_name="CareHandoverAccept")
    class InputSerializer(serializers.Serializer):
        first_visit_days = serializers.IntegerField(
            required=False, min_value=0, max_value=60, default=services.FIRST_VISIT_AFTER_HANDOVER_DAYS,
            help_text="The receiving team's first visit is due within this many days.",
        )

    @care_action("care_handovers_accept", "Accept a handover into your area", request=InputSerializer,
                 response=HandoverSerializer, status=200, retried=False)
    def post(self, request, handover_id: int):
        return self.decided(request, handover_id)

    def decide(self, request, handover, fields):
        return services.handover_accept(actor=request.user, handover=handover,
                                        first_visit_days=fields["first_visit_days"])


class HandoverRejectApi(HandoverDecisionApi):
    @extend_schema_serializer(component_name="CareHandoverReject")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000, help_text="Why the receiving side cannot take the person.")

    @care_action("care_handovers_reject", "Reject a handover into your area, with the reason",
                 request=InputSerializer, response=HandoverSerializer, status=200, retried=False)
    def post(self, request, handover_id: int):
        return self.decided(request, handover_id)

    def decide(self, request, handover, fields):
        return services.handover_reject(actor=request.user, handover=handover, reason=fields["reason"])
