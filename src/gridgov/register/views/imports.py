"""Spreadsheet imports: upload, a dry run with every row's error, then commit. Between the
two steps the file is staged by `core.uploads` under a token of the user's session."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core import csvout
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import add_domain_error
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.tabular import read_table
from gridgov.core.uploads import UploadStager
from gridgov.core.views import domain_errors_as_http
from gridgov.register import imports
from gridgov.register.forms import IMPORT_KINDS, ImportCommitForm, RegisterImportForm

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_SESSION_KEY = "register_import_pending"
STAGER = UploadStager(session_key=PENDING_SESSION_KEY, directory="private/register-imports")


def import_kinds(user) -> list[str]:
    kinds = []
    if has_capability(user, Capability.EDIT_REGISTER):
        kinds += ["households", "buildings", "places"]
    if has_capability(user, Capability.MANAGE_USERS):
        kinds.append("grid_workers")
    return kinds


def _require_importer(user) -> list[str]:
    kinds = import_kinds(user)
    if not kinds:
        raise PermissionDenied(_("You do not have permission to do this."))
    return kinds


def _run_import(user, *, data: bytes, fmt: str, kind: str, mapping: dict, dry_run: bool) -> imports.ImportReport:
    """Read the file and run the import; DomainError for an unreadable file or missing columns."""

    def is_header(headers: list[str]) -> bool:
        try:
            imports.map_headers(kind, headers, mapping)
        except DomainError:
            return False
        return True

    table = read_table(data, fmt, is_header=is_header)
    return imports.register_import(actor=user, kind=kind, headers=table.headers, rows=table.rows, mapping=mapping,
                                   dry_run=dry_run, first_row_number=table.first_row_number)


def _import_page(request, kinds, form=None, *, problem: str = "", status: int = 200):
    form = form or RegisterImportForm(kinds=kinds, max_bytes=MAX_UPLOAD_BYTES)
    columns = [
        {"kind": kind, "label": label, "columns": [
            {"key": key, "headers": " / ".join(headers), "required": key in imports.REQUIRED[kind]}
            for key, headers in imports.COLUMNS[kind].items()
        ]}
        for kind, label in form.fields["kind"].choices
    ]
    return render(request, "register/import.html", {"form": form, "columns": columns, "problem": problem},
                  status=status)


def _import_preview(request, report, *, name: str, token: str | None, status: int):
    context = {
        "report": report,
        "name": name,
        "kind_label": dict(IMPORT_KINDS).get(report.kind, report.kind),
        "commit_form": ImportCommitForm(initial={"token": token}) if token else None,
    }
    return render(request, "register/import_preview.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def register_import(request):
    """Upload, dry run with every row error, then commit (the file is kept under a token)."""
    user = request.user
    kinds = _require_importer(user)
    if request.method == "POST" and "token" in request.POST:
        return _register_import_commit(request, kinds)
    if request.method != "POST":
        return _import_page(request, kinds)
    form = RegisterImportForm(request.POST, request.FILES, kinds=kinds, max_bytes=MAX_UPLOAD_BYTES)
    if not form.is_valid():
        return _import_page(request, kinds, form, status=400)
    upload, data = form.cleaned_data["file"], form.cleaned_data["file"].read()
    kind, fmt, mapping = form.cleaned_data["kind"], form.cleaned_data["fmt"], form.cleaned_data["mapping_dict"]
    try:
        report = _run_import(user, data=data, fmt=fmt, kind=kind, mapping=mapping, dry_run=True)
    except DomainError as error:
        return _import_page(request, kinds, form, status=add_domain_error(form, error))
    token = None
    if report.ok:
        token = STAGER.stage(request, data=data, name=upload.name, fmt=fmt, kind=kind, mapping=mapping)
    else:
        STAGER.discard(request)
    return _import_preview(request, report, name=upload.name, token=token, status=200 if report.ok else 400)


def _register_import_commit(request, kinds):
    form = ImportCommitForm(request.POST)
    staged = STAGER.load(request, form.cleaned_data["token"]) if form.is_valid() else None
    if staged is None or staged.meta.get("kind") not in kinds:
        return _import_page(request, kinds, problem=_("This upload is no longer available; upload the file again."),
                            status=400)
    meta = staged.meta
    try:
        report = _run_import(request.user, data=staged.read(), fmt=meta["fmt"], kind=meta["kind"],
                             mapping=meta["mapping"], dry_run=False)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _import_page(request, kinds, problem=error.message, status=error.http_status)
    STAGER.discard(request)
    if not report.committed:
        return _import_preview(request, report, name=staged.name, token=None, status=400)
    messages.success(request, _("Imported %(file)s: %(rows)d rows, %(created)d records created.")
                     % {"file": staged.name, "rows": report.rows, "created": report.created})
    return redirect("register-import")


@login_required
@require_GET
@domain_errors_as_http
def import_template(request, kind: str):
    """An empty CSV (UTF-8 with BOM, so that Excel opens it) with the Chinese headers of a kind."""
    kinds = _require_importer(request.user)
    if kind not in kinds:
        raise Http404(_("Unknown kind of import."))
    buffer = io.StringIO()
    csvout.writer(buffer, lineterminator="\r\n").writerow(headers[1] for headers in imports.COLUMNS[kind].values())
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{kind}.csv"'
    return response
