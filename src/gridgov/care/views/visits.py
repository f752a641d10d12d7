"""The team's work from the phone: recording a visit or follow-up, reporting a crisis and
recording what was done about it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.care import selectors, services
from gridgov.care.forms import CrisisActionForm, CrisisReportForm, VisitRecordForm
from gridgov.care.models import Crisis
from gridgov.care.programs import Program
from gridgov.care.views.common import program_text, require, safe_org, today_url
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http


def _head(user, enrollment) -> dict:
    details_visible = selectors.may_see_details(user, enrollment)
    return {
        "enrollment": enrollment,
        "person_name": selectors.masked_name(user, enrollment),
        "program": program_text(selectors.program_label(user, enrollment, details_visible=details_visible)),
        "details_visible": details_visible,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def visit_new(request, pk: int):
    """Record a visit from the phone; afterwards the daily map shows the person as visited."""
    user = request.user
    require(user, Capability.RECORD_VISITS)
    enrollment = selectors.access_enrollment(user, pk)
    if not selectors.may_record_visit(user, enrollment):
        raise PermissionDenied(_("Only the care team records visits."))
    head = _head(user, enrollment)
    smd = enrollment.program == Program.SMD and head["details_visible"]
    form = VisitRecordForm(request.POST or None, request.FILES or None, smd=smd, signature=user.label,
                           masked=not head["details_visible"],
                           initial={"org": safe_org(user, request.GET.get("org", ""))})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                visit = services.visit_record(actor=user, enrollment=enrollment, **form.visit_kwargs())
            except DomainError as error:
                if not head["details_visible"] and any(k.startswith("details") for k in error.fields):
                    # The follow-up record belongs to the clinical team; say so without saying why.
                    form.add_error(None, _("This visit must be recorded by a clinical member of the care team."))
                else:
                    add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                messages.success(request, _("The visit was recorded. Next visit due on %(date)s.") % {
                    "date": date_format(visit.next_due_date, "SHORT_DATE_FORMAT")})
                return redirect(today_url(safe_org(user, form.cleaned_data.get("org", ""))))
    context = {**head, "form": form, "smd": smd}
    return render(request, "care/visit_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def crisis_new(request, pk: int):
    """Report danger: the whole care team is alerted at once."""
    user = request.user
    require(user, Capability.REPORT_CRISIS)
    enrollment = selectors.access_enrollment(user, pk)
    form = CrisisReportForm(request.POST or None, initial={"org": safe_org(user, request.GET.get("org", ""))},
                            masked=not selectors.may_see_details(user, enrollment))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                crisis = services.crisis_report(actor=user, enrollment=enrollment, description=data["description"],
                                                reported_by=data["reported_by"], occurred_at=data["occurred_at"])
            except DomainError as error:
                add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                messages.warning(request, _("The crisis was reported and the care team alerted."))
                return redirect("care-crisis", pk=crisis.pk)
    return render(request, "care/crisis_form.html", {**_head(user, enrollment), "form": form}, status=status)


def _crisis_context(request, crisis, *, form=None) -> dict:
    user = request.user
    enrollment = crisis.enrollment
    head = _head(user, enrollment)
    visible = head["details_visible"]
    alerted = selectors.crisis_alerted(crisis, details_visible=visible, viewer=user)
    accounts = selectors.team_accounts(alerted)
    outcome = selectors.crisis_outcome(crisis, details_visible=visible)
    actions = list(selectors.crisis_actions(crisis))
    for action in actions:  # who acted would name the doctor the mask hides
        action.actor_label = (action.actor.label if action.actor_id and (visible or action.actor_id == user.pk)
                              else "")
    return {
        **head,
        "crisis": crisis,
        "show_description": visible or crisis.reporter_id == user.pk,
        "alerted": [accounts[u].label if u in accounts else _("A member of the care team") for u in alerted],
        "actions": actions,
        "outcome_label": (dict(Crisis.Outcome.choices).get(outcome, "") if visible
                          else (_("Dealt with") if outcome else "")),
        "reported_by_label": dict(Crisis.ReportedBy.choices).get(
            selectors.crisis_reported_by(crisis, details_visible=visible), crisis.reported_by),
        "may_act": selectors.may_record_visit(user, enrollment),
        "form": form or CrisisActionForm(masked=not visible),
    }


@login_required
@require_http_methods(["GET"])
@domain_errors_as_http
def crisis_detail(request, pk: int):
    require(request.user, Capability.VIEW_CARE)
    crisis = selectors.access_crisis(request.user, pk)
    return render(request, "care/crisis.html", _crisis_context(request, crisis))


@login_required
@require_POST
@domain_errors_as_http
def crisis_action(request, pk: int):
    """Add what was done (and, when settled, the outcome)."""
    user = request.user
    require(user, Capability.RECORD_VISITS)
    crisis = selectors.access_crisis(user, pk)
    form = CrisisActionForm(request.POST, masked=not selectors.may_see_details(user, crisis.enrollment))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.crisis_record_action(actor=user, crisis=crisis, note=data["note"], at=data["at"],
                                          outcome=data["outcome"])
        except DomainError as error:
            add_domain_error(form, error, raise_codes=REFUSALS)
            status = error.http_status
        else:
            messages.success(request, _("What was done is recorded."))
            return redirect("care-crisis", pk=crisis.pk)
    return render(request, "care/crisis.html", _crisis_context(request, crisis, form=form), status=status)
