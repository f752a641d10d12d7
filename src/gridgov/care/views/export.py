"""A person's data export (PIPL art. 45): a confirmation page, then the JSON file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gridgov.care import export
from gridgov.care.views.common import require
from gridgov.core import selectors as core_selectors
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def person_export(request, person_id: int):
    """GET asks for confirmation; POST downloads everything held about the person (logged once)."""
    user = request.user
    require(user, Capability.VIEW_CARE_DETAILS)
    person = core_selectors.access_person(user, person_id)
    if request.method == "GET":
        view = core_selectors.person_view(user, person)
        return render(request, "care/person_export.html", {"person": person, "view": view})
    document = export.person_export(actor=user, person=person)
    response = HttpResponse(export.as_json(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(person)}"'
    response["Cache-Control"] = "private, no-store"
    return response
