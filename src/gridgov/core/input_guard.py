"""Bad input stops at the door, for every page and endpoint alike (robustness, issue 10).

`InputGuardMiddleware` answers 400, before any view runs (so nothing changes), when
- a query parameter, a form field or an uploaded file's name holds a NUL character
  (PostgreSQL cannot store or even compare it: it would be a 500 deep in a query);
- the body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (files of a multipart form do not
  count; their own limits apply), or a form has more than `DATA_UPLOAD_MAX_NUMBER_FIELDS`
  fields: Django raises `RequestDataTooBig` / `TooManyFieldsSent` only when a view first
  reads the body, and DRF's JSON parser reads the stream without that check at all.

Under `/api/` the answer is the JSON error shape of CONTRACTS.md (Open311: the spec's list
of `{code, description}`); pages get the HTML 400 page. JSON bodies are checked by `core.parsers.JSONParser`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.core.parsers import NUL, nul_message

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request is too large (at most %(kb)d KB of data besides files).") % {"kb": (limit or 0) // 1024}


def too_many_fields_message() -> str:
    return _("The form has too many fields.")


def _first_nul(querydict) -> str | None:
    for key, values in querydict.lists():
        if NUL in key:
            return "non_field_errors"
        for value in values:
            text = value if isinstance(value, str) else getattr(value, "name", "") or ""
            if NUL in text:
                return key
    return None


def bad_request(request, message: str, field: str | None = None, *, code: str = "invalid"):
    if request.path_info.startswith("/open311/"):  # the GeoReport v2 spec's own error list
        return JsonResponse([{"code": 400, "description": message}], safe=False, status=400)
    if request.path_info.startswith("/api/"):
        fields = {field: [message]} if field else {}
        return JsonResponse({"code": code, "message": message, "fields": fields}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._check(request)
        if problem is not None:
            return problem
        return self.get_response(request)

    def _check(self, request):
        if NUL in request.path_info:
            return bad_request(request, nul_message())
        field = _first_nul(request.GET)
        if field:
            return bad_request(request, nul_message(), field)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if content_type != "multipart/form-data" and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return bad_request(request, too_big_message(), code="too_large")
        if content_type not in FORM_TYPES:
            return None
        try:
            # Parsed once here; Django and DRF reuse the result (request.POST is cached).
            field = _first_nul(request.POST) or _first_nul(request.FILES)
        except RequestDataTooBig:
            return bad_request(request, too_big_message(), code="too_large")
        except TooManyFieldsSent:
            return bad_request(request, too_many_fields_message(), code="too_large")
        except SuspiciousOperation:
            return bad_request(request, _("The form could not be read."))
        if field:
            return bad_request(request, nul_message(), field)
        return None
