"""Pages to import and export org units (for users who may manage org units).

Import is two steps. The upload is checked and previewed (nothing written); when it has no
errors, the file is kept server-side under a random token remembered in the session, and
the "Commit" button posts that token back: the file is read again, re-checked and written
all or nothing. Export streams the subtree of a unit in the user's scope.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core import org_io
from gridgov.core.exceptions import DomainError
from gridgov.core.org_io_services import ImportRejected, org_units_export, org_units_import, org_units_import_plan
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.permissions import Capability, capability_required
from gridgov.core.uploads import UploadStager

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_SESSION_KEY = "org_import_pending"
PENDING_DIR = "private/org-imports"
PENDING_MAX_AGE = datetime.timedelta(days=1)

FORMAT_CHOICES = [("geojson", "GeoJSON (.geojson)"), ("csv", "CSV (.csv)"), ("xlsx", "Excel (.xlsx)")]


# --- Forms ------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("GeoJSON (.geojson), CSV (.csv, UTF-8 or GB18030) or Excel (.xlsx); at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,.csv,.txt,.xlsx"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("From the file name"))] + FORMAT_CHOICES,
    )
    code_column = forms.CharField(label=gettext_lazy("Code column"), required=False, max_length=100)
    name_column = forms.CharField(label=gettext_lazy("Name column"), required=False, max_length=100)
    parent_column = forms.CharField(label=gettext_lazy("Parent code column"), required=False, max_length=100)
    polygon_column = forms.CharField(label=gettext_lazy("Boundary column"), required=False, max_length=100)
    level_column = forms.CharField(label=gettext_lazy("Level column"), required=False, max_length=100)

    MAPPING_FIELDS = ("code", "name", "parent", "polygon", "level")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB. Split it, or import it with the command line "
                  "(gridgov orgunits import).") % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            fmt = cleaned.get("format") or org_io.format_from_filename(upload.name)
            if fmt is None:
                self.add_error("format", _("The format cannot be told from the file name; choose it."))
            cleaned["fmt"] = fmt
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"{name}_column"].strip()
            for name in self.MAPPING_FIELDS
            if self.cleaned_data.get(f"{name}_column", "").strip()
        }

    def mapping_fields(self):
        return [self[f"{name}_column"] for name in self.MAPPING_FIELDS]


class ImportCommitForm(forms.Form):
    token = forms.CharField(max_length=100, widget=forms.HiddenInput)


class ExportForm(forms.Form):
    root = org_code_form_field(
        gettext_lazy("Org unit code"), required=True,
        help_text=gettext_lazy("This unit and everything below it; it must lie in your area."),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMAT_CHOICES, initial="geojson")


# --- Pending uploads ------------------------------------------------------------------------


# The upload waits between its preview and its commit in core.uploads (one stager for every import).
STAGER = UploadStager(session_key=PENDING_SESSION_KEY, directory=PENDING_DIR, max_age=PENDING_MAX_AGE)


# --- Views --------------------------------------------------------------------------------


def org_manager_required(view):
    """Signed in, and may manage org units (core.permissions.capability_required)."""
    return login_required(capability_required(Capability.MANAGE_ORG_UNITS)(view))


@require_http_methods(["GET", "POST"])
@org_manager_required
def org_import(request):
    if request.method == "POST" and "token" in request.POST:
        return _org_import_commit(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        fmt, mapping = form.cleaned_data["fmt"], form.mapping()
        source = org_io.read_import_file(data, fmt=fmt, mapping=mapping, name=upload.name)
        plan = org_units_import_plan(actor=request.user, source=source)
        if plan.ok:
            token = STAGER.stage(request, data=data, name=upload.name, fmt=fmt, mapping=mapping)
        else:
            STAGER.discard(request)
            token = None
        return _render_preview(request, plan, token=token)
    return render(request, "core/org_io/import.html", {"form": form}, status=400 if form.errors else 200)


def _render_preview(request, plan, *, token: str | None):
    counts = plan.counts
    return render(
        request,
        "core/org_io/preview.html",
        {
            "plan": plan,
            "counts": counts,
            "sections": [
                {"action": action, "units": units, "total": counts[action]}
                for action, units in plan.preview().items()
                if units
            ],
            "commit_form": ImportCommitForm(initial={"token": token}) if token else None,
        },
        status=200 if plan.ok else 400,
    )


def _upload_page(request, *, problem: str, status: int = 400):
    """The empty upload form with a problem above it (an expired token, a conflict)."""
    return render(request, "core/org_io/import.html", {"form": ImportUploadForm(), "problem": problem}, status=status)


def _org_import_commit(request):
    form = ImportCommitForm(request.POST)
    staged = STAGER.load(request, form.cleaned_data["token"]) if form.is_valid() else None
    if staged is None:
        return _upload_page(request, problem=_("This upload is no longer available; upload the file again."))
    source = org_io.read_import_file(staged.read(), fmt=staged.meta["fmt"], mapping=staged.meta["mapping"],
                                     name=staged.name)
    try:
        plan = org_units_import(actor=request.user, plan=org_io.ImportPlan.unchecked(source))
    except ImportRejected as rejected:
        STAGER.discard(request)
        return _render_preview(request, rejected.plan, token=None)
    except DomainError as error:
        return _upload_page(request, problem=error.message, status=error.http_status)
    STAGER.discard(request)
    messages.success(
        request,
        _("Imported %(file)s: %(create)d created, %(update)d updated, %(unchanged)d unchanged.")
        % {"file": source.name, **plan.counts},
    )
    return redirect("org-import")


@require_GET
@org_manager_required
def org_export(request):
    if "root" not in request.GET:
        form = ExportForm(initial={"root": request.user.scope_code, "format": "geojson"})
        return render(request, "core/org_io/export.html", {"form": form})
    form = ExportForm(request.GET)
    if form.is_valid():
        root, fmt = form.cleaned_data["root"], form.cleaned_data["format"]
        try:
            chunks = org_units_export(actor=request.user, root_code=root, fmt=fmt)
        except DomainError as error:
            form.add_error("root", error.message)
        else:
            response = StreamingHttpResponse(chunks, content_type=org_io.CONTENT_TYPES[fmt])
            filename = org_io.export_filename(root, fmt, timezone.localdate())
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    return render(request, "core/org_io/export.html", {"form": form}, status=400)
