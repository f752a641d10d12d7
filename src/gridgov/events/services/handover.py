"""A dispute handed from the loop to people's mediation (issue 13): the desk closes the event
with the number of the mediation case that goes on from it.

The mediation app opens the case and calls these in its own transaction, so that the event is
closed if and only if the case exists."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.events import selectors
from gridgov.events.audit_actions import EventAudit
from gridgov.events.models import Event
from gridgov.events.services.transitions import _resolve_supervision, event_transition
from gridgov.events.workflow import SideAction, state_allows, user_may

DISPUTE_CATEGORY = "dispute"


def is_dispute(event: Event) -> bool:
    code = event.category.code
    return code == DISPUTE_CATEGORY or code.startswith(f"{DISPUTE_CATEGORY}.")


def may_hand_over(user, event: Event) -> bool:
    """The desk may hand this event to mediation now (the page's offer; the write checks again)."""
    return (user_may(user, SideAction.TO_MEDIATION) and state_allows(event.status, SideAction.TO_MEDIATION)
            and is_dispute(event))


def lock_for_hand_over(*, actor, event_id) -> Event:
    """The event, locked in the caller's transaction, once the actor may hand it over: 403 for
    a role that may not, 404 outside their events, 409 when it is no dispute or not open."""
    if not user_may(actor, SideAction.TO_MEDIATION):
        raise Forbidden(_("Only the grid centre's desk hands an event over to mediation."))
    event = selectors.access_event(actor, event_id)
    event = Event.objects.select_for_update(of=("self",)).select_related("category").get(pk=event.pk)
    if not is_dispute(event):
        raise DomainError(_("Only a dispute is handed over to people's mediation."), ErrorCode.ILLEGAL_TRANSITION)
    if not state_allows(event.status, SideAction.TO_MEDIATION):
        raise DomainError(_("This event is being handled already: it can no longer be handed over."),
                          ErrorCode.ILLEGAL_TRANSITION)
    return event


def event_hand_over(*, actor, event: Event, case_code: str, committee_name: str) -> Event:
    """Close `event` (locked by `lock_for_hand_over`) as handed to the mediation case."""
    now = timezone.now()
    event.closed_at = now
    event.closed_on_time = bool(event.step_deadline is None or now <= event.step_deadline)
    _resolve_supervision(event, now)
    event_transition(event=event, action=SideAction.TO_MEDIATION, actor=actor, now=now,
                     note=_("Handed over to %(committee)s as mediation case %(code)s.")
                     % {"committee": committee_name, "code": case_code},
                     extra={"mediation_case": case_code}, audit_action=EventAudit.ACTION)
    return event
