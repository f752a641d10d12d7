"""Merging a duplicate report, and the reporter's voice through their private link (a
rating, a dispute of the closure)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.permissions import in_scope
from gridgov.events import notify
from gridgov.events.audit_actions import EventAudit
from gridgov.events.models import (
    Event,
)
from gridgov.events.services.transitions import (
    _reopen,
    _require_text,
    _timeline,
    event_transition,
)
from gridgov.events.workflow import (
    Party,
    SideAction,
    Status,
    state_allows,
    user_may,
)

# --- Duplicates -------------------------------------------------------------------------


def event_merge(*, actor, duplicate: Event, original: Event) -> Event:
    """Cancel a duplicate report, pointing it at the event it repeats."""
    if not user_may(actor, SideAction.MERGE):
        raise Forbidden(_("Only a dispatcher merges duplicate events."))
    if duplicate.pk == original.pk:
        raise DomainError(_("An event cannot be merged into itself."))
    if not (in_scope(actor, duplicate.org_code) and in_scope(actor, original.org_code)):
        raise NotFound()
    with transaction.atomic():
        duplicate = Event.objects.select_for_update(of=("self",)).get(pk=duplicate.pk)
        if not state_allows(duplicate.status, SideAction.MERGE):
            raise DomainError(_("Only an event not yet accepted can be merged."), ErrorCode.ILLEGAL_TRANSITION)
        if original.status == Status.CANCELLED:
            raise DomainError(_("The original event was cancelled."), ErrorCode.CONFLICT)
        duplicate.duplicate_of = original
        event_transition(event=duplicate, action=SideAction.MERGE, actor=actor, now=timezone.now(),
                         note=_("Duplicate of %(code)s.") % {"code": original.code},
                         extra={"original": original.code}, audit_action=EventAudit.MERGE)
    return duplicate


# --- The reporter's voice -----------------------------------------------------------------


def access_event_by_token(token: str) -> Event:
    event = Event.objects.select_related("category", "department").filter(public_token=token or "-").first()
    if event is None:
        raise NotFound(_("No report with this link."))
    return event


def event_reporter_rate(*, event: Event, rating: int, comment: str = "") -> Event:
    """The resident who reported it rates the result of a closed event."""
    if rating not in {1, 2, 3, 4, 5}:
        raise DomainError(_("Rate from 1 to 5."), ErrorCode.INVALID, {"rating": [_("Rate from 1 to 5.")]})
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.status not in {Status.CLOSED, Status.EVALUATED}:
            raise DomainError(_("You can rate the result once the event is closed."), ErrorCode.ILLEGAL_TRANSITION)
        event.reporter_rating = rating
        event.save(update_fields=["reporter_rating", "updated_at"])
        _timeline(event, action="reporter_rating", actor=SystemActor("reporter_link"), from_status=event.status, note=comment[:500],
                  extra={"rating": rating}, actor_label=_("Reporter"))
        audit_record(actor=SystemActor("reporter_link"), action=EventAudit.FEEDBACK, obj=event,
                     org_code=event.org_code, changes={"rating": rating})
    return event


def event_reporter_dispute(*, event: Event, reason: str) -> Event:
    """The reporter says the problem is not solved: the event goes back to verification."""
    reason = _require_text(reason, "reason", _("Say what is still wrong."))
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category").get(pk=event.pk)
        if not state_allows(event.status, SideAction.DISPUTE):
            raise DomainError(_("Only a closed event can be disputed."), ErrorCode.ILLEGAL_TRANSITION)
        if event.timeline.filter(action=SideAction.TO_MEDIATION).exists():
            # mediation (issue 13): the dispute goes on as a mediation case, not back in the loop
            raise DomainError(_("This dispute was handed over to people's mediation: the mediation committee "
                                "follows it up."), ErrorCode.ILLEGAL_TRANSITION)
        _reopen(event)
        event_transition(event=event, action=SideAction.DISPUTE, party=Party.REPORTER, now=now,
                         note=reason[:1000], actor_label=_("Reporter"), audit_action=EventAudit.FEEDBACK)
        notify.grid_workers_of(event, kind="verify", text=_(
            "The reporter of %(code)s says the problem is not solved: please verify again.") % {"code": event.code})
        notify.dispatchers_of(event, kind="dispute", text=_("The reporter disputes the closure of %(code)s.") % {
            "code": event.code})
    return event
