"""Correction requests (PIPL art. 46): record one for a person, list them (earliest due, so
overdue, first), read one with its trail, approve or refuse it. See core/corrections.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import corrections, selectors
from gridgov.core.api.common import API_PERMISSIONS, errors, no_store, paginated_response
from gridgov.core.api_pagination import keyset_pagination
from gridgov.core.models import CorrectionEvidence, CorrectionRequest, CorrectionTarget
from gridgov.core.permissions import Capability

MASKED = "***"


CorrectionPagination = keyset_pagination("due_on", "id")


@extend_schema_serializer(component_name="CorrectionPerson")
class CorrectionPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked (`张*`) for roles that may not see names.")


@extend_schema_serializer(component_name="CorrectionRow")
class CorrectionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = CorrectionPersonSerializer()
    target = serializers.ChoiceField(choices=CorrectionTarget.choices)
    target_id = serializers.IntegerField()
    fields = serializers.ListField(child=serializers.CharField())
    evidence = serializers.ChoiceField(choices=CorrectionEvidence.choices)
    status = serializers.ChoiceField(choices=CorrectionRequest.Status.choices)
    due_on = serializers.DateField()
    overdue = serializers.BooleanField(help_text="Pending past its due date.")
    requested_by = serializers.CharField(allow_null=True)
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    can_decide = serializers.BooleanField(help_text="The requesting user may approve or refuse it.")


@extend_schema_serializer(component_name="CorrectionValue")
class CorrectionValueSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    current = serializers.CharField(help_text="The value when requested, masked for the viewer.")
    requested = serializers.CharField(help_text="In full for the requester and deciders, masked otherwise.")


@extend_schema_serializer(component_name="CorrectionStep")
class CorrectionStepSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="`requested`, then `approved` or `refused`.")
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="`***` for users who may not see it.")


@extend_schema_serializer(component_name="Correction")
class CorrectionSerializer(CorrectionRowSerializer):
    values = CorrectionValueSerializer(many=True)
    values_masked = serializers.BooleanField()
    applied_fields = serializers.ListField(child=serializers.CharField())
    trail = CorrectionStepSerializer(many=True)


def _who(user) -> str | None:
    return user.username if user is not None else None


def correction_row(user, request: CorrectionRequest) -> dict:
    return {
        "id": request.pk,
        "person": {"id": request.person_id, "name": corrections.person_label(user, request.person)},
        "target": request.target, "target_id": request.target_id, "fields": request.fields,
        "evidence": request.evidence, "status": request.status, "due_on": request.due_on,
        "overdue": corrections.is_overdue(request),
        "requested_by": _who(request.requested_by), "requested_at": request.requested_at,
        "decided_by": _who(request.decided_by), "decided_at": request.decided_at,
        "can_decide": request.status == CorrectionRequest.Status.PENDING and corrections.may_decide(user, request),
    }


def correction_body(user, request: CorrectionRequest) -> dict:
    rows, full = corrections.correction_rows(user, request)
    if full:
        corrections.correction_values_shown(actor=user, request=request)
    trail = [{"step": "requested", "by": _who(request.requested_by), "at": request.requested_at,
              "reason": request.reason if full else MASKED}]
    if request.decided_at:
        trail.append({"step": request.status, "by": _who(request.decided_by), "at": request.decided_at,
                      "reason": request.decision_reason if full else MASKED})
    return {
        **correction_row(user, request),
        "values": [row.__dict__ for row in rows], "values_masked": not full,
        "applied_fields": request.applied_fields, "trail": trail,
    }


class PersonCorrectionCreateApi(APIView):
    """Record a person's request to correct their data (staff who may edit people in the area)."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.EDIT_PEOPLE}

    @extend_schema_serializer(component_name="CorrectionCreate")
    class InputSerializer(serializers.Serializer):
        target = serializers.ChoiceField(choices=CorrectionTarget.choices, required=False,
                                         default=CorrectionTarget.PERSON)
        target_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                             max_value=2**63 - 1,
                                             help_text="The household or membership id; the person by default.")
        values = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=corrections.MAX_VALUE_LENGTH),
            help_text="Field → requested value. Person: `name`, `phone`, `address`, `resident_id` (birth date and "
            "gender follow it); household: `address`; membership: `relation`, `residence_type`.",
        )
        evidence = serializers.ChoiceField(choices=CorrectionEvidence.choices)
        reason = serializers.CharField(max_length=1000, help_text="What the person said and showed.")

    @extend_schema(
        operation_id="people_corrections_create",
        summary="Record a correction request for a person",
        tags=["people"],
        request=InputSerializer,
        responses={201: CorrectionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, person_id: int):
        person = selectors.access_person(request.user, person_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = corrections.correction_request_create(actor=request.user, person=person, **data.validated_data)
        correction = corrections.access_correction(request.user, correction.pk)
        return no_store(Response(CorrectionSerializer(correction_body(request.user, correction)).data, status=201))


class CorrectionListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": corrections.CORRECTION_CAPABILITIES}
    pagination_class = CorrectionPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=CorrectionRequest.Status.choices, required=False, allow_blank=True)

    @extend_schema(
        operation_id="corrections_list",
        summary="Correction requests in the area, earliest due (so overdue) first",
        tags=["people"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=CorrectionRequest.Status.values)],
        responses={200: CorrectionRowSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = corrections.corrections_visible_to(request.user, status=filters.validated_data.get("status") or None)
        return no_store(paginated_response(
            request=request, view=self, queryset=rows, serializer_class=CorrectionRowSerializer,
            to_row=lambda r: correction_row(request.user, r),
        ))


class CorrectionDetailApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": corrections.CORRECTION_CAPABILITIES}

    @extend_schema(
        operation_id="corrections_retrieve",
        summary="One correction request with its values (masked for the viewer) and trail",
        tags=["people"],
        responses={200: CorrectionSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, correction_id: int):
        correction = corrections.access_correction(request.user, correction_id)
        return no_store(Response(CorrectionSerializer(correction_body(request.user, correction)).data))


class _DecisionApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": corrections.CORRECTION_CAPABILITIES}
    approve = True

    @extend_schema_serializer(component_name="CorrectionDecision")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    def post(self, request, correction_id: int):
        correction = corrections.access_correction(request.user, correction_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = corrections.correction_approve if self.approve else corrections.correction_refuse
        decide(actor=request.user, request=correction, reason=data.validated_data["reason"])
        correction = corrections.access_correction(request.user, correction_id)
        return no_store(Response(CorrectionSerializer(correction_body(request.user, correction)).data))


class CorrectionApproveApi(_DecisionApi):
    approve = True

    @extend_schema(
        operation_id="corrections_approve",
        summary="Approve a correction request and apply it (not the requester)",
        tags=["people"],
        request=_DecisionApi.InputSerializer,
        responses={200: CorrectionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, correction_id: int):
        return super().post(request, correction_id)


class CorrectionRefuseApi(_DecisionApi):
    approve = False

    @extend_schema(
        operation_id="corrections_refuse",
        summary="Refuse a correction request, with the reason (not the requester)",
        tags=["people"],
        request=_DecisionApi.InputSerializer,
        responses={200: CorrectionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, correction_id: int):
        return super().post(request, correction_id)
