"""Schedules per person (issue 11): the rhythms beside a program's visit rule.

- Set for one person by the officer: e.g. medicine delivered every day to one patient by
  one grid worker until a date (`schedule_create`).
- Set by the program's rule: the elderly program's home visit at least monthly
  (`visit_days`, beside the weekly call that drives `next_due_date`); a home visit recorded
  for an elderly person is that month's visit.
- Set by the agreement: a community drug rehabilitation agreement's tests (`test_every_days`
  from `agreement_start` to `agreement_end`), each test recorded with its result.
- Community corrections: a missed check-in (a visit recorded as missed, or the check-in day
  passed with nothing recorded) always alerts the officer, whether on the team or not.

Every schedule produces due tasks (`next_due_date`) like visits do; `schedules_due_for`
lists them for the workbench and the pages. A task's kind tells the program (a drug test, a
medicine delivery), so it shows as `***` to a viewer without the details unless the task is
their own.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import alerts  # gridgov.core.notifications, as care uses it
from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import Enrollment, TeamMember, TeamRole, Visit
from gridgov.care.programs import Program
from gridgov.care.schedule_models import CareSchedule, DrugTestResult, ScheduleKind, ScheduleRecord, ScheduleSource
from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.permissions import Capability, has_capability, in_scope, require

MASKED = "***"
TELLING_KINDS = frozenset({ScheduleKind.DRUG_TEST, ScheduleKind.MEDICINE_DELIVERY})
ALERT_RESULTS = frozenset({DrugTestResult.POSITIVE, DrugTestResult.REFUSED, DrugTestResult.NOT_TAKEN})
MAX_INTERVAL_DAYS = 366


def _raise(field: str, message: str) -> None:
    raise DomainError(message, ErrorCode.INVALID, {field: [message]})


def _next_after(schedule: CareSchedule, day: datetime.date) -> datetime.date | None:
    due = day + datetime.timedelta(days=schedule.interval_days)
    return None if schedule.until and due > schedule.until else due


# --- The program's and the agreement's rules -----------------------------------------------------


def _rules_of(enrollment: Enrollment) -> list[dict]:
    from gridgov.care.services import program_settings

    details = enrollment.details or {}
    if enrollment.program == Program.ELDERLY:
        days = int(program_settings(Program.ELDERLY).get("visit_days", 30))
        return [dict(kind=ScheduleKind.HOME_VISIT, source=ScheduleSource.PROGRAM, interval_days=days,
                     starts_on=enrollment.start_date, until=None)]
    if enrollment.program == Program.DRUG_REHAB and details.get("test_every_days"):
        start = _date(details.get("agreement_start")) or enrollment.start_date
        return [dict(kind=ScheduleKind.DRUG_TEST, source=ScheduleSource.AGREEMENT,
                     interval_days=int(details["test_every_days"]), starts_on=start,
                     until=_date(details.get("agreement_end")))]
    return []


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def program_schedules_create(*, enrollment: Enrollment, actor) -> list[CareSchedule]:
    """Inside enrollment_create's transaction: the schedules the program or the agreement sets."""
    made = []
    for rule in _rules_of(enrollment):
        first = rule["starts_on"] + datetime.timedelta(days=rule["interval_days"]) \
            if rule["kind"] == ScheduleKind.HOME_VISIT else rule["starts_on"]
        made.append(CareSchedule.objects.create(enrollment=enrollment, org_code=enrollment.org_code,
                                                next_due_date=first, created_by=actor, **rule))
    return made


def check_drug_rehab_details(details: dict, errors: dict) -> None:
    """The agreement's test rhythm: 1 to 90 days."""
    if "test_every_days" in details:
        try:
            days = int(details["test_every_days"])
            if not 1 <= days <= 90:
                raise ValueError
            details["test_every_days"] = days
        except (TypeError, ValueError):
            errors["details.test_every_days"] = [_("Tests are every 1 to 90 days.")]


# --- Writes --------------------------------------------------------------------------------------


