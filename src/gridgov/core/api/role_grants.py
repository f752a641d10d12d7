"""Grants of sensitive roles, which wait for a second administrator."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import account_selectors, account_services
from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.exceptions import NotFound
from gridgov.core.models import Role, RoleGrantStatus, User
from gridgov.core.permissions import Capability, in_scope, require


@extend_schema_serializer(component_name="RoleGrant")
class RoleGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.CharField(source="user.username")
    user_display_name = serializers.CharField(source="user.label")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=RoleGrantStatus.choices)
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(source="decision_note")


class RoleGrantListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.MANAGE_USERS, "POST": Capability.MANAGE_USERS}
    pagination_class = KeysetPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=RoleGrantStatus.choices, required=False)

    @extend_schema_serializer(component_name="RoleGrantCreate")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1)
        reason = serializers.CharField(max_length=1000)

    @extend_schema(
        operation_id="role_grants_list", summary="Grants of sensitive roles in the area", tags=["auth"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="pending (default), approved, refused")],
        responses={200: RoleGrantSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        grants = account_selectors.role_grants_visible_to(
            request.user, status=filters.validated_data.get("status", RoleGrantStatus.PENDING)
        )
        return paginated_response(request=request, view=self, queryset=grants, serializer_class=RoleGrantSerializer)

    @extend_schema(
        operation_id="role_grants_create", summary="Ask for sensitive roles for a user", tags=["auth"],
        request=InputSerializer, responses={201: RoleGrantSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request.user, Capability.MANAGE_USERS)
        user = User.objects.filter(username=data.validated_data["username"]).first()
        if user is None or not in_scope(request.user, user.scope_code):
            raise NotFound()
        grant = account_services.role_grant_request(
            actor=request.user, user=user, roles=data.validated_data["roles"], reason=data.validated_data["reason"],
        )
        grant = account_selectors.access_role_grant(request.user, grant.pk)
        return Response(RoleGrantSerializer(grant).data, status=201)


class _DecisionApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.MANAGE_USERS}

    @extend_schema_serializer(component_name="RoleGrantDecision")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    decide = None

    def post(self, request, grant_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = account_selectors.access_role_grant(request.user, grant_id)
        type(self).decide(actor=request.user, grant=grant, note=data.validated_data.get("note", ""))
        return Response(RoleGrantSerializer(account_selectors.access_role_grant(request.user, grant_id)).data)


class RoleGrantApproveApi(_DecisionApi):
    decide = staticmethod(account_services.role_grant_approve)

    @extend_schema(
        operation_id="role_grants_approve", summary="Approve a grant (another administrator's request)",
        tags=["auth"], request=_DecisionApi.InputSerializer,
        responses={200: RoleGrantSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, grant_id: int):
        return super().post(request, grant_id)


class RoleGrantRefuseApi(_DecisionApi):
    decide = staticmethod(account_services.role_grant_refuse)

    @extend_schema(
        operation_id="role_grants_refuse", summary="Refuse a grant", tags=["auth"],
        request=_DecisionApi.InputSerializer,
        responses={200: RoleGrantSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, grant_id: int):
        return super().post(request, grant_id)
