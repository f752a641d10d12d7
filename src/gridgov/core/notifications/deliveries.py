"""Sending one `Delivery` through its channel, recording each attempt.

An attempt that fails keeps the delivery pending, counts the attempt, keeps the error and
sets the next attempt after an exponential backoff (`GRIDGOV_NOTIFY_RETRY_SECONDS` × 2^(n-1));
after `GRIDGOV_NOTIFY_MAX_ATTEMPTS` attempts it is marked failed. Where the tasks backend can
defer work (the database and Celery backends) the retry is enqueued for that time; with any backend,
`deliveries_send_due` (task `deliver_due_notifications`, command `gridgov notifications_send_due`)
sends every pending delivery whose time has come.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.core.models_notifications import Delivery
from gridgov.core.notifications.channels import channel as configured_channel

log = logging.getLogger("gridgov.notify")


def max_attempts() -> int:
    return int(getattr(settings, "GRIDGOV_NOTIFY_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> datetime.timedelta:
    base = float(getattr(settings, "GRIDGOV_NOTIFY_RETRY_SECONDS", 60))
    return datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def delivery_attempt(delivery_id: int, *, now: datetime.datetime | None = None) -> str:
    """Try to send one pending delivery now; returns its status afterwards ("skipped" when it
    is no longer pending, e.g. sent by another worker)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, status=Delivery.Status.PENDING).first()
        if delivery is None:
            return "skipped"
        delivery.attempts += 1
        adapter = configured_channel(delivery.channel)
        try:
            if adapter is None:
                raise RuntimeError(f"channel {delivery.channel} is not configured")
            adapter.send(address=delivery.address, subject=delivery.subject, text=delivery.text)
        except Exception as error:  # noqa: BLE001 (any failure of the channel is recorded, never raised)
            delivery.last_error = f"{type(error).__name__}: {error}"[:300]
            if delivery.attempts >= max_attempts():
                delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
                log.warning("notification delivery %s failed for good: %s", delivery.pk, delivery.last_error)
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                retry_at = delivery.next_attempt_at
                transaction.on_commit(lambda: _schedule_retry(delivery_id, retry_at))
        else:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = Delivery.Status.SENT, now, None
            # Sent: the words now live with the receiver; the row keeps who, when and how.
            delivery.text = ""
        delivery.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at", "text"])
    return delivery.status


def _schedule_retry(delivery_id: int, when: datetime.datetime) -> None:
    from gridgov.core.notifications.tasks import deliver_notification

    if deliver_notification.get_backend().supports_defer:
        deliver_notification.using(run_after=when).enqueue(delivery_id)
    # Otherwise `deliveries_send_due` sends it when its time has come.


def deliveries_send_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery whose next attempt is due; returns how many were tried."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    for pk in ids:
        delivery_attempt(pk, now=now)
    return len(ids)
