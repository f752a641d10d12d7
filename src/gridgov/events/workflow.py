"""The event loop as data: statuses, actions, which status each action leaves from and
goes to, and which roles may take it (GB/T 30428's seven steps plus its exits).

An action the role may never take is a 403; one the role may take but not in this status
is a 409. `services.event_transition` is the only place that changes an event's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from gridgov.core.models import Role


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    HANDLED = "handled", _("Handled, awaiting verification")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", pgettext_lazy("event status", "Closed")
    EVALUATED = "evaluated", _("Evaluated")
    RETURNED = "returned", _("Returned to the dispatcher")
    SUSPENDED = "suspended", _("Suspended (long-term work)")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class Action(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return")
    HANDLE = "handle", _("Report back as handled")
    VERIFY = "verify", _("Verify on site")
    CLOSE = "close", _("Close")
    EVALUATE = "evaluate", _("Evaluate")
    REOPEN = "reopen", _("Reopen")
    EXTEND = "extend", _("Request more time")
    APPROVE_EXTENSION = "approve_extension", _("Decide on more time")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    CANCEL = "cancel", pgettext_lazy("event action", "Cancel")
    RESOLVE_ON_SITE = "resolve_on_site", _("Fixed on site")


S = Status
A = Action


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # None: the target depends on the request (verify passed or not) or the status stays.
    target: str | None
    roles: frozenset[str]


DISPATCHER = frozenset({Role.DISPATCHER})
HANDLERS = frozenset({Role.DEPARTMENT_STAFF, Role.STATION_STAFF})

TRANSITIONS: dict[str, Transition] = {
    # A dispatcher sends a new or returned event to a department; a department passes an
    # event it was sent on to one of its stations (re-dispatch).
    A.DISPATCH: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.DISPATCHED,
                           DISPATCHER | {Role.DEPARTMENT_STAFF}),
    A.ACCEPT: Transition(frozenset({S.DISPATCHED}), S.ACCEPTED, HANDLERS),
    # Wrong department: back to the dispatcher with a reason and a suggestion.
    A.RETURN: Transition(frozenset({S.DISPATCHED, S.ACCEPTED}), S.RETURNED, HANDLERS),
    A.HANDLE: Transition(frozenset({S.ACCEPTED}), S.HANDLED, HANDLERS),
    # Passed → verified; failed → back to accepted as rework (返工).
    A.VERIFY: Transition(frozenset({S.HANDLED}), None, frozenset({Role.GRID_WORKER}) | DISPATCHER),
    A.CLOSE: Transition(frozenset({S.VERIFIED}), S.CLOSED, DISPATCHER),
    A.EVALUATE: Transition(frozenset({S.CLOSED}), S.EVALUATED, DISPATCHER),
    # A disputed closure goes back to verification: never a dead end.
    A.REOPEN: Transition(frozenset({S.CLOSED, S.EVALUATED}), S.HANDLED, DISPATCHER),
    A.EXTEND: Transition(frozenset({S.ACCEPTED}), None, HANDLERS),
    A.APPROVE_EXTENSION: Transition(frozenset({S.ACCEPTED}), None, DISPATCHER),
    A.SUSPEND: Transition(frozenset({S.ACCEPTED}), S.SUSPENDED, DISPATCHER),
    A.RESUME: Transition(frozenset({S.SUSPENDED}), S.ACCEPTED, DISPATCHER),
    A.CANCEL: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.CANCELLED, DISPATCHER),
    A.RESOLVE_ON_SITE: Transition(frozenset({S.REGISTERED}), S.CLOSED, frozenset({Role.GRID_WORKER})),
}

OPEN_STATUSES = frozenset({S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.VERIFIED, S.RETURNED, S.SUSPENDED})
FINISHED_STATUSES = frozenset({S.CLOSED, S.EVALUATED, S.CANCELLED})

# The timed step that runs while an event is in each status (None: no clock running).
STEP_OF_STATUS = {
    S.REGISTERED: "dispatch",
    S.RETURNED: "dispatch",
    S.DISPATCHED: "accept",
    S.ACCEPTED: "handle",
    S.HANDLED: "verify",
}


def role_may(roles: set[str], action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.roles & roles)


def state_allows(status: str, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources
