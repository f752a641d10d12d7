"""The program officer's page: cases whose team has not all confirmed, overdue visits,
handovers in and out (accept or reject), and enrolling a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.care import selectors, services
from gridgov.care.forms import (
    FAMILY_ROWS,
    PAGE_SIZE,
    PROGRAM_DETAIL_FORMS,
    STAFF_ROWS,
    EnrollmentForm,
    FamilyRowForm,
    PersonLookupForm,
    RejectForm,
    StaffRowForm,
)
from gridgov.care.models import Handover
from gridgov.care.views.common import org_names, require, today
from gridgov.core import selectors as core_selectors
from gridgov.core import services as core_services
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, in_scope
from gridgov.core.views import domain_errors_as_http

SECTIONS = ("unacknowledged", "overdue", "incoming", "outgoing")


def _after(request, section: str) -> int | None:
    value = request.GET.get(f"{section}_after", "")
    return int(value) if value.isdigit() else None


def _page(request, section: str, qs) -> tuple[list, str | None]:
    """One section's page (`core.pagination`); its link keeps the other sections' positions."""
    page = keyset_page(qs, after=_after(request, section), order=("pk",), size=PAGE_SIZE)
    params = {f"{s}_after": _after(request, s) for s in SECTIONS if s != section}
    return page.rows, page.next_url(params, key=f"{section}_after")


def _officer_context(request, *, reject_forms=None, error: str = "") -> dict:
    user = request.user
    on = today()
    unacknowledged, unacknowledged_next = _page(request, "unacknowledged", selectors.unacknowledged_with_waiting(user))
    overdue, overdue_next = _page(request, "overdue", selectors.overdue_enrollments(user, on))
    pending = Handover.Status.PENDING
    incoming, incoming_next = _page(request, "incoming", selectors.handover_list(user, direction="in", status=pending))
    outgoing, outgoing_next = _page(request, "outgoing",
                                    selectors.handover_list(user, direction="out", status=pending))
    codes = [e.org_code for e in unacknowledged + overdue]
    codes += [c for h in incoming + outgoing for c in (h.from_org_code, h.to_org_code)]
    names = org_names(user, codes)
    reject_forms = reject_forms or {}
    reasons = dict(Handover.Reason.choices)

    def person(enrollment):
        return {"id": enrollment.pk, "name": selectors.masked_name(user, enrollment),
                "area": names.get(enrollment.org_code, enrollment.org_code)}

    def handover_row(h):
        return {"handover": h, "person": person(h.enrollment), "reason": reasons.get(h.reason, h.reason),
                "from": names.get(h.from_org_code, h.from_org_code), "to": names.get(h.to_org_code, h.to_org_code),
                "late": h.due_date < on, "may_decide": in_scope(user, h.to_org_code),
                "reject_form": reject_forms.get(h.pk) or RejectForm(prefix=f"h{h.pk}")}

    return {
        "statistics_only": selectors.statistics_only(user),
        "error": error,
        "unacknowledged": [{**person(e), "waiting": [m.user.label for m in e.waiting]} for e in unacknowledged],
        "unacknowledged_next": unacknowledged_next,
        "overdue": [{**person(e), "due": e.next_due_date, "days": (on - e.next_due_date).days} for e in overdue],
        "overdue_next": overdue_next,
        "incoming": [handover_row(h) for h in incoming],
        "incoming_next": incoming_next,
        "outgoing": [handover_row(h) for h in outgoing],
        "outgoing_next": outgoing_next,
    }


@login_required
@require_GET
@domain_errors_as_http
def officer(request):
    require(request.user, Capability.MANAGE_ENROLLMENTS)
    return render(request, "care/officer.html", _officer_context(request))


@login_required
@require_POST
@domain_errors_as_http
def handover_accept(request, pk: int):
    """The receiving side takes the person on: team, schedule and history move with them."""
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    handover = selectors.access_handover(user, pk)
    try:
        services.handover_accept(actor=user, handover=handover)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return render(request, "care/officer.html", _officer_context(request, error=error.message),
                      status=error.http_status)
    messages.success(request, _("The handover was accepted: the person is now in your area's care."))
    return redirect("care-officer")


@login_required
@require_POST
@domain_errors_as_http
def handover_reject(request, pk: int):
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    handover = selectors.access_handover(user, pk)
    form = RejectForm(request.POST, prefix=f"h{handover.pk}")
    status = 400
    if form.is_valid():
        try:
            services.handover_reject(actor=user, handover=handover, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error, raise_codes=REFUSALS)
            status = error.http_status
        else:
            messages.success(request, _("The handover was rejected; the sending side was told why."))
            return redirect("care-officer")
    context = _officer_context(request, reject_forms={handover.pk: form},
                               error=_("The handover could not be rejected: see the form below."))
    return render(request, "care/officer.html", context, status=status)


# --- Enrolling a person -----------------------------------------------------------------------------


def _team_forms(data=None):
    staff = [StaffRowForm(data, prefix=f"staff{i}") for i in range(STAFF_ROWS)]
    family = [FamilyRowForm(data, prefix=f"family{i}") for i in range(FAMILY_ROWS)]
    return staff, family


def _detail_forms(data=None, chosen: str = "") -> dict:
    """One form per program; only the chosen program's is bound to the submitted data."""
    return {program: form(data if program == chosen else None, prefix=program)
            for program, form in PROGRAM_DETAIL_FORMS.items()}


