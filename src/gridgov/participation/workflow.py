"""The state machines of participation, as tables the services read: each action, the
states it may start from, and the state it leads to. A service moves a row with one guarded
update (`status` in the states allowed), so that two requests at once never both move it."""

from __future__ import annotations

from gridgov.participation.models_suggestions import SuggestionStatus
from gridgov.participation.models_volunteers import HoursStatus, SignUpStatus

# A volunteer's sign-up to a shift.
SIGNUP_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "cancel": (frozenset({SignUpStatus.SIGNED_UP}), SignUpStatus.CANCELLED),
    "check_in": (frozenset({SignUpStatus.SIGNED_UP, SignUpStatus.NO_SHOW}), SignUpStatus.CHECKED_IN),
    "check_out": (frozenset({SignUpStatus.CHECKED_IN}), SignUpStatus.DONE),
    "no_show": (frozenset({SignUpStatus.SIGNED_UP}), SignUpStatus.NO_SHOW),
}

# Hours served: decided once.
HOURS_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({HoursStatus.PENDING}), HoursStatus.APPROVED),
    "decline": (frozenset({HoursStatus.PENDING}), HoursStatus.DECLINED),
}

# A resident's suggestion: the grid centre assigns it, the department answers (or sends it
# back to be assigned again), a moderator may remove it at any time before or after.
SUGGESTION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "assign": (frozenset({SuggestionStatus.SUBMITTED}), SuggestionStatus.ASSIGNED),
    "send_back": (frozenset({SuggestionStatus.ASSIGNED}), SuggestionStatus.SUBMITTED),
    "answer": (frozenset({SuggestionStatus.ASSIGNED}), SuggestionStatus.ANSWERED),
    "remove": (frozenset({SuggestionStatus.SUBMITTED, SuggestionStatus.ASSIGNED, SuggestionStatus.ANSWERED}),
               SuggestionStatus.REMOVED),
}
