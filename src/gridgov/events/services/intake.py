"""Intake: a report from any channel (`event_submit`) is checked, placed in its grid cell,
numbered and routed, or closed at once when a grid worker fixed it on the spot."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import require_actor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.geo import validate_lng_lat
from gridgov.core.images import check_images
from gridgov.core.models import OrgUnit
from gridgov.core.permissions import Capability, has_capability, in_scope, is_read_only
from gridgov.core.selectors import grid_cell_at
from gridgov.events.audit_actions import EventAudit
from gridgov.events.codes import next_code
from gridgov.events.lookups import intake_category, route_of
from gridgov.events.models import (
    Category,
    Channel,
    Event,
    TimelineEntry,
    Urgency,
)
from gridgov.events.services.transitions import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    _mark_resolved_on_site,
    _start_step,
    event_transition,
)
from gridgov.events.workflow import (
    TRANSITIONS,
    Action,
    Party,
    Status,
    user_may,
)

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
    category, has_children = intake_category((sub.category_code or "").strip())
    if category is None:
        errors["category"] = [_("Unknown event category.")]
    elif has_children:
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


def _default_org_code(actor) -> str:
    """Where an event without a point lands: the reporter's area, or the top of the tree."""
    if getattr(actor, "scope_code", ""):
        return actor.scope_code
    top = OrgUnit.objects.order_by("code").values_list("code", flat=True).first()
    return top or ""


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
    # Read before the transaction, from the lookup cache (events.lookups): no query while the
    # rules are unchanged, and nothing is held while they are read.
    route = None if fixed_note else route_of(category, org_code)
    with transaction.atomic():
        event = Event(
            # From a sequence on PostgreSQL: no lock held until commit (events.codes).
            code=next_code(org_code, timezone.localdate(now)),
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
        # What the task after the commit owes (its `notice`, decided below as here).
        event.follow_up_pending = follow_up_marker("" if fixed_note else "dispatched" if route is not None
                                                   else "new_event", photos=bool(images))
        entries = [_register_entry(event, actor=actor, at=now, actor_label=actor_label,
                                   note=(submission.note or "").strip()[:2000],
                                   extra={**submission.extra, "channel": submission.channel})]
        if route is not None:
            entries.append(_dispatch_unsaved(event, route, now))
        # One insert of the event in its final state, one of its timeline rows (issue 12).
        event.save(force_insert=True)
        for entry in entries:
            entry.event = event
        TimelineEntry.objects.bulk_create(entries)
        photos = save_photos(event=event, entry=entries[0], images=images, uploaded_by=actor)
        audit_record(actor=actor, action=EventAudit.SUBMIT, obj=event, org_code=org_code,
                     changes={"category": category.code, "channel": submission.channel})
        if fixed_note:
            _mark_resolved_on_site(event, now)
            event_transition(event=event, action=Action.RESOLVE_ON_SITE, actor=actor, now=now, note=fixed_note[:2000])
            notice = ""
        else:
            notice = "dispatched" if route is not None else "new_event"
        follow_up_after_commit(event, photos, images, notice)
    return event


PHOTOS_ONLY = "photos"


def follow_up_marker(notice: str, *, photos: bool) -> str:
    """`Event.follow_up_pending` for a follow-up with this notice (or only photos' copies);
    blank within `follow_up_now`, where it is done in the transaction."""
    if _FOLLOW_UP_NOW.get():
        return ""
    return notice or (PHOTOS_ONLY if photos else "")


def follow_up_after_commit(event: Event, photos, images, notice: str = "") -> None:
    """The copies of the photos just saved with `event` (`photos.save_photos`) and the
    `notice` to whom the event concerns: after the commit, in a task (events.tasks), or, within
    `follow_up_now`, in the transaction itself."""
    if _FOLLOW_UP_NOW.get():
        from gridgov.events.photos import render_copies_on_commit
        from gridgov.events.tasks import tell_about_new_event

        for photo, image in zip(photos, images, strict=True):
            render_copies_on_commit(photo, image)
        tell_about_new_event(event, notice)
    elif photos or notice:
        after_intake_on_commit(event.pk, [photo.pk for photo in photos], notice)


_FOLLOW_UP_NOW: contextvars.ContextVar[bool] = contextvars.ContextVar("gridgov_intake_follow_up_now", default=False)


@contextlib.contextmanager
def follow_up_now():
    """Within it, a submission makes its photos' copies and writes its notifications in its
    own transaction, as before issue 12, instead of queueing them: for the demo's seeding,
    which writes thousands of reports in one transaction with no queue worker running."""
    token = _FOLLOW_UP_NOW.set(True)
    try:
        yield
    finally:
        _FOLLOW_UP_NOW.reset(token)


def _register_entry(event: Event, *, actor, at, actor_label: str, note: str, extra: dict) -> TimelineEntry:
    """The "register" row of a new event (unsaved; `transitions._timeline`'s fields)."""
    require_actor(actor)
    is_user = getattr(actor, "is_authenticated", False)
    return TimelineEntry(action="register", from_status="", to_status=event.status,
                         actor=actor if is_user else None,
                         actor_label=actor_label or (actor.label if is_user else _("System")),
                         at=at, note=note, extra=extra or {})


def _dispatch_unsaved(event: Event, route, now: datetime.datetime) -> TimelineEntry:
    """A routing rule sends a new report on as it comes in: `event_transition`'s dispatch by
    the routing party, applied to the unsaved event (its row is inserted once, dispatched),
    and its timeline row, unsaved. The submission's audit entry covers it."""
    transition = TRANSITIONS[Action.DISPATCH]
    if Party.ROUTING not in transition.parties or event.status not in transition.sources:
        raise Forbidden(_("This action is not taken this way."))
    unit = route.unit
    event.department = unit
    event.owner_department = route.owner or unit
    from_status = event.status
    event.status = transition.target_for(None)
    if transition.restarts_clock:
        _start_step(event, now)
    return TimelineEntry(action=Action.DISPATCH, from_status=from_status, to_status=event.status, actor=None,
                         actor_label=_("System"), at=now, note=_("Routed by rule."),
                         extra={"department": unit.code})


def after_intake_on_commit(event_id: int, photo_ids: list[int], notice: str) -> None:
    """Enqueue `events.tasks.after_intake` when the transaction commits (after the photos'
    record copies are written), in the language of the request."""
    from django.utils import translation

    from gridgov.events.tasks import enqueue_after_intake

    language = translation.get_language() or ""
    transaction.on_commit(lambda: enqueue_after_intake(event_id, photo_ids, notice, language))
