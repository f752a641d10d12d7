"""The events' timeline partitioned by month on PostgreSQL (issue 12): photos keep their link to
their timeline entry, merges and deletions still cascade. Skips on SQLite."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from gridgov.core import partitions
from gridgov.events.models import Event, Photo, TimelineEntry
from gridgov.events.services import event_merge
from gridgov.events.workflow import Status
from tests.events.conftest import jpeg
from tests.events.test_loop import act, submit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="table partitioning is PostgreSQL's")


def _partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM events_timelineentry WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _entry_at_of(photo: Photo):
    with connection.cursor() as cursor:
        cursor.execute("SELECT entry_at FROM events_photo WHERE id = %s", [photo.pk])
        return cursor.fetchone()[0]


def _immediate():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _month(year, month, day=10):
    return dt.datetime(year, month, day, 9, tzinfo=partitions.local_zone())


@pytest.fixture
def two_months():
    """Partitions for October and November 2026, whenever the test runs."""
    for month in (10, 11):
        with time_machine.travel(_month(2026, month), tick=False):
            call_command("partitions", ahead=0)


def test_a_handled_events_photo_keeps_its_timeline_entry_across_months(people, food_rule, two_months):
    with time_machine.travel(_month(2026, 10, 30)):
        event = submit(people["gw"])
        act(people["station"], event, "accept")
    with time_machine.travel(_month(2026, 11, 2)):
        act(people["station"], event, "handle", note="已取缔", photos=[jpeg()])

    handled = event.timeline.get(action="handle")
    photo = Photo.objects.get(event=event, entry__isnull=False)
    assert photo.entry == handled
    assert _entry_at_of(photo) == handled.at
    assert _partition_of(event.timeline.get(action="register").pk) == "events_timelineentry_p202610"
    assert _partition_of(handled.pk) == "events_timelineentry_p202611"
    assert [e.action for e in Event.objects.get(pk=event.pk).timeline.all()] == [
        "register", "dispatch", "accept", "handle"]
    _immediate()


def test_a_merge_across_months_cancels_the_duplicate(people, food_rule, two_months):
    with time_machine.travel(_month(2026, 10, 20)):
        original = submit(people["gw"])
        duplicate = submit(people["gw"], description="同一个无证小吃摊")
    with time_machine.travel(_month(2026, 11, 3)):
        merged = event_merge(actor=people["dispatcher"], duplicate=duplicate, original=original)

    assert merged.status == Status.CANCELLED and merged.duplicate_of == original
    assert {_partition_of(e.pk) for e in merged.timeline.all()} == {
        "events_timelineentry_p202610", "events_timelineentry_p202611"}
    _immediate()


def test_deleting_an_event_through_the_orm_takes_its_timeline_and_photos(people, food_rule):
    event = submit(people["gw"], photos=[jpeg()])
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="已取缔", photos=[jpeg()])
    other = submit(people["gw"])

    Event.objects.filter(pk=event.pk).delete()
    _immediate()

    assert not TimelineEntry.objects.filter(event_id=event.pk).exists()
    assert not Photo.objects.filter(event_id=event.pk).exists()
    assert TimelineEntry.objects.filter(event=other).count() == 2


def test_deleting_a_timeline_entry_unlinks_its_photos(people, food_rule):
    event = submit(people["gw"])
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="已取缔", photos=[jpeg()])
    photo = Photo.objects.get(event=event, entry__isnull=False)

    photo.entry.delete()
    _immediate()

    photo.refresh_from_db()
    assert photo.entry is None and _entry_at_of(photo) is None


def test_a_photo_of_a_missing_timeline_entry_is_refused(people, food_rule):
    event = submit(people["gw"], photos=[jpeg()])
    photo = Photo.objects.filter(event=event).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Photo.objects.filter(pk=photo.pk).update(entry_id=10**9)
        _immediate()
