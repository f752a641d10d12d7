"""Background work of mediation, through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.mediation.reminders import send_reminders


@task()
def mediation_reminders() -> dict:
    """Today's reminders (reminders.py), once a day; a second run the same day sends nothing new."""
    return send_reminders()