def schedule_create(*, actor, enrollment: Enrollment, kind: str, interval_days: int, starts_on: datetime.date,
                    until: datetime.date | None = None, assignee=None) -> CareSchedule:
    """An extra schedule for one person (the officer sets it), producing due tasks."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if kind not in ScheduleKind.values:
        errors["kind"] = [_("Choose what is to be done.")]
    try:
        interval_days = int(interval_days)
        if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
            raise ValueError
    except (TypeError, ValueError):
        errors["interval_days"] = [_("Give how often, from every day to once a year.")]
    if starts_on is None:
        errors["starts_on"] = [_("Give the first day.")]
    elif until is not None and until < starts_on:
        errors["until"] = [_("The schedule ends before it starts.")]
    if assignee is not None and not enrollment.team.filter(user=assignee, removed_at__isnull=True).exists():
        errors["assignee"] = [_("Choose a member of the care team.")]
    if enrollment.status != Enrollment.Status.ACTIVE:
        errors["enrollment"] = [_("This enrollment has ended.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        schedule = CareSchedule.objects.create(
            enrollment=enrollment, org_code=enrollment.org_code, kind=kind, source=ScheduleSource.PERSON,
            interval_days=interval_days, starts_on=starts_on, until=until, assignee=assignee,
            next_due_date=starts_on, created_by=actor)
        audit_record(actor=actor, action=CareAudit.SCHEDULE, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"schedule": schedule.pk, "kind": kind, "every": interval_days,
                              "until": until.isoformat() if until else None})
    return schedule


def schedule_end(*, actor, schedule: CareSchedule) -> CareSchedule:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    enrollment = schedule.enrollment
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    with transaction.atomic():
        schedule = CareSchedule.objects.select_for_update().get(pk=schedule.pk)
        if schedule.ended_at is not None:
            raise DomainError(_("This schedule has already ended."), ErrorCode.CONFLICT)
        schedule.ended_at, schedule.next_due_date = timezone.now(), None
        schedule.save(update_fields=["ended_at", "next_due_date"])
        audit_record(actor=actor, action=CareAudit.SCHEDULE, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"schedule": schedule.pk, "ended": True})
    return schedule


def may_record(user, schedule: CareSchedule) -> bool:
    """The assignee (while on the team), a member of the team, or an officer of the area records a task."""
    if schedule.assignee_id == getattr(user, "pk", None) and _on_team(user, schedule):
        return True
    if has_capability(user, Capability.MANAGE_ENROLLMENTS) and in_scope(user, schedule.org_code):
        return True
    return (has_capability(user, Capability.RECORD_VISITS)
            and schedule.enrollment.team.filter(user=user, removed_at__isnull=True).exists())


def schedule_record(*, actor, schedule: CareSchedule, done_on: datetime.date, done: bool = True,
                    result: str = "", note: str = "") -> ScheduleRecord:
    """One task done (or not); a drug test carries its result. The next task follows at once."""
    if not may_record(actor, schedule):
        raise Forbidden(_("Only the care team records this task."))
    today = timezone.localdate()
    if done_on is None or done_on > today:
        _raise("done_on", _("The date cannot be in the future."))
    if done_on < schedule.starts_on:
        _raise("done_on", _("The date is before the schedule starts."))
    is_test = schedule.kind == ScheduleKind.DRUG_TEST
    if is_test and done and result not in DrugTestResult.values:
        _raise("result", _("Record the test's result."))
    if not is_test and result:
        _raise("result", _("Only a drug test has a result."))
    if is_test and not done:
        result = DrugTestResult.NOT_TAKEN
    with transaction.atomic():
        schedule = CareSchedule.objects.select_for_update().select_related("enrollment").get(pk=schedule.pk)
        if schedule.ended_at is not None:
            raise DomainError(_("This schedule has ended."), ErrorCode.CONFLICT)
        record = ScheduleRecord.objects.create(schedule=schedule, org_code=schedule.org_code, done_on=done_on,
                                               done=done, result=result, note=(note or "").strip(),
                                               recorded_by=actor)
        _advance(schedule, done_on, done)
        enrollment = schedule.enrollment
        audit_record(actor=actor, action=CareAudit.SCHEDULE_RECORD, obj=enrollment,
                     object_repr=f"#{enrollment.pk}", org_code=enrollment.org_code, person_id=enrollment.person_id,
                     # the result is a program fact: the audit log says that one was recorded, not which
                     changes={"schedule": schedule.pk, "record": record.pk, "done": done})
        if is_test and result in ALERT_RESULTS:
            alerts.to_users(_officers(enrollment), kind="care_drug_test", enrollment=enrollment, text=_(
                "A scheduled test in %(area)s needs your follow-up.") % {"area": alerts.area(enrollment.org_code)})
    return record


def _advance(schedule: CareSchedule, day: datetime.date, done: bool) -> None:
    if done:
        schedule.last_done_on = max(schedule.last_done_on or day, day)
        schedule.next_due_date = _next_after(schedule, schedule.last_done_on)
    else:
        # Not done: tried again soon, whatever the rhythm.
        retry = day + datetime.timedelta(days=min(schedule.interval_days, 7))
        schedule.next_due_date = None if schedule.until and retry > schedule.until else retry
    schedule.save(update_fields=["last_done_on", "next_due_date"])


def _officers(enrollment: Enrollment) -> list:
    """The officers of the case: on its team, and the area's nearest program officers."""
    from gridgov.care.services import officers_of
    from gridgov.core.models import User

    team = list(User.objects.filter(is_active=True, care_teams__enrollment=enrollment,
                                    care_teams__removed_at__isnull=True, care_teams__role=TeamRole.OFFICER))
    return list({u.pk: u for u in team + officers_of(enrollment.org_code)}.values())


