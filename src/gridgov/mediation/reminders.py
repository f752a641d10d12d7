"""The daily reminders of mediation (`gridgov mediation_reminders`, or the task
`mediation.tasks.mediation_reminders`), told through `gridgov.core.notifications.notify`:

- `mediation_deadline`: the one-month time limit (`case.deadline`) of a case being mediated is
  3 days away or less, and again on its last day;
- `mediation_waiting`: a request has waited more than 3 days for the committee to accept it;
- `mediation_follow_up`: a follow-up visit on an agreement is due today or overdue;
- `mediation_confirmation`: the 30 days to apply for judicial confirmation of a written
  agreement end within 5 days, and nobody applied.

Who is told: the case's mediator when their seat and account are active and hold the
mediator role, otherwise the committee's mediators with such accounts; a waiting request
always goes to the committee's mediators.

Each reminder has a window: the days from the first day it is due to the day it stops
being due (the three days before the time limit, the limit's own day, from the follow-up's
due date, the last five days to apply for confirmation, from the fourth day of waiting). A
user is told of a case at most once per kind and window: the in-app notifications already
written (`core.Notification`, subject `mediation.case`) are the record of what was sent,
read under a lock of the case, so that running the job twice, or twice at once, tells
nobody anything new. The texts name the case's number and the date, never the matters nor
a party.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gridgov.core.models import Role
from gridgov.core.models_notifications import Notification
from gridgov.core.notifications import Subject, notify, register_kind
from gridgov.core.permissions import ROLE_CAPABILITIES, Capability
from gridgov.mediation.models import AgreementForm, Case, FollowUp, Mediator
from gridgov.mediation.services.agreements import CONFIRMATION_WINDOW_DAYS
from gridgov.mediation.workflow import CLOCK_STATUSES, CaseStatus

DEADLINE = "mediation_deadline"
WAITING = "mediation_waiting"
FOLLOW_UP = "mediation_follow_up"
CONFIRMATION = "mediation_confirmation"
KINDS = (DEADLINE, WAITING, FOLLOW_UP, CONFIRMATION)

register_kind(DEADLINE, gettext_lazy("A mediation case near or at its time limit"), channels=("email",),
              roles=(Role.MEDIATOR,))
register_kind(WAITING, gettext_lazy("A mediation request waiting for acceptance"), roles=(Role.MEDIATOR,))
register_kind(FOLLOW_UP, gettext_lazy("A follow-up visit on a mediation agreement due"), roles=(Role.MEDIATOR,))
register_kind(CONFIRMATION, gettext_lazy("The time to apply for judicial confirmation ending"),
              roles=(Role.MEDIATOR,))

SUBJECT = "mediation.case"
DEADLINE_NOTICE_DAYS = 3  # told this many days before the time limit, and on its day
WAITING_DAYS = 3  # a request waiting longer than this
CONFIRMATION_NOTICE_DAYS = 5  # told when the window to apply closes within this many days

MEDIATOR_ROLES = frozenset(role for role, caps in ROLE_CAPABILITIES.items() if Capability.MEDIATE_DISPUTES in caps)


@dataclass(frozen=True)
class Reminder:
    case: Case
    kind: str
    since: datetime.date  # the window's first day: what was sent on or after it counts
    text: str
    to_committee: bool = False  # the committee's mediators even when the case has its own


def _day(value: datetime.date) -> str:
    return value.isoformat()


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _deadline_reminders(today: datetime.date) -> list[Reminder]:
    last = today + datetime.timedelta(days=DEADLINE_NOTICE_DAYS)
    reminders = []
    for case in Case.objects.filter(status__in=CLOCK_STATUSES, deadline__gte=today, deadline__lte=last):
        left = (case.deadline - today).days
        if left == 0:
            text = _("Mediation case %(code)s reaches its time limit today, %(date)s: record how it ended, or extend "
                     "it now with both parties' consent.") % {"code": case.code, "date": _day(case.deadline)}
            since = case.deadline
        else:
            text = ngettext(
                "Mediation case %(code)s must be concluded by %(date)s: %(days)d day left.",
                "Mediation case %(code)s must be concluded by %(date)s: %(days)d days left.",
                left) % {"code": case.code, "date": _day(case.deadline), "days": left}
            since = case.deadline - datetime.timedelta(days=DEADLINE_NOTICE_DAYS)
        reminders.append(Reminder(case, DEADLINE, since, text))
    return reminders


def _waiting_reminders(today: datetime.date) -> list[Reminder]:
    # Waited more than WAITING_DAYS whole days: asked on the 1st, told on the 5th.
    before = _midnight(today - datetime.timedelta(days=WAITING_DAYS))
    reminders = []
    for case in Case.objects.filter(status=CaseStatus.REQUESTED, created_at__lt=before):
        asked = timezone.localdate(case.created_at)
        text = _("Mediation request %(code)s has waited for acceptance since %(date)s: call the applicant back, "
                 "then accept, decline or transfer it.") % {"code": case.code, "date": _day(asked)}
        reminders.append(Reminder(case, WAITING, asked + datetime.timedelta(days=WAITING_DAYS + 1), text,
                                  to_committee=True))
    return reminders


def _follow_up_reminders(today: datetime.date) -> list[Reminder]:
    due = (FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today, case__status=CaseStatus.SETTLED)
           .values("case_id").annotate(first=Min("due_on")))
    first_due = {row["case_id"]: row["first"] for row in due}
    reminders = []
    for case in Case.objects.filter(pk__in=first_due):
        day = first_due[case.pk]
        if day == today:
            text = _("A follow-up visit on the agreement of mediation case %(code)s is due today, %(date)s.")
        else:
            text = _("A follow-up visit on the agreement of mediation case %(code)s was due on %(date)s and is not "
                     "recorded yet.")
        reminders.append(Reminder(case, FOLLOW_UP, day, text % {"code": case.code, "date": _day(day)}))
    return reminders


def _confirmation_reminders(today: datetime.date) -> list[Reminder]:
    window = datetime.timedelta(days=CONFIRMATION_WINDOW_DAYS)
    cases = Case.objects.filter(
        status=CaseStatus.SETTLED, agreement_form=AgreementForm.WRITTEN, confirmation="",
        agreement_effective_on__gte=today - window,
        agreement_effective_on__lte=today - window + datetime.timedelta(days=CONFIRMATION_NOTICE_DAYS))
    reminders = []
    for case in cases:
        closes = case.agreement_effective_on + window
        text = _("The parties of mediation case %(code)s may apply for judicial confirmation of their agreement "
                 "until %(date)s. Remind them, if they wish to apply together.") % {
                     "code": case.code, "date": _day(closes)}
        reminders.append(Reminder(case, CONFIRMATION, closes - datetime.timedelta(days=CONFIRMATION_NOTICE_DAYS),
                                  text))
    return reminders


def reminders_due(today: datetime.date) -> list[Reminder]:
    """Every reminder whose window holds `today`, whether or not it was sent already."""
    return (_deadline_reminders(today) + _waiting_reminders(today) + _follow_up_reminders(today)
            + _confirmation_reminders(today))


def _seats(committee_ids) -> dict[int, list[Mediator]]:
    """The committees' active seats whose accounts are active and hold the mediator role."""
    seats: dict[int, list[Mediator]] = {}
    rows = (Mediator.objects.filter(committee_id__in=committee_ids, is_active=True, user__is_active=True,
                                    user__role_rows__role__in=MEDIATOR_ROLES)
            .select_related("user").distinct().order_by("id"))
    for seat in rows:
        seats.setdefault(seat.committee_id, []).append(seat)
    return seats


def recipients(case: Case, seats: list[Mediator], *, to_committee: bool = False) -> list:
    """The case's mediator's account, or the committee's mediators' accounts (`seats`: the
    committee's, from `_seats`)."""
    if not to_committee:
        own = [seat.user for seat in seats if seat.pk == case.mediator_id]
        if own:
            return own
    return [seat.user for seat in seats]


def _send(reminder: Reminder, users: list) -> int:
    """Tell the users not yet told in the reminder's window, under a lock of the case;
    returns how many were told."""
    case = reminder.case
    with transaction.atomic():
        locked = Case.objects.select_for_update().filter(pk=case.pk, status=case.status).values_list(
            "pk", flat=True).first()
        if locked is None:  # moved on since it was read
            return 0
        told = set(Notification.objects.filter(
            subject_type=SUBJECT, subject_id=case.pk, kind=reminder.kind, user__in=users,
            created_at__gte=_midnight(reminder.since)).values_list("user_id", flat=True))
        fresh = [user for user in users if user.pk not in told]
        notify(recipients=fresh, kind=reminder.kind, text=reminder.text,
               link=reverse("mediation-case", args=[case.pk]), org_code=case.org_code,
               subject=Subject(SUBJECT, case.pk, case.code))
    return len(fresh)


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Send today's reminders not sent yet; returns, per kind, how many users were told."""
    today = today or timezone.localdate()
    due = reminders_due(today)
    seats = _seats({reminder.case.committee_id for reminder in due})
    counts = dict.fromkeys(KINDS, 0)
    for reminder in due:
        users = recipients(reminder.case, seats.get(reminder.case.committee_id, []),
                           to_committee=reminder.to_committee)
        if users:
            counts[reminder.kind] += _send(reminder, users)
    return counts
