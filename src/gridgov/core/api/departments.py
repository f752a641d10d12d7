"""Departments and their local stations serving the user's area."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import selectors
from gridgov.core.api.common import errors, paginated_response
from gridgov.core.api_pagination import CodeKeysetPagination
from gridgov.core.models import DepartmentKind


@extend_schema_serializer(component_name="Department")
class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="E.g. `320583-market`, or `320583102-market` for its station.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    parent = serializers.CharField(
        source="parent.code", allow_null=True, help_text="A station's department code; null for a department."
    )
    org_code = serializers.CharField(help_text="The org unit it serves.")


class DepartmentListApi(APIView):
    pagination_class = CodeKeysetPagination
    OutputSerializer = DepartmentSerializer

    class FilterSerializer(serializers.Serializer):
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)

    @extend_schema(
        operation_id="departments_list",
        summary="Departments and stations serving the area",
        tags=["departments"],
        parameters=[
            OpenApiParameter(
                "org", OpenApiTypes.STR,
                description="An org-unit code: only departments serving places in its subtree.",
            )
        ],
        responses={200: DepartmentSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        org = filters.validated_data.get("org") or None
        if org:
            selectors.access_org_unit(request.user, org)  # 404 outside the user's area
        departments = selectors.departments_visible_to(request.user, org=org)
        return paginated_response(
            request=request, view=self, queryset=departments, serializer_class=self.OutputSerializer
        )


class DepartmentDetailApi(APIView):
    OutputSerializer = DepartmentSerializer

    @extend_schema(
        operation_id="departments_retrieve",
        summary="One department or station",
        tags=["departments"],
        responses={200: DepartmentSerializer, **errors(401, 404)},
    )
    def get(self, request, code: str):
        return Response(self.OutputSerializer(selectors.access_department(request.user, code)).data)
