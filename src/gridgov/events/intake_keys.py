"""Intake without a user account: keys for Open311 apps and sensor devices, and the
submissions that arrive with them.

A key is shown once, when it is made. Only its SHA-256 hash is stored (a key is 40 random
characters, so a fast hash is enough), with its first 8 characters as a prefix by which
operators tell keys apart and revoke them.

A sensor that keeps alarming does not flood the dispatchers: a repeated alert from the same
device for the same category within 10 minutes of its last one, while that event is open,
becomes a timeline note on that event.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import string
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor, is_system
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.geo import validate_lng_lat
from gridgov.core.models import OrgUnit
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.selectors import grid_cell_at
from gridgov.events.audit_actions import IntakeKeyAudit
from gridgov.events.models import Category, Channel, Event, IntakeKey, TimelineEntry, Urgency
from gridgov.events.services import Submission, event_submit
from gridgov.events.workflow import OPEN_STATUSES

KEY_LENGTH = 40
PREFIX_LENGTH = 8
_ALPHABET = string.ascii_letters + string.digits
MAX_KEY_LENGTH = 200
SENSOR_REPEAT_WINDOW = datetime.timedelta(minutes=10)
SENSOR_ALERT_ACTION = "sensor_alert"


# IntakeKeyAudit (the audit actions) lives in events/audit_actions.py, imported above.


def _require_key_manager(actor) -> None:
    """Keys are made on the command line (a `SystemActor`) or by whoever sets up events."""
    if not (is_system(actor) or has_capability(actor, Capability.MANAGE_EVENT_CONFIG)):
        raise Forbidden()


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewKey:
    key: IntakeKey
    secret: str  # shown once; never stored


def _check_sensor_place(*, org_code: str, lat, lng, default_category: Category | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=org_code).exists():
        errors["org_code"] = [_("No org unit with this code.")]
    if lat is None or lng is None:
        errors["lat"] = [_("Give the device's position.")]
    else:
        try:
            validate_lng_lat(lng, lat)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        else:
            cell = grid_cell_at(lng=float(lng), lat=float(lat))
            if cell is None:
                errors["lat"] = [_("This point lies outside the area we serve.")]
            elif not cell.code.startswith(org_code):
                errors["lat"] = [_("This point lies outside the given org unit.")]
    if default_category is None:
        errors["category"] = [_("Give the category the device reports.")]
    elif default_category.children.filter(is_active=True).exists():
        errors["category"] = [_("Choose a more specific category.")]
    return errors


def intake_key_create(
    *,
    actor,
    kind: str,
    name: str,
    org_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    default_category: Category | None = None,
) -> NewKey:
    """Make a key for an Open311 app or a sensor device; the secret is returned only here."""
    _require_key_manager(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [_("Give a name of 1 to 100 characters.")]
    if kind not in IntakeKey.Kind.values:
        errors["kind"] = [_("Unknown kind of key.")]
    if kind == IntakeKey.Kind.SENSOR:
        errors.update(_check_sensor_place(org_code=org_code, lat=lat, lng=lng, default_category=default_category))
    elif org_code and not OrgUnit.objects.filter(code=org_code).exists():
        errors["org_code"] = [_("No org unit with this code.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        while True:
            secret = "".join(secrets.choice(_ALPHABET) for _i in range(KEY_LENGTH))
            if not IntakeKey.objects.filter(prefix=secret[:PREFIX_LENGTH]).exists():
                break
        key = IntakeKey.objects.create(
            name=name, kind=kind, key_hash=hash_key(secret), prefix=secret[:PREFIX_LENGTH],
            org_code=org_code or "", lat=lat, lng=lng, default_category=default_category,
        )
        audit_record(actor=actor, action=IntakeKeyAudit.CREATE, obj=key, org_code=key.org_code,
                     changes={"kind": kind, "name": name, "prefix": key.prefix})
    return NewKey(key=key, secret=secret)


def intake_keys(*, kind: str | None = None) -> QuerySet[IntakeKey]:
    keys = IntakeKey.objects.select_related("default_category").order_by("kind", "name", "id")
    return keys.filter(kind=kind) if kind else keys


def intake_key_revoke(*, actor, prefix: str, kind: str | None = None) -> IntakeKey:
    """Switch a key off for good. The prefix must name exactly one active key."""
    _require_key_manager(actor)
    prefix = (prefix or "").strip()[:PREFIX_LENGTH]
    with transaction.atomic():
        candidates = IntakeKey.objects.select_for_update().filter(prefix=prefix, is_active=True)
        if kind:
            candidates = candidates.filter(kind=kind)
        found = list(candidates[:2])
        if not found or not prefix:
            raise NotFound(_("No active key with this prefix."))
        if len(found) > 1:
            raise DomainError(_("Several keys have this prefix."), ErrorCode.CONFLICT)
        key = found[0]
        key.is_active = False
        key.save(update_fields=["is_active"])
        audit_record(actor=actor, action=IntakeKeyAudit.REVOKE, obj=key, org_code=key.org_code,
                     changes={"prefix": key.prefix})
    return key


def intake_key_check(*, secret: str | None, kind: str) -> IntakeKey | None:
    """The active key of `kind` with this secret, or None."""
    secret = (secret or "").strip()
    if not secret or len(secret) > MAX_KEY_LENGTH:
        return None
    return (
        IntakeKey.objects.select_related("default_category")
        .filter(key_hash=hash_key(secret), kind=kind, is_active=True)
        .first()
    )


def _mark_used(key: IntakeKey, now: datetime.datetime) -> None:
    IntakeKey.objects.filter(pk=key.pk).update(last_used_at=now)


# --- Open311 ---------------------------------------------------------------------------


@dataclass
class Open311Request:
    """A POST requests.{fmt} as the GeoReport v2 spec names its fields."""

    service_code: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def _full_name(first: str, last: str) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if first and last and all(ord(ch) > 0x2E80 for ch in first + last):
        return last + first  # 张 + 三: Chinese names put the family name first, unspaced
    return " ".join(part for part in (first, last) if part)


def open311_request_submit(*, key: IntakeKey, request: Open311Request) -> Event:
    """Register a report sent by an Open311 app. The reporter's name and contact are kept
    (encrypted) only to tell them the outcome; a media link is kept as a note, never fetched."""
    category = Category.objects.filter(code=(request.service_code or "").strip()).first()
    description = (request.description or "").strip() or (category.name if category else "")
    media_url = (request.media_url or "").strip()[:1000]
    extra: dict = {"intake_key": key.prefix}
    if media_url:
        extra["media_url"] = media_url
    if request.attributes:
        extra["attributes"] = {str(k)[:100]: str(v)[:1000] for k, v in list(request.attributes.items())[:50]}
    submission = Submission(
        category_code=request.service_code, description=description, channel=Channel.OPEN311,
        lat=request.lat, lng=request.lng, address=request.address,
        reporter_name=_full_name(request.first_name, request.last_name)[:100],
        reporter_contact=((request.phone or "").strip() or (request.email or "").strip())[:200],
        org_code=key.org_code,
        note=_("Photo link sent with the report (not downloaded): %(url)s") % {"url": media_url} if media_url else "",
        extra=extra,
    )
    with transaction.atomic():
        event = event_submit(actor=SystemActor("intake_key"), submission=submission, actor_label=key.name)
        _mark_used(key, timezone.now())
    return event


# --- Sensors ---------------------------------------------------------------------------


@dataclass
class SensorAlert:
    category_code: str = ""  # defaults to the key's category
    description: str = ""
    urgency: str = Urgency.URGENT
    occurred_at: datetime.datetime | None = None
    readings: dict = field(default_factory=dict)


def _recent_open_event_id(key: IntakeKey, category_code: str, now: datetime.datetime) -> int | None:
    """The open event this device last alarmed about in this category, if within the window."""
    return (
        TimelineEntry.objects.filter(
            action__in=("register", SENSOR_ALERT_ACTION), at__gte=now - SENSOR_REPEAT_WINDOW,
            extra__sensor_key=key.pk, event__channel=Channel.SENSOR,
            event__category__code=category_code, event__status__in=OPEN_STATUSES,
        )
        .order_by("-at", "-id")
        .values_list("event_id", flat=True)
        .first()
    )


def sensor_alert_submit(*, key: IntakeKey, alert: SensorAlert) -> tuple[Event, bool]:
    """Raise an event from a sensor's alert, or note a repeat on the event it already raised.
    Returns the event and whether it is new."""
    category_code = (alert.category_code or "").strip() or (
        key.default_category.code if key.default_category_id else "")
    description = (alert.description or "").strip() or _("Alarm from the device “%(device)s”.") % {
        "device": key.name}
    now = timezone.now()
    facts = {
        "sensor_key": key.pk, "device": key.name, "readings": alert.readings or {},
        "occurred_at": timezone.localtime(alert.occurred_at).isoformat() if alert.occurred_at else None,
    }
    with transaction.atomic():
        # One alert of a device at a time, so that two at once cannot both open an event.
        IntakeKey.objects.select_for_update().filter(pk=key.pk).first()
        _mark_used(key, now)
        event_id = _recent_open_event_id(key, category_code, now) if category_code else None
        if event_id is None:
            submission = Submission(
                category_code=category_code, description=description, channel=Channel.SENSOR,
                lat=key.lat, lng=key.lng, org_code=key.org_code, urgency=alert.urgency, extra=facts,
            )
            return event_submit(actor=SystemActor("intake_key"), submission=submission, actor_label=key.name), True
        event = Event.objects.select_for_update(of=("self",)).select_related("category", "department").get(
            pk=event_id)
        TimelineEntry.objects.create(
            event=event, action=SENSOR_ALERT_ACTION, from_status=event.status, to_status=event.status,
            actor=None, actor_label=key.name, at=now, note=description[:2000], extra=facts,
        )
        Event.objects.filter(pk=event.pk).update(updated_at=now)
        audit_record(actor=SystemActor("intake_key"), action=IntakeKeyAudit.SENSOR_REPEAT, obj=event, org_code=event.org_code,
                     changes={"device": key.prefix})
    event.refresh_from_db()
    return event, False
