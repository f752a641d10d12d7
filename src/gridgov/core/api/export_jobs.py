"""The signed-in user's background exports (`core.export_jobs`): ask for one, follow it, download
its file, remove it. Nobody sees another user's exports: another's id is a 404."""

from __future__ import annotations

import json

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import export_jobs
from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.models_exports import ExportStatus

MAX_PARAMS_CHARS = 2000


@extend_schema_serializer(component_name="ExportJob")
class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="What is exported, e.g. `register.one_table`.")
    title = serializers.CharField(help_text="The export's title in the language it was asked in.")
    status = serializers.ChoiceField(choices=ExportStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField(allow_null=True, help_text="Per cent done, when the total is known.")
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(allow_null=True, help_text="Bytes of the ready file.")
    filename = serializers.CharField()
    error = serializers.CharField(help_text="Why it failed (empty otherwise).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Until when the ready file is kept.")


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    params = serializers.DictField(help_text=(
        "What to export. `register.one_table`: `{\"village\": \"<12-digit code>\", \"filters\": {\"cell\", "
        "\"residence_type\", \"q\", \"elderly_alone\", \"rental\", \"no_head\"}}`, the one table page's filters."))

    def validate_params(self, value: dict) -> dict:
        if len(json.dumps(value, ensure_ascii=False)) > MAX_PARAMS_CHARS:
            raise serializers.ValidationError(_("Too much in the export's parameters."))
        return value


class NewestFirst(KeysetPagination):
    ordering = "-id"


class ExportJobListApi(APIView):
    permission_classes = API_PERMISSIONS
    pagination_class = NewestFirst

    @extend_schema(operation_id="exports_list", summary="My background exports, newest first", tags=["exports"],
                   responses={200: ExportJobSerializer(many=True), **errors(401)})
    def get(self, request):
        return paginated_response(request=request, view=self, queryset=export_jobs.export_jobs_for(request.user),
                                  serializer_class=ExportJobSerializer)

    @extend_schema(operation_id="exports_create", summary="Ask for an export prepared in the background",
                   description="The same request while one is under way answers that one. At most "
                               "`GRIDGOV_EXPORT_ACTIVE_LIMIT` under way per user (429 `rate_limited`).",
                   tags=["exports"], request=ExportRequestSerializer,
                   responses={202: ExportJobSerializer, **errors(400, 401, 403, 404, 429)})
    def post(self, request):
        given = ExportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        job = export_jobs.export_job_request(actor=request.user, kind=given.validated_data["kind"],
                                             params=given.validated_data["params"])
        return Response(ExportJobSerializer(job).data, status=202)


class ExportJobDetailApi(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(operation_id="exports_retrieve", summary="One of my exports", tags=["exports"],
                   responses={200: ExportJobSerializer, **errors(401, 404)})
    def get(self, request, job_id: int):
        return Response(ExportJobSerializer(export_jobs.access_export_job(request.user, job_id)).data)

    @extend_schema(operation_id="exports_remove", summary="Cancel or remove one of my exports (and its file)",
                   tags=["exports"], responses={200: ExportJobSerializer, **errors(401, 404, 409)})
    def delete(self, request, job_id: int):
        return Response(ExportJobSerializer(export_jobs.export_job_remove(actor=request.user, job_id=job_id)).data)


class ExportJobFileApi(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(operation_id="exports_file", summary="The file of one of my ready exports",
                   description="Only while the user's access still holds; each download is logged. 409 once "
                               "the file is no longer kept.", tags=["exports"],
                   responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
                              **errors(401, 403, 404, 409)})
    def get(self, request, job_id: int):
        job, handle = export_jobs.export_job_download(actor=request.user, job_id=job_id)
        response = FileResponse(handle, as_attachment=True, filename=job.filename)
        response["Cache-Control"] = "no-store"
        return response

