"""Errors in the shape of CONTRACTS.md: {"code", "message", "fields"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gridgov.core.exceptions import DomainError, domain_error_from_validation


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    out[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list):
                messages = []
                for item in value:
                    if isinstance(item, dict):
                        for sub_key, sub_value in _flatten(item).items():
                            out[f"{key}.{sub_key}"] = sub_value
                    else:
                        messages.append(str(item))
                if messages:
                    out[key] = messages
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(d) for d in detail]}
    return {}


_CODE_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = domain_error_from_validation(exc)
    if isinstance(exc, DomainError):
        return Response(error_body(str(exc.code), exc.message, exc.fields), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    code = _CODE_BY_STATUS.get(status, "error")
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [_("Invalid input.")])[0]
        response.data = error_body("invalid", first, fields)
    elif isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        response.data = error_body(
            "not_authenticated", str(exc.detail) if exc.detail else _("Sign in first.")
        )
        response.status_code = 401
    else:
        detail = getattr(exc, "detail", "")
        response.data = error_body(code, str(detail) if not isinstance(detail, dict | list) else _("Error."))
    return response
