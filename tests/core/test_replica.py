"""A real streaming replica (issue 12): report reads go there, writes to the primary, a user who
has just written reads the primary, a lagging or stopped replica is skipped.

On the PostgreSQL pass this starts two clusters of its own with the PostgreSQL 15 binaries:
a primary (a copy of the migrated test database) and a replica made from it with
`pg_basebackup -R`, streaming on another local port. Django's `default` and `replica` aliases
are pointed at them for these tests, and restored afterwards. The machine runs as root, which
PostgreSQL refuses: the servers run as the `postgres` user. Skipped on SQLite only; on
PostgreSQL missing binaries fail the test.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridgov.core import db_router
from gridgov.core.db_router import PIN_COOKIE, PRIMARY, REPLICA, reads_from_replica
from gridgov.core.models import Role
from gridgov.events.catalog import seed_categories
from gridgov.events.models import Event
from tests.factories import TEST_PASSWORD, EventFactory, Tree, build_tree, make_user

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="a streaming replica needs PostgreSQL (runs on the PostgreSQL pass)")

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
DB_NAME = "gridgov"
ROUTERS = ["gridgov.core.db_router.PrimaryReplicaRouter"]
POINT_B1 = {"lat": 31.005, "lng": 120.105}  # inside grid cell 990102001001001
WAIT_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", PG_USER, "--", *command], check=True, capture_output=True, timeout=60)


def _sql(port: int, query: str, dbname: str = DB_NAME):
    with psycopg.connect(host="127.0.0.1", port=port, user=PG_USER, dbname=dbname, autocommit=True,
                         connect_timeout=2) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


def _wait_for(what: str, predicate) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            if predicate():
                return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class Clusters:
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary(self) -> Path:
        return self.root / "primary"

    @property
    def replica(self) -> Path:
        return self.root / "replica"

    def start(self, data: Path) -> None:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.root / f"{data.name}.log"),
                     "-w", "-t", str(WAIT_SECONDS), "start")

    def stop(self, data: Path) -> None:
        if (data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", PG_USER, "--", str(PG_BIN / "pg_ctl"), "-D", str(data),
                            "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)

    def on_replica(self, query: str):
        return _sql(self.replica_port, query)

    def replayed(self, predicate_sql: str) -> None:
        _wait_for(f"the replica to replay: {predicate_sql}", lambda: self.on_replica(predicate_sql)[0][0])

    def pause_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_pause()")
        _wait_for("replay to pause", lambda: self.on_replica("SELECT pg_get_wal_replay_pause_state()")[0][0]
                  == "paused")

    def resume_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")


def _make_clusters(root: Path, source: dict) -> Clusters:
    for binary in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / binary).exists():
            pytest.fail(f"PostgreSQL 15 binaries are needed for the replica test: {PG_BIN / binary} is missing")
    if shutil.which("runuser") is None or shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.fail("runuser, pg_dump and psql are needed for the replica test")
    clusters = Clusters(root=root, primary_port=_free_port(), replica_port=_free_port())
    shutil.chown(root, user=PG_USER)
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(clusters.primary), "-U", PG_USER, "--auth=trust",
                 "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
    with open(clusters.primary / "postgresql.conf", "a") as conf:
        conf.write(f"""
