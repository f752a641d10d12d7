"""Background work of the event loop, through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.events.supervision import escalate_overdue


@task()
def escalate_overdue_events() -> int:
    return escalate_overdue()