def _team_specs(staff, family) -> list[services.TeamSpec] | None:
    """The team from the rows; None when a username is unknown (marked on its row)."""
    rows = [(form, form.member()) for form in staff]
    accounts = selectors.team_accounts([member[0] for _form, member in rows if member])
    team, ok = [], True
    for form, member in rows:
        if not member:
            continue
        username, role = member
        if username not in accounts:
            form.add_error("username", services.unknown_account_message())
            ok = False
            continue
        team.append(services.TeamSpec(role=role, user=accounts[username]))
    for form in family:
        member = form.member()
        if member:
            name, contact, role, sms_consent = member
            team.append(services.TeamSpec(role=role, name=name, contact=contact, sms_consent=sms_consent))
    return team if ok else None


def _enroll_page(request, *, lookup, person=None, form=None, staff=None, family=None, details=None, status=200):
    user = request.user
    if staff is None:
        staff, family = _team_forms()
    context = {
        "lookup": lookup,
        "person": core_selectors.person_view(user, person) if person else None,
        "form": form,
        "staff_forms": staff,
        "family_forms": family,
        "detail_forms": list((details or _detail_forms()).items()),
    }
    return render(request, "care/enroll.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def enroll(request):
    """Find a person by their exact resident ID in the area, then enroll them."""
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    if request.method == "GET":
        lookup = PersonLookupForm(request.GET or None)
        if not lookup.is_bound:
            return _enroll_page(request, lookup=lookup)
        if not lookup.is_valid():
            return _enroll_page(request, lookup=lookup, status=400)
        people = list(core_services.check_people_search(
            actor=user, query=lookup.cleaned_data["resident_id"], where="care_enroll"
        )[:2])
        if not people:
            lookup.add_error("resident_id", _("Nobody with this resident ID number is registered in your area."))
            return _enroll_page(request, lookup=lookup, status=404)
        if len(people) > 1:
            lookup.add_error("resident_id", _("Several records share this number: merge them first."))
            return _enroll_page(request, lookup=lookup, status=409)
        person = people[0]
        form = EnrollmentForm(initial={"person": person.pk, "org_code": person.org_code})
        return _enroll_page(request, lookup=lookup, person=person, form=form)

    form = EnrollmentForm(request.POST)
    staff, family = _team_forms(request.POST)
    details = _detail_forms(request.POST, chosen=request.POST.get("program", ""))
    person = None
    if form.is_valid():
        person = core_selectors.access_person(user, form.cleaned_data["person"])
    elif form["person"].value() and str(form["person"].value()).isdigit():
        person = core_selectors.access_person(user, form["person"].value())
    lookup = PersonLookupForm()
    status = 400
    team_ok = all(f.is_valid() for f in staff + family)
    program = form.cleaned_data.get("program") if form.is_valid() else None
    details_form = details.get(program)
    if form.is_valid() and team_ok and details_form is not None and details_form.is_valid():
        team = _team_specs(staff, family)
        if team is not None:
            data = form.cleaned_data
            try:
                enrollment = services.enrollment_create(
                    actor=user, person=person, program=program, org_code=data["org_code"],
                    start_date=data["start_date"], legal_basis=data["legal_basis"], consent=data["consent"],
                    team=team, details=details_form.details(), retention_until=data["retention_until"],
                )
            except DomainError as error:
                add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                messages.success(request, _("The person was enrolled; the care team was asked to confirm."))
                return redirect("care-enrollment", pk=enrollment.pk)
    return _enroll_page(request, lookup=lookup, person=person, form=form, staff=staff, family=family,
                        details=details, status=status)
