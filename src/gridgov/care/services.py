"""Writes of the care programs: enrollment, teams and two-way confirmation, visits,
crises, hospital stays and absences, handovers, exits, agreements and payments.

Each function checks permission and scope, validates, writes in one transaction with an
audit entry (never copying health or criminal-record facts into it), and alerts people
after commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import (
    alerts,  # notify (issue 11): care's alerts through gridgov.core.notifications
    workflow,
)
from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import (
    Crisis,
    CrisisAction,
    Enrollment,
    GuardianAgreement,
    Handover,
    Need,
    Payment,
    ProgramConfig,
    StatusPeriod,
    TeamMember,
    TeamRole,
    Visit,
    VisitForm,
)
from gridgov.care.programs import (
    DEFAULTS,
    SENSITIVE_PROGRAMS,
    Program,
    ScheduleInput,
    SmdClass,
    next_due,
)
from gridgov.care.workflow import (
    CRISIS_TRANSITIONS,
    ENROLLMENT_TRANSITIONS,
    HANDOVER_TRANSITIONS,
    PERIOD_TRANSITIONS,
    EnrollmentAction,
    HandoverAction,
    PeriodAction,
)
from gridgov.care.workflow import (
    CrisisAction as CrisisStep,
)
from gridgov.core.actors import require_actor
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error, lock_rows
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.images import check_image, store_on_commit
from gridgov.core.models import OrgUnit, Person, User
from gridgov.core.orgcodes import COUNTY_LENGTH, ancestor_codes
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.validators import is_valid_mobile

DEFAULT_RETENTION_YEARS = 5
FIRST_VISIT_AFTER_HANDOVER_DAYS = 7


# CareAudit (the audit actions) lives in care/audit_actions.py, imported above.


def _raise_if(errors: dict) -> None:
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)


def program_settings(program: str) -> dict:
    config = ProgramConfig.objects.filter(program=program).first()
    return {**DEFAULTS[program], **(config.settings if config else {})}


# --- Program details -------------------------------------------------------------------------


def check_details(program: str, details: dict, *, for_visit: bool = False, complete: bool = True) -> dict:
    """Validate a program's detail fields; return them cleaned. Unknown keys are refused so
    that no category of person can be smuggled in through free-form fields."""
    details = dict(details or {})
    errors: dict[str, list[str]] = {}
    allowed = PROGRAM_DETAIL_FIELDS[program] | (SMD_FOLLOW_UP_FIELDS if program == Program.SMD and for_visit else set())
    unknown = sorted(set(details) - allowed)
    if unknown:
        errors["details"] = [_("Unknown fields for this program: %(fields)s") % {"fields": ", ".join(unknown)}]
    if program == Program.SMD and (complete or "risk_level" in details or "classification" in details):
        try:
            level = int(details.get("risk_level"))
            if not 0 <= level <= 5:
                raise ValueError
            details["risk_level"] = level
        except (TypeError, ValueError):
            errors["details.risk_level"] = [_("Give the risk level, from 0 to 5.")]
            level = None
        klass = details.get("classification")
        if klass not in SmdClass.values:
            errors["details.classification"] = [_("Give the classification: stable, basically stable or unstable.")]
        elif level is not None and level >= 3 and klass != SmdClass.UNSTABLE:
            errors["details.classification"] = [_("A risk level of 3 or more is classified as unstable.")]
        adherence = details.get("medication_adherence")
        if adherence is not None and adherence not in {"regular", "intermittent", "none", "not_prescribed"}:
            errors["details.medication_adherence"] = [_("Unknown medication adherence.")]
    if program == Program.COMMUNITY_CORRECTIONS and "checkin_every_days" in details:
        try:
            days = int(details["checkin_every_days"])
            if not 1 <= days <= 90:
                raise ValueError
            details["checkin_every_days"] = days
        except (TypeError, ValueError):
            errors["details.checkin_every_days"] = [_("Check-ins are every 1 to 90 days.")]
    if program in (Program.CHILD, Program.YOUTH):
        from gridgov.care.children import check_child_details  # care (issue 11): situations and groups as choices

        check_child_details(program, details, errors)
    if program == Program.DRUG_REHAB:
        from gridgov.care.schedules import check_drug_rehab_details  # care (issue 11): tests as agreed

        check_drug_rehab_details(details, errors)
    _raise_if(errors)
    return details


PROGRAM_DETAIL_FIELDS: dict[str, set[str]] = {
    Program.SMD: {"risk_level", "classification", "diagnosis", "guardian", "locked_at_home"},
    Program.REENTRY: {"release_date", "prison", "resettled", "employment", "support_base"},
    Program.COMMUNITY_CORRECTIONS: {"order_start", "order_end", "checkin_every_days", "checkin_form"},
    Program.DRUG_REHAB: {"agreement_start", "agreement_end", "talk_every_days", "test_every_days", "employment"},
    Program.CHILD: {"key_child", "situation", "guardian", "school", "mentor"},
    Program.YOUTH: {"situation", "school", "employment", "mentor", "group"},  # group: care (issue 11)
    Program.ELDERLY: {"living_alone", "day_care_centre", "meal_service", "mobility"},
}

# The national follow-up record (DOMAIN.md): everything a follow-up visit may carry.
SMD_FOLLOW_UP_FIELDS = {
    "risk_level", "classification", "missed_reason", "symptoms", "insight", "sleep", "diet",
    "social_functioning", "dangerous_behaviour", "locked_at_home", "hospitalised_since_last",
    "medication_adherence", "side_effects", "medicines", "rehabilitation", "referred", "signature",
    "marked_symptoms", "serious_side_effects",
}


def _derived_flags(program: str, details: dict, settings: dict) -> dict:
    high_risk = program == Program.SMD and int(details.get("risk_level", 0)) >= settings.get("high_risk_level", 3)
    key_case = high_risk or (program == Program.CHILD and bool(details.get("key_child", True)))
    return {"high_risk": high_risk, "key_case": key_case}


# --- Enrollment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    role: str
    user: User | None = None
    name: str = ""
    contact: str = ""
    # notify (issue 11): a member without an account agreed to crisis alerts by SMS to `contact`
    sms_consent: bool = False


def _consent_fields(member: TeamSpec, actor) -> dict:
    if not member.sms_consent or member.user is not None:
        return {}
    return {"sms_consent_at": timezone.now(), "sms_consent_by": actor if getattr(actor, "is_authenticated", False)
            else None}


def _check_team(errors: dict, team: list[TeamSpec], org_code: str) -> None:
    for index, member in enumerate(team):
        key = f"team.{index}"
        if member.role not in TeamRole.values:
            errors.setdefault(key, []).append(_("Unknown team role."))
        if member.user is None and not member.name.strip():
            errors.setdefault(key, []).append(_("Give the member's account or name."))
        if member.sms_consent and member.user is None and not is_valid_mobile(member.contact):
            errors.setdefault(key, []).append(_("SMS alerts need a mobile number as the contact."))
        if member.user is not None and not (org_code.startswith(member.user.scope_code or "-")
                                            or (member.user.scope_code or "").startswith(org_code[:6])):
            errors.setdefault(key, []).append(_("This account does not work in the person's area."))
        from gridgov.care.teams import check_member_role  # care (issue 11): the police liaison's place

        problem = check_member_role(member.role, member.user) if member.role in TeamRole.values else None
        if problem:
            errors.setdefault(key, []).append(problem)


def enrollment_create(
    *, actor, person: Person, program: str, org_code: str, start_date: datetime.date, legal_basis: str = "",
    consent: bool = False, team: list[TeamSpec] | None = None, details: dict | None = None,
    retention_until: datetime.date | None = None,
) -> Enrollment:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    errors: dict[str, list[str]] = {}
    if program not in Program.values:
        errors["program"] = [_("Unknown program.")]
    if not (legal_basis or "").strip() and not consent:
        errors["legal_basis"] = [_("Record the legal basis or the consent obtained.")]
    if not OrgUnit.objects.filter(code=org_code or "").exists():
        errors["org_code"] = [_("No org unit with this code.")]
    if start_date is None or start_date > timezone.localdate() + datetime.timedelta(days=31):
        errors["start_date"] = [_("Give a start date (at most a month ahead).")]
    if retention_until is not None and start_date is not None and retention_until <= start_date:
        errors["retention_until"] = [_("Records must be kept past the start date.")]
    if person.merged_into_id or person.died_on:
        errors["person"] = [_("This person record is merged or the person has died.")]
    _check_team(errors, team or [], org_code or "")
    _raise_if(errors)
    details = check_details(program, details or {})
    if not in_scope(actor, org_code) or not in_scope(actor, person.org_code):
        raise Forbidden(_("This person lies outside your area."))
    settings = program_settings(program)
    already = _("This person is already enrolled in this program.")
    # The check is for a clear answer; the constraint decides a race (the loser gets 409).
    with conflict_on_integrity_error(already, code=ErrorCode.DUPLICATE), transaction.atomic():
        if Enrollment.objects.filter(person=person, program=program, status=Enrollment.Status.ACTIVE).exists():
            raise DomainError(already, ErrorCode.DUPLICATE)
        enrollment = Enrollment.objects.create(
            person=person, program=program, org_code=org_code, legal_basis=(legal_basis or "").strip(),
            consent=bool(consent), start_date=start_date,
            retention_until=retention_until or start_date.replace(year=start_date.year + DEFAULT_RETENTION_YEARS),
            details=details, next_due_date=next_due(ScheduleInput(program, start_date, details, settings)),
            created_by=actor, **_derived_flags(program, details, settings),
        )
        members = [TeamMember(enrollment=enrollment, user=m.user, name=m.name.strip(), contact=m.contact.strip(),
                              role=m.role, **_consent_fields(m, actor)) for m in team or []]
        TeamMember.objects.bulk_create(members)
        from gridgov.care.schedules import program_schedules_create  # care (issue 11): elderly visit, drug tests

        program_schedules_create(enrollment=enrollment, actor=actor)
        audit_record(actor=actor, action=CareAudit.ENROLL, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=org_code, person_id=person.pk,
                     # The audit log names no sensitive program: auditors check access, not diagnoses.
                     changes={"program": "***" if program in SENSITIVE_PROGRAMS else program,
                              "team": len(members), "consent": bool(consent)})
        _alert_team(enrollment, kind="care_enrolled", text=_(
            "You are on the care team of a new case in %(area)s: please acknowledge it.") % {"area": org_code})
    return enrollment


def _team_users(enrollment: Enrollment) -> list[User]:
    return list(User.objects.filter(care_teams__enrollment=enrollment, care_teams__removed_at__isnull=True,
                                    is_active=True).distinct())


def _alert_team(enrollment: Enrollment, *, kind: str, text: str, params: dict | None = None,
                family_by_sms: bool = False) -> list[str]:
    """Tell the team's users (through care.alerts: the case's link, the person as each may see
    them); with `family_by_sms` also its members without an account who agreed to SMS."""
    users = _team_users(enrollment)
    alerts.team(enrollment, users, kind=kind, text=text, params=params, family_by_sms=family_by_sms)
    return sorted(u.username for u in users)


def team_acknowledge(*, actor, enrollment: Enrollment) -> TeamMember:
    """Two-way confirmation: a team member confirms they have seen the case."""
    member = enrollment.team.filter(user=actor, removed_at__isnull=True).first()
    if member is None:
        raise Forbidden(_("You are not on this care team."))
    if member.acknowledged_at is None:
        with transaction.atomic():
            member.acknowledged_at = timezone.now()
            member.save(update_fields=["acknowledged_at"])
            audit_record(actor=actor, action=CareAudit.ACKNOWLEDGE, obj=enrollment, object_repr=f"#{enrollment.pk}",
                         org_code=enrollment.org_code, person_id=enrollment.person_id)
    return member


def team_member_add(*, actor, enrollment: Enrollment, member: TeamSpec) -> TeamMember:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict = {}
    _check_team(errors, [member], enrollment.org_code)
    _raise_if({k.replace("team.0", "member"): v for k, v in errors.items()})
    on_team = _("This person is already on the team.")
    with conflict_on_integrity_error(on_team, code=ErrorCode.DUPLICATE), transaction.atomic():
        if member.user and enrollment.team.filter(user=member.user, removed_at__isnull=True).exists():
            raise DomainError(on_team, ErrorCode.DUPLICATE)
        row = TeamMember.objects.create(enrollment=enrollment, user=member.user, name=member.name, contact=member.contact,
                                        role=member.role, **_consent_fields(member, actor))
        audit_record(actor=actor, action=CareAudit.TEAM, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"added": member.user.username if member.user else member.role})
    return row


def team_member_remove(*, actor, member: TeamMember) -> None:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, member.enrollment.org_code):
        raise NotFound()
    with transaction.atomic():
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        audit_record(actor=actor, action=CareAudit.TEAM, obj=member.enrollment, object_repr=f"#{member.enrollment_id}",
                     org_code=member.enrollment.org_code, person_id=member.enrollment.person_id,
                     changes={"removed": member.user.username if member.user else member.role})


def enrollment_exit(*, actor, enrollment: Enrollment, on: datetime.date, reason: str,
                    action: str = EnrollmentAction.EXIT) -> Enrollment:
    """End an enrollment — the one function every path that ends one calls, naming its
    `care.workflow.EnrollmentAction`: the officer's exit, the nightly job at the program's age
    (a `SystemActor`), a withdrawn consent, the merge of duplicate person records, a death
    recorded in the register. The table says who may take each; the schedule stops and a
    handover still waiting is cancelled (through the handover table)."""
    require_actor(actor)
    transition = ENROLLMENT_TRANSITIONS[action]
    if not workflow.may(transition, actor):
        raise Forbidden()
    if action in (EnrollmentAction.EXIT, EnrollmentAction.CONSENT_WITHDRAWN) and not in_scope(
            actor, enrollment.org_code):
        raise NotFound()  # the officer's own doors; a merge or a death is checked by its service
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for leaving the program."), ErrorCode.INVALID,
                          {"reason": [_("Give the reason for leaving the program.")]})
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        from_status = enrollment.status
        enrollment.status = workflow.check(ENROLLMENT_TRANSITIONS, action, actor=actor, status=from_status,
                                           conflict=workflow.CONFLICT_MESSAGES["enrollment"])
        enrollment.end_date = on
        enrollment.exit_reason = reason[:200]
        enrollment.next_due_date = None
        enrollment.save(update_fields=["status", "end_date", "exit_reason", "next_due_date", "updated_at"])
        for handover in Handover.objects.select_for_update().filter(enrollment=enrollment,
                                                                    status=Handover.Status.PENDING):
            handover.status = workflow.check(HANDOVER_TRANSITIONS, HandoverAction.CANCEL, actor=actor,
                                             status=handover.status)
            handover.save(update_fields=["status"])
        audit_record(actor=actor, action=CareAudit.EXIT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"on": on.isoformat(), "action": str(action), "from": from_status,
                              "to": enrollment.status})
    return enrollment


def enrollment_open_record(*, actor, enrollment: Enrollment, purpose: str, note: str = "") -> Enrollment:
    """Opening a full care record (health or criminal-record facts): a purpose from
    `core.purposes` (with an optional note; "other" needs one) is required and logged, like
    opening a person's full record."""
    from gridgov.care.selectors import may_see_details
    from gridgov.core.purposes import check_purpose

    if not may_see_details(actor, enrollment):
        raise NotFound()
    stated = check_purpose(purpose, note)
    with transaction.atomic():
        audit_record(actor=actor, action=CareAudit.OPEN_RECORD, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id, purpose=stated.stored)
    return enrollment


