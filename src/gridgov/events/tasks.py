"""Background work of the event loop, through the Tasks API (django-tasks)."""

import logging

from django_tasks import task

from gridgov.events.supervision import escalate_overdue

logger = logging.getLogger("gridgov.events")


@task()
def escalate_overdue_events() -> int:
    return escalate_overdue()


@task()
def after_intake(event_id: int, photo_ids: list[int], notice: str, language: str = "") -> int:
    """What a submission leaves for after its commit (issue 12): the public copy and the
    thumbnail of each photo (`photos.render_copies`), and telling whom the event concerns —
    `dispatched`: the staff of the unit the rule sent it to; `new_event`: the dispatchers of
    its place. Returns the photos rendered."""
    from django.utils import translation

    from gridgov.events.models import Event, Photo
    from gridgov.events.photos import render_copies

    rendered = sum(render_copies(photo) for photo in Photo.objects.filter(pk__in=photo_ids, event_id=event_id))
    event = Event.objects.select_related("department").filter(pk=event_id).first() if notice else None
    if event is not None:
        with translation.override(language or None):
            tell_about_new_event(event, notice)
    return rendered


def tell_about_new_event(event, notice: str) -> None:
    """`dispatched`: the staff of the unit the rule sent the event to; `new_event`: the
    dispatchers of its place."""
    from django.utils.translation import gettext as _

    from gridgov.events import notify

    if notice == "dispatched" and event.department is not None:
        notify.unit_staff(event.department, event, kind="dispatched",
                          text=_("Event %(code)s was sent to you.") % {"code": event.code})
    elif notice == "new_event":
        notify.dispatchers_of(event, kind="new_event",
                              text=_("New event %(code)s awaits dispatch.") % {"code": event.code})


def enqueue_after_intake(event_id: int, photo_ids: list[int], notice: str, language: str) -> None:
    """Enqueue `after_intake` (called when the submission commits). A queue out of reach
    leaves the event and its record photos committed: the copies and notices are then
    done in the request instead of being lost."""
    try:
        after_intake.enqueue(event_id, photo_ids, notice, language)
    except Exception:  # noqa: BLE001 - a broker outage must not turn a committed report into a 500
        logger.exception("could not enqueue the follow-up of event %s; doing it in the request", event_id)
        after_intake.call(event_id, photo_ids, notice, language)
