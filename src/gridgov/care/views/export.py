"""The care-only view of a person's data export (PIPL art. 45): a purpose from the list,
then the JSON file (a POST; logged, counted for bulk use). `core.export_views` shows the
same form for the export covering every app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gridgov.care import export
from gridgov.care.views.common import require
from gridgov.core import selectors as core_selectors
from gridgov.core.export_views import export_page
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def person_export(request, person_id: int):
    """GET asks for the purpose; POST downloads the care data (logged once)."""
    user = request.user
    require(user, Capability.VIEW_CARE_DETAILS)
    require(user, Capability.OPEN_PERSON_RECORD)
    person = core_selectors.access_person(user, person_id)
    return export_page(request, person, template="care/person_export.html", run=export.person_care_export,
                       filename=export.filename(person), extra={})
