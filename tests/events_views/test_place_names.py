"""Places read as their name path (县 › 镇 › 村 › 网格), never as a bare org code, on every
event list and the event page; the names of a whole page come from one query."""

import datetime
import json

from django.urls import reverse
from django.utils import timezone

from gridgov.events.models import Event, TimelineEntry
from gridgov.events.workflow import Status
from tests.events_views.test_query_counts import make_events
from tests.factories import Tree

CELL_A1_PATH = "县1 › 镇1 › 村1 › 网格1"


def test_the_queue_names_each_events_place(login, people, departments):
    make_events(3, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])

    page = login(people["dispatcher"]).get(reverse("events-queue")).content.decode()

    assert page.count(CELL_A1_PATH) == 3
    assert f'title="{Tree.CELL_A1}"' in page  # the code only in the tooltip
    assert "镇市场监管所" in page


def test_the_inbox_and_the_phone_lists_name_the_place(login, people, departments):
    events = make_events(4, status=Status.DISPATCHED, department=departments["station"],
                         owner=departments["market"], reporter=people["gw"])
    Event.objects.filter(pk__in=[e.pk for e in events[:2]]).update(status=Status.HANDLED)

    inbox = login(people["station"]).get(reverse("events-inbox")).content.decode()
    mine = login(people["gw"]).get(reverse("events-mobile"), {"tab": "mine"}).content.decode()
    verify = login(people["gw"]).get(reverse("events-mobile"), {"tab": "verify"}).content.decode()

    assert inbox.count(CELL_A1_PATH) == 2
    assert mine.count(CELL_A1_PATH) == 4
    assert verify.count(CELL_A1_PATH) == 2


def test_the_map_popups_name_the_place_in_one_query(login, people, departments, django_assert_num_queries):
    make_events(5, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    client = login(people["dispatcher"])
    client.get(reverse("events-map"))  # warm the session

    response = client.get(reverse("events-map"))
    data = json.loads(response.content.decode().split('id="events-map-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert all(e["label"].endswith(CELL_A1_PATH) for e in data["events"]) and len(data["events"]) == 5

    # the same number of queries for 30 events as for 5
    five = len(_queries(client))
    Event.objects.all().delete()
    make_events(30, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    with django_assert_num_queries(five):
        response = client.get(reverse("events-map"))
    assert response.context["shown"] == 30


def _queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("events-map"))
    return captured.captured_queries


def test_the_event_page_names_the_supervising_level(login, people, departments):
    [event] = make_events(1, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    TimelineEntry.objects.create(event=event, action="supervise", from_status=event.status, to_status=event.status,
                                 actor_label="系统", at=timezone.now() - datetime.timedelta(minutes=1),
                                 extra={"level": Tree.COUNTY_A, "step": "accept"})
    Event.objects.filter(pk=event.pk).update(supervision_level=Tree.COUNTY_A)

    page = login(people["dispatcher"]).get(reverse("events-detail", args=[event.pk])).content.decode()

    assert "Supervised by" in page and "<dd>县1</dd>" in page
    assert CELL_A1_PATH in page
