"""SQL queries per request, told in a response header, for `gridgov bench` (issue 12).

Off unless the environment says GRIDGOV_BENCH_QUERY_HEADER=1 (`settings.GRIDGOV_BENCH_QUERY_HEADER`):
the middleware then removes itself at start-up (`MiddlewareNotUsed`) and costs nothing. When on
(only the benchmark's throwaway server turns it on) it counts, through Django's
`connection.execute_wrapper`, every SQL statement that the request runs on any database alias,
from the first middleware to the response, and answers with

- `X-Gridgov-Queries`: the number of statements;
- `X-Gridgov-Rows`: the rows they returned or changed, as the driver reports them (`rowcount`).

A streamed body's queries run after the headers are sent and are not counted. When the request
says `X-Gridgov-Bench-Stats: 1` (the bench's single probes, never its load) and ran SQL on
PostgreSQL, the middleware then asks the server to publish this backend's table statistics at
once (`pg_stat_force_next_flush()`, not counted), so that the benchmark can read the rows that
the request made the database read (`pg_stat_user_tables`) as soon as the response has arrived.
The headers never carry data, only two numbers; they are meant for a server on loopback.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

QUERIES_HEADER = "X-Gridgov-Queries"
STATS_REQUEST_META = "HTTP_X_GRIDGOV_BENCH_STATS"
ROWS_HEADER = "X-Gridgov-Rows"


class QueryCounter:
    """An `execute_wrapper`: counts the statements and the rows each one returned or changed."""

    def __init__(self) -> None:
        self.queries = 0
        self.rows = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        try:
            return execute(sql, params, many, context)
        finally:
            rowcount = getattr(context.get("cursor"), "rowcount", -1)
            if isinstance(rowcount, int) and rowcount > 0:
                self.rows += rowcount


def _publish_postgres_stats() -> None:
    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "postgresql" or connection.connection is None:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_force_next_flush()")
        except Exception:  # noqa: BLE001 - statistics are a nicety; the answer is already made
            pass


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "GRIDGOV_BENCH_QUERY_HEADER", False):
            raise MiddlewareNotUsed()
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(counter.queries)
        response[ROWS_HEADER] = str(counter.rows)
        if counter.queries and request.META.get(STATS_REQUEST_META) == "1":
            _publish_postgres_stats()
        return response
