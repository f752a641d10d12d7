"""Metrics per program for an area (statistics: every level), and payments — guardian
reward agreements, treatment subsidies and the totals paid in a period."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.care import selectors, services
from gridgov.care.forms import (
    PAGE_SIZE,
    AgreementForm,
    AreaForm,
    GuardianPaymentForm,
    PaymentsFilterForm,
    SubsidyForm,
)
from gridgov.care.models import Crisis, Payment
from gridgov.care.views.common import (
    area,
    opened_purpose,
    program_text,
    require,
    today,
)
from gridgov.core import suppression
from gridgov.core.db_router import reads_from_replica
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http


def _rate(value, suppressed: bool = False) -> str:
    if suppressed:
        return suppression.SHOWN_AS
    return "—" if value is None else f"{value * 100:.1f}%"


@login_required
@require_GET
@domain_errors_as_http
@reads_from_replica()  # statistics: the replica's, where there is one (issue 12)
def metrics(request):
    user = request.user
    # Counts only (suppressed above the county), like the API: the city administrator too.
    require(user, Capability.VIEW_CARE_STATISTICS)
    form = AreaForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    unit = area(user, form.cleaned_data.get("org") if form.is_bound and valid else None)
    on = today()
    masked = selectors.masks_health(user)
    if masked:  # issue 10: no outcome that tells health, no hospital column
        outcomes = [("open", _("Still open")), (selectors.MASKED_OUTCOME, _("Dealt with"))]
    else:
        outcomes = [("open", _("Still open"))] + [(value, label) for value, label in Crisis.Outcome.choices]
    rows = []
    for row in selectors.care_metrics_for(user, org=unit.code, today=on):
        hidden = set(row["suppressed"])
        rows.append({
            **row,
            **{key: suppression.shown(row[key]) for key in ("enrolled", "overdue", "seen_90_days", "crises")},
            "hospitalized": suppression.shown(row["hospitalized"]),
            "label": program_text(row["program"]) or _("Programs not shown by name"),
            "management_rate_text": _rate(row["management_rate"], "management_rate" in hidden),
            "visit_coverage_text": _rate(row["visit_coverage"], "visit_coverage" in hidden),
            "outcomes": [(label, suppression.shown(row["crisis_outcomes"].get(value, 0))) for value, label in outcomes],
        })
    reentry = next((row for row in rows if row["program"] == "reentry"), None)
    if reentry is not None:
        hidden = set(reentry["suppressed"])
        reentry["resettlement_text"] = _rate(reentry["resettlement_rate"], "resettlement_rate" in hidden)
        reentry["employment_text"] = _rate(reentry["employment_rate"], "employment_rate" in hidden)
    context = {"form": form, "unit": unit, "today": on, "rows": rows, "reentry": reentry,
               "outcome_labels": [o[1] for o in outcomes], "show_hospital": not masked,
               "suppressed": any(row["suppressed"] for row in rows),
               "statistics_only": selectors.statistics_only(user)}
    return render(request, "care/metrics.html", context, status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def payments(request):
    """The totals paid in a period for an area, and the payments themselves (by name at and
    below the county)."""
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    on = today()
    form = PaymentsFilterForm(request.GET or None, initial={"since": on.replace(month=1, day=1)})
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    since = data.get("since") if form.is_bound else on.replace(month=1, day=1)
    until = data.get("until")
    unit = area(user, data.get("org"))
    filters = {"org": unit.code, "since": since, "until": until}
    totals = selectors.payment_totals(selectors.payments_in_scope(user, **filters))
    kinds = dict(Payment.Kind.choices)
    page = keyset_page(selectors.payments_visible_to(user, **filters), after=data.get("after"), order=("-pk",),
                       size=PAGE_SIZE)
    items, next_url = page.rows, page.next_url({"org": unit.code, "since": since, "until": until})
    rows = [{"payment": p, "kind": kinds.get(p.kind, p.kind), "person": selectors.masked_name(user, p.enrollment)}
            for p in items]
    context = {
        "form": form, "unit": unit, "since": since, "until": until, "rows": rows, "next_url": next_url,
        "totals": [(kinds[k], v) for k, v in totals.items()],
        "statistics_only": selectors.statistics_only(user),
    }
    return render(request, "care/payments.html", context, status=200 if valid else 400)


FORMS = {"subsidy": SubsidyForm, "agreement": AgreementForm, "payment": GuardianPaymentForm}


def _payment_forms(enrollment, agreements, data=None, which: str = "") -> dict:
    forms = {}
    for name, form_class in FORMS.items():
        bound = data if name == which else None
        kwargs = {"agreements": agreements} if name == "payment" else {}
        forms[name] = form_class(bound, prefix=name, **kwargs)
    return forms


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def enrollment_payments(request, pk: int):
    """One enrollment's guardian agreements, treatment subsidies and payments, with forms.
    Part of the full record: it needs the record opened with a purpose."""
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    enrollment = selectors.access_enrollment(user, pk)
    if opened_purpose(request, enrollment) is None:
        messages.info(request, _("Open the full record with a purpose first."))
        return redirect("care-enrollment", pk=enrollment.pk)
    selectors.enrollment_history(enrollment)
    agreements = enrollment.agreement_list
    which = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _payment_forms(enrollment, agreements, request.POST, which)
    status = 200
    if request.method == "POST":
        form = forms.get(which)
        status = 400
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if which == "subsidy":
                    services.treatment_subsidy_record(
                        actor=user, enrollment=enrollment, kind=data["kind"], period_start=data["period_start"],
                        period_end=data["period_end"], paid_on=data["paid_on"], note=data["note"])
                elif which == "agreement":
                    services.guardian_agreement_sign(
                        actor=user, enrollment=enrollment, guardian_name=data["guardian_name"], year=data["year"],
                        annual_amount=data["annual_amount"], conditions=data["conditions"],
                        signed_on=data["signed_on"])
                else:
                    agreement = selectors.access_agreement(user, data["agreement"])
                    if agreement.enrollment_id != enrollment.pk:
                        raise DomainError(_("Choose one of this enrollment's agreements."))
                    services.guardian_payment_record(
                        actor=user, agreement=agreement, amount=data["amount"], period_start=data["period_start"],
                        period_end=data["period_end"], paid_on=data["paid_on"],
                        conditions_met=data["conditions_met"], note=data["note"])
            except DomainError as error:
                add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                messages.success(request, _("Saved."))
                return redirect("care-enrollment-payments", pk=enrollment.pk)
    kinds = dict(Payment.Kind.choices)
    paid = {}
    for p in enrollment.payment_list:
        if p.agreement_id:
            paid[p.agreement_id] = paid.get(p.agreement_id, 0) + p.amount
    context = {
        "enrollment": enrollment,
        "person_name": selectors.masked_name(user, enrollment),
        "program": program_text(selectors.program_label(user, enrollment)),
        "agreements": [{"agreement": a, "paid": paid.get(a.pk, 0)} for a in agreements],
        "payments": [{"payment": p, "kind": kinds.get(p.kind, p.kind)} for p in enrollment.payment_list],
        "subsidy_days": sum(p.days or 0 for p in enrollment.payment_list if p.kind == Payment.Kind.TREATMENT_SUBSIDY),
        "forms": forms,
        "today": today(),
    }
    return render(request, "care/enrollment_payments.html", context, status=status)