# --- Visits ------------------------------------------------------------------------------------


def _may_visit(actor, enrollment: Enrollment) -> bool:
    if not has_capability(actor, Capability.RECORD_VISITS):
        return False
    on_team = enrollment.team.filter(user=actor, removed_at__isnull=True).exists()
    return on_team or (has_capability(actor, Capability.VIEW_CARE_DETAILS) and in_scope(actor, enrollment.org_code))


def visit_record(
    *, actor, enrollment: Enrollment, date: datetime.date, form: str, notes: str = "", details: dict | None = None,
    needs: list[str] | None = None, help_given: list[str] | None = None, missed: bool = False, photo=None,
) -> Visit:
    """Record a visit or follow-up; the next due date follows the program's rule at once."""
    if not _may_visit(actor, enrollment):
        raise Forbidden(_("Only the care team records visits."))
    from gridgov.care import schedules, teams  # care (issue 11)

    teams.check_contact_visit_allowed(actor, enrollment)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if date is None or date > today:
        errors["date"] = [_("A visit cannot be dated in the future.")]
    elif date < enrollment.start_date:
        errors["date"] = [_("The visit is before the enrollment started.")]
    if form not in VisitForm.values:
        errors["form"] = [_("Choose how the person was seen.")]
    for key, values in (("needs", needs or []), ("help_given", help_given or [])):
        if any(v not in Need.values for v in values):
            errors[key] = [_("Unknown kind of need or help.")]
    if enrollment.status != Enrollment.Status.ACTIVE:
        errors["enrollment"] = [_("This enrollment has ended.")]
    _raise_if(errors)
    details = details or {}
    from gridgov.care.selectors import may_see_details

    clinical = may_see_details(actor, enrollment)
    if enrollment.program == Program.SMD and not missed and not clinical:
        # A grid worker's contact visit: they see that a visit is due, not why, so they
        # record no assessment and the classification stays as the clinicians set it.
        if details:
            raise Forbidden(_("Only a clinical member of the care team records a follow-up assessment."))
    elif enrollment.program == Program.SMD and not missed:
        details = check_details(Program.SMD, details, for_visit=True)
    elif details:
        # A missed visit records why, not a new assessment.
        details = check_details(enrollment.program, details, for_visit=True, complete=False)
    # Checked, decoded and stripped of EXIF (location) before the transaction (issue 10).
    image = check_image(photo, field="photos") if photo is not None else None
    settings = program_settings(enrollment.program)
    schedule_details = {**enrollment.details, **details}
    due = next_due(ScheduleInput(enrollment.program, date, schedule_details, settings))
    if missed:
        # A missed visit is tried again soon, whatever the rhythm.
        due = min(due, date + datetime.timedelta(days=7))
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        visit = Visit.objects.create(
            enrollment=enrollment, org_code=enrollment.org_code, date=date, form=form, visited_by=actor,
            missed=missed, notes=(notes or "").strip(), details=details, needs=sorted(set(needs or [])),
            help_given=sorted(set(help_given or [])), next_due_date=due,
        )
        if image is not None:
            store_on_commit(visit, "photo", f"visit-{visit.pk}{image.extension}", image.content)
            visit.save(update_fields=["photo"])
        if enrollment.last_visit_date is None or date >= enrollment.last_visit_date:
            enrollment.next_due_date = due
            if not missed:
                enrollment.last_visit_date = date
        old_level = int(enrollment.details.get("risk_level") or 0)
        if enrollment.program == Program.SMD and not missed and clinical:
            enrollment.details = {**enrollment.details, "risk_level": details["risk_level"],
                                  "classification": details["classification"]}
            enrollment.high_risk, enrollment.key_case = _derived_flags(
                Program.SMD, enrollment.details, settings).values()
        enrollment.save()
        audit_record(actor=actor, action=CareAudit.VISIT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"visit": visit.pk, "form": form, "missed": missed})
        if enrollment.program == Program.SMD and not missed and clinical:  # care (issue 11): confirm again
            teams.team_reconfirm_after_risk_raise(actor=actor, enrollment=enrollment, old_level=old_level,
                                                  new_level=details["risk_level"],
                                                  high_risk_level=settings.get("high_risk_level", 3))
        schedules.on_visit_recorded(actor=actor, enrollment=enrollment, visit=visit)
        if needs:
            _alert_team(enrollment, kind="care_needs", text=_("A visit found needs that call for help: %(needs)s") % {
                "needs": "、".join(str(Need(n).label) for n in sorted(set(needs)))})
    return visit