def on_visit_recorded(*, actor, enrollment: Enrollment, visit: Visit) -> None:
    """Inside visit_record's transaction: an elderly person's home visit is that month's visit;
    a missed community-corrections check-in alerts the officer at once."""
    if enrollment.program == Program.ELDERLY and visit.form == "home" and not visit.missed:
        for schedule in CareSchedule.objects.select_for_update().filter(
                enrollment=enrollment, kind=ScheduleKind.HOME_VISIT, source=ScheduleSource.PROGRAM,
                ended_at__isnull=True):
            ScheduleRecord.objects.create(schedule=schedule, org_code=schedule.org_code, done_on=visit.date,
                                          recorded_by=actor, note="")
            _advance(schedule, visit.date, True)
    if enrollment.program == Program.COMMUNITY_CORRECTIONS and visit.missed:
        _checkin_missed(actor=actor, enrollment=enrollment, on=visit.date)


def _checkin_missed(*, actor, enrollment: Enrollment, on: datetime.date) -> None:
    alerts.to_users(_officers(enrollment), kind="care_checkin_missed", enrollment=enrollment, text=_(
        "A check-in due on %(date)s in %(area)s was missed.") % {"date": alerts.day(on),
                                                              "area": alerts.area(enrollment.org_code)})
    audit_record(actor=actor, action=CareAudit.CHECKIN_MISSED, obj=enrollment, object_repr=f"#{enrollment.pk}",
                 org_code=enrollment.org_code, person_id=enrollment.person_id, changes={"due": on.isoformat()})


# --- The nightly run (care.daily) -------------------------------------------------------------------


def checkins_missed_alert(today: datetime.date) -> int:
    """A community-corrections check-in whose day passed yesterday with nothing recorded
    alerts the officer (a missed one recorded as such alerted at once)."""
    yesterday = today - datetime.timedelta(days=1)
    count = 0
    for enrollment in Enrollment.objects.filter(program=Program.COMMUNITY_CORRECTIONS,
                                                status=Enrollment.Status.ACTIVE, next_due_date=yesterday,
                                                away_since__isnull=True, hospitalized_since__isnull=True):
        with transaction.atomic():
            _checkin_missed(actor=SystemActor("care_daily"), enrollment=enrollment, on=yesterday)
        count += 1
    return count


