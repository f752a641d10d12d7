"""Writes of notifications: `notify` (every app tells people through it), marking read, and a
user's preferences.

`notify` writes the in-app rows and one pending `Delivery` per extra channel in the caller's
transaction, and hands each delivery to the `deliver_notification` task once that
transaction commits (`transaction.on_commit`): a rolled-back action tells nobody, and a
failing mail server or SMS gateway never undoes the action (the task records the failure
and tries again later, see `deliveries.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.audit import audit_record
from gridgov.core.audit_actions import AuditAction
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models_notifications import (
    OPTIONAL_CHANNELS,
    Channel,
    Delivery,
    Notification,
    NotificationContact,
    NotificationPreference,
)
from gridgov.core.notifications.channels import channel as configured_channel
from gridgov.core.notifications.kinds import is_registered, kind_of
from gridgov.core.permissions import Capability, has_capability, in_scope
from gridgov.core.validators import is_valid_mobile, normalize_mobile

TEXT_MAX = 500

# Off while synthetic data is generated (`seed_demo`): the app's rows are written, but no
# e-mail or SMS leaves for an address that was made up and may belong to someone.
_EXTERNAL_OFF: ContextVar[bool] = ContextVar("gridgov_notifications_external_off", default=False)


@contextmanager
def external_deliveries_off():
    token = _EXTERNAL_OFF.set(True)
    try:
        yield
    finally:
        _EXTERNAL_OFF.reset(token)


@dataclass(frozen=True)
class Contact:
    """Someone without an account: a family member on a care team (by SMS), a resident who
    left a contact with their report. Callers pass only contacts who agreed to be told."""

    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Subject:
    """What the notification is about, for clients: `("events.event", 12, "320583-20261201-0001")`.
    The label is shown beside the link, so it is a name people quote (an event's code), or
    empty — never a bare record number."""

    type: str
    id: int | None = None
    label: str = ""


def may_open_person_record(user, org_code: str) -> bool:
    """The default rule for naming a person: in full only to a receiver who may open the
    person's record in that area."""
    return has_capability(user, Capability.OPEN_PERSON_RECORD) and in_scope(user, org_code)


def notify(
    *,
    kind: str,
    text: str,
    recipients: Iterable = (),
    contacts: Iterable[Contact] = (),
    params: Mapping[str, object] | None = None,
    link: str = "",
    org_code: str = "",
    person_name: str = "",
    may_see_person: Callable[[object], bool] | None = None,
    subject: Subject | None = None,
) -> list[Notification]:
    """Tell `recipients` (users) and `contacts` (people without an account, by SMS) what happened.

    `text` is a translated sentence with `%(name)s` placeholders filled from `params`; the
    placeholder `%(person)s` becomes `person_name` as each receiver may see it: in full when
    `may_see_person(user)` says so (default: the receiver may open person records in
    `org_code`), masked otherwise and always for contacts. `link` is the record's URL path,
    which the caller chooses so that each recipient can open it. Inactive users and
    duplicates are skipped. Returns the in-app rows written."""
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    contacts = list(contacts)
    phones = list(dict.fromkeys(c.phone for c in contacts if c.phone))
    emails = list(dict.fromkeys(c.email for c in contacts if c.email))
    if not users and not phones and not emails:
        return []
    # Already worded (no params): used as it is, since it may carry what a user typed (a
    # reason, a note) that must never be read as a format string (security review, issue 11).
    plain = params is None
    params = dict(params or {})
    may_see = may_see_person or (lambda user: may_open_person_record(user, org_code))
    masked_person = masking.mask_name(person_name)

    def render(user) -> str:
        if plain:
            return str(text)[:TEXT_MAX]
        values = dict(params)
        if "%(person)" in text:
            values["person"] = person_name if user is not None and may_see(user) else masked_person
        return (str(text) % values)[:TEXT_MAX]

    subject = subject or Subject("")
    kind_info = kind_of(kind)
    mail_subject = _("%(kind)s — gridgov") % {"kind": kind_info.label}
    with transaction.atomic(savepoint=False):
        notifications = Notification.objects.bulk_create(
            Notification(user=user, kind=kind, text=render(user), link=link, org_code=org_code,
                         subject_type=subject.type, subject_id=subject.id, subject_label=subject.label[:60])
            for user in users
        )
        # What leaves the system (e-mail, SMS) names the person masked for everyone: the full
        # name stays in the app, behind the receiver's sign-in.
        text_for_contacts = render(None)
        deliveries = _deliveries_for(users, kind=kind, org_code=org_code, subject=mail_subject, link=link,
                                     text=text_for_contacts, notifications=notifications)
        if phones and configured_channel(Channel.SMS) is not None:
            deliveries += [Delivery(kind=kind, org_code=org_code, channel=Channel.SMS, address=phone,
                                    address_masked=masking.mask_phone(phone), text=text_for_contacts)
                           for phone in phones]
        if emails and configured_channel(Channel.EMAIL) is not None:
            body = (text_for_contacts + (f"\n\n{_site()}{link}" if link else ""))[:TEXT_MAX]
            deliveries += [Delivery(kind=kind, org_code=org_code, channel=Channel.EMAIL, address=email,
                                    address_masked=_mask_email(email), subject=mail_subject, text=body)
                           for email in emails]
        if _EXTERNAL_OFF.get():
            deliveries = []
        deliveries = Delivery.objects.bulk_create(deliveries)
        ids = [d.pk for d in deliveries]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return notifications


def _deliveries_for(users, *, notifications, kind, org_code, subject, link, text) -> list[Delivery]:
    """A pending delivery per user and channel that the user's preferences (or the kind's
    defaults) switch on, where the user has an address for it and the channel is configured."""
    if not users:
        return []
    channels = [c for c in OPTIONAL_CHANNELS if configured_channel(c) is not None]
    if not channels:
        return []
    choices = {(p.user_id, p.channel): p.enabled for p in
               NotificationPreference.objects.filter(user__in=users, kind=kind)}
    defaults = kind_of(kind).default_channels
    wanted = {(u.pk, c) for u in users for c in channels if choices.get((u.pk, c), c in defaults)}
    if not wanted:
        return []
    phones = {}
    if any(c == Channel.SMS for _pk, c in wanted):
        phones = {row.user_id: row.sms_phone for row in
                  NotificationContact.objects.filter(user__in=[pk for pk, c in wanted if c == Channel.SMS])}
    site = _site()
    rows = []
    for user, notification in zip(users, notifications, strict=True):
        if (user.pk, Channel.EMAIL) in wanted and user.email:
            body = text + (f"\n\n{site}{link}" if link else "")
            rows.append(Delivery(notification=notification, kind=kind, org_code=org_code, channel=Channel.EMAIL,
                                 address=user.email, address_masked=_mask_email(user.email), subject=subject,
                                 text=body[:TEXT_MAX]))
        if (user.pk, Channel.SMS) in wanted and phones.get(user.pk):
            rows.append(Delivery(notification=notification, kind=kind, org_code=org_code, channel=Channel.SMS,
                                 address=phones[user.pk], address_masked=masking.mask_phone(phones[user.pk]),
                                 text=text))
    return rows


def _site() -> str:
    return (getattr(settings, "GRIDGOV_SITE_URL", "") or "").rstrip("/")


def _mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{masking.mask_name(local)}@{domain}"


def _enqueue(delivery_ids: list[int]) -> None:
    from gridgov.core.notifications.tasks import deliver_notification

    for index, pk in enumerate(delivery_ids):
        try:
            deliver_notification.enqueue(pk)
        except Exception:  # noqa: BLE001 - the queue is out of reach (a broker outage): the action stands
            # workers (issue 12): the deliveries become due now, so `notifications_send_due`
            # sends them once it runs, instead of a 500 after the action committed.
            logging.getLogger("gridgov.notify").exception(
                "could not enqueue %d notification deliveries; notifications_send_due will send them",
                len(delivery_ids) - index)
            Delivery.objects.filter(pk__in=delivery_ids[index:], status=Delivery.Status.PENDING).update(
                next_attempt_at=timezone.now())
            return


# --- Reading ---------------------------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> Notification:
    """The user has read one of their own notifications (reading it twice changes nothing)."""
    if notification.user_id != user.pk:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Every unread notification of the user is read now; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences -----------------------------------------------------------------------------


def notification_preferences_update(*, user, choices: Mapping[tuple[str, str], bool], sms_phone: str | None = None
                                    ) -> None:
    """Save the user's choice per (kind, channel) and, when given, the mobile number for SMS
    (empty removes it). The app shows every notification whatever is chosen here."""
    errors: dict[str, list[str]] = {}
    if sms_phone is not None:
        sms_phone = normalize_mobile(sms_phone) if sms_phone.strip() else ""
        if sms_phone and not is_valid_mobile(sms_phone):
            errors["sms_phone"] = [_("Enter an 11-digit mobile number.")]
    bad = [key for key in choices if key[1] not in {c.value for c in OPTIONAL_CHANNELS}]
    if bad:
        errors["choices"] = [_("Only e-mail and SMS can be switched off; the app shows every notification.")]
    elif any(not is_registered(kind) for kind, _channel in choices):
        errors["choices"] = [_("There is no such kind of notification.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        current = {(p.kind, p.channel): p for p in NotificationPreference.objects.filter(user=user)}
        changed = {}
        for (kind, channel), enabled in choices.items():
            row = current.get((kind, channel))
            if row is None:
                if enabled != (channel in kind_of(kind).default_channels):
                    NotificationPreference.objects.create(user=user, kind=kind, channel=channel, enabled=enabled)
                    changed[f"{kind}/{channel}"] = enabled
            elif row.enabled != enabled:
                row.enabled = enabled
                row.save(update_fields=["enabled"])
                changed[f"{kind}/{channel}"] = enabled
        if sms_phone is not None:
            contact, _created = NotificationContact.objects.get_or_create(user=user)
            if contact.sms_phone != sms_phone:
                contact.sms_phone = sms_phone
                contact.save(update_fields=["sms_phone"])
                changed["sms_phone"] = masking.mask_phone(sms_phone) or "-"
        if changed:
            audit_record(actor=user, action=AuditAction.NOTIFICATION_PREFERENCES, obj=user,
                         object_repr=user.username, org_code=user.scope_code, changes=changed)


def notifications_forget(*, subject_type: str, subject_ids: Iterable[int]) -> int:
    """What notifications said about records that are anonymised: the in-app texts become a
    neutral sentence and the deliveries' texts are emptied (the rows stay, for counts).
    Returns how many notifications were rewritten."""
    ids = list(subject_ids)
    if not ids:
        return 0
    removed = _("(removed after the retention date)")
    Delivery.objects.filter(notification__subject_type=subject_type, notification__subject_id__in=ids).update(
        text="", subject="")
    return Notification.objects.filter(subject_type=subject_type, subject_id__in=ids).update(
        text=removed, subject_label="")


def notifications_withdraw(*, user, subject_type: str, subject_ids: Iterable[int]) -> int:
    """What `user` was told about records they may no longer open (they left a care team):
    their in-app texts become a neutral sentence, their deliveries' texts are emptied; the rows
    stay, for counts. Runs in the caller's transaction; returns how many were rewritten."""
    ids = list(subject_ids)
    if user is None or not ids:
        return 0
    withdrawn = _("(about a record you no longer have access to)")
    Delivery.objects.filter(notification__user=user, notification__subject_type=subject_type,
                            notification__subject_id__in=ids).update(text="", subject="")
    return Notification.objects.filter(user=user, subject_type=subject_type, subject_id__in=ids).update(
        text=withdrawn, subject_label="")


# --- Forgetting a person (register retention) --------------------------------------------------

# Notifications about a person's own record (an emergency opening of it) carry this subject.
PERSON_SUBJECT = "core.person"

PersonSubjectsHook = Callable[[list[int]], Iterable[tuple[str, Iterable[int]]]]
_PERSON_SUBJECT_HOOKS: dict[str, PersonSubjectsHook] = {}


def register_person_subjects_hook(name: str, hook: PersonSubjectsHook) -> None:
    """An app names the subjects of its notifications that speak of people:
    `hook(person_ids) -> [(subject_type, subject_ids), …]` (the events about the places a
    person is responsible for, say), so that core can forget them when the register
    anonymises those people without importing the app (as `register_person_export_hook`)."""
    _PERSON_SUBJECT_HOOKS[name] = hook


def notifications_forget_people(*, person_ids: Iterable[int]) -> int:
    """`notifications_forget` of everything the notifications said about these people: those
    about their own record and those each app's hook names. Runs in the caller's transaction
    (the anonymisation's); returns how many notifications were rewritten."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        forgotten = notifications_forget(subject_type=PERSON_SUBJECT, subject_ids=ids)
        for hook in _PERSON_SUBJECT_HOOKS.values():
            for subject_type, subject_ids in hook(ids):
                forgotten += notifications_forget(subject_type=subject_type, subject_ids=subject_ids)
    return forgotten
