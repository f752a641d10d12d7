"""Background work of participation, through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.participation.services.points import expire_all


@task()
def points_expire() -> int:
    """Points past their day, expired once a day (services.points.expire_due)."""
    return expire_all()


@task()
def volunteer_reminders() -> int:
    """Reminders of the shifts starting within a day (reminders.py), every hour."""
    from gridgov.participation.reminders import send_shift_reminders

    return send_shift_reminders()
