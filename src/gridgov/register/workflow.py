"""The state machine of a household's checklist item in an update round."""

from gridgov.register.models import ChecklistItem

S = ChecklistItem.Status

# Each edge: from → the states it may move to.
ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.UNCHANGED, S.PROPOSED}),
    # The worker may still find a change after confirming, while the round is open.
    S.UNCHANGED: frozenset({S.PROPOSED}),
    S.PROPOSED: frozenset({S.SIGNED_OFF, S.RETURNED, S.PROPOSED}),
    S.RETURNED: frozenset({S.PROPOSED, S.UNCHANGED}),
    S.SIGNED_OFF: frozenset({S.PROPOSED}),
}

DONE_STATES = frozenset({S.UNCHANGED, S.SIGNED_OFF})


def can_move(current: str, target: str) -> bool:
    return target in ITEM_TRANSITIONS.get(current, frozenset())
