"""Liveness and readiness probes for load balancers, orchestrators and monitoring (issue 12).

- `/healthz` (liveness): the process answers HTTP. It asks nothing else — no database, no
  session, no user — so that a database outage never makes a supervisor restart healthy
  workers. Load balancers that only need "is this worker up" use it; so does the benchmark's
  floor (a trivial JSON view through the full middleware stack).
- `/readyz` (readiness): this server can serve real requests now. It checks that the database
  answers, the cache answers, every migration on disk is applied, and the task queue's backend
  is reachable. 200 when all pass; 503 naming the checks that failed. The answer never carries
  an error message, a host name or a setting (a probe is anonymous): the reason goes to the
  server's log.

- `/readyz` is anonymous, so its answer is kept in this process for
  `GRIDGOV_READYZ_CACHE_SECONDS` (default 5; 0 checks on every hit) and repeated hits within
  that window ask nothing of the database, the cache or the broker: a flood of probes is no
  way to load them (security review, issue 12). A failure is kept as long as a success, and
  the first hit after the window checks again. While one thread checks, others answer with
  the previous result. A load balancer that probes every few seconds sees a change within one
  window more.

Both are public (CONTRACTS: infrastructure), GET only, never cached, exempt from the HTTPS
redirect (`SECURE_REDIRECT_EXEMPT`) and from the second-factor redirect (`core.otp`).

A task backend other than the database one (e.g. a broker) may offer `ping()`, raising when
the broker cannot be reached; backends that run tasks in the web process need no check.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": OK})


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    cache = caches["default"]
    key = f"gridgov:readyz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


# Once every migration on disk is applied it stays so for this process (new migrations come
# with new code, hence a new process), so the migration graph is loaded once, not per probe.
_migrated: set[str] = set()


def check_migrations() -> None:
    from django.db.migrations.executor import MigrationExecutor

    if DEFAULT_DB_ALIAS in _migrated:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied, first {pending[0][0].app_label}."
                           f"{pending[0][0].name}")
    _migrated.add(DEFAULT_DB_ALIAS)


def check_tasks() -> None:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.dummy import DummyBackend
    from django_tasks.backends.immediate import ImmediateBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, (ImmediateBackend, DummyBackend)):
        return  # tasks run (or are dropped) inside this process: nothing to reach
    ping = getattr(backend, "ping", None)
    if callable(ping):
        ping()
        return
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        # The queue's table exists and answers (one indexed, empty-or-one-row read).
        list(DBTaskResult.objects.values_list("pk", flat=True)[:1])
        return
    raise RuntimeError(f"no readiness check for the task backend {type(backend).__name__}")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "migrations": check_migrations,
    "tasks": check_tasks,
}


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the reason is logged
            logger.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
            results[name] = FAILED
        else:
            results[name] = OK
    return results


class _ReadyCache:
    """The last readiness answer of this process and when (monotonic seconds) it was found."""

    def __init__(self):
        self._lock = threading.Lock()
        self._checking = threading.Lock()
        self._results: dict[str, str] | None = None
        self._checked_at = 0.0

    def forget(self) -> None:
        with self._lock:
            self._results, self._checked_at = None, 0.0

    def results(self) -> dict[str, str]:
        window = float(getattr(settings, "GRIDGOV_READYZ_CACHE_SECONDS", 5))
        with self._lock:
            kept, checked_at = self._results, self._checked_at
        if kept is not None and clock() - checked_at < window:
            return kept
        # One thread checks; the others answer with the previous result meanwhile (or wait
        # for the first one there has ever been).
        if not self._checking.acquire(blocking=kept is None):
            return kept
        try:
            results = run_checks()
            with self._lock:
                self._results, self._checked_at = results, clock()
            return results
        finally:
            self._checking.release()


clock = time.monotonic  # a module attribute, so that a test can move the clock on
ready_cache = _ReadyCache()


@never_cache
@require_GET
def readyz(request):
    results = ready_cache.results()
    failed = [name for name, result in results.items() if result != OK]
    body = {"status": OK if not failed else FAILED, "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
