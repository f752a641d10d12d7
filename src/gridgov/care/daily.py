"""The care programs' daily work (run by `gridgov care_daily` or the task): exits by age,
missed handovers, overdue visits, and anonymisation past the retention date."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import alerts, schedules, services  # alerts: through gridgov.core.notifications
from gridgov.care.models import (  # care (issue 11)
    CrisisAction,
    Enrollment,
    Handover,
    Mentor,
    ScheduleRecord,
    StatusPeriod,
    TeamMember,
    Visit,
)
from gridgov.care.programs import Program, exit_age
from gridgov.care.workflow import HANDOVER_TRANSITIONS, EnrollmentAction, HandoverAction, check
from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.notifications.services import notifications_forget


def _birthday_reached(birth: datetime.date, age: int, today: datetime.date) -> bool:
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February
        birthday = datetime.date(birth.year + age, 3, 1)
    return birthday <= today


def exits_by_age(today: datetime.date) -> int:
    """Children leave the child program at 18 and young people the youth program at 25."""
    count = 0
    for program in (Program.CHILD, Program.YOUTH):
        age = exit_age(program, services.program_settings(program))
        if not age:
            continue
        candidates = Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE,
                                               person__birth_date__lte=today.replace(year=today.year - age + 1))
        for enrollment in candidates.select_related("person"):
            if not _birthday_reached(enrollment.person.birth_date, age, today):
                continue
            services.enrollment_exit(actor=SystemActor("care_daily"), enrollment=enrollment, on=today,
                                     action=EnrollmentAction.AGE_LIMIT)
            alerts.to_users(services.officers_of(enrollment.org_code), kind="care_exit", text=_(
                "%(person)s left the %(program)s program on reaching the age of %(age)d."),
                params={"program": Program(program).label, "age": age}, enrollment=enrollment)
            count += 1
    return count


def handovers_alert_missed(today: datetime.date) -> int:
    """A handover still pending after its date alerts both sides' officers, once."""
    missed = Handover.objects.filter(status=Handover.Status.PENDING, due_date__lt=today,
                                     missed_alerted_at__isnull=True)
    count = 0
    for handover in missed:
        with transaction.atomic():
            # workflow (issue 11): the table's "missed" edge, taken by the nightly job; it stays pending
            handover.status = check(HANDOVER_TRANSITIONS, HandoverAction.MISSED, actor=SystemActor("care_daily"),
                                    status=handover.status)
            text = _("A care handover from %(from)s to %(to)s was not received by %(date)s.") % {
                "from": alerts.area(handover.from_org_code), "to": alerts.area(handover.to_org_code),
                "date": alerts.day(handover.due_date)}
            users = services.officers_of(handover.from_org_code) + services.officers_of(handover.to_org_code)
            alerts.to_users(users, kind="care_handover_missed", text=text, link=reverse("care-officer"),
                            org_code=handover.from_org_code)
            handover.missed_alerted_at = timezone.now()
            handover.save(update_fields=["status", "missed_alerted_at"])
            audit_record(actor=SystemActor("care_daily"), action=services.CareAudit.HANDOVER_MISSED, obj=handover,
                         org_code=handover.from_org_code, person_id=handover.enrollment.person_id)
        count += 1
    return count


def overdue_alert(today: datetime.date) -> int:
    """Tell each team, once a day, about its people whose visit is overdue."""
    overdue = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, next_due_date__lt=today,
                                        hospitalized_since__isnull=True, away_since__isnull=True)
    count = 0
    for enrollment in overdue.iterator():
        services._alert_team(enrollment, kind="care_overdue", text=_(
            "A visit to a person in your care is overdue since %(date)s.") % {"date": enrollment.next_due_date})
        count += 1
    return count


def anonymise_past_retention(today: datetime.date) -> int:
    """Past the retention date, an ended enrollment keeps only what statistics need."""
    expired = Enrollment.objects.filter(status=Enrollment.Status.EXITED, retention_until__lt=today,
                                        anonymised_at__isnull=True)
    count = 0
    for enrollment in expired:
        with transaction.atomic():
            Visit.objects.filter(enrollment=enrollment).update(notes="", details="", photo="")
            CrisisAction.objects.filter(crisis__enrollment=enrollment).update(note="")
            enrollment.crises.update(description="")
            StatusPeriod.objects.filter(enrollment=enrollment).update(note="")
            TeamMember.objects.filter(enrollment=enrollment).update(name="", contact="")
            # care (issue 11): the notes and results of its schedules, its mentors' names
            ScheduleRecord.objects.filter(schedule__enrollment=enrollment).update(note="", result="")
            Mentor.objects.filter(enrollment=enrollment).update(name="", contact="")
            # what the team was told about the case (names, events) goes with it
            notifications_forget(subject_type="care.enrollment", subject_ids=[enrollment.pk])
            enrollment.details = {}
            enrollment.legal_basis = _("(removed after the retention date)")
            enrollment.anonymised_at = timezone.now()
            enrollment.save(update_fields=["details", "legal_basis", "anonymised_at"])
            audit_record(actor=SystemActor("care_daily"), action=services.CareAudit.ANONYMISE, obj=enrollment,
                         object_repr=f"#{enrollment.pk}", org_code=enrollment.org_code)
        count += 1
    return count


def run_daily(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {
        "exits_by_age": exits_by_age(today),
        "handovers_missed": handovers_alert_missed(today),
        "overdue": overdue_alert(today),
        # care (issue 11): the officer always hears of a missed check-in; schedules' overdue tasks
        "checkins_missed": schedules.checkins_missed_alert(today),
        "schedules_overdue": schedules.schedules_overdue_alert(today),
        "anonymised": anonymise_past_retention(today),
    }
