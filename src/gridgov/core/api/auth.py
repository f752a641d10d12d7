"""Signing in for a token, and "who am I"."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import selectors
from gridgov.core import services
from gridgov.core.api.common import errors
from gridgov.core.api_errors import error_response


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token.

    Failed attempts are counted by django-axes per (username, client address): after
    `AXES_FAILURE_LIMIT` failures the pair is locked out for `AXES_COOLOFF_TIME` and every
    attempt, even with the right password, answers 429 with code `locked_out`.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenObtain")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)

    @extend_schema_serializer(component_name="Token")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in for an API token",
        tags=["auth"],
        auth=[],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 429)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # axes watches the plain Django request: its backend refuses locked-out pairs and
        # its signal handler counts failures and flags the request when the limit is hit.
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # We answer in the API's own shape; without this AxesMiddleware would swap
            # our response for its HTML lockout page.
            http_request.axes_locked_out = False
            return error_response(
                429,
                "locked_out",
                _(
                    "Too many failed sign-in attempts. Try again later "
                    "or ask an administrator to unlock the account."
                ),
            )
        if user is None:
            return error_response(400, "invalid_credentials", _("The username or password is wrong."))
        token = services.api_token_issue(user=user)
        # Counts as a sign-in: updates last_login and resets axes' failure count.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response(self.OutputSerializer({"token": token}).data)


class MeApi(APIView):
    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        display_name = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())
        scope = serializers.CharField(help_text="The org-unit code at the root of the user's area.")
        grid_cells = serializers.ListField(
            child=serializers.CharField(), help_text="The grid cells a grid worker is responsible for."
        )

    @extend_schema(
        operation_id="me_retrieve", summary="Who am I", tags=["auth"],
        responses={200: OutputSerializer, **errors(401)},
    )
    def get(self, request):
        user = request.user
        return Response(
            self.OutputSerializer(
                {
                    "username": user.get_username(),
                    "display_name": user.display_name,
                    "roles": sorted(user.roles),
                    "scope": user.scope_code,
                    "grid_cells": selectors.grid_cells_of(user),
                }
            ).data
        )
