"""Keeping notifications no longer than needed (PIPL art. 19: no longer than the purpose
needs): a delivery record (who was sent what, when, through which channel, and the masked
address) and an in-app notification the user has read are deleted once older than
`GRIDGOV_NOTIFY_RETENTION_DAYS` (default 180). Unread notifications stay until read.

Run nightly: the command `gridgov notifications_cleanup` or the task `cleanup_notifications`
(django-tasks). Deletes in batches, so that a first run over a large table does not hold one
long transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.core.models_notifications import Delivery, Notification

BATCH = 2000


def retention_days() -> int:
    return int(getattr(settings, "GRIDGOV_NOTIFY_RETENTION_DAYS", 180))


@dataclass(frozen=True)
class CleanupResult:
    deliveries: int
    notifications: int


def _delete_in_batches(queryset) -> int:
    total = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            # Each batch's deliveries first, then the rows themselves (no cascade collection).
            if queryset.model is Notification:
                Delivery.objects.filter(notification_id__in=ids).delete()
            queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def notifications_cleanup(*, now: datetime.datetime | None = None, days: int | None = None) -> CleanupResult:
    """Delete the deliveries made, and the read notifications created, more than `days`
    (default `retention_days()`) ago. Returns how many of each were deleted."""
    days = retention_days() if days is None else days
    if days < 1:
        raise ValueError("the retention must be at least one day")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deliveries = _delete_in_batches(Delivery.objects.filter(created_at__lt=cutoff))
    notifications = _delete_in_batches(Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff))
    return CleanupResult(deliveries=deliveries, notifications=notifications)
