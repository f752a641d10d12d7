"""The follow-up a submission leaves for after its commit (photos' copies, the notice) is
marked on the event until done, so that a task that was never enqueued — the process died
between the commit and the queue — is found by the sweep (`gridgov events_follow_up`) and
done once: a late task and the sweep never send the notice twice, and a notice that the
event's progress made pointless (a dispatcher took it up meanwhile) is not sent at all.

The database queue of production stands in for the lost enqueue: its task rows are deleted
before any worker ran them, as if they had never been written."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.core.models import Notification
from gridgov.events.models import Event, Photo
from gridgov.events.services import ActionRequest, event_act
from gridgov.events.tasks import FOLLOW_UP_GRACE, after_intake, sweep_missed_follow_ups
from tests.events.conftest import jpeg
from tests.events_api.conftest import POINT_A1, client_for  # noqa: F401

pytestmark = pytest.mark.django_db


class LostQueue:
    """From `start()` on, tasks go to the production queue; `lose()` loses what is there."""

    def __init__(self, settings):
        self.settings = settings

    def start(self):
        self.settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        return self

    def __call__(self):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()


@pytest.fixture
def lost_queue(settings):
    """Every task a submission enqueues is lost."""
    return LostQueue(settings).start()


@pytest.fixture
def later_lost_queue(settings):
    """The tests' immediate queue until the test calls `start()`."""
    return LostQueue(settings)


def report(client, point=POINT_A1, **fields):
    body = {"category": "food.unlicensed", "description": "路边无证小吃摊", **point, "photos": [jpeg()], **fields}
    response = client.post("/api/v1/events/", body, format="multipart")
    assert response.status_code == 201, response.content
    return Event.objects.get(pk=response.json()["id"])


def age(event, by=FOLLOW_UP_GRACE + datetime.timedelta(minutes=1)):
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now() - by)


def copies_made(event) -> list[bool]:
    return [p.image.storage.exists(p.public_image.name) and p.image.storage.exists(p.thumbnail.name)
            for p in Photo.objects.filter(event=event).order_by("pk")]


def sent(user, event, kind):
    return Notification.objects.filter(user=user, kind=kind, text__contains=event.code).count()


def test_a_lost_follow_up_is_done_by_the_sweep_once_its_grace_is_over(
        people, food_rule, client_for, lost_queue, django_capture_on_commit_callbacks):  # noqa: F811
    # given: a report routed to the station whose follow-up task was lost after the commit
    with django_capture_on_commit_callbacks(execute=True):
        event = report(client_for(people["gw"]))
    lost_queue()
    event.refresh_from_db()
    assert event.follow_up_pending == "dispatched"
    assert copies_made(event) == [False] and sent(people["station"], event, "dispatched") == 0
    # when: the sweep runs within the grace (the task may still be on its way): nothing yet
    assert sweep_missed_follow_ups.call() == 0
    # when: it runs after the grace
    age(event)
    assert sweep_missed_follow_ups.call() == 1
    # then: the copies are made, the station is told once, and nothing is owed any more
    event.refresh_from_db()
    assert event.follow_up_pending == "" and copies_made(event) == [True]
    assert sent(people["station"], event, "dispatched") == 1
    assert sweep_missed_follow_ups.call() == 0
    # and the lost task turning up after all sends nothing twice
    after_intake.call(event.pk, list(event.photos.values_list("pk", flat=True)), "dispatched", "zh-hans")
    assert sent(people["station"], event, "dispatched") == 1


def test_a_late_task_first_leaves_the_sweep_nothing(
        people, food_rule, client_for, lost_queue, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        event = report(client_for(people["gw"]))
    lost_queue()
    after_intake.call(event.pk, list(event.photos.values_list("pk", flat=True)), "dispatched", "zh-hans")
    age(event)
    assert sweep_missed_follow_ups.call() == 0
    assert sent(people["station"], event, "dispatched") == 1 and copies_made(event) == [True]


def test_a_notice_the_event_moved_past_is_not_sent_late(
        people, food_rule, client_for, lost_queue, django_capture_on_commit_callbacks):  # noqa: F811
    # given: a report no rule routes (it awaits dispatch) whose follow-up was lost
    with django_capture_on_commit_callbacks(execute=True):
        event = report(client_for(people["gw"]), category="fire.lane")
    lost_queue()
    assert Event.objects.get(pk=event.pk).follow_up_pending == "new_event"
    # and a dispatcher who took it up meanwhile, from the queue
    event_act(actor=people["dispatcher"], event=event,
              request=ActionRequest(action="dispatch", department="990101-market"))
    lost_queue()
    age(event)
    # when: the sweep runs
    assert sweep_missed_follow_ups.call() == 1
    # then: the photo has its copies, and no dispatcher hears that it "awaits dispatch"
    assert copies_made(event) == [True]
    assert Notification.objects.filter(kind="new_event", text__contains=event.code).count() == 0
    assert Event.objects.get(pk=event.pk).follow_up_pending == ""


def test_a_photo_of_a_later_action_is_marked_and_swept_too(
        people, food_rule, client_for, later_lost_queue, django_capture_on_commit_callbacks):  # noqa: F811
    # given: a report followed up as usual (the tests' immediate queue), then accepted
    with django_capture_on_commit_callbacks(execute=True):
        event = report(client_for(people["gw"]))
    assert Event.objects.get(pk=event.pk).follow_up_pending == ""
    event_act(actor=people["station"], event=event, request=ActionRequest(action="accept"))
    # when: the station hands it in with a photo, and that task is lost
    lost_queue = later_lost_queue.start()
    with django_capture_on_commit_callbacks(execute=True):
        event_act(actor=people["station"], event=event,
                  request=ActionRequest(action="handle", note="已取缔", photos=[jpeg("after.jpg")]))
    lost_queue()
    assert Event.objects.get(pk=event.pk).follow_up_pending == "photos"
    assert copies_made(event) == [True, False]
    age(event)
    out = io.StringIO()
    call_command("events_follow_up", stdout=out)
    # then: the command made the copies and says how many events it followed up
    assert "1 event(s) followed up." in out.getvalue()
    assert copies_made(event) == [True, True] and Event.objects.get(pk=event.pk).follow_up_pending == ""


def test_the_usual_path_owes_nothing(people, food_rule, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        event = report(client_for(people["gw"]))
    age(event)
    assert Event.objects.get(pk=event.pk).follow_up_pending == ""
    assert sweep_missed_follow_ups.call() == 0
    assert sent(people["station"], event, "dispatched") == 1