# --- Crisis ------------------------------------------------------------------------------------


def crisis_report(*, actor, enrollment: Enrollment, description: str, reported_by: str,
                  occurred_at: datetime.datetime | None = None) -> Crisis:
    """Danger reported: the whole team is alerted at once."""
    require_actor(actor)
    require(actor, Capability.REPORT_CRISIS)
    on_team = enrollment.team.filter(user=actor, removed_at__isnull=True).exists()
    if not on_team and not in_scope(actor, enrollment.org_code):
        raise NotFound()
    if enrollment.status != Enrollment.Status.ACTIVE:
        # rights (issue 10): an ended case (e.g. consent withdrawn) no longer alerts its team.
        raise DomainError(_("This enrollment has ended: its team is no longer alerted. Call the emergency services."),
                          ErrorCode.CONFLICT)
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe what is happening.")]
    if reported_by not in Crisis.ReportedBy.values:
        errors["reported_by"] = [_("Say who reported it.")]
    now = timezone.now()
    if occurred_at is not None and occurred_at > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("The time cannot be in the future.")]
    _raise_if(errors)
    with transaction.atomic():
        crisis = Crisis.objects.create(
            enrollment=enrollment, org_code=enrollment.org_code, description=description.strip(),
            reported_by=reported_by, reporter=actor if getattr(actor, "is_authenticated", False) else None,
            occurred_at=occurred_at or now,
        )
        crisis.alerted = _alert_team(enrollment, kind="care_crisis", text=_(
            "Crisis reported for %(person)s, in your care (%(area)s): act now."),
            params={"area": enrollment.org_code}, family_by_sms=True)
        crisis.save(update_fields=["alerted"])
        audit_record(actor=actor, action=CareAudit.CRISIS, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"crisis": crisis.pk, "reported_by": reported_by, "alerted": len(crisis.alerted)})
    return crisis


