"""Background work of the event loop, through the Tasks API (django-tasks)."""

import datetime
import logging

from django_tasks import task

from gridgov.events.supervision import escalate_overdue
from gridgov.events.workflow import Status

logger = logging.getLogger("gridgov.events")


@task()
def escalate_overdue_events() -> int:
    return escalate_overdue()


@task()
def after_intake(event_id: int, photo_ids: list[int], notice: str, language: str = "") -> int:
    """What a submission leaves for after its commit (issue 12): the public copy and the
    thumbnail of each photo (`photos.render_copies`, which skips copies already made), and
    telling whom the event concerns — `dispatched`: the staff of the unit the rule sent it to;
    `new_event`: the dispatchers of its place. The notice goes once: the run that clears the
    event's `follow_up_pending` sends it, a later one (the sweep's, a retry) does not. Returns
    the photos rendered."""
    from gridgov.events.models import Photo
    from gridgov.events.photos import render_copies
    from gridgov.events.services.intake import PHOTOS_ONLY

    rendered = sum(render_copies(photo) for photo in Photo.objects.filter(pk__in=photo_ids, event_id=event_id))
    settle_follow_up(event_id, marker=notice or PHOTOS_ONLY, notice=notice, language=language)
    return rendered


def settle_follow_up(event_id: int, *, marker: str, notice: str, language: str = "") -> bool:
    """Clear the event's `follow_up_pending` if it is still `marker` and, in the same
    transaction, send `notice`; False when another run had settled it."""
    from django.db import transaction
    from django.utils import translation

    from gridgov.events.models import Event

    with transaction.atomic():
        if not Event.objects.filter(pk=event_id, follow_up_pending=marker).update(follow_up_pending=""):
            return False
        event = Event.objects.select_related("department").filter(pk=event_id).first() if notice else None
        if event is not None:
            with translation.override(language or None):
                tell_about_new_event(event, notice)
    return True


# A follow-up still owed this long after the event's last change had no task: its enqueue was
# lost (the process died after the commit) or its task failed for good.
FOLLOW_UP_GRACE = datetime.timedelta(minutes=15)

# The status in which each notice still makes sense: a dispatcher who took the event up
# meanwhile needs no "awaits dispatch", a unit that moved it on no "sent to you".
_NOTICE_STILL_DUE = {"new_event": Status.REGISTERED, "dispatched": Status.DISPATCHED}


@task()
def sweep_missed_follow_ups(batch: int = 500) -> int:
    """Do the follow-ups (photos' copies, the notice while still due) of the events whose task
    never ran; returns the events settled. Run every few minutes (`gridgov events_follow_up`)."""
    from django.conf import settings
    from django.utils import timezone

    from gridgov.events.models import Event, Photo
    from gridgov.events.photos import render_copies
    from gridgov.events.services.intake import PHOTOS_ONLY

    cutoff = timezone.now() - FOLLOW_UP_GRACE
    owed = list(Event.objects.exclude(follow_up_pending="").filter(updated_at__lt=cutoff)
                .order_by("updated_at").values_list("pk", "follow_up_pending", "status")[:batch])
    settled = 0
    for event_id, pending, status in owed:
        for photo in Photo.objects.filter(event_id=event_id):
            render_copies(photo)
        notice = pending if _NOTICE_STILL_DUE.get(pending) == status else ""
        if settle_follow_up(event_id, marker=pending, notice=notice, language=settings.LANGUAGE_CODE):
            settled += 1
            logger.warning("event %s: its follow-up (%s) had no task; done by the sweep%s", event_id, pending,
                           "" if notice or pending == PHOTOS_ONLY else ", the notice no longer due")
    return settled


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
