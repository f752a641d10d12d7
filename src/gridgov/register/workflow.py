"""The register's state machines, as data (workflow, issue 11): per action, the statuses it
leaves from, the status it goes to, and the capability that takes it.

- `ITEM_TRANSITIONS`: a household's checklist item in an update round (`rounds._move`);
- `ROUND_TRANSITIONS`: a round opened over an area and closed (`rounds.round_open`,
  `rounds.round_close`); opening leaves from `NO_OPEN_ROUND`, the state of an area without an
  open round of that kind;
- `EDIT_TRANSITIONS`: a proposed change decided by the screener (`rounds.edit_decide`);
- `INSPECTION_TRANSITIONS`: a place in an inspection round (`inspections._move`).

`take` is the one check every service calls before it changes a status: a capability the
table does not name is a 403, a status the action does not leave from a 409, and neither
changes anything."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actors import is_system
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.permissions import Capability, require
from gridgov.register.models import ChecklistItem, PlaceInspection, ProposedEdit, UpdateRound

S = ChecklistItem.Status
R = UpdateRound.Status
E = ProposedEdit.Status
P = PlaceInspection.Status

NO_OPEN_ROUND = ""  # an area without an open round of the kind: where opening one leaves from


class ItemAction(models.TextChoices):
    CONFIRM = "confirm", _("Confirm as unchanged")  # the grid worker found nothing to change
    PROPOSE = "propose", _("Propose changes")  # the grid worker's changes wait for sign-off
    SIGN_OFF = "sign_off", _("Sign off")  # the screener decided the last change, none returned
    RETURN = "return", _("Return")  # the screener decided the last change, some returned


class RoundStep(models.TextChoices):
    OPEN = "open", _("Open the round")
    CLOSE = "close", _("Close the round")


class EditDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Return")


class InspectionStep(models.TextChoices):
    RECORD = "record", _("Save the answers")  # some answers saved, the inspection not finished
    COMPLETE = "complete", _("Complete the inspection")  # every question answered
    UNABLE = "unable", _("Could not inspect")  # closed when visited, refused entry: with a reason
    REOPEN = "reopen", _("Correct the inspection")  # while the round is open


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    capability: Capability
    by_system: bool = False  # the nightly job (a `SystemActor`, which holds no capability) may take it


ITEM_TRANSITIONS: dict[str, Transition] = {
    # A returned household may be confirmed as it is after all.
    ItemAction.CONFIRM: Transition(frozenset({S.PENDING, S.RETURNED}), S.UNCHANGED,
                                   Capability.PROPOSE_REGISTER_EDITS),
    # The worker may still find a change after confirming, or add one while others wait,
    # or after sign-off, while the round is open.
    ItemAction.PROPOSE: Transition(frozenset({S.PENDING, S.UNCHANGED, S.PROPOSED, S.RETURNED, S.SIGNED_OFF}),
                                   S.PROPOSED, Capability.PROPOSE_REGISTER_EDITS),
    ItemAction.SIGN_OFF: Transition(frozenset({S.PROPOSED}), S.SIGNED_OFF, Capability.SIGN_OFF_REGISTER),
    ItemAction.RETURN: Transition(frozenset({S.PROPOSED}), S.RETURNED, Capability.SIGN_OFF_REGISTER),
}

ROUND_TRANSITIONS: dict[str, Transition] = {
    # One open round of a kind per area at a time (a household round and an inspection round
    # may run side by side).
    # The round schedule's daily task opens the household rounds that are due (by_system).
    RoundStep.OPEN: Transition(frozenset({NO_OPEN_ROUND}), R.OPEN, Capability.MANAGE_ROUNDS, by_system=True),
    # A household round closes when no proposed change still waits (rounds.round_close).
    RoundStep.CLOSE: Transition(frozenset({R.OPEN}), R.CLOSED, Capability.MANAGE_ROUNDS),
}

EDIT_TRANSITIONS: dict[str, Transition] = {
    # Someone other than the proposer decides, once (rounds.edit_decide).
    EditDecision.APPROVE: Transition(frozenset({E.PROPOSED}), E.APPROVED, Capability.SIGN_OFF_REGISTER),
    EditDecision.REJECT: Transition(frozenset({E.PROPOSED}), E.REJECTED, Capability.SIGN_OFF_REGISTER),
}

INSPECTION_TRANSITIONS: dict[str, Transition] = {
    InspectionStep.RECORD: Transition(frozenset({P.PENDING, P.STARTED}), P.STARTED, Capability.RECORD_INSPECTIONS),
    InspectionStep.COMPLETE: Transition(frozenset({P.PENDING, P.STARTED}), P.DONE, Capability.RECORD_INSPECTIONS),
    InspectionStep.UNABLE: Transition(frozenset({P.PENDING, P.STARTED}), P.NOT_POSSIBLE,
                                      Capability.RECORD_INSPECTIONS),
    # A finished inspection can be corrected while its round is open.
    InspectionStep.REOPEN: Transition(frozenset({P.DONE, P.NOT_POSSIBLE}), P.STARTED, Capability.RECORD_INSPECTIONS),
}

DONE_STATES = frozenset({S.UNCHANGED, S.SIGNED_OFF})
INSPECTED_STATES = frozenset({P.DONE, P.NOT_POSSIBLE})
TO_INSPECT_STATES = frozenset({P.PENDING, P.STARTED})


def take(table: dict[str, Transition], action: str, current: str, *, actor, message=None,
         code: ErrorCode = ErrorCode.ILLEGAL_TRANSITION) -> str:
    """The status `action` leads to from `current`, or the refusal: `Forbidden` (403) without
    the table's capability (a `SystemActor` only where the table says `by_system`), a
    `DomainError` (409, `message`) from a status it does not leave."""
    transition = table[action]
    if not (transition.by_system and is_system(actor)):
        require(actor, transition.capability)
    if current not in transition.sources:
        raise DomainError(message or _("This cannot be done in its present state."), code)
    return transition.target


def can_take(table: dict[str, Transition], action: str, current: str) -> bool:
    """The action leaves from `current` (which buttons show)."""
    return current in table[action].sources


def can_move(current: str, target: str) -> bool:
    """Some action of the table takes an item from `current` to `target` (which buttons show)."""
    return any(current in t.sources and t.target == target for t in ITEM_TRANSITIONS.values())
