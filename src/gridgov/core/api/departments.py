"""Departments and their local stations serving the user's area."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import selectors
from gridgov.core.api.common import OrgFilter, OrgFilteredListApi, errors
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


class DepartmentListApi(OrgFilteredListApi):
    listing = OrgFilter("org", DepartmentSerializer, "departments_list", "departments",
                        summary="Departments and stations serving the area",
                        description="An org-unit code: only departments serving places in its subtree.")

    def rows(self, request, org: str | None):
        if org:
            selectors.access_org_unit(request.user, org)  # 404 outside the user's area
        return selectors.departments_visible_to(request.user, org=org)


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
