"""Errors in the shape of CONTRACTS.md: {"code", "message", "fields"}.

400 invalid input, 401 not signed in, 403 not allowed, 404 missing or outside the user's
scope, 405 wrong method, 409 a state conflict, 429 rate limited or locked out. Messages are
translated into the request's language (LocaleMiddleware picks it from Accept-Language).
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.core.exceptions import (
    ValidationError as DjangoValidationError,
)
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from gridgov.core.exceptions import DomainError, ErrorCode, domain_error_from_validation


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    out[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list):
                messages = []
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub_key, sub_value in _flatten(item).items():
                            out[f"{key}.{index}.{sub_key}"] = sub_value
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
    return {"code": str(code), "message": str(message), "fields": fields or {}}


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    return Response(error_body(code, message, fields), status=status)


logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = domain_error_from_validation(exc)
    # races / robustness (issue 10): services turn the IntegrityError of a lost race into a
    # DomainError themselves (core.concurrency); one that still gets here is a conflict with
    # a constraint all the same, never a 500. Likewise a date pushed out of Python's range,
    # and a body that only a view found too large (InputGuardMiddleware catches most first).
    if isinstance(exc, IntegrityError):
        logger.warning("IntegrityError reached the API edge: %s", exc)
        exc = DomainError(_("This conflicts with a record saved at the same time; reload and try again."),
                          ErrorCode.CONFLICT)
    elif isinstance(exc, OverflowError):
        exc = DomainError(_("A date or number is out of range."), ErrorCode.INVALID)
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        set_rollback()
        return error_response(400, "too_large", _("The request is too large."))
    if isinstance(exc, DomainError):
        set_rollback()
        return error_response(exc.http_status, exc.code, exc.message, exc.fields)
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
        message = str(detail) if detail and not isinstance(detail, dict | list) else _("Error.")
        response.data = error_body(code, message)
    return response


# Exempt: a POST to an unknown API path must answer 404 in the error shape, not Django's
# HTML CSRF page (API clients send tokens, not CSRF cookies).
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the error shape too, not with an HTML page."""
    return JsonResponse(
        error_body("not_found", _("There is no such address in the API.")), status=404
    )
