"""Visits and follow-ups, crises, hospital stays and absences."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import workflow
from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import Crisis, CrisisAction, Enrollment, Need, StatusPeriod, Visit, VisitForm
from gridgov.care.programs import Program, ScheduleInput, next_due
from gridgov.care.services.common import _alert_team, _derived_flags, _raise_if, check_details, program_settings
from gridgov.care.workflow import CRISIS_TRANSITIONS, PERIOD_TRANSITIONS, PeriodAction
from gridgov.care.workflow import CrisisAction as CrisisStep
from gridgov.core.actors import require_actor
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.images import check_image, store_on_commit
from gridgov.core.permissions import Capability, has_capability, in_scope, require

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
            from gridgov.care import alerts
            from gridgov.care.services.common import _team_users

            # the needs are masked for a grid worker: its alert does not name them (security review)
            alerts.team_by_details(enrollment, _team_users(enrollment), kind="care_needs", text=_(
                "A visit found needs that call for help: %(needs)s") % {
                "needs": "、".join(str(Need(n).label) for n in sorted(set(needs)))},
                masked_text=_("A visit found needs that call for help"))
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
            params={"area": _area(enrollment.org_code)}, family_by_sms=True)
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


def _area(code: str) -> str:
    """The place's name path for an alert (names, not codes; issue 11)."""
    from gridgov.care import alerts

    return alerts.area(code)
