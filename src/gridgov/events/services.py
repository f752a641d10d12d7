"""Writes of the event loop: intake, routing, every workflow action, merging duplicates.

`event_submit` registers a report from any channel; `event_act` takes one workflow action.
Both check permission, validate, write the event and its timeline in one transaction with
an audit entry, and send notifications after commit. Every change of an event's status
(also merging, the reporter's dispute, closing on site, routing on submission) goes through
`event_transition`, which reads the target of `workflow.TRANSITIONS`.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor, require_actor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.geo import validate_lng_lat
from gridgov.core.images import check_images
from gridgov.core.models import Department, OrgUnit
from gridgov.core.permissions import Capability, capabilities_of, has_capability, in_scope, is_read_only
from gridgov.core.selectors import grid_cell_at
from gridgov.events import notify
from gridgov.events.audit_actions import EventAudit
from gridgov.events.deadlines import step_deadline
from gridgov.events.models import (
    Category,
    Channel,
    Event,
    EventCodeCounter,
    Extension,
    RoutingRule,
    Supervision,
    TimelineEntry,
    Urgency,
)
from gridgov.events.routing import find_route
from gridgov.events.workflow import (
    STEP_OF_STATUS,
    TRANSITIONS,
    Action,
    Outcome,
    Party,
    SideAction,
    Status,
    state_allows,
    user_may,
)

MAX_DESCRIPTION = 4000
# The capabilities of a unit the event was sent to: they act only on their own unit's events.
UNIT_CAPABILITIES = frozenset({Capability.HANDLE_EVENTS, Capability.PASS_ON_EVENTS})
MAX_PHOTOS = 9


# EventAudit (the audit actions) lives in events/audit_actions.py, imported above.


# --- Intake ---------------------------------------------------------------------------


@dataclass
class Submission:
    category_code: str
    description: str
    channel: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    urgency: str = Urgency.ORDINARY
    reporter_name: str = ""
    reporter_contact: str = ""
    photos: list = field(default_factory=list)
    org_code: str = ""  # for sensors: the place the device stands
    # Kept on the "register" timeline entry: a note (e.g. an Open311 media link, never
    # fetched) and facts of the intake (the key that sent it, a sensor's readings).
    note: str = ""
    extra: dict = field(default_factory=dict)
    # A grid worker who fixed it on the spot says what they did: the event is closed at once
    # instead of being routed (categories marked "can be fixed on site" only).
    fixed_on_site_note: str = ""
    place_id: int | None = None  # a register place the event concerns


def _place_of(sub: Submission, errors: dict):
    """The register place the event concerns; its point stands in for a missing one."""
    from gridgov.register.models import Place

    if sub.place_id is None:
        return None
    place = Place.objects.filter(pk=sub.place_id, closed_on__isnull=True).first()
    if place is None:
        errors["place"] = [_("No such place.")]
    elif sub.lat is None and sub.lng is None:
        sub.lat, sub.lng = place.lat, place.lng
    return place


def _check_submission(sub: Submission) -> tuple[Category | None, str, dict]:
    errors: dict[str, list[str]] = {}
    place = _place_of(sub, errors)
    category = Category.objects.filter(code=(sub.category_code or "").strip(), is_active=True).first()
    if category is None:
        errors["category"] = [_("Unknown event category.")]
    elif category.children.filter(is_active=True).exists():
        errors["category"] = [_("Choose a more specific category.")]
    elif sub.channel in {Channel.RESIDENT, Channel.OPEN311} and not category.is_public:
        errors["category"] = [_("This category cannot be reported by the public.")]
    description = (sub.description or "").strip()
    if not description:
        errors["description"] = [_("Describe the problem.")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("A description has at most 4000 characters.")]
    if sub.urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    if len(sub.photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most 9 photos.")]
    org_code = sub.org_code
    has_point = sub.lat is not None or sub.lng is not None
    if has_point:
        try:
            validate_lng_lat(sub.lng, sub.lat)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        else:
            cell = grid_cell_at(lng=float(sub.lng), lat=float(sub.lat))
            if cell is None:
                errors.setdefault("lat", []).append(_("This point lies outside the area we serve."))
            else:
                org_code = cell.code
    elif not (sub.address or "").strip() and not org_code:
        errors["lat"] = [_("Give the location: a point on the map or an address.")]
    if place is not None and org_code and not place.org_code.startswith(org_code[:12]):
        errors.setdefault("place", []).append(_("This place is in another village than the point."))
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    return category, org_code, {"description": description, "place": place}


def _next_code(org_code: str, day: datetime.date) -> str:
    county = org_code[:6].ljust(6, "0")
    counter, _created = EventCodeCounter.objects.get_or_create(county=county, day=day)
    counter = EventCodeCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{county}-{day:%Y%m%d}-{counter.last:04d}"


def _default_org_code(actor) -> str:
    """Where an event without a point lands: the reporter's area, or the top of the tree."""
    if getattr(actor, "scope_code", ""):
        return actor.scope_code
    top = OrgUnit.objects.order_by("code").values_list("code", flat=True).first()
    return top or ""


