"""The care programs' state machines as data (workflow, issue 11): an enrollment, a stay away
from home (in hospital, away), a handover and a crisis.

Each table says, per action, the statuses it leaves from, the status it goes to, and who may
take it: a user holding one of `capabilities`, the case's care team (`team`), or the nightly
job acting as a `core.actors.SystemActor` (`system`). The service that changes one of these
statuses reads its table through `check` and `target`: an actor the table does not name is a
403, a status the action does not leave from a 409, and neither changes anything. Scope and
team membership stay the services' own checks.

Every path that ends an enrollment goes through `services.enrollment_exit`, naming its
action here: the officer's exit, the age limit in `care_daily`, a withdrawn consent, the merge
of duplicate person records, a death recorded in the register.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.care.models import Enrollment, EnrollmentEnd, Handover, StatusPeriod
from gridgov.core.actors import is_system
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.permissions import Capability, has_capability

C = Capability


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    capabilities: frozenset[Capability] = frozenset()
    team: bool = False  # the case's care team may take it (the service knows who is on it)
    system: bool = False  # the nightly job (a SystemActor) may take it


# --- An enrollment -----------------------------------------------------------------------------


# The ways an enrollment ends, each through `services.enrollment_exit`: declared with the
# model (`care.models.EnrollmentEnd`), which keeps the way on the enrollment as its code.
EnrollmentAction = EnrollmentEnd


E = Enrollment.Status
_ENDS = frozenset({E.ACTIVE})

ENROLLMENT_TRANSITIONS: dict[str, Transition] = {
    EnrollmentAction.EXIT: Transition(_ENDS, E.EXITED, frozenset({C.MANAGE_ENROLLMENTS})),
    EnrollmentAction.AGE_LIMIT: Transition(_ENDS, E.EXITED, system=True),
    EnrollmentAction.CONSENT_WITHDRAWN: Transition(_ENDS, E.EXITED, frozenset({C.MANAGE_ENROLLMENTS})),
    # The merge hook of `core.services.person_merge`: whoever may merge people ends the
    # duplicate's enrollment where the kept record is in the same program already.
    EnrollmentAction.DUPLICATE_MERGED: Transition(_ENDS, E.EXITED, frozenset({C.MERGE_PEOPLE}), system=True),
    # The death hook of `register.services.person_record_death`: whoever records a death.
    EnrollmentAction.DIED: Transition(_ENDS, E.EXITED, frozenset({C.EDIT_REGISTER, C.SIGN_OFF_REGISTER}),
                                      system=True),
}


# --- A stay away from home (per kind: in hospital, away) ------------------------------------------


class PeriodState(models.TextChoices):
    """Whether a kind of stay (in hospital, away) is ongoing for an enrollment (`StatusPeriod`)."""

    NONE = "none", _("Not ongoing")
    ONGOING = "ongoing", _("Ongoing")


class PeriodAction(models.TextChoices):
    BEGIN = "begin", _("Begins")  # admission to hospital, leaving home (also a crisis outcome "admitted")
    END = "end", _("Ends")  # discharge, coming home


PERIOD_TRANSITIONS: dict[str, Transition] = {
    PeriodAction.BEGIN: Transition(frozenset({PeriodState.NONE}), PeriodState.ONGOING, team=True),
    PeriodAction.END: Transition(frozenset({PeriodState.ONGOING}), PeriodState.NONE, team=True),
}


# --- A handover --------------------------------------------------------------------------------


class HandoverAction(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    # The enrollment ended while the handover waited (inside `enrollment_exit`).
    CANCEL = "cancel", _("Cancel")
    # Still waiting after its date: both sides' officers are alerted once; it stays pending.
    MISSED = "missed", _("Not received by its date")


H = Handover.Status
_PENDING = frozenset({H.PENDING})

HANDOVER_TRANSITIONS: dict[str, Transition] = {
    HandoverAction.ACCEPT: Transition(_PENDING, H.ACCEPTED, frozenset({C.MANAGE_ENROLLMENTS})),
    HandoverAction.REJECT: Transition(_PENDING, H.REJECTED, frozenset({C.MANAGE_ENROLLMENTS})),
    # Whoever may end an enrollment (see ENROLLMENT_TRANSITIONS) cancels its waiting handover.
    HandoverAction.CANCEL: Transition(_PENDING, H.CANCELLED, frozenset({
        C.MANAGE_ENROLLMENTS, C.MERGE_PEOPLE, C.EDIT_REGISTER, C.SIGN_OFF_REGISTER}), system=True),
    HandoverAction.MISSED: Transition(_PENDING, H.PENDING, system=True),
}


# --- A crisis ----------------------------------------------------------------------------------


class CrisisStatus(models.TextChoices):
    """Derived from the crisis's outcome: open until one is recorded."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Dealt with")


class CrisisAction(models.TextChoices):
    # The team records what was done and how it ended (calmed at home, admitted…). Notes
    # without an outcome change no status and may follow at any time.
    RECORD_OUTCOME = "record_outcome", _("Record the outcome")


CRISIS_TRANSITIONS: dict[str, Transition] = {
    # A later outcome may follow an earlier one (taken to hospital, then admitted): it stays dealt with.
    CrisisAction.RECORD_OUTCOME: Transition(frozenset({CrisisStatus.OPEN, CrisisStatus.CLOSED}), CrisisStatus.CLOSED,
                                            team=True),
}


def crisis_status(crisis) -> str:
    return CrisisStatus.CLOSED if crisis.outcome else CrisisStatus.OPEN


def period_state(enrollment, kind: str) -> str:
    since = enrollment.hospitalized_since if kind == StatusPeriod.Kind.HOSPITAL else enrollment.away_since
    return PeriodState.ONGOING if since else PeriodState.NONE


# --- Reading a table ---------------------------------------------------------------------------

CONFLICT_MESSAGES = {
    "enrollment": _("This enrollment has already ended."),
    "period": _("This status is already recorded as ongoing."),
    "period_end": _("This status is not recorded as ongoing."),
    "handover": _("This handover has already been decided."),
}


def may(transition: Transition, actor, *, on_team: bool = False) -> bool:
    """The table names this actor: the nightly job, the case's team, or a capability."""
    if is_system(actor):
        return transition.system
    if transition.team and on_team:
        return True
    return any(has_capability(actor, c) for c in transition.capabilities)


def check(table: dict[str, Transition], action: str, *, actor, status: str, on_team: bool = False,
          conflict=None) -> str:
    """403 when the table does not name the actor for `action`, 409 when `status` is not one
    it leaves from; otherwise the status it goes to."""
    transition = table[action]
    if not may(transition, actor, on_team=on_team):
        raise Forbidden()
    if status not in transition.sources:
        raise DomainError(conflict or _("This is not possible in the current status."), ErrorCode.CONFLICT)
    return transition.target
