"""Enrolling a person, the care team, every way an enrollment ends, opening a full record,
merged and deceased people, exports, and the withdrawal of consent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import workflow
from gridgov.care.alerts import may_open_case
from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import Enrollment, Handover, TeamMember, TeamRole
from gridgov.care.programs import SENSITIVE_PROGRAMS, Program, ScheduleInput, next_due
from gridgov.care.services.common import (
    DEFAULT_RETENTION_YEARS,
    _alert_team,
    _derived_flags,
    _raise_if,
    check_details,
    program_settings,
)
from gridgov.care.workflow import ENROLLMENT_TRANSITIONS, HANDOVER_TRANSITIONS, EnrollmentAction, HandoverAction
from gridgov.core.actors import require_actor
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import OrgUnit, Person, User
from gridgov.core.notifications import notifications_withdraw
from gridgov.core.orgnames import org_name_paths
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.validators import is_valid_mobile

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


def unknown_account_message() -> str:
    """One answer for a username without an account and for an account of another area, so that
    the team form does not tell who has an account elsewhere."""
    return _("No active account with this username works in the person's area.")


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
            errors.setdefault(key, []).append(unknown_account_message())
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
            "You are on the care team of a new case in %(area)s: please acknowledge it.")
            % {"area": org_name_paths([org_code])[org_code]})  # names, not codes (issue 11)
    return enrollment


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
        if member.user is not None and not may_open_case(member.user, member.enrollment):
            # what they were told named the person: no longer theirs to read
            notifications_withdraw(user=member.user, subject_type="care.enrollment", subject_ids=[member.enrollment_id])


def enrollment_exit(*, actor, enrollment: Enrollment, on: datetime.date, reason: str = "",
                    action: str = EnrollmentAction.EXIT) -> Enrollment:
    """End an enrollment — the one function every path that ends one calls, naming its
    `care.workflow.EnrollmentAction`: the officer's exit, the nightly job at the program's age
    (a `SystemActor`), a withdrawn consent, the merge of duplicate person records, a death
    recorded in the register. The table says who may take each; the schedule stops and a
    handover still waiting is cancelled (through the handover table).

    The action is kept as the enrollment's `exit_code` and shown in the reader's language
    (`selectors.exit_reason_text`); only the officer's exit needs a `reason`, in its own words."""
    require_actor(actor)
    transition = ENROLLMENT_TRANSITIONS[action]
    if not workflow.may(transition, actor):
        raise Forbidden()
    if action in (EnrollmentAction.EXIT, EnrollmentAction.CONSENT_WITHDRAWN) and not in_scope(
            actor, enrollment.org_code):
        raise NotFound()  # the officer's own doors; a merge or a death is checked by its service
    reason = (reason or "").strip() if action == EnrollmentAction.EXIT else ""
    if action == EnrollmentAction.EXIT and not reason:
        raise DomainError(_("Give the reason for leaving the program."), ErrorCode.INVALID,
                          {"reason": [_("Give the reason for leaving the program.")]})
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        from_status = enrollment.status
        enrollment.status = workflow.check(ENROLLMENT_TRANSITIONS, action, actor=actor, status=from_status,
                                           conflict=workflow.CONFLICT_MESSAGES["enrollment"])
        enrollment.end_date = on
        enrollment.exit_code = action
        enrollment.exit_reason = reason[:200]
        enrollment.next_due_date = None
        enrollment.save(update_fields=["status", "end_date", "exit_code", "exit_reason", "next_due_date",
                                       "updated_at"])
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
        enrollment_exit(actor=actor, enrollment=enrollment, on=died_on, action=EnrollmentAction.DIED)
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
    """How an enrollment that ended on a withdrawn consent reads (its `exit_code`'s label)."""
    return str(EnrollmentAction.CONSENT_WITHDRAWN.label)


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
                    "Do not visit any more.") % {"area": org_name_paths([enrollment.org_code])[enrollment.org_code]})
                enrollment = enrollment_exit(actor=actor, enrollment=enrollment, on=withdrawn_on,
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