def _start_step(event: Event, now: datetime.datetime, extra_hours: Decimal = Decimal(0)) -> None:
    """Start the clock of the step that runs in the event's status (or stop it)."""
    step = STEP_OF_STATUS.get(event.status)
    if step is None:
        event.step, event.step_started_at, event.step_deadline = "", None, None
        return
    deadline = step_deadline(category=event.category, urgency=event.urgency, step=step,
                             org_code=event.org_code, start=now, extra_hours=extra_hours)
    event.step, event.step_started_at, event.step_deadline = step, now, deadline
    event.deadlines = {**event.deadlines, step: deadline.isoformat()}
    if step == "handle" and event.handle_deadline is None:
        event.handle_deadline = deadline


def _timeline(event: Event, *, action: str, actor, from_status: str, note: str = "", extra: dict | None = None,
              at: datetime.datetime | None = None, actor_label: str = "") -> TimelineEntry:
    require_actor(actor)
    is_user = getattr(actor, "is_authenticated", False)
    return TimelineEntry.objects.create(
        event=event, action=action, from_status=from_status, to_status=event.status,
        actor=actor if is_user else None,
        actor_label=actor_label or (actor.label if is_user else _("System")),
        at=at or timezone.now(), note=note, extra=extra or {},
    )


def _illegal_in_status(event: Event, action: str) -> DomainError:
    label = Action(action).label if action in Action.values else SideAction(action).label
    return DomainError(
        _("“%(action)s” is not possible while the event is “%(status)s”.")
        % {"action": label, "status": Status(event.status).label},
        ErrorCode.ILLEGAL_TRANSITION,
    )


