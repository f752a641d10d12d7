"""Helpers of the race tests (races, issue 10): many requests started together, each on
its own database connection, and a way to replay a lost race deterministically."""

from __future__ import annotations

import contextlib
import threading
from unittest import mock

from django.db import connection
from django.db.models import QuerySet

N = 20


def run_together(n: int, attempt) -> list:
    """Run `attempt(i)` in `n` threads released at once by a barrier; each thread uses (and
    then closes) its own database connection. Returns the results in thread order; an
    exception counts as the result."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = attempt(i)
        except Exception as exc:  # noqa: BLE001 - an unexpected error is a result to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_error_shape(response, status: int, codes: set[str] | None = None) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"] and isinstance(body["fields"], dict)
    if codes is not None:
        assert body["code"] in codes, body
    return body


@contextlib.contextmanager
def check_misses(model):
    """The moment of a lost race: the service's own check for an existing `model` row sees
    none (the other writer has not committed yet), so only the database constraint is left
    to refuse the second row. Nothing else is faked: the insert really hits the constraint."""
    real_exists = QuerySet.exists

    def exists(self):
        return False if self.model is model else real_exists(self)

    with mock.patch.object(QuerySet, "exists", exists):
        yield
