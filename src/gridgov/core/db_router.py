"""Dashboard and report reads on a streaming replica; everything else on the primary (issue 12).

Used when `GRIDGOV_REPLICA_DATABASE_URL` is set: settings.py then adds the database alias
`replica` and installs `PrimaryReplicaRouter` (docs/deployment.md, "Replicas and connection
pooling"). Without it the router is not installed and `reads_from_replica()` changes nothing.

The contract:
- **Reads are marked, not guessed.** Only code inside `reads_from_replica()` (a context manager
  and a decorator) reads the replica: the statistics and report views and the selectors that
  compute them. Every other read goes to the primary — lists a user works from, the workbench
  counts, permission checks, sessions and accounts — so that nothing a user acts on is stale.
  Identity and session tables (`ALWAYS_PRIMARY`) are read from the primary even inside a
  marked block: a user who has just signed in must be found.
- **Writes always go to the primary**, and so does every read after the first write of a
  request and every read inside a transaction (read your own writes).
- **A user is pinned to the primary after their own write**: `PrimaryPinMiddleware` sets a
  signed cookie when a request wrote, and for `GRIDGOV_REPLICA_PIN_SECONDS` seconds after it
  that user's marked reads go to the primary too, so a dispatcher who has just registered an
  event sees it counted at once. Keep the pin longer than the lag the replica may have
  (`GRIDGOV_REPLICA_MAX_LAG_SECONDS`).
- **A replica that is down or lagging is skipped.** Before the first marked read, a health
  check (a short connect timeout, one query) asks the replica whether it is in recovery and
  how far its replay is behind; the answer is kept for `GRIDGOV_REPLICA_CHECK_SECONDS` in
  this process. Down, or further behind than the allowed lag: marked reads go to the primary.
  A replica that fails in the middle of a decorated function (it stopped after the last
  check) is marked down and the function runs again on the primary, once.
- **Only reads are run again** (security review, issue 12). A function decorated with
  `reads_from_replica` must read only: no database write, and no side effect outside the
  database (mail, files, a task enqueued) before its last replica read, since a re-run repeats
  it. The database half is enforced: while the function first runs, every statement sent to
  the primary is watched (`execute_wrapper`), and if any was not a plain `SELECT` — a write
  through the ORM, `select_for_update`, raw SQL, a savepoint — the replica's error is raised
  as it is, never retried. A replica is read only before the first ORM write of a request, so
  an ORM write and a replica failure cannot meet; raw SQL is what the watch catches.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
PIN_COOKIE = "gridgov_primary"
_PIN_SALT = "gridgov.core.db_router.pin"

# Read from the primary even inside `reads_from_replica()`: sessions, accounts and tokens
# (a user who has just signed in or been created must be found), the task queue and the
# second factor's devices.
ALWAYS_PRIMARY_APPS = frozenset({
    "sessions", "auth", "contenttypes", "admin", "axes", "otp_totp", "otp_static",
    "django_tasks_database",  # django-tasks-db's app label (the package is django_tasks_db)
})
# ... and every row that decides who may see what (security review, issue 12), so that an
# access decision never reads a lagging replica: a user's scope and department (core.user),
# roles and pending grants, grid cells, API tokens, live emergency grants, the org tree and
# the department tree the scopes are subtrees of, and care-team membership.
ALWAYS_PRIMARY_MODELS = frozenset({
    "core.user", "core.userrole", "core.rolegrantrequest", "core.gridassignment", "core.apitoken",
    "core.emergencygrant", "core.orgunit", "core.department", "care.teammember",
})


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def replica_configured() -> bool:
    return REPLICA in connections.settings


# --- The state of one request (or one piece of background work) ------------------------------


@dataclass
class _RoutingState:
    marked: int = 0  # depth of `reads_from_replica()` blocks
    pinned: bool = False  # the user wrote a moment ago (the signed cookie)
    wrote: bool = False  # this request has written
    used_replica: bool = False  # a read of this request went to the replica
    avoid_replica: bool = False  # a decorated function runs again after a replica failure


_state: contextvars.ContextVar[_RoutingState | None] = contextvars.ContextVar("gridgov_db_routing", default=None)


def _current() -> _RoutingState | None:
    return _state.get()


# --- Replica health ---------------------------------------------------------------------------


@dataclass
class ReplicaHealth:
    ok: bool
    lag_seconds: float | None
    reason: str = ""


_HEALTH_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


class _HealthCache:
    """The last health answer of this process, kept `GRIDGOV_REPLICA_CHECK_SECONDS`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._health: ReplicaHealth | None = None

    def forget(self) -> None:
        with self._lock:
            self._checked_at, self._health = None, None

    def mark_down(self, reason: str) -> None:
        with self._lock:
            self._checked_at, self._health = time.monotonic(), ReplicaHealth(False, None, reason)

    def get(self) -> ReplicaHealth:
        ttl = _setting("GRIDGOV_REPLICA_CHECK_SECONDS", 5)
        with self._lock:
            if self._health is not None and self._checked_at is not None \
                    and time.monotonic() - self._checked_at < ttl:
                return self._health
        health = check_replica()
        with self._lock:
            self._checked_at, self._health = time.monotonic(), health
        return health


