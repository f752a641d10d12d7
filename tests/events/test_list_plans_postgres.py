"""The hot lists' query plans on PostgreSQL with a long history (issue 12).

The tests fill the event table with two years of events (40,000 rows: closed ones, a few
open at the end, a unit whose events are all old), ANALYZE it as autovacuum would, then send
the real requests and read the plan of the statement that loads each page or count with
EXPLAIN ANALYZE. Each must read the rows it shows from an index range: no sequential scan
of the event table, no walk backwards along the primary key discarding the newer rows, and
only a few hundred rows touched, whatever the history. (Timings are never asserted.)
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.care_views.conftest import login  # noqa: F401 (the signed-in client, in English)
from tests.factories import Tree, make_api_token

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")

HISTORY = 40_000
OPEN = 120  # the newest events are open work
START = datetime.datetime(2024, 12, 1, tzinfo=datetime.timezone.utc)
STEP = datetime.timedelta(minutes=26)  # 40,000 events over ~two years
EVENTS_API = "/api/v1/events/"


@pytest.fixture
def history(people, departments, categories):
    """Two years of events in cell A1 straight into the table, ids growing with time. The
    station handles a third of them; the housing department only 300 of the oldest ones."""
    station, market, housing = departments["station"], departments["market"], departments["housing"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO events_event (code, category_id, urgency, description, channel, status, org_code, lat, lng,
                address, reporter_name, reporter_contact, public_token, department_id, owner_department_id,
                created_at, updated_at, step, step_started_at, step_deadline, deadlines, handle_deadline, closed_at,
                closed_on_time, rework_count, extension_count, return_count, supervision_level,
                accept_hours_used, handle_hours_used, resolved_on_site)
            SELECT 'H' || g, %(category)s, 'ordinary', '摊位 ' || g, 'grid_worker',
                CASE WHEN g > %(n)s - %(open)s THEN (ARRAY['dispatched','accepted','handled'])[1 + g %% 3]
                     ELSE 'closed' END,
                %(cell)s, 31.0 + (g %% 1000) * 0.00001, 120.005, '', '', '', md5(g::text),
                CASE WHEN g <= 900 AND g %% 3 = 0 THEN %(housing)s WHEN g %% 3 = 1 THEN %(station)s
                     ELSE %(market)s END,
                %(market)s, %(start)s + g * %(step)s, %(start)s + g * %(step)s, 'handle',
                %(start)s + g * %(step)s, %(start)s + g * %(step)s + interval '3 days', '{}'::jsonb,
                %(start)s + g * %(step)s + interval '5 days',
                CASE WHEN g > %(n)s - %(open)s THEN NULL ELSE %(start)s + g * %(step)s + interval '2 days' END,
                true, 0, 0, 0, '', 1.0, 10.0, false
            FROM generate_series(1, %(n)s) AS g
            """,
            {"category": categories["food.unlicensed"].pk, "n": HISTORY, "open": OPEN, "cell": Tree.CELL_A1,
             "housing": housing.pk, "station": station.pk, "market": market.pk, "start": START, "step": STEP},
        )
        cursor.execute("ANALYZE events_event")


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def explain(sql: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (document,) = cursor.fetchone()
    document = json.loads(document) if isinstance(document, str) else document
    return list(_nodes(document[0]["Plan"]))


def event_scans(queries: list[dict], marker: str) -> list[dict]:
    """The plan nodes that read the event table in the one statement containing `marker`."""
    statements = [q["sql"] for q in queries if 'FROM "events_event"' in q["sql"] and marker in q["sql"]]
    assert len(statements) == 1, statements
    return [node for node in explain(statements[0]) if node.get("Relation Name") == "events_event"]


def assert_index_range(scans: list[dict], *, at_most: int = 1_000) -> None:
    assert scans, "the event table is not read"
    for node in scans:
        assert node["Node Type"] != "Seq Scan", node
        # the walk back along the ids (a lookup of one id, e.g. a page's position, is fine)
        assert not (node.get("Index Name") == "events_event_pkey" and node.get("Scan Direction") == "Backward"), node
        touched = node["Actual Rows"] + node.get("Rows Removed by Filter", 0) + node.get(
            "Rows Removed by Index Recheck", 0)
        assert touched <= at_most, node




def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


@pytest.mark.parametrize("window", [
    {"since": "2025-01-10", "until": "2025-02-10"},  # a month early in the history
    {"since": "2025-01-10", "until": "2025-01-10"},  # one day
    {"until": "2025-03-01"},  # everything before a day
])
def test_a_time_window_of_old_events_is_read_from_its_index_range(people, history, window):
    client = api(people["dispatcher"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(EVENTS_API, window)

    rows = response.json()["results"]
    assert response.status_code == 200 and len(rows) == 50
    assert all(row["created_at"][:10] <= window["until"] for row in rows)
    assert rows == sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))

    # and the next page continues the same range
    with CaptureQueriesContext(connection) as queries:
        second = client.get(response.json()["next"])
    assert second.json()["results"][0]["created_at"] <= rows[-1]["created_at"]
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))


def test_a_unit_whose_events_are_all_old_is_read_from_its_index_range(people, history):
    client = api(people["dispatcher"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(EVENTS_API, {"department": "990101-housing"})

    rows = response.json()["results"]
    assert len(rows) == 50 and {row["department"]["code"] for row in rows} == {"990101-housing"}
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))


def test_a_unit_and_a_window_together(people, history):
    client = api(people["dispatcher"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(EVENTS_API, {"department": "990101001-market", "since": "2025-06-01",
                                           "until": "2025-06-03"})

    assert len(response.json()["results"]) == 50
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))


def test_the_dispatchers_queue_reads_open_events_only(login, people, history):
    with CaptureQueriesContext(connection) as queries:
        response = login(people["dispatcher"]).get(reverse("events-queue"))

    assert len(response.context["rows"]) == 50
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))


def test_the_queue_filtered_by_a_window_pages_along_its_index(login, people, history):
    client = login(people["dispatcher"])
    params = {"status": "all", "since": "2025-01-10", "until": "2025-02-10"}
    first = client.get(reverse("events-queue"), params)
    after = first.context["rows"][-1].event.pk

    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("events-queue"), {**params, "after": after})

    assert len(second.context["rows"]) == 50
    assert all(row.event.pk < after for row in second.context["rows"])
    assert_index_range(event_scans(queries.captured_queries, "LIMIT"))


@pytest.mark.parametrize("who", ["station", "department"])
def test_the_inbox_counts_its_open_work_only(login, people, history, who):
    with CaptureQueriesContext(connection) as queries:
        response = login(people[who]).get(reverse("events-inbox"))

    assert response.status_code == 200
    # A department's counts are two statements, its own open events and its stations' (one
    # statement with an OR of the two walked every open event of a province).
    counts = [q["sql"] for q in queries.captured_queries if 'FROM "events_event"' in q["sql"] and "COUNT(" in q["sql"]]
    assert len(counts) == (2 if who == "department" else 1), counts
    for sql in counts:
        assert_index_range([n for n in explain(sql) if n.get("Relation Name") == "events_event"], at_most=OPEN * 2)
