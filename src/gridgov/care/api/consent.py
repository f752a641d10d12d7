"""Consent withdrawal (PIPL art. 15): the program officer records that the person (or their
guardian) withdrew the consent an enrollment rests on. See `services.enrollment_withdraw_consent`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import selectors, services
from gridgov.care.api.common import CareApiView, choice_field, today
from gridgov.care.models import ConsentWithdrawal, Enrollment
from gridgov.core.api.common import errors, no_store
from gridgov.core.permissions import Capability


@extend_schema_serializer(component_name="ConsentWithdrawal")
class ConsentWithdrawalSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    withdrawn_on = serializers.DateField()
    channel = choice_field("ConsentWithdrawalChannel", ConsentWithdrawal.Channel.choices)
    outcome = choice_field(
        "ConsentWithdrawalOutcome", ConsentWithdrawal.Outcome.choices,
        help_text="`exited`: the enrollment rested on consent alone and ended; `legal_basis`: it continues on its "
        "legal basis only.")
    status = choice_field("ConsentEnrollmentStatus", Enrollment.Status.choices,
                          help_text="The enrollment's status now.")
    retention_until = serializers.DateField(help_text="Past this day the nightly run anonymises an ended enrollment.")


def withdrawal_body(withdrawal: ConsentWithdrawal) -> dict:
    enrollment = withdrawal.enrollment
    return {"enrollment": enrollment.pk, "withdrawn_on": withdrawal.withdrawn_on, "channel": withdrawal.channel,
            "outcome": withdrawal.outcome, "status": enrollment.status, "retention_until": enrollment.retention_until}


class EnrollmentWithdrawConsentApi(CareApiView):
    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="ConsentWithdrawalCreate")
    class InputSerializer(serializers.Serializer):
        withdrawn_on = serializers.DateField(required=False, allow_null=True, default=None,
                                             help_text="The day the person withdrew consent; defaults to today.")
        channel = choice_field("ConsentWithdrawalChannel", ConsentWithdrawal.Channel.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    @extend_schema(
        operation_id="care_enrollments_withdraw_consent",
        summary="Record that consent was withdrawn: processing resting on consent alone ends",
        tags=["care"],
        request=InputSerializer,
        responses={201: ConsentWithdrawalSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.enrollment_withdraw_consent(
            actor=request.user, enrollment=enrollment, withdrawn_on=data.validated_data["withdrawn_on"] or today(),
            channel=data.validated_data["channel"], note=data.validated_data["note"],
        )
        return no_store(Response(ConsentWithdrawalSerializer(withdrawal_body(withdrawal)).data, status=201))
