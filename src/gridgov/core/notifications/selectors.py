"""Reads of notifications: a user's own, unread first; their preferences."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, QuerySet, When
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.models_notifications import (
    OPTIONAL_CHANNELS,
    Delivery,
    Notification,
    NotificationContact,
    NotificationPreference,
)
from gridgov.core.notifications.kinds import kinds_for

# Added to the id of an unread notification so that one integer sorts unread first, newest
# first within each group (keyset pagination needs a single unique column).
UNREAD_OFFSET = 10**15


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, annotated with `unread_first` (order by `-unread_first`)."""
    return Notification.objects.filter(user=user).annotate(
        unread_first=Case(
            When(read_at__isnull=True, then=F("id") + UNREAD_OFFSET),
            default=F("id"),
            output_field=models.BigIntegerField(),
        )
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def access_notification(user, notification_id) -> Notification:
    """One of the user's own notifications; another's answers "not found" like a missing one."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        pk = -1
    notification = Notification.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
    if notification is None:
        raise NotFound(_("No such notification."))
    return notification


def notification_preferences_of(user) -> dict:
    """`{"kinds": [{"kind", "label", "channels": {"email": bool, "sms": bool}}], "sms_phone", "email"}`:
    each kind the user's roles may receive, with the user's choice or the kind's default."""
    chosen = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)}
    contact = NotificationContact.objects.filter(user=user).first()
    rows = [{"kind": k.code, "label": str(k.label),
             "channels": {str(c): chosen.get((k.code, c), c in k.default_channels) for c in OPTIONAL_CHANNELS}}
            for k in kinds_for(user)]
    return {"kinds": rows, "sms_phone": contact.sms_phone if contact else "", "email": user.email}


def deliveries_of(notification: Notification) -> QuerySet[Delivery]:
    return notification.deliveries.order_by("id")
