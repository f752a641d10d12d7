"""HTML pages of emergency access ("break the glass"): the form and the user's own grants,
and the auditors' review queue (thin: parse, call `core.emergency`, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import emergency, masking
from gridgov.core.emergency_forms import EmergencyAccessForm, ReviewForm, ReviewQueueForm
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import PAGE_SIZE, add_domain_error
from gridgov.core.pagination import keyset_page, moment_cursor
from gridgov.core.permissions import Capability, capability_required
from gridgov.core.views import domain_errors_as_http

# Live grants are few (each is an emergency); the past ones shown are the latest (the API
# pages through all of them).
LIVE_GRANTS_SHOWN = PAGE_SIZE
PAST_GRANTS_SHOWN = 20



def _own_context(user, form):
    live = list(emergency.grants_of(user, active=True)[:LIVE_GRANTS_SHOWN])
    past = list(emergency.grants_of(user, active=False)[:PAST_GRANTS_SHOWN])
    enrollments = emergency.open_enrollments(live)
    return {
        "form": form,
        "can_break_glass": emergency.may_break_glass(user),
        "hours": emergency.grant_duration().total_seconds() / 3600,
        "live": [{"grant": g, "enrollments": enrollments.get(g.pk, [])} for g in live],
        "past": past,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def emergency_access(request):
    """The emergency-access form (for roles that may open records) and the user's grants."""
    user = request.user
    form = EmergencyAccessForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not emergency.may_break_glass(user):
            raise PermissionDenied(_("Your role may not open personal records, so it cannot use emergency access."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant, created = emergency.emergency_access_open(
                    actor=user, resident_id=data["resident_id"], reason=data["reason"], note=data["note"])
            except DomainError as error:
                if error.code == ErrorCode.PERMISSION_DENIED:
                    raise
                if error.code == ErrorCode.NOT_FOUND:
                    form.add_error("resident_id", error.message)
                else:
                    add_domain_error(form, error)
                status = error.http_status
            else:
                if created:
                    messages.warning(request, _("Emergency access is open until %(until)s. Every read is recorded "
                                                "and an auditor will review it.") % {
                        "until": emergency._local(grant.expires_at)})
                return redirect("person-detail", pk=grant.person_id)
    return render(request, "core/emergency_access.html", _own_context(user, form), status=status)


@login_required
@require_POST
@domain_errors_as_http
def emergency_access_end(request, pk: int):
    grant = emergency.access_own_grant(request.user, pk)
    try:
        emergency.emergency_access_end(actor=request.user, grant=grant)
    except DomainError as error:
        if error.code != ErrorCode.CONFLICT:
            raise
        messages.info(request, error.message)
    else:
        messages.success(request, _("The emergency access has ended."))
    return redirect("emergency-access")


def _queue_rows(grants) -> list[dict]:
    # Auditors check who looked at whom, not the person: the name masked. Places by their
    # name path, not their code (one query for the page).
    from gridgov.core.orgnames import org_name_paths

    grants = list(grants)
    places = org_name_paths({g.org_code for g in grants})
    return [{"grant": g, "person_name": masking.mask_name(g.person.name), "live": emergency.is_live(g),
             "place": places.get(g.org_code, "")} for g in grants]


@never_cache
@login_required
@require_GET
@domain_errors_as_http
@capability_required(Capability.REVIEW_EMERGENCY_ACCESS)
def emergency_reviews(request):
    """The auditors' queue: every emergency access about people in their area, oldest
    first, until an auditor reviews it."""
    user = request.user
    form = ReviewQueueForm(request.GET or None)
    rows, next_url = [], None
    valid = form.is_valid() if form.is_bound else True
    if valid:
        qs = emergency.review_queue(user, form.filters())
        found = keyset_page(qs, after=form.cursor() if form.is_bound else None, order=("granted_at", "pk"),
                            size=PAGE_SIZE)
        grants = found.rows
        params = {k: v for k, v in request.GET.items() if k != "after"}
        next_url = found.next_url(params, cursor=lambda grant: moment_cursor(grant.granted_at, grant.pk))
        rows = _queue_rows(grants)
    context = {"form": form, "rows": rows, "next_url": next_url, "review_form": ReviewForm(),
               "filtered": bool(form.is_bound and any(v for k, v in request.GET.items() if k != "after"))}
    return render(request, "core/emergency_reviews.html", context, status=200 if valid else 400)


@login_required
@require_POST
@domain_errors_as_http
@capability_required(Capability.REVIEW_EMERGENCY_ACCESS)
def emergency_review(request, pk: int):
    user = request.user
    grant = emergency.access_grant_for_review(user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            emergency.emergency_access_review(actor=user, grant=grant,
                                              justified=form.cleaned_data["verdict"] == "justified",
                                              note=form.cleaned_data["note"])
        except DomainError as error:
            if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                raise
            messages.error(request, "; ".join(m for ms in error.fields.values() for m in ms) or error.message)
        else:
            messages.success(request, _("Emergency access #%(id)s was reviewed.") % {"id": grant.pk})
    else:
        messages.error(request, _("Choose whether the access was justified."))
    return redirect(request.POST.get("next") if _safe_next(request.POST.get("next")) else "emergency-reviews")


def _safe_next(url: str | None) -> bool:
    from django.urls import reverse

    return bool(url) and url.startswith(reverse("emergency-reviews"))
