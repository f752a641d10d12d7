"""Pages of issue 11 on an enrollment: the high-risk team's state ("team incomplete",
"awaiting confirmation"), a family member's confirmation recorded by the team, the schedules
per person with their due tasks, a child's mentor and family file; and the cases of one's own
care teams (the police liaison's list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.care import children, schedules, selectors, teams
from gridgov.care.children_models import ChildNeed
from gridgov.care.schedule_models import DrugTestResult
from gridgov.care.team_forms import (
    CONFIRMATION_CHOICES,
    ConfirmOnBehalfForm,
    FamilyFileForm,
    MentorForm,
    ScheduleForm,
    ScheduleRecordForm,
)
from gridgov.care.views.common import record_action, require
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http

TEAM_CASES_PAGE = 50


def case_context(user, enrollment, *, details_visible: bool, me, full: bool) -> dict:
    """What the enrollment page shows of issue 11 (queries: the team, the schedules, and for a
    child the mentor and the family file)."""
    members = list(enrollment.team.filter(removed_at__isnull=True).select_related("user"))
    state = teams.team_state(enrollment, members)
    safety = me is not None and me.role == "police_liaison"
    rows = []
    for s in schedules.schedules_of(enrollment):
        kind = schedules.kind_for(user, s, details_visible=details_visible)
        rows.append({"schedule": s, "kind": kind, "kind_label": schedules.kind_label(kind),
                     "may_record": schedules.may_record(user, s),
                     "assignee": s.assignee.label if s.assignee_id else ""})
    facts = teams.safety_facts(user, enrollment, details_visible=details_visible)
    context = {
        "team_state": state,
        # Who may read the team's state: those who see the details, and the police liaison (its
        # safety role knows the risk); to a grid worker it would tell that the case is high-risk.
        "team_state_shown": details_visible or safety,
        "team_waiting": [_member_label(m, details_visible=details_visible, user=user) for m in state.waiting],
        "confirm_for": [m for m in members if m.role in teams.ON_BEHALF_ROLES and m.user_id is None
                        and m.acknowledged_at is None] if me is not None else [],
        "confirm_choices": CONFIRMATION_CHOICES,
        # The police liaison's safety facts: the risk level and where the person lives.
        "risk_level": (facts or {}).get("risk_level"),
        "home_address": (facts or {}).get("address", ""),
        # The police liaison has no daily map: its way back is its own cases.
        "back_to_team_cases": selectors.team_only(user),
        "schedule_rows": rows,
        "schedule_form": ScheduleForm(),
        "record_form": ScheduleRecordForm(),
        "result_choices": DrugTestResult.choices,
        "can_set_schedules": has_capability(user, Capability.MANAGE_ENROLLMENTS),
        "is_child": enrollment.program in children.CHILD_PROGRAMS,
    }
    if safety and not teams.contact_visit_allowed(user, enrollment):
        context["may_visit"] = False  # the police liaison records no visit in this program
    if context["is_child"] and details_visible and full:
        context.update({
            "mentors": children.mentors_of(enrollment),
            "family_file": children.family_file_of(enrollment),
            "mentor_form": MentorForm(),
            "family_form": FamilyFileForm(),
            "need_labels": dict(ChildNeed.choices),
        })
    return context


def _member_label(member, *, details_visible: bool, user) -> str:
    view = selectors.team_member_view(member.enrollment, member, details_visible=details_visible, viewer=user)
    return view["name"]


def _back(enrollment):
    return redirect("care-enrollment", pk=enrollment.pk)


def _rerender(request, enrollment, errors, status=400):
    from gridgov.care.views.record import _render

    return _render(request, enrollment, status=status, action_errors=errors)


def _run(request, enrollment, form, action, success):
    """Validate → act → message → back; the page again with the errors in place otherwise."""
    if not form.is_valid():
        return _rerender(request, enrollment, [str(e) for errs in form.errors.values() for e in errs])
    try:
        action(form.cleaned_data)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        messages_ = [str(m) for msgs in (error.fields or {}).values() for m in msgs] or [error.message]
        return _rerender(request, enrollment, messages_, status=error.http_status)
    messages.success(request, success)
    return _back(enrollment)


@record_action()
def team_confirm_family(request, enrollment, member_id: int):
    """A team member records the confirmation of a family member or guardian."""
    member = selectors.access_team_member(enrollment, member_id)
    if not teams.may_confirm_for(request.user, enrollment):
        raise PermissionDenied(_("Only a member of this care team records a confirmation."))
    return _run(request, enrollment, ConfirmOnBehalfForm(request.POST),
                lambda data: teams.team_confirm_on_behalf(actor=request.user, member=member, how=data["how"]),
                _("The family member's confirmation was recorded."))


@record_action(Capability.MANAGE_ENROLLMENTS)
def schedule_add(request, enrollment):
    def add(data):
        username = (data["assignee"] or "").strip()
        assignee = selectors.team_accounts([username]).get(username) if username else None
        if username and assignee is None:
            # the service's answer for an account off the team: no hint whether the username exists
            message = _("Choose a member of the care team.")
            raise DomainError(message, ErrorCode.INVALID, {"assignee": [message]})
        schedules.schedule_create(actor=request.user, enrollment=enrollment, kind=data["kind"],
                                  interval_days=data["interval_days"], starts_on=data["starts_on"],
                                  until=data["until"], assignee=assignee)

    return _run(request, enrollment, ScheduleForm(request.POST), add, _("The schedule was set."))


@record_action()
def schedule_record(request, enrollment, schedule_id: int):
    schedule = schedules.access_schedule(request.user, schedule_id)
    if schedule.enrollment_id != enrollment.pk:
        raise Http404()
    if not schedules.may_record(request.user, schedule):
        raise PermissionDenied(_("Only the care team records this task."))
    return _run(request, enrollment, ScheduleRecordForm(request.POST),
                lambda data: schedules.schedule_record(actor=request.user, schedule=schedule, done_on=data["done_on"],
                                                       done=data["done"], result=data["result"], note=data["note"]),
                _("The task was recorded."))


@record_action(Capability.MANAGE_ENROLLMENTS)
def mentor_add(request, enrollment):
    return _run(request, enrollment, MentorForm(request.POST),
                lambda data: children.mentor_record(actor=request.user, enrollment=enrollment, name=data["name"],
                                                    contact=data["contact"], organisation=data["organisation"],
                                                    since=data["since"]),
                _("The mentor was recorded."))


@record_action(Capability.MANAGE_ENROLLMENTS)
def family_file_update(request, enrollment):
    """Open (or update) the family file of the child's current household."""

    def update(data):
        if enrollment.program not in children.CHILD_PROGRAMS:
            message = _("Family files are for children and young people.")
            raise DomainError(message, ErrorCode.CONFLICT, {"enrollment": [message]})
        household_id = enrollment.person.memberships.filter(is_current=True).values_list(
            "household_id", flat=True).first()
        if household_id is None:
            message = _("This child belongs to no household of the register.")
            raise DomainError(message, ErrorCode.CONFLICT, {"household": [message]})
        children.family_file_update(actor=request.user, household_id=household_id, needs=data["needs"],
                                    note=data["note"])

    return _run(request, enrollment, FamilyFileForm(request.POST), update, _("The family file was saved."))


