"""督办: an event whose running step is past its deadline is escalated, once per step, to
supervision by the level above the unit that is late."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.orgcodes import parent_code
from gridgov.events import notify
from gridgov.events.audit_actions import EventAudit
from gridgov.events.models import Event, Supervision, TimelineEntry
from gridgov.events.workflow import OPEN_STATUSES


def supervising_level(event: Event) -> str:
    """The org code one level above whoever is late: the handling unit, or the grid centre
    of the county while the event waits for dispatch."""
    late_code = event.department.org_code if event.department_id else event.org_code[:6]
    return parent_code(late_code) or late_code  # a province supervises itself


def escalate_overdue(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Escalate every overdue step not yet escalated. Returns how many were escalated.

    Safe to run as often as wanted (every few minutes from cron or a worker).
    """
    now = now or timezone.now()
    overdue = (
        Event.objects.filter(status__in=OPEN_STATUSES, step_deadline__lt=now)
        .exclude(step="")
        .select_related("department")
        .order_by("step_deadline")
    )
    escalated = 0
    for event in overdue.iterator(chunk_size=batch):
        level = supervising_level(event)
        if Supervision.objects.filter(event=event, step=event.step, level_code=level).exists():
            continue
        with transaction.atomic():
            locked = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
            if locked.step != event.step or locked.step_deadline is None or locked.step_deadline >= now:
                continue
            Supervision.objects.create(
                event=locked, level_code=level, step=locked.step,
                reason=_("The %(step)s step is past its deadline.") % {"step": locked.get_step_display()},
            )
            locked.supervision_level = level
            locked.save(update_fields=["supervision_level", "updated_at"])
            TimelineEntry.objects.create(
                event=locked, action="supervise", from_status=locked.status, to_status=locked.status,
                actor_label=_("System"), at=now, extra={"level": level, "step": locked.step},
            )
            audit_record(actor=SystemActor("events_escalate"), action=EventAudit.ESCALATE, obj=locked, org_code=locked.org_code,
                         changes={"level": level, "step": locked.step})
            text = _("Event %(code)s is overdue and under supervision.") % {"code": locked.code}
            notify.supervisors_at(level, locked, kind="supervision", text=text)
            if locked.department_id:
                notify.unit_staff(locked.department, locked, kind="overdue", text=text)
            escalated += 1
    return escalated