def crisis_record_action(*, actor, crisis: Crisis, note: str, at: datetime.datetime | None = None,
                         outcome: str = "") -> Crisis:
    if not _may_visit(actor, crisis.enrollment):
        raise Forbidden(_("Only the care team records what was done."))
    if not (note or "").strip():
        raise DomainError(_("Say what was done."), ErrorCode.INVALID, {"note": [_("Say what was done.")]})
    if outcome and outcome not in Crisis.Outcome.values:
        raise DomainError(_("Unknown outcome."), ErrorCode.INVALID, {"outcome": [_("Unknown outcome.")]})
    at = at or timezone.now()
    with transaction.atomic():
        if outcome:
            crisis = Crisis.objects.select_for_update().select_related("enrollment").get(pk=crisis.pk)
            # workflow (issue 11): open → dealt with (a later outcome may follow an earlier one)
            workflow.check(CRISIS_TRANSITIONS, CrisisStep.RECORD_OUTCOME, actor=actor,
                           status=workflow.crisis_status(crisis), on_team=True)
        CrisisAction.objects.create(crisis=crisis, actor=actor, at=at, note=note.strip())
        if outcome:
            crisis.outcome, crisis.outcome_at = outcome, at
            crisis.save(update_fields=["outcome", "outcome_at"])
            if outcome == Crisis.Outcome.ADMITTED:
                _open_period(crisis.enrollment, StatusPeriod.Kind.HOSPITAL, timezone.localdate(at), actor)
        audit_record(actor=actor, action=CareAudit.CRISIS, obj=crisis.enrollment,
                     object_repr=f"#{crisis.enrollment_id}", org_code=crisis.org_code,
                     person_id=crisis.enrollment.person_id, changes={"crisis": crisis.pk, "outcome": outcome})
    return crisis