@login_required
@require_GET
@domain_errors_as_http
def family_file_detail(request, file_id: int):
    user = request.user
    require(user, Capability.VIEW_CARE)
    family_file = children.access_family_file(user, file_id)
    kids = children.family_file_children(family_file)
    # Part of the children's care records: opened once a child's record was opened with a
    # purpose (logged) in this session; else that child's page asks for one (security review).
    from gridgov.care.views.common import opened_purpose

    if not any(opened_purpose(request, e) is not None for e in kids):
        if not kids:
            raise Http404()
        return redirect("care-enrollment", pk=kids[0].pk)
    needs = dict(ChildNeed.choices)
    return render(request, "care/family_file.html", {
        "family_file": family_file,
        "needs": [needs.get(n, n) for n in family_file.needs],
        "children": [{"enrollment": e, "name": selectors.masked_name(user, e)} for e in kids],
    })


@login_required
@require_GET
@domain_errors_as_http
def team_cases(request):
    """The active cases on whose care team the user is, high-risk ones still unconfirmed first."""
    user = request.user
    require(user, Capability.VIEW_CARE)
    after = request.GET.get("after", "")
    qs = selectors.with_on_team(user, selectors.enrollments_visible_to(user)).filter(on_team=True)
    unconfirmed = set(selectors.high_risk_unconfirmed_for(user).filter(
        pk__in=qs.values("pk")).values_list("pk", flat=True))
    found = keyset_page(qs.select_related("person"), after=int(after) if after.isdigit() else None, order=("pk",),
                        size=TEAM_CASES_PAGE)
    rows, next_url = found.rows, found.next_url()
    return render(request, "care/team_cases.html", {
        "rows": [{"enrollment": e, "name": selectors.masked_name(user, e), "unconfirmed": e.pk in unconfirmed}
                 for e in rows],
        "next_url": next_url,
    })
