"""Every list page and partial costs the same number of queries for 3 rows as for 30."""

import datetime
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.core.models import Notification
from gridgov.events.forms import MOBILE_PAGE_SIZE
from gridgov.events.models import Category, Channel, Event, Photo
from gridgov.events.workflow import Status
from tests.factories import Tree

# session, user, the user's roles, the scope's name in the header, the unread badge
BASE = 5


def make_events(n, *, status, reporter=None, department=None, owner=None, rework=0, photos=False, spread=True):
    """`n` events of cell A1 straight into the table (the services are tested elsewhere)."""
    now = timezone.now()
    category = Category.objects.get(code="food.unlicensed")
    events = Event.objects.bulk_create([
        Event(
            code=f"990101-20260105-{i:04d}", category=category, description=f"摊位{i}", channel=Channel.GRID_WORKER,
            status=status, org_code=Tree.CELL_A1,
            # 1 km apart unless asked otherwise: no duplicates among them
            lat=31.0 + (i * 0.0003 if spread else 0.005), lng=120.005, reporter=reporter,
            department=department, owner_department=owner or department, public_token=secrets.token_urlsafe(24),
            step="handle", step_started_at=now - datetime.timedelta(hours=1),
            step_deadline=now + datetime.timedelta(days=3), rework_count=rework,
        )
        for i in range(1, n + 1)
    ])
    if photos:
        Photo.objects.bulk_create([
            Photo(event=e, image="events/x.jpg", public_image="events/public/x.jpg", thumbnail="events/thumbs/x.jpg")
            for e in events
        ])
    return events


@pytest.mark.parametrize("n", [3, 30])
def test_queue_query_count(login, people, departments, django_assert_num_queries, n):
    make_events(n, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    client = login(people["dispatcher"])

    # the filter choices (categories, departments), the page of events, the calendars
    # (schedules, holiday overrides), the places' names, the duplicate candidates
    with django_assert_num_queries(BASE + 7):
        response = client.get(reverse("events-queue"))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_queue_partial_with_returned_events_query_count(login, people, departments, django_assert_num_queries, n):
    from gridgov.events.models import TimelineEntry

    events = make_events(n, status=Status.RETURNED, owner=departments["market"])
    TimelineEntry.objects.bulk_create([
        TimelineEntry(event=e, action="return", from_status="dispatched", to_status="returned", at=timezone.now(),
                      actor_label="所员", extra={"reason": "不归我们", "returned_by": "990101001-market",
                                                "suggested_department": "990101-housing"})
        for e in events
    ])
    client = login(people["dispatcher"])

    # no header in a partial: session, user, roles; then the filter choices, the events (with
    # each one's last return and the names of its units, in the same query), the calendars,
    # the places' names, the duplicate candidates
    with django_assert_num_queries(3 + 7):
        response = client.get(reverse("events-queue"), {"status": "returned"}, HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="queue-results")

    assert response.content.decode().count("Returned by 镇市场监管所") == n


@pytest.mark.parametrize("n", [3, 30])
def test_inbox_query_count(login, people, departments, django_assert_num_queries, n):
    make_events(n, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    client = login(people["station"])

    # the user's station, the tab counts, the page of events, the calendars, the places' names
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("events-inbox"))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_inbox_rework_query_count(login, people, departments, django_assert_num_queries, n):
    make_events(n, status=Status.ACCEPTED, department=departments["station"], owner=departments["market"], rework=1)
    client = login(people["station"])

    # as above: the failed verifications' notes come with the page of events
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("events-inbox"), {"tab": "rework"})

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_my_reports_query_count(login, people, departments, django_assert_num_queries, n):
    make_events(n, status=Status.DISPATCHED, reporter=people["gw"], department=departments["station"])
    client = login(people["gw"])

    # the worker's cells, the count to verify, the page of events, the calendars, the places' names
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("events-mobile"), {"tab": "mine"})

    assert len(response.context["rows"]) == min(n, MOBILE_PAGE_SIZE)
    assert bool(response.context["next_url"]) is (n > MOBILE_PAGE_SIZE)


@pytest.mark.parametrize("n", [3, 30])
def test_verify_queue_query_count(login, people, departments, django_assert_num_queries, n):
    make_events(n, status=Status.HANDLED, department=departments["station"], photos=True)
    client = login(people["gw"])

    # the worker's cells, the count to verify, the page of events, their photos, the calendars,
    # the places' names
    with django_assert_num_queries(BASE + 7):
        response = client.get(reverse("events-mobile"), {"tab": "verify"})

    assert len(response.context["rows"]) == min(n, MOBILE_PAGE_SIZE)
    assert response.content.decode().count('class="card verify-item"') == min(n, MOBILE_PAGE_SIZE)


@pytest.mark.parametrize("n", [3, 30])
def test_my_reports_next_page_partial_query_count(login, people, departments, django_assert_num_queries, n):
    events = make_events(n + 1, status=Status.DISPATCHED, reporter=people["gw"], department=departments["station"])
    client = login(people["gw"])

    # a partial: session, user, roles; the cells, the count to verify, the events, the calendars,
    # the places' names
    with django_assert_num_queries(3 + 6):
        response = client.get(reverse("events-mobile"), {"tab": "mine", "after": events[-1].pk},
                              HTTP_HX_REQUEST="true", HTTP_HX_TARGET="mine-results")

    assert len(response.context["rows"]) == min(n, MOBILE_PAGE_SIZE)
    assert "<html" not in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_notifications_query_count(login, people, django_assert_num_queries, n):
    Notification.objects.bulk_create(
        Notification(user=people["station"], kind="dispatched", text=f"通知{i}") for i in range(n))
    client = login(people["station"])

    # the page of notifications (with their events)
    with django_assert_num_queries(BASE + 1):
        response = client.get(reverse("notifications"))

    assert len(response.context["items"]) == n