# --- Hospital stays and absences -----------------------------------------------------------------


def _open_period(enrollment: Enrollment, kind: str, start: datetime.date, actor, note: str = "") -> StatusPeriod:
    """A stay (in hospital, away) begins: the period table's edge; callers checked the team."""
    ongoing = StatusPeriod.objects.filter(enrollment=enrollment, kind=kind, end__isnull=True).exists()
    workflow.check(PERIOD_TRANSITIONS, PeriodAction.BEGIN, actor=actor, on_team=True,
                   status=workflow.PeriodState.ONGOING if ongoing else workflow.PeriodState.NONE,
                   conflict=workflow.CONFLICT_MESSAGES["period"])
    period = StatusPeriod.objects.create(enrollment=enrollment, kind=kind, start=start, note=note, recorded_by=actor)
    field = "hospitalized_since" if kind == StatusPeriod.Kind.HOSPITAL else "away_since"
    Enrollment.objects.filter(pk=enrollment.pk).update(**{field: start})
    setattr(enrollment, field, start)
    return period


def status_begin(*, actor, enrollment: Enrollment, kind: str, start: datetime.date, note: str = "") -> StatusPeriod:
    """Admission to hospital, or leaving home for a while."""
    if not _may_visit(actor, enrollment):
        raise Forbidden()
    if kind not in StatusPeriod.Kind.values:
        raise DomainError(_("Unknown status."), ErrorCode.INVALID)
    if start > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), ErrorCode.INVALID, {"start": [_("The date cannot be in the future.")]})
    with conflict_on_integrity_error(_("This status is already recorded as ongoing.")), transaction.atomic():
        period = _open_period(enrollment, kind, start, actor, note)
        audit_record(actor=actor, action=CareAudit.STATUS, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"begin": kind, "on": start.isoformat()})
    return period


def status_end(*, actor, enrollment: Enrollment, kind: str, end: datetime.date) -> StatusPeriod:
    """Discharge from hospital, or coming home."""
    if not _may_visit(actor, enrollment):
        raise Forbidden()
    with transaction.atomic():
        period = StatusPeriod.objects.select_for_update().filter(enrollment=enrollment, kind=kind,
                                                                 end__isnull=True).first()
        workflow.check(PERIOD_TRANSITIONS, PeriodAction.END, actor=actor, on_team=True,
                       status=workflow.PeriodState.NONE if period is None else workflow.PeriodState.ONGOING,
                       conflict=workflow.CONFLICT_MESSAGES["period_end"])
        if end < period.start or end > timezone.localdate():
            raise DomainError(_("The end date must be between the start and today."), ErrorCode.INVALID,
                              {"end": [_("The end date must be between the start and today.")]})
        period.end = end
        period.save(update_fields=["end"])
        field = "hospitalized_since" if kind == StatusPeriod.Kind.HOSPITAL else "away_since"
        Enrollment.objects.filter(pk=enrollment.pk).update(**{field: None})
        if kind == StatusPeriod.Kind.HOSPITAL:
            # After discharge the person is seen within two weeks.
            soon = end + datetime.timedelta(days=14)
            Enrollment.objects.filter(pk=enrollment.pk, next_due_date__gt=soon).update(next_due_date=soon)
        audit_record(actor=actor, action=CareAudit.STATUS, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"end": kind, "on": end.isoformat()})
    return period


# --- Handovers -----------------------------------------------------------------------------------


def handover_create(*, actor, enrollment: Enrollment, to_org_code: str, due_date: datetime.date, reason: str,
                    note: str = "") -> Handover:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=to_org_code or "").exists():
        errors["to_org_code"] = [_("No org unit with this code.")]
    elif to_org_code == enrollment.org_code:
        errors["to_org_code"] = [_("The receiving area is the current one.")]
    if reason not in Handover.Reason.values:
        errors["reason"] = [_("Choose the reason for the handover.")]
    if due_date is None or due_date < timezone.localdate():
        errors["due_date"] = [_("The handover date cannot be in the past.")]
    if enrollment.status != Enrollment.Status.ACTIVE:
        errors["enrollment"] = [_("This enrollment has ended.")]
    _raise_if(errors)
    waiting = _("A handover of this person is already waiting.")
    with conflict_on_integrity_error(waiting), transaction.atomic():
        if Handover.objects.filter(enrollment=enrollment, status=Handover.Status.PENDING).exists():
            raise DomainError(waiting, ErrorCode.CONFLICT)
        handover = Handover.objects.create(enrollment=enrollment, from_org_code=enrollment.org_code,
                                           to_org_code=to_org_code, reason=reason, note=(note or "").strip(),
                                           due_date=due_date, created_by=actor)
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=enrollment.org_code,
                     person_id=enrollment.person_id,
                     changes={"to": to_org_code, "due": due_date.isoformat(), "reason": reason})
        alerts.to_users(officers_of(to_org_code), kind="care_handover", text=_(
            "A person in a care program is being handed over to %(area)s by %(date)s: please accept or reject.")
            % {"area": to_org_code, "date": due_date.isoformat()}, link=reverse("care-officer"), org_code=to_org_code)
    return handover