listen_addresses = '127.0.0.1'
port = {clusters.primary_port}
unix_socket_directories = '{root}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 40
""")
    (clusters.primary / "pg_hba.conf").write_text(
        "local all all trust\n"
        "host all all 127.0.0.1/32 trust\n"
        "host replication all 127.0.0.1/32 trust\n"
    )
    clusters.start(clusters.primary)

    # The primary gets the migrated test database (schema and the migrations' data).
    dump = root / "schema.sql"
    env = {"PGPASSWORD": source.get("PASSWORD") or ""}
    subprocess.run(["pg_dump", "--no-owner", "--no-privileges", "-h", source["HOST"] or "127.0.0.1",
                    "-p", str(source["PORT"] or 5432), "-U", source["USER"] or PG_USER, "-d", source["NAME"],
                    "-f", str(dump)], check=True, capture_output=True, timeout=60, env={**os.environ, **env})
    _sql(clusters.primary_port, f"CREATE DATABASE {DB_NAME}", dbname="postgres")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(clusters.primary_port),
                    "-U", PG_USER, "-d", DB_NAME, "-f", str(dump)], check=True, capture_output=True, timeout=60)

    # The replica: a base backup that streams from the primary (-R writes standby.signal and
    # primary_conninfo), on its own port.
    _as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(clusters.primary_port), "-U", PG_USER,
                 "-D", str(clusters.replica), "-R", "-X", "stream", "-c", "fast")
    with open(clusters.replica / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {clusters.replica_port}\n")
    clusters.start(clusters.replica)
    _wait_for("the replica to stream", lambda: clusters.on_replica(
        "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')")[0][0])
    return clusters


@pytest.fixture(scope="module")
def clusters(request, django_db_setup, django_db_blocker):
    """The two clusters, with `default` and `replica` pointed at them while this module runs."""
    root = Path(tempfile.mkdtemp(prefix="gridgov-replica-"))
    made: list[Clusters] = []

    def remove():
        for cluster in made:
            cluster.stop(cluster.replica)
            cluster.stop(cluster.primary)
        shutil.rmtree(root, ignore_errors=True)

    request.addfinalizer(remove)
    with django_db_blocker.unblock():
        test_database = dict(connections.settings[PRIMARY])
        made.append(_make_clusters(root, test_database))
        cluster = made[0]
        saved = connections.settings[PRIMARY]
        _drop_thread_connections()
        primary = {**saved, "NAME": DB_NAME, "HOST": "127.0.0.1", "PORT": str(cluster.primary_port),
                   "USER": PG_USER, "PASSWORD": "", "OPTIONS": {**saved["OPTIONS"]}, "CONN_MAX_AGE": 60,
                   "CONN_HEALTH_CHECKS": True}
        connections.settings[PRIMARY] = primary
        connections.settings[REPLICA] = {**primary, "PORT": str(cluster.replica_port),
                                         "OPTIONS": {**primary["OPTIONS"], "connect_timeout": 2},
                                         "TEST": {**primary["TEST"], "MIRROR": PRIMARY}}
        try:
            with override_settings(DATABASE_ROUTERS=ROUTERS, GRIDGOV_REPLICA_CHECK_SECONDS=0,
                                   GRIDGOV_REPLICA_MAX_LAG_SECONDS=3600, GRIDGOV_REPLICA_PIN_SECONDS=15):
                db_router.health.forget()
                yield cluster
        finally:
            _drop_thread_connections()
            connections.settings[PRIMARY] = saved
            del connections.settings[REPLICA]
            db_router.health.forget()


def _drop_thread_connections() -> None:
    for alias in list(connections.settings):
        if hasattr(connections._connections, alias):
            connections[alias].close()
            del connections[alias]


@pytest.fixture(scope="module")
def people(clusters):
    """Written through Django on the new primary, and replayed by the replica."""
    seed_categories()  # the migration's rows, in case a transactional test flushed them before the copy
    build_tree()
    reader = make_user("reader", Role.DISPATCHER, scope="9901")
    writer = make_user("writer", Role.DISPATCHER, scope="9901")
    event = EventFactory(org_code=Tree.CELL_A1)
    clusters.replayed(f"SELECT EXISTS (SELECT FROM events_event WHERE id = {event.pk})")
    return {"reader": reader, "writer": writer, "month": timezone.localtime(event.created_at).strftime("%Y-%m")}


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _ranking(client, month):
    """The ranking by county, and the SQL it ran on each server. The ranking's own cache
    (events.ranking_cache, issue 12) is emptied first: here each view must compute."""
    cache.clear()
    with CaptureQueriesContext(connections[PRIMARY]) as on_primary, \
            CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(reverse("events-ranking"), {"tab": "county", "month": month})
    assert response.status_code == 200
    counties = [row["item"].key for row in response.context["rows"]]
    return counties, _reads_events(on_primary), _reads_events(on_replica)


def _reads_events(captured) -> bool:
    return any('"events_event"' in query["sql"] for query in captured.captured_queries)


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_without_a_replica_marked_reads_use_the_one_database_and_nobody_is_pinned(client):
    # given: the router installed, but no replica alias (the default deployment)
    build_tree()
    user = make_user("someone", Role.DISPATCHER, scope="9901")
    with override_settings(DATABASE_ROUTERS=ROUTERS):
        # when / then: a marked read uses the default database
        with reads_from_replica():
            assert Event.objects.all().db == PRIMARY
        # and a request that writes (signing in saves a session) sets no pin cookie
        response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert PIN_COOKIE not in response.cookies


@postgresql_only
def test_reports_read_the_replica_writes_go_to_the_primary_and_a_writer_reads_the_primary(clusters, people):
    reader, writer = _client(people["reader"]), _client(people["writer"])

    # given: an event written on the primary has streamed to the replica
    # when: the reader opens the ranking
    counties, primary_read, replica_read = _ranking(reader, people["month"])
    # then: it is counted, and the report's queries ran on the replica, a server in recovery
    assert counties == [Tree.COUNTY_A]
    assert replica_read and not primary_read
    assert _in_recovery(REPLICA) and not _in_recovery(PRIMARY)
    with reads_from_replica():
        assert Event.objects.all().db == REPLICA
    assert Event.objects.all().db == PRIMARY  # unmarked reads: the primary

    # given: the replica stops replaying, so that a row it lacks shows who served a page
    clusters.pause_replay()
    try:
        # when: the writer registers a call in the other county
        response = writer.post(reverse("events-hotline"), {
            "domain": "fire", "category": "fire.lane", "urgency": "ordinary", "description": "来电反映消防通道被堵",
            "address": "幸福路9号", **POINT_B1, "idempotency_key": "replica-call-1",
        })
        # then: it was written on the primary (the replica is read-only, and lacks it), and the
        # writer is pinned to the primary by a signed cookie
        assert response.status_code == 302, response.content.decode()[:2000]
        new = Event.objects.using(PRIMARY).get(org_code__startswith=Tree.COUNTY_B)
        assert clusters.on_replica(f"SELECT count(*) FROM events_event WHERE id = {new.pk}") == [(0,)]
        assert PIN_COOKIE in response.cookies and response.cookies[PIN_COOKIE]["httponly"]

        # when / then: the writer sees their call counted at once, read from the primary ...
        counties, primary_read, replica_read = _ranking(writer, people["month"])
        assert counties == [Tree.COUNTY_A, Tree.COUNTY_B]
        assert primary_read and not replica_read
        # ... while the reader, who wrote nothing, still reads the replica
        counties, primary_read, replica_read = _ranking(reader, people["month"])
        assert counties == [Tree.COUNTY_A]
        assert replica_read and not primary_read
        # ... and once the pin has expired the writer reads the replica again
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=16)):
            counties, _, replica_read = _ranking(writer, people["month"])
        assert counties == [Tree.COUNTY_A] and replica_read
        # a forged pin cookie pins nobody
        reader.cookies[PIN_COOKIE] = "1"
        counties, _, replica_read = _ranking(reader, people["month"])
        assert counties == [Tree.COUNTY_A] and replica_read

        # when: the replica is further behind than allowed (its replay is paused with WAL waiting)
        with override_settings(GRIDGOV_REPLICA_MAX_LAG_SECONDS=0):
            counties, primary_read, replica_read = _ranking(reader, people["month"])
        # then: reports read the primary
        assert counties == [Tree.COUNTY_A, Tree.COUNTY_B]
        assert primary_read and not replica_read
    finally:
        clusters.resume_replay()

    # when: the replica has caught up, the reader's report shows the call, from the replica
    clusters.replayed(f"SELECT EXISTS (SELECT FROM events_event WHERE id = {new.pk})")
    counties, primary_read, replica_read = _ranking(reader, people["month"])
    assert counties == [Tree.COUNTY_A, Tree.COUNTY_B]
    assert replica_read and not primary_read


@postgresql_only
def test_the_report_page_answers_from_the_primary_when_the_replica_stops(clusters, people):
    reader = _client(people["reader"])
    # given: the replica was checked healthy a moment ago, and the check is remembered
    with override_settings(GRIDGOV_REPLICA_CHECK_SECONDS=3600):
        db_router.health.forget()
        counties, _, replica_read = _ranking(reader, people["month"])
        assert replica_read and counties

        # when: the replica stops, and the reader opens the report again
        clusters.stop(clusters.replica)
        cache.clear()  # the ranking's cache (issue 12): the page must compute again
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
            response = reader.get(reverse("events-ranking"), {"tab": "county", "month": people["month"]})
        # then: the page answers, read from the primary (the failed replica read was run again there)
        assert response.status_code == 200
        assert [row["item"].key for row in response.context["rows"]] == counties
        assert _reads_events(on_primary)

        # and the next request does not try the replica at all while it is known down
        cache.clear()
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
            response = reader.get(reverse("events-ranking"), {"tab": "county", "month": people["month"]})
        assert response.status_code == 200 and _reads_events(on_primary)
        assert connections[REPLICA].connection is None

    # when: the health is checked again (no remembered answer), the replica is still skipped
    db_router.health.forget()
    response = reader.get(reverse("events-ranking"), {"tab": "county", "month": people["month"]})
    assert response.status_code == 200
    assert [row["item"].key for row in response.context["rows"]] == counties


def _settings_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL", "DJANGO_"))}
    script = ("import json, gridgov.settings as s; print(json.dumps({'databases': s.DATABASES, "
              "'routers': getattr(s, 'DATABASE_ROUTERS', []), 'middleware': s.MIDDLEWARE}, default=str))")
    result = subprocess.run([sys.executable, "-c", script], env={**clean, "GRIDGOV_DEBUG": "1", **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_replica_alias_and_pgbouncer_settings():
    # given: a primary behind PgBouncer in transaction pooling, and a replica
    loaded = _settings_with(DATABASE_URL="postgres://gridgov@pgbouncer:6432/gridgov",
                            GRIDGOV_REPLICA_DATABASE_URL="postgres://gridgov@replica-bouncer:6432/gridgov",
                            GRIDGOV_PGBOUNCER="1", GRIDGOV_REPLICA_CONNECT_TIMEOUT="1")
    primary, replica = loaded["databases"]["default"], loaded["databases"]["replica"]

    # then: the router is installed, the replica is never created or migrated in tests
    assert loaded["routers"] == ROUTERS
    assert "gridgov.core.db_router.PrimaryPinMiddleware" in loaded["middleware"]
    assert replica["HOST"] == "replica-bouncer" and replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"]["connect_timeout"] == 1 and replica["CONN_HEALTH_CHECKS"] is True
    # and nothing outlives a transaction on either: no server-side cursors, no prepared
    # statements, no startup options (PgBouncer refuses them)
    for alias in (primary, replica):
        assert alias["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert alias["OPTIONS"]["prepare_threshold"] is None
        assert "options" not in alias["OPTIONS"]


def test_without_pgbouncer_the_statement_timeout_is_a_startup_option_and_there_is_no_router():
    loaded = _settings_with(DATABASE_URL="postgres://gridgov@db:5432/gridgov")

    assert loaded["routers"] == [] and "replica" not in loaded["databases"]
    assert loaded["databases"]["default"]["OPTIONS"]["options"] == "-c statement_timeout=60000"
    assert not loaded["databases"]["default"].get("DISABLE_SERVER_SIDE_CURSORS")
