"""The workflow actions (`event_act`): who may take which (`check_action_allowed`), and
each action's own work; the status itself is moved by `event_transition`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.images import check_images
from gridgov.core.models import Department
from gridgov.core.permissions import Capability, capabilities_of, has_capability, in_scope
from gridgov.events import notify
from gridgov.events.models import (
    Event,
    Extension,
)
from gridgov.events.routing import find_route
from gridgov.events.services.transitions import (
    MAX_PHOTOS,
    UNIT_CAPABILITIES,
    _illegal_in_status,
    _mark_resolved_on_site,
    _reopen,
    _require_text,
    _resolve_supervision,
    event_transition,
)
from gridgov.events.workflow import (
    TRANSITIONS,
    Action,
    Outcome,
    Status,
    state_allows,
    user_may,
)

# --- Workflow actions ------------------------------------------------------------------


@dataclass
class ActionRequest:
    action: str
    note: str = ""
    department: str = ""  # dispatch
    reason: str = ""  # return, extend, suspend, cancel
    suggested_department: str = ""  # return
    passed: bool | None = None  # verify
    hours: str | Decimal | None = None  # extend
    approve: bool | None = None  # approve_extension
    rating: int | None = None  # evaluate
    photos: list = field(default_factory=list)


def _is_handler_of(actor, event: Event) -> bool:
    dept = actor.department_id
    return dept is not None and dept in {event.department_id, event.owner_department_id}


def check_action_allowed(actor, event: Event, action: str) -> None:
    """403 when the user may never take the action here (no capability the table names for
    it, not the unit it was sent to, not the cell's grid worker); 409 when the status forbids it.
    An auditor holds no event capability, whatever other role the account holds (issue 10)."""
    if action not in Action.values:  # merge and dispute have their own doors
        raise DomainError(_("Unknown action."), ErrorCode.INVALID, {"action": [_("Unknown action.")]})
    granting = TRANSITIONS[action].capabilities & capabilities_of(actor)
    if not granting:
        raise Forbidden(_("Your role may not take this action."))
    if granting <= UNIT_CAPABILITIES and not _is_handler_of(actor, event):
        raise Forbidden(_("This event is not assigned to your unit."))
    # The centre's desk verifies anywhere in its area; anyone else only in the cells assigned to them.
    if action == Action.VERIFY and not has_capability(actor, Capability.DISPATCH_EVENTS):
        if not actor.grid_assignments.filter(cell_id=event.org_code).exists():
            raise Forbidden(_("Only the grid worker of this cell may verify it."))
    if action == Action.RESOLVE_ON_SITE and not event.category.fixable_on_site:
        raise DomainError(_("Events of this category cannot be closed on site."), ErrorCode.ILLEGAL_TRANSITION)
    if not state_allows(event.status, action):
        raise _illegal_in_status(event, action)


def _access_department(code: str, field_name: str) -> Department:
    dept = Department.objects.filter(code=(code or "").strip(), is_active=True).first()
    if dept is None:
        raise DomainError(_("Unknown department."), ErrorCode.INVALID, {field_name: [_("Unknown department.")]})
    return dept


def event_act(*, actor, event: Event, request: ActionRequest) -> Event:
    """Take one workflow action on an event the actor can see."""
    from gridgov.events.photos import save_photos
    from gridgov.events.services.intake import follow_up_after_commit, follow_up_marker

    action = request.action
    # A role that may never take the action is refused before its photos are decoded;
    # everything else is checked under the lock below.
    if action in Action.values and not user_may(actor, action):
        raise Forbidden(_("Your role may not take this action."))
    if len(request.photos) > MAX_PHOTOS:
        raise DomainError(_("At most 9 photos."), ErrorCode.INVALID, {"photos": [_("At most 9 photos.")]})
    images = check_images(request.photos)
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category").get(pk=event.pk)
        check_action_allowed(actor, event, action)
        note = (request.note or "").strip()
        # The action's own work (its fields, checks of the request, notifications); the
        # status is the table's, moved by `event_transition`.
        extra = _HANDLERS[action](actor=actor, event=event, request=request, now=now) or {}
        outcome = extra.pop("_outcome", None)
        entry = event_transition(event=event, action=action, actor=actor, outcome=outcome, now=now,
                                 note=note or extra.pop("_note", ""), extra=extra)
        photos = save_photos(event=event, entry=entry, images=images, uploaded_by=actor)
        marker = follow_up_marker("", photos=bool(photos))
        if marker and not event.follow_up_pending:
            # A notice still owed from the intake keeps its mark: its task (or the sweep)
            # makes every photo's copies.
            Event.objects.filter(pk=event.pk, follow_up_pending="").update(follow_up_pending=marker)
        follow_up_after_commit(event, photos, images)  # the photos' copies, after the commit
    return event


def _do_dispatch(*, actor, event, request, now):
    desk = has_capability(actor, Capability.DISPATCH_EVENTS)
    if request.department:
        unit = _access_department(request.department, "department")
    else:
        route = find_route(category=event.category, org_code=event.org_code)
        if route is None:
            raise DomainError(_("No routing rule names a department: choose one."), ErrorCode.INVALID,
                              {"department": [_("Choose a department.")]})
        unit = route.unit
    if not in_scope(actor, event.org_code) and desk:
        raise Forbidden()
    if not desk:
        # A department passes the event on only to one of its own stations.
        if unit.parent_id != actor.department_id:
            raise Forbidden(_("A department may pass an event on only to its own stations."))
    if unit.org_code and not (event.org_code.startswith(unit.org_code) or unit.org_code.startswith(event.org_code[:6])):
        raise DomainError(_("This department does not serve the event's area."), ErrorCode.INVALID,
                          {"department": [_("This department does not serve the event's area.")]})
    owner = unit.parent if unit.parent_id else unit
    redispatch = event.status == Status.DISPATCHED
    event.department, event.owner_department = unit, owner
    notify.unit_staff(unit, event, kind="dispatched", text=_("Event %(code)s was sent to you.") % {"code": event.code})
    return {"department": unit.code, "redispatch": redispatch}


def _hours_in_step(event: Event, now) -> float | None:
    """Working hours spent in the running step so far."""
    from gridgov.core.selectors import work_calendar_for
    from gridgov.core.workcal import working_seconds_between

    if event.step_started_at is None:
        return None
    calendar = work_calendar_for(event.org_code)
    return round(working_seconds_between(timezone.localtime(event.step_started_at), timezone.localtime(now),
                                         calendar) / 3600, 2)


def _do_accept(*, actor, event, request, now):
    event.accept_hours_used = _hours_in_step(event, now)
    on_time = bool(event.step_deadline and now <= event.step_deadline)
    return {"on_time": on_time}


def _do_return(*, actor, event, request, now):
    reason = _require_text(request.reason, "reason", _("Say why the event is returned."))
    suggested = None
    if request.suggested_department:
        suggested = _access_department(request.suggested_department, "suggested_department")
    returned_by = event.department
    event.return_count += 1
    event.department = None
    notify.dispatchers_of(event, kind="returned", text=_("Event %(code)s was returned by %(unit)s: %(reason)s") % {
        "code": event.code, "unit": returned_by.name if returned_by else "", "reason": reason})
    return {"reason": reason, "returned_by": returned_by.code if returned_by else None,
            "suggested_department": suggested.code if suggested else None}


def _do_handle(*, actor, event, request, now):
    _require_text(request.note, "note", _("Report what was done."))
    if not request.photos and not event.category.fixable_on_site:
        raise DomainError(_("Attach a photo of the result."), ErrorCode.INVALID,
                          {"photos": [_("Attach a photo of the result.")]})
    event.handle_hours_used = _hours_in_step(event, now)
    notify.grid_workers_of(event, kind="verify", text=_("Event %(code)s was handled: please verify on site.") % {
        "code": event.code})
    return {"on_time": bool(event.handle_deadline and now <= event.handle_deadline)}


def _do_verify(*, actor, event, request, now):
    if request.passed is None:
        raise DomainError(_("Say whether the verification passed."), ErrorCode.INVALID,
                          {"passed": [_("Say whether the verification passed.")]})
    on_time = bool(event.step_deadline and now <= event.step_deadline)
    if request.passed:
        notify.dispatchers_of(event, kind="verified", text=_("Event %(code)s was verified and can be closed.") % {
            "code": event.code})
        return {"_outcome": Outcome.PASSED, "passed": True, "on_time": on_time}
    _require_text(request.note, "note", _("Say what is still wrong."))
    event.rework_count += 1
    if event.department:
        notify.unit_staff(event.department, event, kind="rework",
                          text=_("Event %(code)s failed verification and needs rework.") % {"code": event.code})
    return {"_outcome": Outcome.REWORK, "passed": False, "rework": event.rework_count, "on_time": on_time}


def _do_close(*, actor, event, request, now):
    event.closed_at = now
    last_handled = (
        event.timeline.filter(action=Action.HANDLE).order_by("-at").values_list("at", flat=True).first()
    )
    event.closed_on_time = bool(event.handle_deadline and last_handled and last_handled <= event.handle_deadline)
    _resolve_supervision(event, now)
    notify.reporter_of(event, kind="closed")
    return {"on_time": event.closed_on_time}


def _do_evaluate(*, actor, event, request, now):
    if request.rating not in {1, 2, 3, 4, 5}:
        raise DomainError(_("Rate from 1 to 5."), ErrorCode.INVALID, {"rating": [_("Rate from 1 to 5.")]})
    event.rating = request.rating
    return {"rating": request.rating}


def _do_reopen(*, actor, event, request, now):
    reason = _require_text(request.reason or request.note, "reason", _("Say why the event is reopened."))
    _reopen(event)
    notify.grid_workers_of(event, kind="verify", text=_("Event %(code)s was reopened: please verify again.") % {
        "code": event.code})
    return {"reason": reason}


def _parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        hours = Decimal(-1)
    if not Decimal(0) < hours <= Decimal(2000):
        raise DomainError(_("Ask for between 0 and 2000 working hours."), ErrorCode.INVALID,
                          {"hours": [_("Ask for between 0 and 2000 working hours.")]})
    return hours


def _do_extend(*, actor, event, request, now):
    hours = _parse_hours(request.hours)
    reason = _require_text(request.reason, "reason", _("Say why more time is needed."))
    if event.extensions.filter(status=Extension.Status.REQUESTED).exists():
        raise DomainError(_("A request for more time is already waiting."), ErrorCode.CONFLICT)
    Extension.objects.create(event=event, hours=hours, reason=reason, requested_by=actor)
    notify.dispatchers_of(event, kind="extension", text=_("Event %(code)s: more time requested.") % {
        "code": event.code})
    return {"hours": str(hours), "reason": reason}


def _do_approve_extension(*, actor, event, request, now):
    pending = event.extensions.filter(status=Extension.Status.REQUESTED).first()
    if pending is None:
        raise DomainError(_("No request for more time is waiting."), ErrorCode.ILLEGAL_TRANSITION)
    if request.approve is None:
        raise DomainError(_("Say whether the extension is approved."), ErrorCode.INVALID,
                          {"approve": [_("Say whether the extension is approved.")]})
    pending.status = Extension.Status.APPROVED if request.approve else Extension.Status.REFUSED
    pending.decided_by, pending.decided_at = actor, now
    pending.save(update_fields=["status", "decided_by", "decided_at"])
    if request.approve:
        from gridgov.core.selectors import work_calendar_for
        from gridgov.core.workcal import add_working_hours

        calendar = work_calendar_for(event.org_code)
        base = max(event.step_deadline or now, now)
        event.step_deadline = add_working_hours(timezone.localtime(base), float(pending.hours), calendar)
        event.handle_deadline = event.step_deadline
        event.deadlines = {**event.deadlines, "handle": event.step_deadline.isoformat()}
        event.extension_count += 1
    return {"approved": bool(request.approve), "hours": str(pending.hours)}


def _do_suspend(*, actor, event, request, now):
    reason = _require_text(request.reason or request.note, "reason", _("Say why the event is suspended."))
    return {"reason": reason}


def _do_resume(*, actor, event, request, now):
    return {}


def _do_cancel(*, actor, event, request, now):
    reason = _require_text(request.reason or request.note, "reason", _("Say why the report is invalid."))
    _resolve_supervision(event, now)
    return {"reason": reason}


def _do_resolve_on_site(*, actor, event, request, now):
    _require_text(request.note, "note", _("Report what was done."))
    _mark_resolved_on_site(event, now)


_HANDLERS = {
    Action.DISPATCH: _do_dispatch,
    Action.ACCEPT: _do_accept,
    Action.RETURN: _do_return,
    Action.HANDLE: _do_handle,
    Action.VERIFY: _do_verify,
    Action.CLOSE: _do_close,
    Action.EVALUATE: _do_evaluate,
    Action.REOPEN: _do_reopen,
    Action.EXTEND: _do_extend,
    Action.APPROVE_EXTENSION: _do_approve_extension,
    Action.SUSPEND: _do_suspend,
    Action.RESUME: _do_resume,
    Action.CANCEL: _do_cancel,
    Action.RESOLVE_ON_SITE: _do_resolve_on_site,
}
