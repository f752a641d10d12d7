"""An enrollment's page: the masked view ("needs a visit on …"), the purpose prompt, the full
record for those who may see it, and the team's and the officer's actions on it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.care import selectors, services
from gridgov.care.forms import (
    ExitForm,
    HandoverForm,
    StatusChangeForm,
    TeamMemberForm,
    program_detail_labels,
    program_value_labels,
    smd_detail_labels,
    smd_value_labels,
)
from gridgov.care.models import Enrollment, Handover, StatusPeriod, TeamRole, VisitForm
from gridgov.care.programs import Program
from gridgov.care.views import consent as consent_views
from gridgov.care.views.common import (
    access_record,
    detail_items,
    need_labels,
    opened_purpose,
    photo_response,
    program_text,
    record_action,
    remember_opened,
    status_label,
    today,
)
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import REFUSALS, PurposeForm, add_domain_error
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http

VISITS_PAGE = selectors.RECENT_VISITS


def _visit_rows(enrollment, visits, *, labels, values) -> list[dict]:
    forms = dict(VisitForm.choices)
    return [{
        "visit": v,
        "form_label": forms.get(v.form, v.form),
        "by": v.visited_by.label if v.visited_by_id else "",
        "needs": need_labels(v.needs),
        "help_given": need_labels(v.help_given),
        "details": detail_items(v.details or {}, labels, values),
        "photo_url": reverse("care-visit-photo", args=[enrollment.pk, v.pk]) if v.photo else "",
    } for v in visits]


def _visits_cursor(request) -> tuple[datetime.date, int] | None:
    """The (date, id) of the last visit shown, from `?visits_before=YYYY-MM-DD.id`."""
    raw = request.GET.get("visits_before", "")
    day, _sep, pk = raw.partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _full_context(request, enrollment) -> dict:
    """Everything the full record shows (after the purpose was logged)."""
    user = request.user
    selectors.enrollment_record(enrollment)
    selectors.enrollment_history(enrollment)
    smd = enrollment.program == Program.SMD
    labels, values = (smd_detail_labels(), smd_value_labels()) if smd else ({}, {})
    before = _visits_cursor(request)
    if before:
        page = keyset_page(selectors.enrollment_visits(enrollment), after=before, order=("-date", "-pk"),
                           size=VISITS_PAGE)
        visits, more = page.rows, page.has_next
    else:
        visits = enrollment.recent_visits
        more = len(visits) == VISITS_PAGE
    older_url = None
    if more and visits:
        last = visits[-1]
        older_url = f"?visits_before={last.date.isoformat()}.{last.pk}"
    roles = dict(TeamRole.choices)
    team = [{"member": m, "name": m.user.label if m.user_id else m.name, "role": roles.get(m.role, m.role),
             "is_me": m.user_id == user.pk} for m in enrollment.current_team]
    return {
        "details": detail_items(enrollment.details or {}, program_detail_labels(enrollment.program),
                                program_value_labels(enrollment.program)),
        "team": team,
        "visits": _visit_rows(enrollment, visits, labels=labels, values=values),
        "visits_older_url": older_url,
        "visits_paged": bool(before),
        "periods": enrollment.periods,
        "crises": enrollment.crisis_list,
        "handovers": enrollment.handover_list,
        "pending_handover": next((h for h in enrollment.handover_list if h.status == Handover.Status.PENDING), None),
        "payments": enrollment.payment_list,
        "agreements": enrollment.agreement_list,
    }


def record_context(request, enrollment, *, purpose_form=None, bound=None, action_errors=None) -> dict:
    user = request.user
    on = today()
    active = enrollment.status == Enrollment.Status.ACTIVE
    details_visible = selectors.may_see_details(user, enrollment)
    state = selectors.day_status(enrollment, on, details_visible=details_visible) if active else "exited"
    purpose = opened_purpose(request, enrollment) if details_visible else None
    bound = bound or {}
    can_manage = has_capability(user, Capability.MANAGE_ENROLLMENTS) and active
    may_visit = active and selectors.may_record_visit(user, enrollment)
    me = enrollment.team.filter(user=user, removed_at__isnull=True).first()
    context = {
        "enrollment": enrollment,
        "person_name": selectors.masked_name(user, enrollment),
        "can_view_person": has_capability(user, Capability.VIEW_PEOPLE),
        "active": active,
        "status": state,
        "status_label": status_label(state) if active else _("Left the program"),
        "exit_reason": "" if active else selectors.exit_reason_text(enrollment),
        "overdue": bool(active and enrollment.next_due_date and enrollment.next_due_date < on and state == "due"),
        "details_visible": details_visible,
        "program": program_text(selectors.program_label(user, enrollment, details_visible=details_visible)),
        # Before the purpose is given, only what the masked view would show.
        "program_header": program_text(selectors.program_label(user, enrollment,
                                                               details_visible=purpose is not None)),
        "purpose": purpose,
        "full": purpose is not None,
        "purpose_form": purpose_form or PurposeForm(),
        "me": me,
        "may_visit": may_visit,
        "may_report": active and has_capability(user, Capability.REPORT_CRISIS),
        "can_manage": can_manage,
        "action_errors": action_errors or [],
        "hospital_kind": StatusPeriod.Kind.HOSPITAL,
        "away_kind": StatusPeriod.Kind.AWAY,
        # Masked (issue 10): a hospital stay reads as an absence, and only absences are offered.
        "hospitalized_since": enrollment.hospitalized_since if details_visible else None,
        "away_since": selectors.away_since(enrollment, details_visible=details_visible),
        "status_forms": _status_forms(enrollment, bound, details_visible=details_visible) if may_visit else [],
        "team_form": bound.get("team") or TeamMemberForm(),
        "exit_form": bound.get("exit") or ExitForm(),
        # rights (issue 10): consent withdrawal
        "consent_withdrawal": selectors.consent_withdrawal_of(enrollment) if purpose is not None else None,
        "consent_form": bound.get("consent") or consent_views.ConsentWithdrawalForm(),
        "handover_form": bound.get("handover") or HandoverForm(),
    }
    if context["full"]:
        context.update(_full_context(request, enrollment))
    from gridgov.care.views.teams import case_context  # care (issue 11): team state, schedules, children

    context.update(case_context(user, enrollment, details_visible=details_visible, me=me, full=context["full"]))
    return context


def _status_forms(enrollment, bound, *, details_visible: bool = True) -> list[dict]:
    """What may change: an admission or absence begins, or the ongoing one ends. Without the
    details, only absences, and nothing while a hospital stay (shown as an absence) lasts."""
    forms = []
    kinds = [(StatusPeriod.Kind.AWAY, enrollment.away_since, _("Left home for a while"), _("Back home"))]
    if details_visible:
        kinds.insert(0, (StatusPeriod.Kind.HOSPITAL, enrollment.hospitalized_since, _("Admitted to hospital"),
                         _("Discharged from hospital")))
    elif enrollment.hospitalized_since:
        kinds = []
    for kind, ongoing, begin_label, end_label in kinds:
        change = "end" if ongoing else "begin"
        key = f"status-{kind}"
        form = bound.get(key) or StatusChangeForm(prefix=key, initial={"change": change, "kind": kind})
        forms.append({"form": form, "label": end_label if ongoing else begin_label, "since": ongoing})
    return forms


def _render(request, enrollment, *, status=200, **kwargs):
    return render(request, "care/enrollment.html", record_context(request, enrollment, **kwargs), status=status)


def _back(enrollment):
    return redirect("care-enrollment", pk=enrollment.pk)


def _errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _form_action(request, enrollment, form, *, key: str, action, success: str):
    """Validate one of the record page's forms and run `action(cleaned_data)`: back to the
    page with `success` on success, else the page again with the form's errors."""
    status = 400
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, raise_codes=REFUSALS)
            status = error.http_status
        else:
            messages.success(request, success)
            return _back(enrollment)
    return _render(request, enrollment, status=status, bound={key: form}, action_errors=_errors(form))


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def enrollment_detail(request, pk: int):
    enrollment = access_record(request, pk)
    return _render(request, enrollment)


@never_cache
@login_required
@require_POST
@domain_errors_as_http
def enrollment_open(request, pk: int):
    """Ask for a purpose, log it (care.open_record), and show the full record."""
    user = request.user
    enrollment = access_record(request, pk)
    if not selectors.may_see_details(user, enrollment):
        raise PermissionDenied(_("Your role may not open this record."))
    form = PurposeForm(request.POST)
    status, opened = 400, False
    if form.is_valid():
        try:
            services.enrollment_open_record(actor=user, enrollment=enrollment, purpose=form.code, note=form.note)
        except DomainError as error:
            add_domain_error(form, error, raise_codes=REFUSALS)
            status = error.http_status
        else:
            remember_opened(request, enrollment, form.purpose)
            status, opened = 200, True
    if opened and not request.htmx:
        return _back(enrollment)
    context = record_context(request, enrollment, purpose_form=form)
    template = "care/enrollment.html"
    if request.htmx:
        template += "#" + ("full_record" if opened else "purpose_form")
    return render(request, template, context, status=status)


@record_action()
def enrollment_acknowledge(request, enrollment):
    """Two-way confirmation: a team member confirms they have seen the case."""
    services.team_acknowledge(actor=request.user, enrollment=enrollment)
    messages.success(request, _("You confirmed that you know this case."))
    return _back(enrollment)


