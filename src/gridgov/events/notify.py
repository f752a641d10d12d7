"""Notifications: a row in the app for each recipient, and the same text through the
configured channels (e-mail, SMS) once the transaction commits.

Channels are adapters behind one interface (`send(recipient, text)`), chosen in settings
(`GRIDGOV_NOTIFY_CHANNELS`); the console adapters print, for development and tests.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gridgov.core.models import Role, User

log = logging.getLogger("gridgov.notify")


class ConsoleSms:
    """Prints SMS messages; replace with a provider's adapter in production."""

    sent: list[tuple[str, str]] = []

    def send(self, recipient: str, text: str) -> None:
        self.sent.append((recipient, text))
        log.info("SMS to %s: %s", recipient, text)


class DjangoEmail:
    """Sends through Django's e-mail backend (console by default)."""

    def send(self, recipient: str, text: str) -> None:
        send_mail(subject=text[:60], message=text, from_email=None, recipient_list=[recipient], fail_silently=True)


def _channel(name: str):
    path = getattr(settings, "GRIDGOV_NOTIFY_CHANNELS", {}).get(name)
    return import_string(path)() if path else None


def _deliver(contact: str, text: str) -> None:
    """Send to an e-mail address or a mobile number, whichever the contact is."""
    channel = _channel("email" if "@" in contact else "sms")
    if channel is not None:
        try:
            channel.send(contact, text)
        except Exception:  # a failing gateway must not undo the work; it is logged
            log.exception("notification to %s failed", contact)


def to_users(users, event, *, kind: str, text: str) -> None:
    from gridgov.events.models import Notification

    Notification.objects.bulk_create(
        Notification(user=user, event=event, kind=kind, text=str(text)[:300]) for user in users
    )


def dispatchers_of(event, *, kind: str, text: str) -> None:
    """The dispatchers whose scope covers the event's place."""
    codes = [event.org_code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(event.org_code)]
    users = User.objects.filter(is_active=True, role_rows__role=Role.DISPATCHER, scope_code__in=codes).distinct()
    to_users(users, event, kind=kind, text=text)


def supervisors_at(level_code: str, event, *, kind: str, text: str) -> None:
    """Dispatchers whose scope is exactly the supervising level."""
    users = User.objects.filter(is_active=True, role_rows__role=Role.DISPATCHER, scope_code=level_code).distinct()
    to_users(users, event, kind=kind, text=text)


def unit_staff(department, event, *, kind: str, text: str) -> None:
    to_users(User.objects.filter(is_active=True, department=department), event, kind=kind, text=text)


def grid_workers_of(event, *, kind: str, text: str) -> None:
    users = User.objects.filter(is_active=True, grid_assignments__cell_id=event.org_code).distinct()
    to_users(users, event, kind=kind, text=text)


def reporter_of(event, *, kind: str) -> None:
    """Tell the person who reported it: in the app, and by e-mail or SMS if they left contact."""
    text = _("Your report %(code)s has been closed. Tell us if the problem is really solved.") % {
        "code": event.code}
    if event.reporter_id:
        to_users([event.reporter], event, kind=kind, text=text)
    contact = event.reporter_contact
    if contact:
        transaction.on_commit(lambda: _deliver(contact, text))