def event_transition(*, event: Event, action: str, now: datetime.datetime, actor=None, party: str | None = None,
                     outcome: str | None = None, note: str = "", extra: dict | None = None,
                     audit_action=EventAudit.ACTION, actor_label: str = "") -> TimelineEntry:
    """The only write of an event's status. `action` moves `event` (locked by the caller, in
    its transaction) from a status the table (`workflow.TRANSITIONS`) leaves from to the
    table's target — the target of `outcome` where the table names one per outcome — starts
    the next step's clock (unless the table keeps it running), saves the event and writes
    its timeline row and audit entry (`audit_action=None`: the caller's entry covers it).

    Who takes it is explicit: a signed-in `actor` holding one of the transition's
    capabilities, or a `party` the table names (a routing rule, the reporter). Anyone else
    is a 403, a status the table does not leave from a 409; both change nothing. Callers check
    first what the table cannot know (the unit it was sent to, the cell's grid worker) and
    do the action's own work (its fields, notifications)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), ErrorCode.INVALID, {"action": [_("Unknown action.")]})
    if party is not None:
        if party not in transition.parties:
            raise Forbidden(_("This action is not taken this way."))
        actor = SystemActor(f"event_{party}")
    elif not user_may(actor, action):
        raise Forbidden(_("Your role may not take this action."))
    if event.status not in transition.sources:
        raise _illegal_in_status(event, action)
    from_status = event.status
    event.status = transition.target_for(outcome)
    if transition.restarts_clock:
        _start_step(event, now)
    event.save()
    extra = extra or {}
    entry = _timeline(event, action=action, actor=actor, from_status=from_status, note=note, extra=extra, at=now,
                      actor_label=actor_label)
    if audit_action is not None:
        audit_record(actor=actor, action=audit_action, obj=event, org_code=event.org_code,
                     changes={"action": str(action), "from": from_status, "to": event.status, **extra})
    return entry


# Staff channels and the capability that speaks on each (issue 10: an auditor reports nothing).
_CHANNEL_CAPABILITIES = {Channel.GRID_WORKER: Capability.REPORT_FROM_GRID, Channel.HOTLINE: Capability.REGISTER_EVENTS}


def require_may_report(actor) -> None:
    """An auditor reads the audit log and changes nothing, so reports no event on any
    channel (also checked by the API before the body is read: 403 wins over 400)."""
    if is_read_only(actor):
        raise Forbidden(_("An auditor reads the audit log and changes nothing."))


def _check_may_report(actor, channel: str) -> None:
    """`require_may_report`; the grid worker's and the hotline's channels need their capability."""
    require_may_report(actor)
    needed = _CHANNEL_CAPABILITIES.get(channel)
    if needed is not None and not has_capability(actor, needed):
        raise Forbidden(_("Your role may not report events on this channel."))


def event_submit(*, actor, submission: Submission, actor_label: str = "") -> Event:
    """Register a report from any channel, place it in its grid cell and route it."""
    from gridgov.events.photos import save_photos

    require_actor(actor)  # a resident or a machine: core.actors.SystemActor
    _check_may_report(actor, submission.channel)
    category, org_code, cleaned = _check_submission(submission)
    images = check_images(submission.photos)
    fixed_note = (submission.fixed_on_site_note or "").strip()
    if fixed_note:
        if not category.fixable_on_site:
            raise DomainError(_("Events of this category cannot be closed on site."), ErrorCode.INVALID,
                              {"category": [_("Events of this category cannot be closed on site.")]})
        if submission.channel != Channel.GRID_WORKER or not user_may(actor, Action.RESOLVE_ON_SITE):
            raise Forbidden(_("Only a grid worker closes an event on the spot."))
    if getattr(actor, "is_authenticated", False) and submission.channel == Channel.GRID_WORKER:
        if org_code and not in_scope(actor, org_code):
            raise Forbidden(_("This point lies outside your grid."))
    org_code = org_code or _default_org_code(actor)
    now = timezone.now()
    with transaction.atomic():
        event = Event(
            code=_next_code(org_code, timezone.localdate(now)),
            category=category, urgency=submission.urgency, description=cleaned["description"],
            channel=submission.channel, status=Status.REGISTERED, org_code=org_code,
            lat=submission.lat, lng=submission.lng, address=(submission.address or "").strip()[:300],
            place=cleaned["place"],
            # A hotline operator types someone else's report: the caller is the reporter.
            reporter=actor if getattr(actor, "is_authenticated", False) and submission.channel != Channel.HOTLINE
            else None,
            reporter_name=(submission.reporter_name or "").strip()[:100],
            reporter_contact=(submission.reporter_contact or "").strip()[:200],
            public_token=secrets.token_urlsafe(24),
        )
        _start_step(event, now)
        event.save()
        entry = _timeline(event, action="register", actor=actor, from_status="", at=now,
                          actor_label=actor_label, note=(submission.note or "").strip()[:2000],
                          extra={**submission.extra, "channel": submission.channel})
        save_photos(event=event, entry=entry, images=images, uploaded_by=actor)
        audit_record(actor=actor, action=EventAudit.SUBMIT, obj=event, org_code=org_code,
                     changes={"category": category.code, "channel": submission.channel})
        if fixed_note:
            _mark_resolved_on_site(event, now)
            event_transition(event=event, action=Action.RESOLVE_ON_SITE, actor=actor, now=now, note=fixed_note[:2000])
            return event
        route = find_route(category=category, org_code=org_code)
        if route is not None:
            _dispatch(event, unit=route.unit, owner=route.owner, note=_("Routed by rule."), now=now)
        else:
            notify.dispatchers_of(event, kind="new_event",
                                  text=_("New event %(code)s awaits dispatch.") % {"code": event.code})
    return event


def _dispatch(event: Event, *, unit: Department, owner: Department | None, note: str,
              now: datetime.datetime) -> TimelineEntry:
    """A routing rule sends a new report on as it comes in (the submission's audit entry
    covers it)."""
    event.department = unit
    event.owner_department = owner or (unit.parent if unit.parent_id else unit)
    entry = event_transition(event=event, action=Action.DISPATCH, party=Party.ROUTING, now=now, note=note,
                             extra={"department": unit.code}, audit_action=None)
    notify.unit_staff(unit, event, kind="dispatched",
                      text=_("Event %(code)s was sent to you.") % {"code": event.code})
    return entry


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


def _require_text(value: str, field_name: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, ErrorCode.INVALID, {field_name: [str(message)]})
    return value


def _access_department(code: str, field_name: str) -> Department:
    dept = Department.objects.filter(code=(code or "").strip(), is_active=True).first()
    if dept is None:
        raise DomainError(_("Unknown department."), ErrorCode.INVALID, {field_name: [_("Unknown department.")]})
    return dept


def event_act(*, actor, event: Event, request: ActionRequest) -> Event:
    """Take one workflow action on an event the actor can see."""
    from gridgov.events.photos import save_photos

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
        save_photos(event=event, entry=entry, images=images, uploaded_by=actor)
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


def _mark_resolved_on_site(event: Event, now) -> None:
    event.closed_at = now
    event.closed_on_time = True
    event.resolved_on_site = True


def _reopen(event: Event) -> None:
    """A closure taken back (a dispatcher's reopening, the reporter's dispute)."""
    event.closed_at = None
    event.closed_on_time = None


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


def _resolve_supervision(event: Event, now) -> None:
    Supervision.objects.filter(event=event, resolved_at__isnull=True).update(resolved_at=now)
    event.supervision_level = ""


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
        _reopen(event)
        event_transition(event=event, action=SideAction.DISPUTE, party=Party.REPORTER, now=now,
                         note=reason[:1000], actor_label=_("Reporter"), audit_action=EventAudit.FEEDBACK)
        notify.grid_workers_of(event, kind="verify", text=_(
            "The reporter of %(code)s says the problem is not solved: please verify again.") % {"code": event.code})
        notify.dispatchers_of(event, kind="dispute", text=_("The reporter disputes the closure of %(code)s.") % {
            "code": event.code})
    return event


# --- Routing rules (editor with history) ------------------------------------------------------


def routing_rule_save(*, actor, category: Category, org_prefix: str, department: Department,
                      to_local_station: bool = True) -> "RoutingRule":
    """Set the rule for (category, area): the active one, if any, is ended, never edited."""
    from gridgov.core.permissions import Capability, require
    from gridgov.events.models import RoutingRule

    require(actor, Capability.MANAGE_EVENT_CONFIG)
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=org_prefix).exists():
        errors["org_prefix"] = [_("No org unit with this code.")]
    elif not in_scope(actor, org_prefix):
        raise Forbidden(_("This lies outside your area."))
    if not department.is_active:
        errors["department"] = [_("This department is not active.")]
    elif not (org_prefix.startswith(department.org_code) or department.org_code.startswith(org_prefix)):
        errors["department"] = [_("This department does not serve this area.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    now = timezone.now()
    with transaction.atomic():
        current = RoutingRule.objects.select_for_update().filter(
            category=category, org_prefix=org_prefix, is_active=True).first()
        if current is not None:
            current.is_active, current.ended_at = False, now
            current.save(update_fields=["is_active", "ended_at"])
        rule = RoutingRule.objects.create(category=category, org_prefix=org_prefix, department=department,
                                          to_local_station=to_local_station, created_by=actor, replaces=current)
        audit_record(actor=actor, action=EventAudit.ROUTING_RULE, obj=rule, org_code=org_prefix,
                     changes={"category": category.code, "department": department.code,
                              "replaces": current.pk if current else None, "to_local_station": to_local_station})
    return rule


def routing_rule_end(*, actor, rule) -> None:
    from gridgov.core.permissions import Capability, require

    require(actor, Capability.MANAGE_EVENT_CONFIG)
    if not in_scope(actor, rule.org_prefix):
        raise NotFound()
    with transaction.atomic():
        if not rule.is_active:
            raise DomainError(_("This rule has already ended."), ErrorCode.CONFLICT)
        rule.is_active, rule.ended_at = False, timezone.now()
        rule.save(update_fields=["is_active", "ended_at"])
        audit_record(actor=actor, action=EventAudit.ROUTING_RULE_END, obj=rule, org_code=rule.org_prefix)

