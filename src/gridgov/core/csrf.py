"""The answer to a request that fails Django's CSRF check (`CSRF_FAILURE_VIEW`).

API paths answer in the error shape of CONTRACTS.md; pages get the ordinary 403 page with a
sentence saying what to do, never Django's English debugging page."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason: str = ""):
    message = _("The form has expired or was sent from another site. Reload the page and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "csrf_failed", "message": message, "fields": {}}, status=403)
    return render(request, "403.html", {"message": message}, status=403)
