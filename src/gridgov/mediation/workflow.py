"""A mediation case as data: its statuses, the actions, which status each action leaves from
and goes to, and who may take it (People's Mediation Law arts. 17–33; the court mediation
platform's flow: request → accept or divert → mediate → agreement, or failure, or referral).

`services.cases._step` is the only place that changes a case's status, and it reads this
table: an action the user may never take is a 403, one they may take but not now a 409.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.permissions import Capability, capabilities_of


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting acceptance")
    ACCEPTED = "accepted", pgettext_lazy("mediation status", "Accepted")
    MEDIATING = "mediating", _("Being mediated")
    SETTLED = "settled", _("Settled by agreement")
    FAILED = "failed", _("Mediation failed")
    REFERRED = "referred", _("Referred elsewhere")
    DECLINED = "declined", _("Not accepted")


class CaseAction(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("mediation action", "Accept")
    DECLINE = "decline", _("Decline, pointing elsewhere")
    TRANSFER = "transfer", _("Transfer to another committee")
    ASSIGN = "assign", _("Assign a mediator")
    RECORD_SESSION = "record_session", _("Record a session")
    EXTEND = "extend", _("Extend with both parties' consent")
    SETTLE = "settle", _("Record the agreement")
    FAIL = "fail", _("Record that mediation failed")
    REFER = "refer", _("Refer elsewhere")
    ADD_PARTY = "add_party", _("Add a party")
    SIGN = "sign", _("Record the signed and sealed agreement")
    APPLY_CONFIRMATION = "apply_confirmation", _("Record the application for judicial confirmation")
    DECIDE_CONFIRMATION = "decide_confirmation", _("Record the court's decision")
    FOLLOW_UP = "follow_up", _("Record a follow-up visit")
    REOPEN = "reopen", _("Mediate again after a breach")


S = CaseStatus
A = CaseAction
C = Capability

OPEN_STATUSES = frozenset({S.REQUESTED, S.ACCEPTED, S.MEDIATING})
# Statuses in which the one-month clock runs (set when the case is accepted).
CLOCK_STATUSES = frozenset({S.ACCEPTED, S.MEDIATING})
CONCLUDED_STATUSES = frozenset({S.SETTLED, S.FAILED, S.REFERRED, S.DECLINED})

MEDIATORS = frozenset({C.MEDIATE_DISPUTES, C.SUPERVISE_MEDIATION})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the case stays in the status it is in
    capabilities: frozenset[Capability]


TRANSITIONS: dict[str, Transition] = {
    A.ACCEPT: Transition(frozenset({S.REQUESTED}), S.ACCEPTED, MEDIATORS),
    # Not for people's mediation: a court, arbitration, an authority or letters and visits, with the reason.
    A.DECLINE: Transition(frozenset({S.REQUESTED, S.ACCEPTED}), S.DECLINED, MEDIATORS),
    # Another committee takes it over (a specialised one): the case stays where it was in the flow.
    A.TRANSFER: Transition(frozenset({S.REQUESTED, S.ACCEPTED}), None, MEDIATORS),
    A.ASSIGN: Transition(frozenset({S.ACCEPTED, S.MEDIATING}), None, MEDIATORS),
    A.RECORD_SESSION: Transition(frozenset({S.ACCEPTED, S.MEDIATING}), S.MEDIATING, MEDIATORS),
    # Past one month only with both parties' consent (services.case_extend checks it).
    A.EXTEND: Transition(frozenset({S.ACCEPTED, S.MEDIATING}), None, MEDIATORS),
    A.SETTLE: Transition(frozenset({S.MEDIATING}), S.SETTLED, MEDIATORS),
    A.FAIL: Transition(frozenset({S.ACCEPTED, S.MEDIATING}), S.FAILED, MEDIATORS),
    # Also after a breach of an agreement: to a court (or, once confirmed, its enforcement).
    A.REFER: Transition(frozenset({S.ACCEPTED, S.MEDIATING, S.SETTLED}), S.REFERRED, MEDIATORS),
    # Parties named after the request (a case handed over from an event names none yet).
    A.ADD_PARTY: Transition(frozenset({S.REQUESTED, S.ACCEPTED, S.MEDIATING}), None, MEDIATORS),
    # The agreement's life after settling: it takes effect, is confirmed by a court, followed up.
    A.SIGN: Transition(frozenset({S.SETTLED}), None, MEDIATORS),
    A.APPLY_CONFIRMATION: Transition(frozenset({S.SETTLED}), None, MEDIATORS),
    A.DECIDE_CONFIRMATION: Transition(frozenset({S.SETTLED}), None, MEDIATORS),
    A.FOLLOW_UP: Transition(frozenset({S.SETTLED}), None, MEDIATORS),
    # A breached agreement not confirmed by a court is mediated again, with a new month.
    A.REOPEN: Transition(frozenset({S.SETTLED}), S.MEDIATING, MEDIATORS),
}

def target_of(action: str, status: str) -> str:
    return TRANSITIONS[action].target or status


def user_may(user, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.capabilities & set(capabilities_of(user)))


def state_allows(status: str, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources
