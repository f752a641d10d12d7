"""The hot read paths of the event loop (issue 12): the filtered lists, the inbox's tabs, the
queue's duplicate hints, the public Open311 list and the ranking, each in a number of queries
that does not grow with the rows, and with the same answers as before they were made lean."""

import datetime
import math
import random
import secrets

import pytest
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.events import scoring, selectors
from gridgov.events.models import Category, Channel, Event, TimelineEntry
from gridgov.events.workflow import OPEN_STATUSES, Status
from tests.events_views.conftest import _fresh_cache, login  # noqa: F401
from tests.factories import Tree, make_api_token

EVENTS_API = "/api/v1/events/"
OPEN311 = "/open311/v2/requests.json"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def make_events(n, *, status=Status.DISPATCHED, department=None, owner=None, created_at=None, channel=None,
                points=None, category="food.unlicensed"):
    """`n` events of cell A1 straight into the table (the services are tested elsewhere)."""
    now = timezone.now()
    category = Category.objects.get(code=category)
    events = Event.objects.bulk_create([
        Event(
            code=f"990101-20250105-{secrets.token_hex(4)}", category=category, description=f"摊位{i}",
            channel=channel or Channel.GRID_WORKER, status=status, org_code=Tree.CELL_A1,
            lat=points[i][0] if points else 31.0 + i * 0.001, lng=points[i][1] if points else 120.005,
            department=department, owner_department=owner or department, public_token=secrets.token_urlsafe(24),
            step="handle" if status in OPEN_STATUSES else "", step_started_at=now,
            step_deadline=now + datetime.timedelta(days=3) if status in OPEN_STATUSES else None,
            handle_deadline=(created_at or now) + datetime.timedelta(days=5),
        )
        for i in range(n)
    ])
    if created_at is not None:
        Event.objects.filter(pk__in=[e.pk for e in events]).update(created_at=created_at)
    return events


# --- 1. filtered lists: exact queries with 1 and with many rows ------------------------------


@pytest.mark.parametrize("n", [1, 40])
@pytest.mark.parametrize("query", [{"since": "2025-01-01", "until": "2025-01-31"}, {"department": "990101001-market"}])
def test_a_filtered_api_list_costs_the_same_queries_whatever_its_length(
        people, departments, categories, django_assert_num_queries, n, query):
    january = timezone.make_aware(datetime.datetime(2025, 1, 15, 10))
    make_events(n, department=departments["station"], created_at=january)
    make_events(3, department=departments["housing"])  # outside both filters
    client = api(people["dispatcher"])

    # token, roles, (the department's id), the page, the working hours, the holidays
    with django_assert_num_queries(5 + ("department" in query)):
        response = client.get(EVENTS_API, query)

    assert len(response.json()["results"]) == n


def test_a_time_window_lists_newest_first_and_pages_by_cursor(people, departments, categories):
    january = timezone.make_aware(datetime.datetime(2025, 1, 15, 10))
    events = make_events(5, department=departments["station"], created_at=january)
    for offset, event in enumerate(events):  # reported in the opposite order of their ids
        Event.objects.filter(pk=event.pk).update(created_at=january - datetime.timedelta(hours=offset))
    client = api(people["dispatcher"])

    first = client.get(EVENTS_API, {"since": "2025-01-01", "page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == [e.pk for e in events]
    assert second["next"] is None


@pytest.mark.parametrize("n", [1, 40])
def test_the_queue_filtered_by_unit_and_window_costs_the_same_queries(
        login, people, departments, categories, django_assert_num_queries, n):
    january = timezone.make_aware(datetime.datetime(2025, 1, 15, 10))
    make_events(n, department=departments["station"], created_at=january)
    client = login(people["dispatcher"])

    # session, user, roles, the scope's name, the badge; the filter choices (categories,
    # departments), the department's id, the page, the calendars (schedules, holidays), the
    # places' names, the duplicate candidates
    with django_assert_num_queries(5 + 8):
        response = client.get(reverse("events-queue"), {"status": "all", "department": "990101001-market",
                                                         "since": "2025-01-01", "until": "2025-01-31"})

    assert len(response.context["rows"]) == n


def test_the_queue_pages_a_window_in_report_time(login, people, departments, categories):
    january = timezone.make_aware(datetime.datetime(2025, 1, 15, 10))
    events = make_events(60, department=departments["station"], created_at=january)
    for offset, event in enumerate(events):
        Event.objects.filter(pk=event.pk).update(created_at=january - datetime.timedelta(minutes=offset))
    client = login(people["dispatcher"])
    params = {"status": "all", "since": "2025-01-01"}

    first = client.get(reverse("events-queue"), params)
    second = client.get(reverse("events-queue"), {**params, "after": first.context["rows"][-1].event.pk})

    shown = [row.event.pk for row in first.context["rows"] + second.context["rows"]]
    assert shown == [e.pk for e in events]


# --- 2. the inbox counts open work only ------------------------------------------------------


@pytest.mark.parametrize("closed", [1, 40])
def test_the_inbox_tabs_count_open_work_whatever_the_history(
        login, people, departments, categories, django_assert_num_queries, closed):
    make_events(closed, status=Status.CLOSED, department=departments["station"], owner=departments["market"])
    make_events(2, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    make_events(1, status=Status.ACCEPTED, department=departments["station"], owner=departments["market"])
    client = login(people["station"])

    # session, user, roles, scope name, badge; the user's station, the tab counts, the page,
    # the calendars (schedules, holidays), the places' names
    with django_assert_num_queries(5 + 6):
        response = client.get(reverse("events-inbox"))

    assert [(key, count) for key, _label, count in response.context["tabs"]] == [
        ("to_accept", 2), ("handling", 1), ("rework", 0)]
    department = login(people["department"]).get(reverse("events-inbox"))
    assert dict((key, count) for key, _label, count in department.context["tabs"])["stations"] == 3


# --- 3. duplicate hints: the same as comparing every pair --------------------------------------


def old_duplicate_hints(events):
    """The rule as it was before issue 12: every event against every candidate of the page."""
    placed = [e for e in events if e.lat is not None and e.lng is not None and e.status in OPEN_STATUSES]
    if not placed:
        return {}
    near = Q()
    for event in placed:
        d_lat = selectors.DUPLICATE_RADIUS_M / 111_320
        d_lng = selectors.DUPLICATE_RADIUS_M / (111_320 * max(math.cos(math.radians(event.lat)), 0.01))
        near |= Q(category_id=event.category_id, lat__range=(event.lat - d_lat, event.lat + d_lat),
                  lng__range=(event.lng - d_lng, event.lng + d_lng))
    candidates = list(Event.objects.filter(near, status__in=OPEN_STATUSES).order_by("created_at", "id"))
    hints = {}
    for event in placed:
        found = [c for c in candidates if c.pk != event.pk and c.category_id == event.category_id
                 and selectors.haversine_m(event.lat, event.lng, c.lat, c.lng) <= selectors.DUPLICATE_RADIUS_M]
        if found:
            hints[event.pk] = found
    return hints


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_duplicate_hints_are_those_of_comparing_every_pair(departments, categories, seed):
    # given: 150 open events crowded into ~300 m (many within 50 m of each other), of two
    # categories, and some closed ones among them
    rng = random.Random(seed)
    points = [(31.0 + rng.random() * 0.003, 120.0 + rng.random() * 0.003) for _ in range(150)]
    make_events(100, points=points[:100])
    make_events(30, points=points[100:130], category="fire.lane")
    make_events(20, status=Status.CLOSED, points=points[130:])
    page = list(Event.objects.order_by("-id")[:50]) + list(Event.objects.order_by("id")[:20])

    hints = selectors.duplicate_hints(page)

    expected = old_duplicate_hints(page)
    assert sum(len(v) for v in expected.values()) > 100  # the crowd does give hints
    assert {k: [c.pk for c in v] for k, v in hints.items()} == {k: [c.pk for c in v] for k, v in expected.items()}


def test_hints_near_the_radius_and_across_cells(departments, categories):
    # 49 m and 51 m north, east and north-east of the first: only the 49 m ones are hints
    lat, lng = 31.0, 120.0
    north = 49 / 111_195
    east = 49 / (111_195 * math.cos(math.radians(lat)))
    far_n, far_e = 51 / 111_195, 51 / (111_195 * math.cos(math.radians(lat)))
    points = [(lat, lng), (lat + north, lng), (lat, lng + east), (lat + north * 0.7, lng + east * 0.7),
              (lat + far_n, lng), (lat, lng + far_e), (lat - north, lng - east * 0.1)]
    events = make_events(len(points), points=points)

    hints = selectors.duplicate_hints(events[:1])

    assert [c.pk for c in hints[events[0].pk]] == sorted(e.pk for e in (events[1], events[2], events[3], events[6]))


# --- 4. the public Open311 list ----------------------------------------------------------------


@pytest.fixture
def public():
    return Client(enforce_csrf_checks=True)


def test_the_public_list_holds_50_unless_asked_for_more(public, departments, categories):
    make_events(60, channel=Channel.RESIDENT)

    assert len(public.get(OPEN311).json()) == 50
    assert len(public.get(OPEN311, {"page_size": "7"}).json()) == 7
    response = public.get(OPEN311, {"page_size": "0"})
    assert response.status_code == 400 and response.json()[0]["code"] == 400


@override_settings(GRIDGOV_OPEN311_READ_RATE="3/minute")
def test_reading_the_public_feed_faster_than_the_rate_is_429(public, departments, categories):
    make_events(2, channel=Channel.RESIDENT)

    assert [public.get(OPEN311).status_code for _ in range(3)] == [200, 200, 200]
    response = public.get(OPEN311)

    assert response.status_code == 429 and response.json()[0]["code"] == 429
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("n", [1, 40])
def test_the_public_list_costs_the_same_queries(public, departments, categories, django_assert_num_queries, n):
    make_events(n, channel=Channel.RESIDENT)

    with django_assert_num_queries(2):  # the events, their photos
        rows = public.get(OPEN311, {"page_size": "100"}).json()

    assert len(rows) == n


# --- 5. the ranking ------------------------------------------------------------------------------


def test_an_empty_scope_ranks_nothing(departments, categories):
    make_events(3, status=Status.CLOSED, department=departments["station"])
    start, end = datetime.date(2020, 1, 1), datetime.date(2100, 1, 1)

    assert scoring.unit_indicators(kind="station", start=start, end=end, scope="") == []
    assert scoring.area_indicators(level_length=6, start=start, end=end, scope="") == []
    assert scoring.grid_worker_indicators(start=start, end=end, scope="") == []


def test_wrong_dispatches_are_counted_in_the_callers_area_and_period(departments, categories):
    now = timezone.now()
    here = make_events(3, status=Status.CLOSED, department=departments["station"], created_at=now)
    elsewhere = make_events(1, status=Status.CLOSED, department=departments["station"], created_at=now)
    Event.objects.filter(pk=elsewhere[0].pk).update(org_code="990102001001001")
    entry = {"action": "return", "from_status": "dispatched", "to_status": "returned",
             "extra": {"returned_by": "990101001-market"}}
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(event=e, at=now, **entry) for e in here[:2] + elsewhere]
        + [TimelineEntry(event=here[2], at=now - datetime.timedelta(days=400), **entry)])

    [station] = scoring.unit_indicators(kind="station", start=timezone.localdate() - datetime.timedelta(days=1),
                                        end=timezone.localdate() + datetime.timedelta(days=40), scope=Tree.COUNTY_A)

    assert (station.key, station.wrongly_dispatched, station.due) == ("990101001-market", 2, 3)


@pytest.mark.parametrize("n", [1, 40])
def test_the_ranking_page_costs_the_same_queries(login, people, departments, categories,
                                                 django_assert_num_queries, n):
    make_events(n, status=Status.CLOSED, department=departments["station"], owner=departments["market"],
                created_at=timezone.now())
    client = login(people["dispatcher"])

    # session, user, roles, scope name, badge; the score rule, the period's due events with
    # their cards, the returns, the units
    with django_assert_num_queries(5 + 4):
        response = client.get(reverse("events-ranking"), {"tab": "station"})

    assert [row["item"].due for row in response.context["rows"]] == [n]
