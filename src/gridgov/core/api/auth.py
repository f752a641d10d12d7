"""Signing in for a token, and "who am I"."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import otp, selectors, services, tokens
from gridgov.core.api.common import errors
from gridgov.core.api_errors import error_response


def _locked_out():
    return error_response(
        429,
        "locked_out",
        _(
            "Too many failed sign-in attempts. Try again later "
            "or ask an administrator to unlock the account."
        ),
    )


class TokenObtainApi(APIView):
    """Exchange a username and password (and, where required, a second-factor code) for an
    API token; `DELETE` revokes the token that signs the request.

    Every sign-in issues a new token (one per device), valid for `GRIDGOV_API_TOKEN_DAYS`.
    Failed attempts, wrong codes included, are counted per account across addresses and per
    address across accounts (`gridgov.core.lockout`); past either limit every attempt, even
    with the right password, answers 429 with code `locked_out`.
    """

    # No authentication for signing in (a stale token sent along must not stop it);
    # `delete` checks its token itself.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenObtain")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
        otp = serializers.CharField(
            max_length=20, required=False, allow_blank=True,
            help_text="The 6-digit code of the authenticator app, or a recovery code; required where "
                      "the account signs in with a second factor (else 401 `otp_required`).",
        )
        device = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                       help_text="A name for the device this token is for.")

    @extend_schema_serializer(component_name="Token")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in for an API token",
        tags=["auth"],
        auth=[],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 401, 429)},
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
            return _locked_out()
        if user is None:
            return error_response(400, "invalid_credentials", _("The username or password is wrong."))
        if otp.must_use_second_factor(user):
            code = data.validated_data.get("otp", "")
            if not otp.has_second_factor(user):
                return error_response(401, "otp_required", _(
                    "This account signs in with a second factor. Set it up by signing in on the web page first."
                ))
            if not code:
                return error_response(401, "otp_required", _(
                    "This account signs in with a second factor: send the code of your authenticator app as \"otp\"."
                ))
            if otp.verify_code(user=user, code=code) is None:
                # A wrong code is a failed sign-in, counted towards the lockout like a wrong password.
                user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                       request=http_request)
                if getattr(http_request, "axes_locked_out", False):
                    http_request.axes_locked_out = False
                    return _locked_out()
                return error_response(401, "otp_invalid", _("The second-factor code is wrong or has expired."),
                                      {"otp": [_("The second-factor code is wrong or has expired.")]})
        token = services.api_token_issue(user=user, device=data.validated_data.get("device", ""))
        # Counts as a sign-in: updates last_login and resets axes' failure count.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response(self.OutputSerializer({"token": token}).data)

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Sign out: revoke this token",
        tags=["auth"],
        request=None,
        responses={204: None, **errors(401)},
    )
    def delete(self, request):
        found = tokens.ApiTokenAuthentication().authenticate(request)
        if found is None:
            return error_response(401, "not_authenticated", _("Sign in with an API token to revoke it."))
        user, token = found
        tokens.api_token_revoke(actor=user, token=token)
        return Response(status=204)


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