def officers_of(org_code: str) -> list[User]:
    """Program officers whose scope covers the place, from the county down: above the county
    an officer sees statistics only, never one person's case."""
    from gridgov.core.models import Role

    codes = [code for code in ancestor_codes(org_code, include_self=True) if len(code) >= COUNTY_LENGTH]
    return list(User.objects.filter(is_active=True, role_rows__role=Role.PROGRAM_OFFICER, scope_code__in=codes)
                .distinct())


def handover_accept(*, actor, handover: Handover,
                    first_visit_days: int = FIRST_VISIT_AFTER_HANDOVER_DAYS) -> Handover:
    """The receiving side takes the person on: team, schedule and history move with them."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, handover.to_org_code):
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().select_related("enrollment").get(pk=handover.pk)
        target = workflow.check(HANDOVER_TRANSITIONS, HandoverAction.ACCEPT, actor=actor, status=handover.status,
                                conflict=workflow.CONFLICT_MESSAGES["handover"])
        enrollment = handover.enrollment
        # Staff of the sending side leave the team; family and guardians stay.
        enrollment.team.filter(removed_at__isnull=True, user__isnull=False).exclude(
            role__in=[TeamRole.FAMILY, TeamRole.GUARDIAN]).update(removed_at=now)
        if not enrollment.team.filter(user=actor, removed_at__isnull=True).exists():
            TeamMember.objects.create(enrollment=enrollment, user=actor, role=TeamRole.OFFICER, acknowledged_at=now)
        first_visit = timezone.localdate() + datetime.timedelta(days=first_visit_days)
        enrollment.org_code = handover.to_org_code
        enrollment.next_due_date = min(enrollment.next_due_date or first_visit, first_visit)
        enrollment.save(update_fields=["org_code", "next_due_date", "updated_at"])
        # Past visits move to the new area too, so the new team can read them.
        Visit.objects.filter(enrollment=enrollment).update(org_code=handover.to_org_code)
        handover.status, handover.decided_by, handover.decided_at = target, actor, now
        handover.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=handover.to_org_code,
                     person_id=enrollment.person_id, changes={"accepted": True, "from": handover.from_org_code})
        alerts.to_users(officers_of(handover.from_org_code), kind="care_handover", text=_(
            "The handover to %(area)s was accepted.") % {"area": handover.to_org_code},
            link=reverse("care-officer"), org_code=handover.from_org_code)
    return handover


def handover_reject(*, actor, handover: Handover, reason: str) -> Handover:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, handover.to_org_code):
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the handover is rejected."), ErrorCode.INVALID,
                          {"reason": [_("Say why the handover is rejected.")]})
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        target = workflow.check(HANDOVER_TRANSITIONS, HandoverAction.REJECT, actor=actor, status=handover.status,
                                conflict=workflow.CONFLICT_MESSAGES["handover"])
        handover.status, handover.decided_by, handover.decided_at = target, actor, timezone.now()
        handover.reject_reason = reason
        handover.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=handover.to_org_code,
                     person_id=handover.enrollment.person_id, changes={"accepted": False})
        alerts.to_users(officers_of(handover.from_org_code), kind="care_handover", text=_(
            "The handover to %(area)s was rejected: %(reason)s") % {"area": handover.to_org_code, "reason": reason},
            enrollment=handover.enrollment)
    return handover


# --- Agreements and payments ------------------------------------------------------------------------

TREATMENT_RATES = {"with_guardian": Decimal("100"), "homeless": Decimal("200")}
TREATMENT_MAX_DAYS = 60


def treatment_subsidy_record(*, actor, enrollment: Enrollment, kind: str, period_start: datetime.date,
                             period_end: datetime.date, paid_on: datetime.date, note: str = "") -> Payment:
    """A treatment subsidy: a daily rate (100 yuan with a guardian present, 200 for an
    unidentified homeless patient), for at most 60 days per enrollment in all."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    settings = program_settings(enrollment.program)
    rates = {k: Decimal(str(settings.get(f"subsidy_{k}", v))) for k, v in TREATMENT_RATES.items()}
    max_days = int(settings.get("subsidy_max_days", TREATMENT_MAX_DAYS))
    errors: dict[str, list[str]] = {}
    if kind not in rates:
        errors["kind"] = [_("Choose the kind of subsidy.")]
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    _raise_if(errors)
    days = (period_end - period_start).days + 1
    with transaction.atomic():
        # Lock the enrollment, not its payments: before the first payment there is no row to
        # lock, and concurrent writers would each see 0 days used.
        lock_rows(Enrollment.objects, enrollment.pk)
        used = Payment.objects.filter(enrollment=enrollment, kind=Payment.Kind.TREATMENT_SUBSIDY).aggregate(
            used=Sum("days"))["used"] or 0
        if used + days > max_days:
            raise DomainError(_("The subsidy covers at most %(max)d days; %(used)d are already paid.")
                              % {"max": max_days, "used": used}, ErrorCode.CONFLICT)
        payment = Payment.objects.create(
            enrollment=enrollment, kind=Payment.Kind.TREATMENT_SUBSIDY, period_start=period_start,
            period_end=period_end, days=days, daily_rate=rates[kind], amount=rates[kind] * days, paid_on=paid_on,
            note=(note or "")[:200], org_code=enrollment.org_code, recorded_by=actor,
        )
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"kind": "treatment_subsidy", "days": days, "amount": str(payment.amount)})
    return payment


