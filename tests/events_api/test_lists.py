"""Lists: the event list's filters, overdue and traffic lights, keyset pages, categories,
notifications — each in a fixed number of queries whatever its length."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from gridgov.core.models import HolidayOverride, Notification, WorkSchedule
from gridgov.events.models import Event
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from tests.events_api.conftest import POINT_A1
from tests.factories import Tree, make_user

URL = "/api/v1/events/"


def submit(actor, category="food.unlicensed", **kwargs):
    fields = {"category_code": category, "description": "无证摊点", "channel": "grid_worker", **POINT_A1, **kwargs}
    # As when it commits: its follow-up (notifications, events.tasks) runs then.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return event_submit(actor=actor, submission=Submission(**fields))


def codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


@pytest.fixture
def three(people, food_rule):
    """A dispatched food event, an accepted one, and a blocked fire lane still registered."""
    food = submit(people["gw"])
    accepted = submit(people["gw"], lat=31.006)
    event_act(actor=people["station"], event=accepted, request=ActionRequest(action="accept"))
    lane = submit(people["gw"], category="fire.lane", description="消防通道堵塞", lat=31.007)
    return {"food": food, "accepted": accepted, "lane": lane}


def test_the_list_is_newest_first_with_the_row_shape(client_for, people, three):
    response = client_for(people["dispatcher"]).get(URL)

    assert codes(response) == [three["lane"].code, three["accepted"].code, three["food"].code]
    row = response.json()["results"][0]
    assert set(row) == {
        "id", "code", "status", "category", "category_name", "urgency", "channel", "description", "grid_code",
        "lat", "lng", "address", "place", "department", "step", "step_deadline", "deadlines", "light", "rework_count",
        "created_at", "updated_at", "closed_at"}
    assert (row["status"], row["department"], row["light"]) == ("registered", None, "green")
    assert set(response.json()) == {"next", "previous", "results"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "dispatched"}, ["food"]),
        ({"status": "dispatched,accepted"}, ["accepted", "food"]),
        ({"category": "food"}, ["accepted", "food"]),
        ({"category": "fire.lane"}, ["lane"]),
        ({"category": "fir"}, []),
        ({"department": "990101001-market"}, ["accepted", "food"]),
        ({"org": Tree.VILLAGE_A}, ["lane", "accepted", "food"]),
        ({"org": Tree.COUNTY_B}, []),
    ],
)
def test_list_filters(client_for, people, three, query, expected):
    response = client_for(people["dispatcher"]).get(URL, query)

    assert codes(response) == [three[name].code for name in expected]


def test_overdue_lists_open_events_past_their_step_deadline_in_red(client_for, people, three):
    Event.objects.filter(pk=three["food"].pk).update(step_deadline=timezone.now() - datetime.timedelta(minutes=1))
    closed = submit(people["gw"], category="fire.lane", lat=31.008)
    event_act(actor=people["gw"], event=closed, request=ActionRequest(action="resolve_on_site", note="已挪走"))
    Event.objects.filter(pk=closed.pk).update(step_deadline=timezone.now() - datetime.timedelta(days=1))

    response = client_for(people["dispatcher"]).get(URL, {"overdue": "true"})

    assert codes(response) == [three["food"].code]
    assert response.json()["results"][0]["light"] == "red"


def test_since_and_until_are_days_in_shanghai(client_for, people, three):
    today = timezone.localdate()
    old_day = today - datetime.timedelta(days=10)
    old_moment = timezone.make_aware(datetime.datetime.combine(old_day, datetime.time(0, 30)))
    Event.objects.filter(pk=three["food"].pk).update(created_at=old_moment)
    client = client_for(people["dispatcher"])

    assert codes(client.get(URL, {"until": old_day.isoformat()})) == [three["food"].code]
    assert codes(client.get(URL, {"since": today.isoformat()})) == [three["lane"].code, three["accepted"].code]
    assert codes(client.get(URL, {"since": old_day.isoformat(), "until": old_day.isoformat()})) == [
        three["food"].code]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "lost"}, "status"), ({"org": "abc"}, "org"), ({"since": "2026-13-01"}, "since"),
     ({"since": "2026-02-01", "until": "2026-01-01"}, "until"), ({"cursor": "nonsense"}, "cursor")],
)
def test_bad_filters_are_400(client_for, people, three, query, field):
    response = client_for(people["dispatcher"]).get(URL, query)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_light_turns_yellow_past_80_percent_of_the_working_time(client_for, people, food_rule):
    # given: round-the-clock working time these days, and 54 of the step's 60 minutes used
    WorkSchedule.objects.create(org_code="99", morning_start=datetime.time(0, 0), morning_end=datetime.time(12, 0),
                                afternoon_start=datetime.time(12, 0), afternoon_end=datetime.time(23, 59, 59))
    today = timezone.localdate()
    HolidayOverride.objects.bulk_create(HolidayOverride(date=today + datetime.timedelta(days=d), is_workday=True)
                                        for d in (-1, 0, 1))
    event = submit(people["gw"])
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(step_started_at=now - datetime.timedelta(minutes=54),
                                             step_deadline=now + datetime.timedelta(minutes=6))

    row = client_for(people["dispatcher"]).get(URL).json()["results"][0]

    assert row["light"] == "yellow"


def test_pages_are_keyset_cursors(client_for, people, three):
    client = client_for(people["dispatcher"])

    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["code"] for r in first["results"] + second["results"]] == [
        three["lane"].code, three["accepted"].code, three["food"].code]
    assert second["next"] is None


# --- query counts --------------------------------------------------------------------------


@pytest.fixture
def many(people, food_rule):
    def make(n):
        for i in range(n):
            submit(people["gw"], lat=31.001 + i * 0.0002)
    return make


@pytest.mark.parametrize("count", [3, 30])
def test_listing_events_costs_the_same_queries_whatever_their_number(
    client_for, people, many, django_assert_num_queries, count
):
    many(count)
    client = client_for(people["dispatcher"])

    # token, the user's roles, one page of events (category and department joined),
    # the working hours and the holidays for the lights
    with django_assert_num_queries(5):
        response = client.get(URL, {"status": "dispatched,registered", "category": "food"})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_a_station_lists_its_events_in_the_same_queries(client_for, people, many, django_assert_num_queries,
                                                        count):
    many(count)
    client = client_for(people["station"])

    with django_assert_num_queries(5):
        response = client.get(URL)

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("photos", [0, 3])
def test_reading_one_event_costs_the_same_queries_whatever_its_timeline(
    client_for, people, food_rule, django_assert_num_queries, photos
):
    from tests.events_api.conftest import jpeg

    event = submit(people["gw"], photos=[jpeg(f"{i}.jpg") for i in range(photos)])
    for action in ("accept", "return"):
        event_act(actor=people["station"], event=event, request=ActionRequest(action=action, reason="错派"))
    client = client_for(people["dispatcher"])

    # token, roles, the event, its timeline, the timeline's photos, working hours, holidays
    with django_assert_num_queries(7):
        response = client.get(f"{URL}{event.pk}/")

    assert len(response.json()["timeline"]) == 4


# --- categories ------------------------------------------------------------------------------


def test_categories_with_their_urgencies(client_for, people, categories):
    response = client_for(people["gw"]).get("/api/v1/categories/", {"page_size": 500})

    rows = {row["code"]: row for row in response.json()["results"]}
    assert rows["food.unlicensed"] == {
        "code": "food.unlicensed", "name": "无证经营", "parent": "food", "urgencies": ["ordinary", "urgent"],
        "fixable_on_site": False, "is_public": True, "is_leaf": True}
    assert rows["fire"]["urgencies"] == ["ordinary", "urgent", "critical"] and not rows["fire"]["is_leaf"]
    assert rows["fire.lane"]["fixable_on_site"] is True
    assert rows["fire.smoke_alarm"]["is_public"] is False


def test_categories_of_one_parent(client_for, people, categories):
    response = client_for(people["gw"]).get("/api/v1/categories/", {"parent": "food"})

    assert [row["code"] for row in response.json()["results"]] == [
        "food.drugs", "food.expired", "food.hygiene", "food.unlicensed"]


@pytest.mark.parametrize("page_size", [3, 30])
def test_listing_categories_costs_the_same_queries(client_for, people, categories, django_assert_num_queries,
                                                   page_size):
    client = client_for(people["gw"])

    with django_assert_num_queries(4):  # token, roles, a page of categories, the limits
        response = client.get("/api/v1/categories/", {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


# --- notifications -------------------------------------------------------------------------


def test_my_notifications_unread_first_and_marking_one_read(client_for, people, food_rule):
    # given: three notifications for the station, the oldest already read
    station = people["station"]
    first, second, third = (submit(people["gw"], lat=31.001 + i * 0.001) for i in range(3))
    notes = list(Notification.objects.filter(user=station).order_by("id"))
    assert len(notes) == 3
    Notification.objects.filter(pk=notes[0].pk).update(read_at=timezone.now())
    client = client_for(station)

    # when
    listed = client.get("/api/v1/notifications/").json()["results"]
    marked = client.post(f"/api/v1/notifications/{notes[2].pk}/read/")

    # then
    assert [row["id"] for row in listed] == [notes[2].pk, notes[1].pk, notes[0].pk]
    assert [row["read"] for row in listed] == [False, False, True]
    assert listed[0]["event_code"] == third.code and listed[0]["kind"] == "dispatched"
    assert marked.status_code == 200 and marked.json()["read"] is True
    after = client.get("/api/v1/notifications/").json()["results"]
    assert [row["id"] for row in after] == [notes[1].pk, notes[2].pk, notes[0].pk]


def test_nobody_reads_anothers_notifications(client_for, people, food_rule):
    submit(people["gw"])
    note = Notification.objects.filter(user=people["station"]).get()

    response = client_for(people["dispatcher"]).post(f"/api/v1/notifications/{note.pk}/read/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_notification_pages_keep_unread_first_across_the_cursor(client_for, tree):
    user = make_user("many", "dispatcher", scope=Tree.COUNTY_A)
    notes = Notification.objects.bulk_create(Notification(user=user, kind="x", text=str(i)) for i in range(5))
    Notification.objects.filter(pk__in=[notes[1].pk, notes[3].pk]).update(read_at=timezone.now())
    client = client_for(user)

    texts, page = [], client.get("/api/v1/notifications/", {"page_size": 2}).json()
    while True:
        texts += [row["text"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()

    assert texts == ["4", "2", "0", "3", "1"]


@pytest.mark.parametrize("count", [3, 30])
def test_listing_notifications_costs_the_same_queries(client_for, tree, django_assert_num_queries, count):
    user = make_user("many", "dispatcher", scope=Tree.COUNTY_A)
    Notification.objects.bulk_create(Notification(user=user, kind="x", text=str(i)) for i in range(count))
    client = client_for(user)

    # token, a page of notifications (the event's id and code are on the row: no join, no roles)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/notifications/")

    assert len(response.json()["results"]) == count
