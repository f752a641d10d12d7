"""The state machine of a household's checklist item in an update round, as data (workflow,
issue 11): per action, the statuses it leaves from, the status it goes to, and the capability
that takes it. `rounds._move` is the only place that changes an item's status, and it reads
this table: a capability the table does not name is a 403, a status it does not leave from a
409, and neither changes anything."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.permissions import Capability
from gridgov.register.models import ChecklistItem

S = ChecklistItem.Status


class ItemAction(models.TextChoices):
    CONFIRM = "confirm", _("Confirm as unchanged")  # the grid worker found nothing to change
    PROPOSE = "propose", _("Propose changes")  # the grid worker's changes wait for sign-off
    SIGN_OFF = "sign_off", _("Sign off")  # the screener decided the last change, none returned
    RETURN = "return", _("Return")  # the screener decided the last change, some returned


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    capability: Capability


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

DONE_STATES = frozenset({S.UNCHANGED, S.SIGNED_OFF})


def can_move(current: str, target: str) -> bool:
    """Some action of the table takes an item from `current` to `target` (which buttons show)."""
    return any(current in t.sources and t.target == target for t in ITEM_TRANSITIONS.values())
