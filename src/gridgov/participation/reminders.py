"""Reminders before a volunteer shift (`gridgov volunteer_reminders`, or the task
`participation.tasks.volunteer_reminders`): each volunteer signed up to a shift that starts
within the next 24 hours is told once, through `core.notifications.notify`. The sign-up's
`reminded_at`, set by a guarded update, is the record: running the job twice, or twice at once,
tells nobody twice. Run it every hour."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.models import Role
from gridgov.core.notifications import Subject, notify, register_kind
from gridgov.participation.models import SignUp
from gridgov.participation.selectors.volunteers import reminders_due

SHIFT_SOON = "volunteer_shift_soon"
AHEAD = datetime.timedelta(hours=24)

register_kind(SHIFT_SOON, gettext_lazy("A volunteer shift you signed up to starts within a day"), channels=("sms",),
              roles=(Role.VOLUNTEER,))


def send_shift_reminders(now: datetime.datetime | None = None) -> int:
    """Tell each volunteer of its shift within the next day, once. Returns how many were told."""
    now = now or timezone.now()
    told = 0
    for signup in reminders_due(now, ahead=AHEAD):
        with transaction.atomic():
            if not SignUp.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # told by a run at the same moment
            shift, activity = signup.shift, signup.shift.activity
            notify(kind=SHIFT_SOON, text=_("Your shift “%(activity)s” starts %(moment)s at %(place)s."),
                   params={"activity": activity.title, "place": activity.place,
                           "moment": timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")},
                   recipients=[signup.volunteer.user], link=reverse("volunteers-shift", args=[shift.pk]),
                   org_code=signup.volunteer.org_code, subject=Subject("participation.shift", shift.pk, activity.title))
        told += 1
    return told