def check_replica() -> ReplicaHealth:
    """Ask the replica, on this thread's connection to it, whether it serves and how far
    behind it is. A failure closes that connection; it never raises."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_HEALTH_SQL)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica unavailable, reading the primary: %s", error)
        _close_quietly(REPLICA)
        return ReplicaHealth(False, None, f"{type(error).__name__}")
    lag = float(lag or 0)
    max_lag = _setting("GRIDGOV_REPLICA_MAX_LAG_SECONDS", 10)
    if lag > max_lag:
        logger.warning("replica %.1f s behind (allowed %.1f s), reading the primary", lag, max_lag)
        return ReplicaHealth(False, lag, "lagging")
    return ReplicaHealth(True, lag)


health = _HealthCache()


def _close_quietly(alias: str) -> None:
    connection = connections[alias]
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the connection is dead; closing may fail too
        connection.connection = None


# --- The router -------------------------------------------------------------------------------


def _always_primary(model) -> bool:
    meta = model._meta
    return meta.app_label in ALWAYS_PRIMARY_APPS or meta.label_lower in ALWAYS_PRIMARY_MODELS


class PrimaryReplicaRouter:
    """`DATABASE_ROUTERS` entry: marked reads to the replica while it is healthy and the user
    is not pinned; every other read and every write to the primary; migrations on the primary."""

    def db_for_read(self, model, **hints):
        state = _current()
        if (state is None or not state.marked or state.pinned or state.wrote or state.avoid_replica
                or _always_primary(model)
                or not replica_configured() or connections[PRIMARY].in_atomic_block):
            return PRIMARY
        if not health.get().ok:
            return PRIMARY
        state.used_replica = True
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _current()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same database: a row read from either relates to any other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


# --- Marking reads ----------------------------------------------------------------------------


class reads_from_replica:  # noqa: N801 - reads as a statement: `with reads_from_replica():`
    """Mark the reads inside as dashboard/report reads that may be served by the replica.

    As a decorator it also recovers from a replica that fails mid-way: the function runs
    again on the primary (once, and only if it sent nothing but SELECTs to the primary
    meanwhile; see "Only reads are run again" above). Put it closest
    to the view function, under `login_required` and the capability checks' decorators, so
    that the user is loaded before it. A queryset returned out of the block is evaluated
    where it is used, on the primary: mark the code that evaluates it (the view renders its
    template inside).
    """

    def __enter__(self):
        state = _current()
        self._token = None
        if state is None:
            state = _RoutingState()
            self._token = _state.set(state)
        state.marked += 1
        self._state_obj = state
        return self

    def __exit__(self, *exc):
        self._state_obj.marked -= 1
        if self._token is not None:
            _state.reset(self._token)
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with reads_from_replica() as block:
                state = block._state_obj
                outermost = state.marked == 1
                used_before = state.used_replica
                state.used_replica = False
                watch = _WriteWatch(state)
                try:
                    if outermost:
                        with connections[PRIMARY].execute_wrapper(watch):
                            return function(*args, **kwargs)
                    return function(*args, **kwargs)
                except (OperationalError, InterfaceError) as error:
                    # Run again only what read the replica and sent nothing but SELECTs to the
                    # primary: a write (ORM or raw SQL) would be repeated.
                    if not (outermost and state.used_replica and not state.wrote and not watch.wrote):
                        raise
                    _replica_failed(error)
                    state.avoid_replica = True  # the retry reads the primary only
                    try:
                        return function(*args, **kwargs)
                    finally:
                        state.avoid_replica = False
                finally:
                    state.used_replica = state.used_replica or used_before

        return wrapper


class _WriteWatch:
    """An `execute_wrapper` on the primary: notes any statement that is not a plain SELECT
    (the request then counts as one that wrote, and is pinned to the primary)."""

    def __init__(self, state: _RoutingState):
        self.state = state
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not _is_select(sql):
            self.wrote = self.state.wrote = True
        return execute(sql, params, many, context)


def _is_select(sql) -> bool:
    words = str(sql).lstrip(" \t\r\n(").split(None, 1)
    if not words or words[0].upper() != "SELECT":
        return False
    # SELECT ... INTO, and SELECT ... FOR UPDATE/SHARE (a lock), are not reads to run twice.
    rest = str(sql).upper()
    return " INTO " not in rest.split(" FROM ", 1)[0] and not any(
        lock in rest for lock in (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE"))


def _replica_failed(error: BaseException) -> None:
    connection = connections[REPLICA]
    usable = connection.connection is not None and connection.is_usable()
    if not usable:
        health.mark_down(type(error).__name__)
        _close_quietly(REPLICA)
    logger.warning("a replica read failed (%s: %s); running again on the primary", type(error).__name__, error)


# --- Pinning a user who wrote -----------------------------------------------------------------


class PrimaryPinMiddleware:
    """Outside every middleware that may write (sessions, sign-in): reads the pin cookie
    into the request's routing state, and sets it when the request wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        pin_seconds = _setting("GRIDGOV_REPLICA_PIN_SECONDS", 15)
        state = _RoutingState(pinned=self._pinned(request, pin_seconds))
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote and pin_seconds > 0:
            response.set_signed_cookie(
                PIN_COOKIE, "1", salt=_PIN_SALT, max_age=int(pin_seconds) or 1, httponly=True,
                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
            )
        return response

    @staticmethod
    def _pinned(request, pin_seconds: float) -> bool:
        if PIN_COOKIE not in request.COOKIES:
            return False
        try:
            request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=pin_seconds)
        except (signing.BadSignature, KeyError):  # SignatureExpired is a BadSignature
            return False
        return True
