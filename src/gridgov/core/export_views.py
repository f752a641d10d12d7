"""HTML pages of a person's data export (PIPL art. 45) and the data protection officer's
record of processing. Thin: parse, call `core.exports` / `core.processing`, render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import exports, processing, selectors
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import PurposeForm
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http


def export_page(request, person, *, template: str, run: Callable[..., dict], filename: str, extra: dict):
    """GET: the purpose form. POST: the export as a JSON download, or the form again with
    what is wrong (400), or with the hold on bulk exports (429)."""
    form = PurposeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                document = run(actor=request.user, person=person, purpose=form.code, note=form.note)
            except DomainError as error:
                if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                    raise
                form.add_domain_error(error)
                status = error.http_status
            else:
                response = HttpResponse(exports.as_json(document), content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                response["Cache-Control"] = "private, no-store"
                return response
    context = {"person": person, "view": selectors.person_view(request.user, person), "form": form, **extra}
    return render(request, template, context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
@capability_required(Capability.OPEN_PERSON_RECORD, message=gettext_lazy("Your role may not export personal data."))
def person_export(request, pk: int):
    """Everything every app holds about a person: a purpose, then the JSON file (logged)."""
    user = request.user
    person = selectors.access_person(user, pk)
    left_out = [str(s.label) for s in exports.export_sections() if s.capability and not has_capability(user, s.capability)]
    return export_page(
        request, person, template="core/person_export.html", run=exports.person_export,
        filename=exports.filename(person),
        extra={"sections": [str(s.label) for s in exports.export_sections() if str(s.label) not in left_out],
               "left_out": left_out},
    )


@never_cache
@login_required
@require_POST
@domain_errors_as_http
@capability_required(Capability.REVIEW_BULK_EXPORTS)
def export_hold_clear(request, username: str):
    """An auditor lifts the hold on a user's exports (from the notification's link)."""
    try:
        exports.export_hold_clear(actor=request.user, username=username, note=request.POST.get("note", ""))
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(user)s may export personal data again.") % {"user": username})
    return redirect("export-holds")


@never_cache
@login_required
@require_GET
@domain_errors_as_http
@capability_required(Capability.REVIEW_BULK_EXPORTS)
def export_holds(request):
    """The users whose exports wait for an auditor, in the auditor's scope."""
    rows = exports.export_holds_for(request.user)
    return render(request, "core/export_holds.html", {"rows": rows})


@login_required
@require_GET
@capability_required(Capability.VIEW_PROCESSING_RECORD)
def processing_record(request):
    return render(request, "core/processing_record.html", {"record": processing.processing_record()})

