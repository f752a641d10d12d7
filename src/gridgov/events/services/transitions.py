"""The one write of an event's status (`event_transition`, which reads the target of
`workflow.TRANSITIONS`), the clock of each step, the timeline row, and the small pieces every
action shares."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor, require_actor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.permissions import Capability
from gridgov.events.audit_actions import EventAudit
from gridgov.events.deadlines import step_deadline
from gridgov.events.models import (
    Event,
    Supervision,
    TimelineEntry,
)
from gridgov.events.ranking_cache import INVALIDATING_ACTIONS, ranking_changed
from gridgov.events.workflow import (
    STEP_OF_STATUS,
    TRANSITIONS,
    Action,
    SideAction,
    Status,
    user_may,
)

MAX_DESCRIPTION = 4000
# The capabilities of a unit the event was sent to: they act only on their own unit's events.
UNIT_CAPABILITIES = frozenset({Capability.HANDLE_EVENTS, Capability.PASS_ON_EVENTS})
MAX_PHOTOS = 9


def _start_step(event: Event, now: datetime.datetime, extra_hours: Decimal = Decimal(0)) -> None:
    """Start the clock of the step that runs in the event's status (or stop it)."""
    step = STEP_OF_STATUS.get(event.status)
    if step is None:
        event.step, event.step_started_at, event.step_deadline = "", None, None
        return
    deadline = step_deadline(category=event.category, urgency=event.urgency, step=step,
                             org_code=event.org_code, start=now, extra_hours=extra_hours)
    event.step, event.step_started_at, event.step_deadline = step, now, deadline
    event.deadlines = {**event.deadlines, step: deadline.isoformat()}
    if step == "handle" and event.handle_deadline is None:
        event.handle_deadline = deadline


def _timeline(event: Event, *, action: str, actor, from_status: str, note: str = "", extra: dict | None = None,
              at: datetime.datetime | None = None, actor_label: str = "") -> TimelineEntry:
    require_actor(actor)
    is_user = getattr(actor, "is_authenticated", False)
    return TimelineEntry.objects.create(
        event=event, action=action, from_status=from_status, to_status=event.status,
        actor=actor if is_user else None,
        actor_label=actor_label or (actor.label if is_user else _("System")),
        at=at or timezone.now(), note=note, extra=extra or {},
    )


def _illegal_in_status(event: Event, action: str) -> DomainError:
    label = Action(action).label if action in Action.values else SideAction(action).label
    return DomainError(
        _("“%(action)s” is not possible while the event is “%(status)s”.")
        % {"action": label, "status": Status(event.status).label},
        ErrorCode.ILLEGAL_TRANSITION,
    )


def event_transition(*, event: Event, action: str, now: datetime.datetime, actor=None, party: str | None = None,
                     outcome: str | None = None, note: str = "", extra: dict | None = None,
                     audit_action=EventAudit.ACTION, actor_label: str = "") -> TimelineEntry:
    """The only write of an event's status. `action` moves `event` (locked by the caller, in
    its transaction) from a status the table (`workflow.TRANSITIONS`) leaves from to the
    table's target — the target of `outcome` where the table names one per outcome — starts
    the next step's clock (unless the table keeps it running), saves the event and writes
    its timeline row and audit entry (`audit_action=None`: the caller's entry covers it).

    Who takes it is explicit: a signed-in `actor` holding one of the transition's
    capabilities, or a `party` the table names (a routing rule, the reporter). Anyone else
    is a 403, a status the table does not leave from a 409; both change nothing. Callers check
    first what the table cannot know (the unit it was sent to, the cell's grid worker) and
    do the action's own work (its fields, notifications)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), ErrorCode.INVALID, {"action": [_("Unknown action.")]})
    if party is not None:
        if party not in transition.parties:
            raise Forbidden(_("This action is not taken this way."))
        actor = SystemActor(f"event_{party}")
    elif not user_may(actor, action):
        raise Forbidden(_("Your role may not take this action."))
    if event.status not in transition.sources:
        raise _illegal_in_status(event, action)
    from_status = event.status
    event.status = transition.target_for(outcome)
    if transition.restarts_clock:
        _start_step(event, now)
    event.save()
    extra = extra or {}
    entry = _timeline(event, action=action, actor=actor, from_status=from_status, note=note, extra=extra, at=now,
                      actor_label=actor_label)
    if action in INVALIDATING_ACTIONS:  # the area's ranking figures are recomputed (issue 12)
        ranking_changed(org_code=event.org_code)
    if audit_action is not None:
        audit_record(actor=actor, action=audit_action, obj=event, org_code=event.org_code,
                     changes={"action": str(action), "from": from_status, "to": event.status, **extra})
    return entry


def _require_text(value: str, field_name: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, ErrorCode.INVALID, {field_name: [str(message)]})
    return value


def _mark_resolved_on_site(event: Event, now) -> None:
    event.closed_at = now
    event.closed_on_time = True
    event.resolved_on_site = True


def _reopen(event: Event) -> None:
    """A closure taken back (a dispatcher's reopening, the reporter's dispute)."""
    event.closed_at = None
    event.closed_on_time = None


def _resolve_supervision(event: Event, now) -> None:
    Supervision.objects.filter(event=event, resolved_at__isnull=True).update(resolved_at=now)
    event.supervision_level = ""
