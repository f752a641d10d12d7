"""The bench's query-count header (gridgov.core.query_count): off unless switched on, and
when on it tells what the database was asked."""

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import User
from gridgov.core.query_count import QUERIES_HEADER, ROWS_HEADER, QueryCountHeaderMiddleware


def test_off_by_default():
    from django.conf import settings

    assert settings.GRIDGOV_BENCH_QUERY_HEADER is False
    with pytest.raises(MiddlewareNotUsed):
        QueryCountHeaderMiddleware(lambda request: HttpResponse())


@pytest.mark.django_db
def test_no_header_unless_switched_on(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert QUERIES_HEADER not in response.headers
    assert ROWS_HEADER not in response.headers


@pytest.mark.django_db
@override_settings(GRIDGOV_BENCH_QUERY_HEADER=True)
def test_counts_the_statements_and_rows_of_the_request(rf, tree):
    def view(request):
        list(User.objects.all())
        User.objects.filter(username="nobody").exists()
        return HttpResponse("ok")

    users = User.objects.count()
    middleware = QueryCountHeaderMiddleware(view)
    response = middleware(rf.get("/anything"))
    assert response[QUERIES_HEADER] == "2"
    if connection.vendor == "postgresql":  # SQLite reports no row count for a SELECT
        assert int(response[ROWS_HEADER]) == users


@pytest.mark.django_db
@override_settings(GRIDGOV_BENCH_QUERY_HEADER=True)
def test_header_matches_the_database_over_the_whole_stack(city_admin):
    assert Client().get("/healthz")[QUERIES_HEADER] == "0"  # the floor, anonymous, asks nothing
    client = Client()
    client.force_login(city_admin)
    with CaptureQueriesContext(connection) as seen:
        response = client.get(f"/units/{city_admin.scope_code}/", headers={"X-Gridgov-Bench-Stats": "1"})
    assert response.status_code == 200
    statements = [q["sql"] for q in seen.captured_queries]
    if connection.vendor == "postgresql":
        # After the count, not in it: the statistics published for the bench's rows figure.
        assert statements.pop() == "SELECT pg_stat_force_next_flush()"
    assert int(response[QUERIES_HEADER]) == len(statements) > 0
    with CaptureQueriesContext(connection) as seen:
        again = client.get(f"/units/{city_admin.scope_code}/")  # without the bench's header: no extra statement
    assert int(again[QUERIES_HEADER]) == len(seen.captured_queries) > 0