@record_action(Capability.RECORD_VISITS)
def enrollment_status(request, enrollment):
    """Admission to or discharge from hospital; leaving home for a while or coming back."""
    key = next((k for k in (f"status-{kind}" for kind in StatusPeriod.Kind.values)
                if f"{k}-kind" in request.POST), None)
    if key is None:
        raise Http404()
    form = StatusChangeForm(request.POST, prefix=key)

    def change(data):
        if data["change"] == "begin":
            services.status_begin(actor=request.user, enrollment=enrollment, kind=data["kind"], start=data["on"],
                                  note=data["note"])
        else:
            services.status_end(actor=request.user, enrollment=enrollment, kind=data["kind"], end=data["on"])

    return _form_action(request, enrollment, form, key=key, action=change, success=_("The status was recorded."))


@record_action(Capability.MANAGE_ENROLLMENTS)
def team_add(request, enrollment):
    form = TeamMemberForm(request.POST)

    def add(data):
        username = data["username"].strip()
        account = selectors.team_accounts([username]).get(username) if username else None
        if username and account is None:
            message = services.unknown_account_message()
            raise DomainError(message, ErrorCode.INVALID, {"username": [message]})
        services.team_member_add(actor=request.user, enrollment=enrollment, member=services.TeamSpec(
            role=data["role"], user=account, name=data["name"].strip(), contact=data["contact"].strip(),
            sms_consent=bool(data.get("sms_consent"))))

    return _form_action(request, enrollment, form, key="team", action=add, success=_("The team member was added."))


@record_action(Capability.MANAGE_ENROLLMENTS)
def team_remove(request, enrollment, member_id: int):
    member = selectors.access_team_member(enrollment, member_id)
    services.team_member_remove(actor=request.user, member=member)
    messages.success(request, _("The team member was removed."))
    return _back(enrollment)


@record_action(Capability.MANAGE_ENROLLMENTS)
def enrollment_exit(request, enrollment):
    return _form_action(request, enrollment, ExitForm(request.POST), key="exit",
                        success=_("The person left the program."),
                        action=lambda data: services.enrollment_exit(actor=request.user, enrollment=enrollment,
                                                                     on=data["on"], reason=data["reason"]))


@record_action(Capability.MANAGE_ENROLLMENTS)
def handover_create(request, enrollment):
    def send(data):
        services.handover_create(actor=request.user, enrollment=enrollment, to_org_code=data["to_org_code"],
                                 due_date=data["due_date"], reason=data["reason"], note=data["note"])

    return _form_action(request, enrollment, HandoverForm(request.POST), key="handover", action=send,
                        success=_("The handover was sent: the receiving side must accept it."))


@login_required
@require_GET
@domain_errors_as_http
def visit_photo(request, pk: int, visit_id: int):
    """A visit's photo, for those who opened the full record with a purpose."""
    enrollment = access_record(request, pk)
    if not selectors.may_see_details(request.user, enrollment) or opened_purpose(request, enrollment) is None:
        raise Http404()
    visit = selectors.enrollment_visits(enrollment).filter(pk=visit_id).first()
    if visit is None:
        raise Http404()
    return photo_response(visit.photo)
