"""The pages of background exports: my exports (with their progress), a file's download, its
removal, and the offer an app's export page makes when a table is too large to wait for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import export_jobs
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models_exports import ACTIVE_STATUSES
from gridgov.core.notifications.forms import AfterForm
from gridgov.core.pagination import keyset_page
from gridgov.core.views import domain_errors_as_http


@login_required
@require_GET
@domain_errors_as_http
def export_job_list(request):
    """The exports this user asked for, newest first; the list refreshes itself while one is
    being prepared."""
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    page = keyset_page(export_jobs.export_jobs_for(request.user), after=after, order=("-id",))
    context = {
        "jobs": page.rows,
        "next_url": page.next_url(),
        "under_way": any(job.status in ACTIVE_STATUSES for job in page.rows),
    }
    template = "core/export_jobs.html"
    if request.htmx and request.htmx.target == "export-results":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors_as_http
def export_job_file(request, pk: int):
    try:
        job, handle = export_jobs.export_job_download(actor=request.user, job_id=pk)
    except DomainError as error:
        if error.code not in (ErrorCode.CONFLICT, ErrorCode.PERMISSION_DENIED):
            raise  # another user's export: 404
        messages.error(request, error.message)
        return redirect("export-jobs")
    response = FileResponse(handle, as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "no-store"  # personal data: never kept by a cache
    return response


@login_required
@require_POST
@domain_errors_as_http
def export_job_remove(request, pk: int):
    try:
        job = export_jobs.export_job_remove(actor=request.user, job_id=pk)
    except DomainError as error:
        if error.code != ErrorCode.CONFLICT:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” was removed.") % {"title": job.title})
    return redirect("export-jobs")


def offer_background_export(request, *, kind: str, params: dict, plan: export_jobs.ExportPlan, back_url: str):
    """For an app's export view when the table is too large to write while the user waits:
    on GET, a page that offers to prepare it in the background; on POST, the job is queued and
    the user goes to their exports."""
    if request.method == "POST":
        try:
            job = export_jobs.export_job_request(actor=request.user, kind=kind, params=params)
        except DomainError as error:
            if error.code != ErrorCode.RATE_LIMITED:
                raise
            messages.error(request, error.message)
            return redirect("export-jobs")
        messages.success(request, _("“%(title)s” is being prepared. You will be told when it is ready.")
                         % {"title": job.title})
        return redirect("export-jobs")
    context = {"plan": plan, "back_url": back_url, "limit": export_jobs.inline_limit(),
               "keep_hours": f"{export_jobs.keep_for().total_seconds() / 3600:g}"}
    return render(request, "core/export_offer.html", context)