def guardian_agreement_sign(*, actor, enrollment: Enrollment, guardian_name: str, year: int,
                            annual_amount: Decimal, conditions: str, signed_on: datetime.date) -> GuardianAgreement:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    if not (guardian_name or "").strip() or annual_amount is None or Decimal(annual_amount) <= 0:
        raise DomainError(_("Give the guardian's name and a positive annual amount."), ErrorCode.INVALID)
    exists = _("An agreement for this year already exists.")
    with conflict_on_integrity_error(exists, code=ErrorCode.DUPLICATE), transaction.atomic():
        if GuardianAgreement.objects.filter(enrollment=enrollment, year=year).exists():
            raise DomainError(exists, ErrorCode.DUPLICATE)
        agreement = GuardianAgreement.objects.create(
            enrollment=enrollment, guardian_name=guardian_name.strip(), year=year,
            annual_amount=Decimal(annual_amount), conditions=conditions or "", signed_on=signed_on)
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"agreement": year, "annual_amount": str(agreement.annual_amount)})
    return agreement


def guardian_payment_record(*, actor, agreement: GuardianAgreement, amount: Decimal, period_start: datetime.date,
                            period_end: datetime.date, paid_on: datetime.date, conditions_met: bool,
                            note: str = "") -> Payment:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    enrollment = agreement.enrollment
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    amount = Decimal(amount)
    with transaction.atomic():
        lock_rows(GuardianAgreement.objects, agreement.pk)  # the aggregate whose payments are summed
        paid = Payment.objects.filter(agreement=agreement).aggregate(paid=Sum("amount"))["paid"] or Decimal(0)
        if amount < 0 or paid + amount > agreement.annual_amount:
            raise DomainError(_("Payments would exceed the agreement's annual amount."), ErrorCode.CONFLICT)
        if not conditions_met and amount > 0:
            raise DomainError(_("The conditions were not met: nothing can be paid for this period."),
                              ErrorCode.CONFLICT)
        payment = Payment.objects.create(
            enrollment=enrollment, agreement=agreement, kind=Payment.Kind.GUARDIAN_REWARD, period_start=period_start,
            period_end=period_end, amount=amount, conditions_met=conditions_met, paid_on=paid_on,
            note=(note or "")[:200], org_code=enrollment.org_code, recorded_by=actor)
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"kind": "guardian_reward", "amount": str(amount)})
    return payment


# --- Screening campaigns ----------------------------------------------------------------------------


def campaign_open(*, actor, org_code: str, kind: str, title: str, starts_on: datetime.date,
                  due_on: datetime.date):
    """Every current household of the area goes on its grid worker's checklist."""
    from gridgov.care.models import Campaign, CampaignItem
    from gridgov.core.models import GridAssignment
    from gridgov.register.selectors import households_in_area

    require(actor, Capability.MANAGE_ENROLLMENTS)
    errors: dict[str, list[str]] = {}
    if kind not in Campaign.Kind.values:
        errors["kind"] = [_("Choose the kind of campaign.")]
    if not (title or "").strip():
        errors["title"] = [_("A title is required.")]
    if due_on < starts_on:
        errors["due_on"] = [_("The due date is before the start date.")]
    if not OrgUnit.objects.filter(code=org_code or "").exists():
        errors["org_code"] = [_("No org unit with this code.")]
    _raise_if(errors)
    if not in_scope(actor, org_code):
        raise Forbidden(_("This lies outside your area."))
    with transaction.atomic():
        campaign = Campaign.objects.create(org_code=org_code, kind=kind, title=title.strip(), starts_on=starts_on,
                                           due_on=due_on, created_by=actor)
        workers: dict[str, int] = {}
        for cell, user_id in GridAssignment.objects.filter(cell__code__startswith=org_code).order_by(
                "cell_id", "id").values_list("cell_id", "user_id"):
            workers.setdefault(cell, user_id)
        CampaignItem.objects.bulk_create(
            (CampaignItem(campaign=campaign, household_id=pk, org_code=code, assignee_id=workers.get(code))
             for pk, code in households_in_area(org_code)),
            batch_size=1000,
        )
        audit_record(actor=actor, action=CareAudit.CAMPAIGN_OPEN, obj=campaign, org_code=org_code,
                     changes={"kind": kind, "items": campaign.items.count()})
    return campaign


def campaign_item_record(*, actor, item, result: str, note: str = "", referred_person: Person | None = None):
    from gridgov.care.models import CampaignItem

    if not (item.assignee_id == actor.pk or (has_capability(actor, Capability.MANAGE_ENROLLMENTS)
                                             and in_scope(actor, item.org_code))):
        raise NotFound()
    if result not in CampaignItem.Result.values or result == CampaignItem.Result.PENDING:
        raise DomainError(_("Record what the visit found."), ErrorCode.INVALID, {"result": [_("Record what the visit found.")]})
    if result == CampaignItem.Result.REFERRED and referred_person is None:
        raise DomainError(_("Say who is referred for enrollment."), ErrorCode.INVALID,
                          {"referred_person": [_("Say who is referred for enrollment.")]})
    with transaction.atomic():
        item.result, item.note, item.visited_on = result, (note or "").strip(), timezone.localdate()
        item.referred_person = referred_person
        item.save(update_fields=["result", "note", "visited_on", "referred_person"])
        audit_record(actor=actor, action=CareAudit.CAMPAIGN_ITEM, obj=item.campaign, org_code=item.org_code,
                     person_id=referred_person.pk if referred_person else None, changes={"result": result})
        if result == CampaignItem.Result.REFERRED:
            alerts.to_users(officers_of(item.org_code), kind="care_referral", text=_(
                "A screening visit referred a person for a care program in %(area)s.") % {"area": item.org_code},
                link=reverse("care-campaign", args=[item.campaign_id]), org_code=item.org_code)
    return item


