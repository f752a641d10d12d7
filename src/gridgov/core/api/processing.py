"""The record of processing activities (PIPL arts. 51, 54–55) for the data protection
officer: auditors and city administrators (`VIEW_PROCESSING_RECORD`). See `core.processing`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import processing
from gridgov.core.api.common import API_PERMISSIONS, errors
from gridgov.core.permissions import Capability


class _Category(serializers.Serializer):
    label = serializers.CharField()
    sensitive = serializers.BooleanField(help_text="Sensitive personal information (PIPL art. 28).")


class _Program(serializers.Serializer):
    name = serializers.CharField()
    sensitive = serializers.BooleanField()
    legal_basis = serializers.CharField()


class _Access(serializers.Serializer):
    can = serializers.CharField(help_text="What the roles may do, in words.")
    roles = serializers.ListField(child=serializers.CharField(), help_text="Role names.")


class _Encrypted(serializers.Serializer):
    table = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())


class _Activity(serializers.Serializer):
    key = serializers.CharField(help_text="A stable identifier of the activity.")
    name = serializers.CharField()
    purpose = serializers.CharField()
    legal_basis = serializers.CharField()
    categories = _Category(many=True)
    programs = _Program(many=True)
    access = _Access(many=True)
    retention = serializers.CharField()
    recipients = serializers.CharField()
    safeguards = serializers.ListField(child=serializers.CharField())
    encrypted = _Encrypted(many=True)


@extend_schema_serializer(component_name="ProcessingRecord")
class ProcessingRecordSerializer(serializers.Serializer):
    activities = _Activity(many=True)
    purposes = serializers.ListField(child=serializers.CharField())
    audit_retention = serializers.CharField()
    api_token_days = serializers.IntegerField()
    export_bulk_limit = serializers.IntegerField()
    export_bulk_window_hours = serializers.FloatField()


class ProcessingRecordApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.VIEW_PROCESSING_RECORD}

    @extend_schema(
        operation_id="processing_record",
        summary="The record of processing activities",
        tags=["audit"],
        responses={200: ProcessingRecordSerializer, **errors(401, 403)},
    )
    def get(self, request):
        return Response(ProcessingRecordSerializer(processing.processing_record()).data)
