"""Background sending of notifications through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.core.notifications.deliveries import deliveries_send_due, delivery_attempt
from gridgov.core.notifications.retention import notifications_cleanup


@task()
def deliver_notification(delivery_id: int) -> str:
    """Send one delivery (enqueued by `notify` once the caller's transaction commits)."""
    return delivery_attempt(delivery_id)


@task()
def deliver_due_notifications() -> int:
    """Retry the pending deliveries whose backoff has passed."""
    return deliveries_send_due()


@task()
def cleanup_notifications() -> dict:
    """Delete deliveries and read notifications past `GRIDGOV_NOTIFY_RETENTION_DAYS` (nightly)."""
    result = notifications_cleanup()
    return {"deliveries": result.deliveries, "notifications": result.notifications}