# --- Merging duplicate people and a person's data export ----------------------------------------------


def person_merge_care_references(*, keep: Person, duplicate: Person, actor) -> dict:
    """A core merge hook: the duplicate's enrollments move to the kept record; where both are
    active in the same program, the duplicate's ends (its visits stay readable)."""
    moved = 0
    for enrollment in Enrollment.objects.filter(person=duplicate):
        clash = Enrollment.objects.filter(person=keep, program=enrollment.program,
                                          status=Enrollment.Status.ACTIVE).exists()
        if clash and enrollment.status == Enrollment.Status.ACTIVE:
            enrollment = enrollment_exit(actor=actor, enrollment=enrollment, on=timezone.localdate(),
                                         reason=_("Duplicate record merged"),
                                         action=EnrollmentAction.DUPLICATE_MERGED)
        enrollment.person = keep
        enrollment.save(update_fields=["person", "updated_at"])
        moved += 1
    return {"enrollments": moved}


def person_death_end_enrollments(*, person: Person, died_on: datetime.date, actor) -> int:
    """The register's death hook: the person's active enrollments end on the day of death,
    each through `enrollment_exit` (off the map and the schedules, the team no longer alerted)."""
    ended = 0
    for enrollment in Enrollment.objects.filter(person=person, status=Enrollment.Status.ACTIVE):
        enrollment_exit(actor=actor, enrollment=enrollment, on=died_on, reason=_("Died"),
                        action=EnrollmentAction.DIED)
        ended += 1
    return ended


def person_care_export(*, actor, person: Person, purpose: str, note: str = "") -> dict:
    """Everything the care programs hold about a person, for a purpose from `core.purposes`
    (PIPL art. 45): logged with that purpose and watched for bulk use (`core.exports`)."""
    from gridgov.care import export

    return export.person_care_export(actor=actor, person=person, purpose=purpose, note=note)


def care_report_export_record(*, actor, report: str, rows: int, since: datetime.date, until: datetime.date) -> None:
    """A download of a care report naming people is an access to log."""
    with transaction.atomic():
        audit_record(actor=actor, action=CareAudit.REPORT_EXPORT, object_type="care.report", object_id=report,
                     object_repr=report, org_code=actor.scope_code,
                     changes={"rows": rows, "since": since.isoformat(), "until": until.isoformat()})


# --- rights (issue 10): consent withdrawal (PIPL art. 15) --------------------------------------


def consent_withdrawn_reason() -> str:
    return _("Consent withdrawn")


def enrollment_withdraw_consent(*, actor, enrollment: Enrollment, withdrawn_on: datetime.date, channel: str,
                                note: str = ""):
    """The person (or guardian) withdrew their consent, as the program officer records it.

    Processing that rests on consent alone ends: the enrollment exits with the reason
    "consent withdrawn" (no more schedule, map, workbench or team alerts), and its retention
    date becomes the withdrawal date, so the nightly anonymisation removes its details. An
    enrollment that also has a legal basis goes on, on that basis only (`consent` is cleared).
    """
    from gridgov.care.models import ConsentWithdrawal
    from gridgov.core.audit import AuditAction

    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if withdrawn_on is None or withdrawn_on > today:
        errors["withdrawn_on"] = [_("Give the day consent was withdrawn (not in the future).")]
    elif withdrawn_on < enrollment.start_date:
        errors["withdrawn_on"] = [_("Consent cannot be withdrawn before the enrollment started.")]
    if channel not in ConsentWithdrawal.Channel.values:
        errors["channel"] = [_("Say how the withdrawal was expressed.")]
    if len(note or "") > 1000:
        errors["note"] = [_("At most 1000 characters.")]
    _raise_if(errors)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if ConsentWithdrawal.objects.filter(enrollment=enrollment).exists():
            raise DomainError(_("The withdrawal of consent is already recorded."), ErrorCode.CONFLICT)
        if not enrollment.consent:
            raise DomainError(_("This enrollment records no consent to withdraw."), ErrorCode.CONFLICT)
        on_legal_basis = bool((enrollment.legal_basis or "").strip())
        was_active = enrollment.status == Enrollment.Status.ACTIVE
        if on_legal_basis:
            outcome = ConsentWithdrawal.Outcome.LEGAL_BASIS
            enrollment.consent = False
            enrollment.save(update_fields=["consent", "updated_at"])
        else:
            outcome = ConsentWithdrawal.Outcome.EXITED
            if was_active:
                # The team hears once that the case ended, then never again.
                _alert_team(enrollment, kind="care_exit", text=_(
                    "A case on your care team in %(area)s has ended: the person withdrew consent. "
                    "Do not visit any more.") % {"area": enrollment.org_code})
                enrollment = enrollment_exit(actor=actor, enrollment=enrollment, on=withdrawn_on,
                                             reason=consent_withdrawn_reason(),
                                             action=EnrollmentAction.CONSENT_WITHDRAWN)
            # `consent` stays recorded (it was the basis while it lasted); the row says it ended.
            enrollment.retention_until = min(enrollment.retention_until, withdrawn_on)
            enrollment.save(update_fields=["retention_until", "updated_at"])
        withdrawal = ConsentWithdrawal.objects.create(
            enrollment=enrollment, org_code=enrollment.org_code, withdrawn_on=withdrawn_on, channel=channel,
            note=(note or "").strip(), outcome=outcome, recorded_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CONSENT_WITHDRAW, obj=enrollment,
                     object_repr=f"#{enrollment.pk}", org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"withdrawn_on": withdrawn_on.isoformat(), "channel": channel, "outcome": outcome,
                              "was_active": was_active, "retention_until": enrollment.retention_until.isoformat()})
    return withdrawal