def schedules_overdue_alert(today: datetime.date) -> int:
    """A task not done by its day alerts its assignee (or the team), once per due day."""
    from gridgov.care.services import _alert_team

    overdue = CareSchedule.objects.filter(ended_at__isnull=True, next_due_date__lt=today,
                                          enrollment__status=Enrollment.Status.ACTIVE).exclude(
        missed_alerted_on=F("next_due_date")).select_related("enrollment", "assignee")
    count = 0
    for schedule in overdue:
        text = _("A scheduled task for a person in your care (%(area)s) is overdue since %(date)s.") % {
            "area": alerts.area(schedule.org_code), "date": alerts.day(schedule.next_due_date)}
        with transaction.atomic():
            if schedule.assignee_id and schedule.assignee.is_active and _on_team(schedule.assignee, schedule):
                alerts.to_users([schedule.assignee], kind="care_schedule_overdue", enrollment=schedule.enrollment,
                                text=text)
            else:
                _alert_team(schedule.enrollment, kind="care_schedule_overdue", text=text)
            CareSchedule.objects.filter(pk=schedule.pk).update(missed_alerted_on=schedule.next_due_date)
        count += 1
    return count


# --- Reads ------------------------------------------------------------------------------------------


def schedules_due_for(user, *, on: datetime.date | None = None) -> QuerySet[CareSchedule]:
    """The tasks due by `on` (today) that the user may see: of the cases they see by name, or
    assigned to them. Two queries whatever the length (the cases' ids are a subquery)."""
    from gridgov.care.selectors import enrollments_visible_to

    on = on or timezone.localdate()
    if not has_capability(user, Capability.VIEW_CARE):
        return CareSchedule.objects.none()
    visible = enrollments_visible_to(user).values("pk")
    return (CareSchedule.objects.filter(ended_at__isnull=True, next_due_date__lte=on,
                                        enrollment__status=Enrollment.Status.ACTIVE)
            # a task assigned to the user counts only while they are still on the case's team
            .filter(Q(enrollment__in=visible)
                    | Q(assignee=user, enrollment__in=TeamMember.objects.filter(
                        user=user, removed_at__isnull=True).values("enrollment")))
            .select_related("enrollment__person", "assignee").order_by("next_due_date", "id"))


def schedules_of(enrollment: Enrollment) -> list[CareSchedule]:
    return list(CareSchedule.objects.filter(enrollment=enrollment, ended_at__isnull=True)
                .select_related("assignee").order_by("next_due_date", "id"))


def recent_records(enrollment: Enrollment, limit: int = 10) -> list[ScheduleRecord]:
    return list(ScheduleRecord.objects.filter(schedule__enrollment=enrollment).select_related(
        "schedule", "recorded_by").order_by("-done_on", "-id")[:limit])


def access_schedule(user, schedule_id) -> CareSchedule:
    """A schedule of a case the user may see (or their own task); 404 otherwise."""
    from gridgov.care.selectors import access_enrollment

    try:
        pk = int(schedule_id)
    except (TypeError, ValueError):
        pk = -1
    schedule = CareSchedule.objects.filter(pk=pk).select_related("enrollment__person", "assignee").first()
    if schedule is None:
        raise NotFound(_("No such schedule in your area."))
    # its assignee reads it while still on the case's team (as schedules_due_for lists it)
    if schedule.assignee_id != user.pk or not _on_team(user, schedule):
        schedule.enrollment = access_enrollment(user, schedule.enrollment_id)
    return schedule


def _on_team(user, schedule: CareSchedule) -> bool:
    return TeamMember.objects.filter(enrollment_id=schedule.enrollment_id, user=user, removed_at__isnull=True).exists()


def kind_for(user, schedule: CareSchedule, *, details_visible: bool) -> str:
    """The task's kind, or `***` where it would tell the program (not to its own assignee)."""
    if details_visible or schedule.assignee_id == getattr(user, "pk", None) or schedule.kind not in TELLING_KINDS:
        return schedule.kind
    return MASKED


def kind_label(kind: str) -> str:
    """The task's kind as the pages name it; a masked kind reads as a neutral "scheduled task"."""
    if kind == MASKED:
        return _("Scheduled task")
    return dict(ScheduleKind.choices).get(kind, kind)


def result_for(record: ScheduleRecord, *, details_visible: bool) -> str:
    if not record.result:
        return ""
    return record.result if details_visible else MASKED
