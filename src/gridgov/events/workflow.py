"""The event loop as data: statuses, actions, which status each action leaves from and
goes to, and which capabilities (`core.permissions`) may take it (GB/T 30428's seven steps
plus its exits), with the doors that are not a user's action: a routing rule dispatching a
new report, a reporter disputing a closure.

An action the user may never take is a 403; one they may take but not in this status is a
409. `services.event_transition` is the only place that changes an event's status, and it
moves the event to the table's target.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.permissions import Capability, capabilities_of


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
    CLOSE = "close", pgettext_lazy("event action", "Close")
    EVALUATE = "evaluate", _("Evaluate")
    REOPEN = "reopen", _("Reopen")
    EXTEND = "extend", _("Request more time")
    APPROVE_EXTENSION = "approve_extension", _("Decide on more time")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    CANCEL = "cancel", pgettext_lazy("event action", "Cancel")
    RESOLVE_ON_SITE = "resolve_on_site", _("Fixed on site")


class SideAction(models.TextChoices):
    """Transitions taken through their own door, not `POST …/actions/`: merging a duplicate
    (its own page and endpoint) and the reporter's dispute (their private link)."""

    MERGE = "merge", _("Merge as a duplicate")
    DISPUTE = "dispute", _("Dispute the closure")
    # mediation (issue 13): a dispute the desk hands to people's mediation is closed in the
    # loop; the mediation case goes on from it (mediation.services.case_from_event)
    TO_MEDIATION = "to_mediation", _("Hand over to people's mediation")


class Party(models.TextChoices):
    """Who, other than a signed-in user with a capability, may take a transition."""

    ROUTING = "routing", _("A routing rule, as the report comes in")
    REPORTER = "reporter", _("The reporter, through their private link")


class Outcome(models.TextChoices):
    """Where a transition's target depends on the request (verify: passed or not)."""

    PASSED = "passed", _("Passed")
    REWORK = "rework", _("Failed: back for rework")


S = Status
A = Action
C = Capability


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # The status the action leaves the event in; None only where `outcomes` names one target
    # per outcome of the request (verify).
    target: str | None
    # Who may take it: a user holding one of these capabilities, or one of `parties`.
    capabilities: frozenset[Capability]
    outcomes: tuple[tuple[str, str], ...] = ()
    parties: frozenset[str] = frozenset()
    # False: the step's clock keeps running (more time asked for or granted: same step).
    restarts_clock: bool = True

    def target_for(self, outcome: str | None = None) -> str:
        if self.target is not None:
            return self.target
        targets = dict(self.outcomes)
        if outcome not in targets:
            raise ValueError(f"an outcome among {sorted(targets)} is needed")
        return targets[outcome]


DESK = frozenset({C.DISPATCH_EVENTS})
UNIT = frozenset({C.HANDLE_EVENTS})

TRANSITIONS: dict[str, Transition] = {
    # A dispatcher sends a new or returned event to a department; a department passes an
    # event it was sent on to one of its stations (re-dispatch); a routing rule sends a new
    # report on as it comes in.
    A.DISPATCH: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.DISPATCHED,
                           DESK | {C.PASS_ON_EVENTS}, parties=frozenset({Party.ROUTING})),
    A.ACCEPT: Transition(frozenset({S.DISPATCHED}), S.ACCEPTED, UNIT),
    # Wrong department: back to the dispatcher with a reason and a suggestion.
    A.RETURN: Transition(frozenset({S.DISPATCHED, S.ACCEPTED}), S.RETURNED, UNIT),
    A.HANDLE: Transition(frozenset({S.ACCEPTED}), S.HANDLED, UNIT),
    # Passed → verified; failed → back to accepted as rework (返工).
    A.VERIFY: Transition(frozenset({S.HANDLED}), None, frozenset({C.VERIFY_EVENTS}),
                         outcomes=((Outcome.PASSED, S.VERIFIED), (Outcome.REWORK, S.ACCEPTED))),
    A.CLOSE: Transition(frozenset({S.VERIFIED}), S.CLOSED, frozenset({C.CLOSE_EVENTS})),
    A.EVALUATE: Transition(frozenset({S.CLOSED}), S.EVALUATED, frozenset({C.EVALUATE_EVENTS})),
    # A disputed closure goes back to verification: never a dead end.
    A.REOPEN: Transition(frozenset({S.CLOSED, S.EVALUATED}), S.HANDLED, frozenset({C.CLOSE_EVENTS})),
    # More time: the event stays accepted, in the same step (a later deadline once approved).
    A.EXTEND: Transition(frozenset({S.ACCEPTED}), S.ACCEPTED, UNIT, restarts_clock=False),
    A.APPROVE_EXTENSION: Transition(frozenset({S.ACCEPTED}), S.ACCEPTED, frozenset({C.SUPERVISE_EVENTS}),
                                    restarts_clock=False),
    A.SUSPEND: Transition(frozenset({S.ACCEPTED}), S.SUSPENDED, frozenset({C.SUPERVISE_EVENTS})),
    A.RESUME: Transition(frozenset({S.SUSPENDED}), S.ACCEPTED, frozenset({C.SUPERVISE_EVENTS})),
    A.CANCEL: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.CANCELLED, DESK),
    # A grid worker who fixed it on the spot closes it (also right as they report it).
    A.RESOLVE_ON_SITE: Transition(frozenset({S.REGISTERED}), S.CLOSED, frozenset({C.FIX_EVENTS_ON_SITE})),
    # A duplicate not yet accepted is cancelled, pointing at the event it repeats.
    SideAction.MERGE: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.CANCELLED,
                                 frozenset({C.MERGE_EVENTS})),
    # A dispute the desk hands to people's mediation: closed here, the mediation case goes on.
    SideAction.TO_MEDIATION: Transition(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED}), S.CLOSED,
                                        frozenset({C.DISPATCH_EVENTS})),
    # The reporter says it is not solved: back to verification, like a dispatcher's reopening.
    SideAction.DISPUTE: Transition(frozenset({S.CLOSED, S.EVALUATED}), S.HANDLED, frozenset(),
                                   parties=frozenset({Party.REPORTER})),
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


def capability_may(capabilities, action: str) -> bool:
    """A holder of `capabilities` may ever take `action` (403 when not)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.capabilities & set(capabilities))


def user_may(user, action: str) -> bool:
    return capability_may(capabilities_of(user), action)


def state_allows(status: str, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources
