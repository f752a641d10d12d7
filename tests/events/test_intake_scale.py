"""Intake at scale (issue 12): a submission's SQL is bounded and constant, and nothing it
holds until commit is county-wide — two submissions in one county proceed side by side.

The first tests count the statements of one API submission with a photo as production runs
it: no test transaction around it (so no savepoints of the test's own), its follow-up task
enqueued in the database queue when it commits. The PostgreSQL tests hold a transaction
open in one thread (an audit entry, an event code) while another submission in the same
county must finish; a lock it waited on would end it with `lock_timeout` instead of a hang.
"""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record, stripes_of, verify_all
from gridgov.core.models import AuditChainHead, AuditEntry
from gridgov.core.query_count import QueryCounter
from gridgov.events.audit_actions import EventAudit
from gridgov.events.codes import next_code
from gridgov.events.models import Channel, Event, Photo
from gridgov.events.services import Submission, event_submit
from tests.events.conftest import jpeg
from tests.events_api.conftest import POINT_A1, client_for  # noqa: F401
from tests.factories import Tree

pytestmark = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL")

# One submission's statements, production-like (see the module docstring): the token and the
# user's roles; the event's code (nextval on PostgreSQL, the counter's upsert on SQLite); the
# event, its two timeline rows and its photo, one insert each; the audit stripe's head
# (SKIP LOCKED), the entry and the head's move (one statement on PostgreSQL); the possible
# duplicates of the answer; the follow-up task enqueued after the commit. Category, cell,
# route, limits and calendars come from the caches: 10 statements on PostgreSQL, as
# `gridgov bench` counts them (core.query_count); the test's log also lists the transaction's
# BEGIN and COMMIT. SQLite makes the head's move a statement of its own, and its BEGIN
# IMMEDIATE is a statement there too.
STATEMENTS = 10 if connection.vendor == "postgresql" else 12
QUERIES = 12 if connection.vendor == "postgresql" else 13  # the test's log: with BEGIN and COMMIT


@pytest.fixture(autouse=True)
def _seeded_categories(transactional_db):
    """Committed data, emptied after each test: the seeded categories (a data migration)
    are put back for each test."""
    from gridgov.events.catalog import seed_categories

    seed_categories()


@pytest.fixture
def database_queue(settings):
    """The production queue (django-tasks' database backend) instead of the tests' immediate one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def post(client, i=0):
    body = {"category": "food.unlicensed", "description": f"路边无证小吃摊 {i}", **POINT_A1, "photos": [jpeg()]}
    return client.post("/api/v1/events/", body, format="multipart")


def submit(worker, i=0) -> Event:
    return event_submit(actor=worker, submission=Submission(
        category_code="food.unlicensed", description=f"路边无证小吃摊 {i}", channel=Channel.GRID_WORKER,
        lat=POINT_A1["lat"], lng=POINT_A1["lng"]))


def test_a_submission_with_a_photo_makes_the_same_few_queries_each_time(
        people, food_rule, client_for, database_queue, django_assert_num_queries):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    client = client_for(people["gw"])
    assert post(client).status_code == 201  # fills the caches and makes the county's chain heads
    with django_assert_num_queries(QUERIES):
        second = post(client, 1)
    with django_assert_num_queries(QUERIES):
        third = post(client, 2)
    counter = QueryCounter()  # what the benchmark's header says
    with connection.execute_wrapper(counter):
        assert post(client, 3).status_code == 201
    assert counter.queries == STATEMENTS
    assert (second.status_code, third.status_code) == (201, 201)
    event = Event.objects.get(pk=third.json()["id"])
    assert event.status == "dispatched" and event.department.code == "990101001-market"  # its local station
    assert event.owner_department.code == "990101-market"
    assert [e.action for e in event.timeline.order_by("id")] == ["register", "dispatch"]
    # The copies are made after the commit, by the queued task: none in the request.
    photo = Photo.objects.get(event=event)
    storage = photo.image.storage
    assert storage.exists(photo.image.name) and not storage.exists(photo.thumbnail.name)
    assert DBTaskResult.objects.filter(task_path="gridgov.events.tasks.after_intake").count() == 4


def test_the_follow_up_makes_the_copies_and_tells_the_unit(people, food_rule, client_for):  # noqa: F811
    from gridgov.core.models import Notification

    response = post(client_for(people["gw"]))  # the tests' queue runs the task at once, after the commit
    assert response.status_code == 201
    photo = Photo.objects.get(event_id=response.json()["id"])
    storage = photo.image.storage
    assert storage.exists(photo.public_image.name) and storage.exists(photo.thumbnail.name)
    assert Notification.objects.filter(user=people["station"], kind="dispatched",
                                       text__contains=response.json()["code"]).exists()


def test_a_photo_taken_with_a_later_action_gets_its_copies_after_the_commit(people, food_rule, client_for):  # noqa: F811
    from gridgov.events.services import ActionRequest, event_act

    # given: a report the station has accepted
    event = Event.objects.get(pk=post(client_for(people["gw"])).json()["id"])
    event_act(actor=people["station"], event=event, request=ActionRequest(action="accept"))
    # when: the station hands it in with a photo of the result (the tests' queue runs the task on commit)
    event_act(actor=people["station"], event=event,
              request=ActionRequest(action="handle", note="已取缔", photos=[jpeg("after.jpg")]))
    # then: that photo has its public copy and thumbnail, as a submission's has
    photo = Photo.objects.filter(event=event).order_by("-pk").first()
    storage = photo.image.storage
    assert storage.exists(photo.public_image.name) and storage.exists(photo.thumbnail.name)


def test_a_hostile_photo_is_still_refused_in_the_request(people, food_rule, client_for):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<html>not a picture</html>", content_type="image/jpeg")
    body = {"category": "food.unlicensed", "description": "x", **POINT_A1, "photos": [fake]}
    response = client_for(people["gw"]).post("/api/v1/events/", body, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()["fields"]
    assert not Event.objects.exists()


# --- PostgreSQL: nothing county-wide held until commit -----------------------------------------


class Holder:
    """A thread that runs `work()` in a transaction and keeps it open until released."""

    def __init__(self, work):
        self.work, self.ready, self.release, self.error = work, threading.Event(), threading.Event(), None
        self.result = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            with transaction.atomic():
                self.result = self.work()
                self.ready.set()
                assert self.release.wait(60)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.ready.set()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(30) and self.error is None, self.error
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.thread.join(30)
        assert not self.thread.is_alive() and self.error is None, self.error


@pytest.fixture
def lock_timeout():
    """A wait on a row lock in this connection fails after 5 s instead of hanging the test."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")


@postgres_only
def test_an_open_audit_entry_in_the_county_does_not_hold_back_a_submission(people, food_rule, lock_timeout):
    submit(people["gw"])  # the county's stripe heads exist, as in any county that has reported before

    def hold():
        return audit_record(actor=SystemActor("test"), action=EventAudit.SUBMIT, object_type="events.event",
                            object_id="0", org_code=Tree.CELL_A1)

    with Holder(hold) as holder:
        event = submit(people["gw"], 1)  # would wait on the held head until lock_timeout
        entry = AuditEntry.objects.get(object_type="events.event", object_id=str(event.pk))
    assert holder.result.chain == "990101" and entry.chain in stripes_of("990101")[1:]
    total, problems = verify_all()
    assert problems == [] and total == 3

    # Each stripe is a chain of its own: altering an entry of one is found, and named.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = 'altered' WHERE id = %s", [entry.pk])
    _total, problems = verify_all()
    assert [p.chain for p in problems] == [entry.chain] and "altered" in str(problems[0])


@postgres_only
def test_an_open_event_code_in_the_county_does_not_hold_back_a_submission(people, food_rule, lock_timeout):
    submit(people["gw"])
    with Holder(lambda: next_code(Tree.CELL_A1, timezone.localdate())) as holder:
        event = submit(people["gw"], 1)
    assert event.code != holder.result and event.code.startswith(f"990101-{timezone.localdate():%Y%m%d}-")


@postgres_only
def test_twenty_submissions_at_once_in_one_county_get_unique_codes_and_sound_chains(people, food_rule):
    worker = people["gw"]
    submit(worker)
    start, codes, errors = threading.Barrier(20), [], []

    def one(i):
        try:
            start.wait(30)
            codes.append(submit(worker, i).code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(codes) == 20 and len(set(codes)) == 20
    assert Event.objects.count() == 21
    total, problems = verify_all()
    assert problems == [] and total == 21
    heads = AuditChainHead.objects.filter(chain__in=stripes_of("990101"))
    assert sum(head.seq for head in heads) == 21


@postgres_only
def test_a_report_dated_in_the_past_takes_a_number_its_day_has_not_used(people, food_rule):
    today = timezone.localdate()
    live = next_code(Tree.CELL_A1, today)
    assert next_code(Tree.CELL_A1, today - datetime.timedelta(days=3)).endswith("-0001")
    # The sequence moved on to today: a code of today carries today's date and a new number.
    again = next_code(Tree.CELL_A1, today)
    assert again != live and again.split("-")[1] == f"{today:%Y%m%d}"
