"""Security review of issue 12 (scale): what a forged broker message, an anonymous probe, the
object store, a failing replica and a redelivered task could do.

1. The Celery bridge imports only gridgov tasks, names only configured backends; start-up
   fails without a broker address; messages are JSON only.
2. /readyz answers from a per-process result for a few seconds (an anonymous probe is not a
   way to load the database).
3. Files in S3 are encrypted at rest by default.
4. A decorated report that fails on the replica runs again on the primary only if it wrote
   nothing (not even by raw SQL).
5. Whatever decides who may see what is read from the primary, never a lagging replica.
6. A redelivered notification task sends nothing twice.
7. A grid worker's new username is shown by the cached org tree at once.

Parts that need PostgreSQL skip on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import TransactionTestCase

from gridgov.core.task_backends import celery as celery_bridge
from gridgov.core.task_backends.celery import run_task
from tests.core.test_object_storage import s3_server  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]


# --- 1. The Celery bridge and its settings ------------------------------------------------------


@pytest.mark.parametrize("name", [
    "tabnanny.check",  # any importable module: refused before it is imported
    "os.system",
    "gridgov.settings.SECRET_KEY",
    "gridgov..tasks.x",
    "gridgov.core.tasks.maintain_partitions.func",
    "tests.core.tasks.sample_tasks.result_id_and_argument",  # a task, but not a gridgov one
    ["gridgov.core.tasks.maintain_partitions"],
])
def test_a_forged_message_naming_no_gridgov_task_imports_nothing_and_runs_nothing(name):
    already = set(sys.modules)

    with pytest.raises(SuspiciousOperation):
        run_task.run(name, [], {}, "default", "")

    assert set(sys.modules) - already == set()


@pytest.mark.parametrize("name", [
    "gridgov.core.tasks.partitions",  # a module imported by a tasks module, not a task
    "gridgov.core.tasks.nothing_here",
    "gridgov.nothing.tasks.x",
    "gridgov.core.tasks.task",  # the decorator, not a task
])
def test_a_forged_message_naming_something_in_a_tasks_module_that_is_no_task_is_refused(name):
    with pytest.raises(SuspiciousOperation):
        run_task.run(name, [], {}, "default", "")


@pytest.mark.parametrize("backend", ["nope", "", None, ["default"]])
def test_a_forged_message_naming_an_unknown_backend_is_refused(backend, db):
    with pytest.raises(SuspiciousOperation):
        run_task.run("gridgov.core.notifications.tasks.deliver_notification", [1], {}, backend, "")


def test_a_forged_message_with_arguments_of_the_wrong_shape_is_refused(db):
    with pytest.raises(SuspiciousOperation):
        run_task.run("gridgov.core.notifications.tasks.deliver_notification", {"delivery_id": 1}, {}, "default", "")


def test_a_real_gridgov_task_still_runs(db):
    # a delivery that does not exist (or is no longer pending) is skipped
    assert run_task.run("gridgov.core.notifications.tasks.deliver_notification", [999999], {}, "default", "") \
        == "skipped"


def _load(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("GRIDGOV_", "DJANGO_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run([sys.executable, "-c", code], env={**clean, "GRIDGOV_DEBUG": "1", **env},
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_celery_backend_without_a_broker_address_refuses_to_start():
    result = _load("import gridgov.settings", GRIDGOV_TASKS_BACKEND="celery")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "GRIDGOV_CELERY_BROKER_URL" in result.stderr
    assert "guest" not in result.stderr


def test_the_celery_backend_with_a_broker_address_starts_and_takes_only_json():
    code = ("import gridgov.settings as s; from gridgov.celery_app import app; app.loader.import_default_modules(); "
            "print(app.conf.broker_url, sorted(app.conf.accept_content), app.conf.task_serializer, "
            "sorted(app.conf.result_accept_content), app.conf.result_serializer)")
    result = _load(code, GRIDGOV_TASKS_BACKEND="celery", GRIDGOV_CELERY_BROKER_URL="redis://mq.example:6379/3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://mq.example:6379/3", "['json']", "json", "['json']", "json"]


def test_a_pickled_message_is_refused_before_it_is_decoded():
    import pickle

    from kombu.exceptions import ContentDisallowed
    from kombu.serialization import loads

    from gridgov.celery_app import app

    body = pickle.dumps(((celery_bridge.RUN_TASK,), {}, {}))
    with pytest.raises(ContentDisallowed):
        loads(body, "application/x-python-serialize", "binary", accept=app.conf.accept_content)


def test_a_worker_without_a_broker_address_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "gridgov.celery_app", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_", "DATABASE_URL"))},
             "GRIDGOV_DEBUG": "1"},
        capture_output=True, text=True, timeout=120, cwd=ROOT)

    assert result.returncode != 0
    assert "GRIDGOV_CELERY_BROKER_URL" in result.stdout + result.stderr


# --- 2. /readyz answers from a per-process result for a few seconds --------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ready_clock(monkeypatch, settings):
    from gridgov.core import health

    settings.GRIDGOV_READYZ_CACHE_SECONDS = 5
    clock = FakeClock()
    monkeypatch.setattr(health, "clock", clock)
    health.ready_cache.forget()
    yield clock
    health.ready_cache.forget()


def _broken_cache(tmp_path) -> dict:
    """A real file cache whose directory cannot be created (its parent is a file)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": str(blocker / "cache")}}


def test_repeated_probes_within_the_window_ask_nothing_and_a_failure_shows_after_it(
        client, db, ready_clock, settings, tmp_path, django_assert_num_queries):
    # given: a first probe checked everything
    assert client.get("/readyz").status_code == 200

    # when: probes keep coming within the window, even as the cache breaks
    working_caches = settings.CACHES
    settings.CACHES = _broken_cache(tmp_path)
    ready_clock.now += 4
    with django_assert_num_queries(0):
        answers = [client.get("/readyz") for _ in range(20)]

    # then: they asked nothing of the database, and answered with the last result
    assert {a.status_code for a in answers} == {200}

    # when: the window has passed
    ready_clock.now += 1.5
    failed = client.get("/readyz")

    # then: the failure shows, and is kept for its window too
    assert failed.status_code == 503 and failed.json()["failed"] == ["cache"]
    settings.CACHES = working_caches
    ready_clock.now += 4
    with django_assert_num_queries(0):
        assert client.get("/readyz").status_code == 503
    ready_clock.now += 1.5
    assert client.get("/readyz").status_code == 200


def test_with_no_window_every_probe_checks(client, db, ready_clock, settings, django_assert_num_queries):
    settings.GRIDGOV_READYZ_CACHE_SECONDS = 0
    client.get("/readyz")

    with django_assert_num_queries(1):  # SELECT 1 (the test settings run tasks in-process)
        assert client.get("/readyz").status_code == 200


def test_healthz_stays_trivial(client, ready_clock):
    # No `db` fixture: any query would fail the test ("Database access not allowed").
    assert [client.get("/healthz").json() for _ in range(3)] == [{"status": "ok"}] * 3


# --- 3. Files in S3 are encrypted at rest by default ------------------------------------------

S3_BUCKET = "gridgov-review-sse"


@pytest.fixture
def s3_bucket(s3_server, settings, tmp_path):
    """A private bucket of the local S3 server; `use(**env)` points the app's files at it,
    configured from the environment as a deployment would be."""
    import boto3

    from gridgov.core.storage import default_storage_from_env

    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=S3_BUCKET)

    def use(**env):
        settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env({
            "GRIDGOV_STORAGE": "s3", "GRIDGOV_S3_BUCKET": S3_BUCKET, "GRIDGOV_S3_ENDPOINT_URL": s3_server,
            "GRIDGOV_S3_REGION": "us-east-1", "GRIDGOV_S3_ADDRESSING_STYLE": "path",
            "GRIDGOV_S3_ACCESS_KEY_ID": "testing", "GRIDGOV_S3_SECRET_ACCESS_KEY": "testing", **env})}

    settings.MEDIA_ROOT = tmp_path / "media"
    client.use = use
    yield client
    for item in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []):
        client.delete_object(Bucket=S3_BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=S3_BUCKET)


def _stored_head(bucket) -> dict:
    import io

    from django.core.files.storage import default_storage

    name = default_storage.save("events/2026/12/photo.jpg", io.BytesIO(b"jpeg bytes"))
    return bucket.head_object(Bucket=S3_BUCKET, Key=name)


def test_an_uploaded_file_is_encrypted_at_rest_without_any_setting(s3_bucket):
    s3_bucket.use()  # no GRIDGOV_S3_SSE

    assert _stored_head(s3_bucket)["ServerSideEncryption"] == "AES256"


def test_encryption_by_the_server_can_be_switched_off_for_a_server_that_refuses_it(s3_bucket):
    s3_bucket.use(GRIDGOV_S3_SSE="none")

    assert "ServerSideEncryption" not in _stored_head(s3_bucket)


def test_kms_encryption_takes_its_key_and_a_wrong_value_refuses_to_start():
    from django.core.exceptions import ImproperlyConfigured

    from gridgov.core.storage import default_storage_from_env

    base = {"GRIDGOV_STORAGE": "s3", "GRIDGOV_S3_BUCKET": "b"}
    kms = default_storage_from_env({**base, "GRIDGOV_S3_SSE": "aws:kms", "GRIDGOV_S3_SSE_KMS_KEY_ID": "alias/gridgov"})
    assert kms["OPTIONS"]["object_parameters"] == {
        "CacheControl": "private, no-store", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/gridgov"}
    for wrong in ({"GRIDGOV_S3_SSE": "aes"}, {"GRIDGOV_S3_SSE_KMS_KEY_ID": "alias/gridgov"}):
        with pytest.raises(ImproperlyConfigured):
            default_storage_from_env({**base, **wrong})


# --- 4 and 5. The replica router --------------------------------------------------------------


class AlwaysHealthy:
    """The replica's health check says yes (the replica below fails only when it is used)."""

    def __init__(self):
        self.down = ""

    def get(self):
        from gridgov.core.db_router import ReplicaHealth

        return ReplicaHealth(True, 0.0)

    def mark_down(self, reason: str) -> None:
        self.down = reason

    def forget(self) -> None:
        pass


class ReplicaAlias:
    """A `replica` alias for the router, thought healthy: a second connection to the test
    database (`reachable`), or one that cannot be reached (a file in a directory that does not
    exist on SQLite, a port nobody listens on with PostgreSQL)."""

    @staticmethod
    def settings_dict(*, reachable: bool, tmp: Path) -> dict:
        import socket

        from django.db import connections

        primary = connections.settings["default"]
        replica = {**primary, "OPTIONS": {**primary["OPTIONS"]}, "NAME": connections["default"].settings_dict["NAME"]}
        if not reachable and primary["ENGINE"].endswith("sqlite3"):
            replica["NAME"] = str(tmp / "no-such-directory" / "replica.sqlite3")
        elif not reachable:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            replica.update(HOST="127.0.0.1", PORT=str(port), OPTIONS={**primary["OPTIONS"], "connect_timeout": 1})
        replica["TEST"] = {**primary.get("TEST", {}), "MIRROR": "default"}
        return replica

    @staticmethod
    def use(settings_dict: dict) -> None:
        from django.db import connections

        from gridgov.core.db_router import REPLICA

        ReplicaAlias.drop_connection()
        connections.settings[REPLICA] = settings_dict

    @staticmethod
    def drop_connection() -> None:
        from django.db import connections

        from gridgov.core.db_router import REPLICA

        if hasattr(connections._connections, REPLICA):
            connections[REPLICA].close()
            del connections[REPLICA]

    @staticmethod
    def remove() -> None:
        from django.db import connections

        from gridgov.core.db_router import REPLICA

        ReplicaAlias.drop_connection()
        connections.settings.pop(REPLICA, None)


def _renamed(code: str) -> str:
    from gridgov.core.models import OrgUnit

    return OrgUnit.objects.get(code=code).name


def _events() -> list:
    from gridgov.events.models import Event

    return list(Event.objects.all())


def _append_to_name(code: str) -> None:
    from django.db import connections

    with connections["default"].cursor() as cursor:  # a write the router does not see
        cursor.execute("UPDATE core_orgunit SET name = name || %s WHERE code = %s", ["+", code])


class ReplicaFailureTests(TransactionTestCase):
    """No test transaction (the router sends no read to the replica inside one); the replica
    alias is one of the test's databases, a mirror of the test database."""

    databases = {"default", "replica"}

    @classmethod
    def setUpClass(cls):
        import tempfile

        cls.tmp = Path(tempfile.mkdtemp(prefix="gridgov-review-replica-"))
        ReplicaAlias.use(ReplicaAlias.settings_dict(reachable=False, tmp=cls.tmp))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        ReplicaAlias.remove()

    def setUp(self):
        from unittest import mock

        from django.test import override_settings

        from gridgov.core import db_router
        from tests.factories import build_tree

        self.healthy = AlwaysHealthy()
        routers = override_settings(DATABASE_ROUTERS=["gridgov.core.db_router.PrimaryReplicaRouter"])
        routers.enable()
        self.addCleanup(routers.disable)
        health = mock.patch.object(db_router, "health", self.healthy)
        health.start()
        self.addCleanup(health.stop)
        self.addCleanup(ReplicaAlias.drop_connection)
        build_tree()

    def replica(self, *, reachable: bool) -> None:
        ReplicaAlias.use(ReplicaAlias.settings_dict(reachable=reachable, tmp=self.tmp))

    def test_a_report_that_wrote_by_raw_sql_is_not_run_again_and_reads_its_write_from_the_primary(self):
        from gridgov.core.db_router import reads_from_replica
        from tests.factories import Tree

        self.replica(reachable=False)
        before = _renamed(Tree.COUNTY_A)
        runs = []

        @reads_from_replica()
        def report_that_writes():
            runs.append(1)
            _append_to_name(Tree.COUNTY_A)
            return [e.pk for e in _events()]  # the replica would fail, were it read

        # when / then: it ran once, its write happened once, and it read the primary
        assert report_that_writes() == []
        assert runs == [1]
        assert _renamed(Tree.COUNTY_A) == before + "+"
        assert not self.healthy.down

    def test_a_report_that_read_the_replica_then_wrote_by_raw_sql_and_failed_is_not_run_again(self):
        from django.db import OperationalError

        from gridgov.core.db_router import REPLICA, reads_from_replica
        from gridgov.events.models import Event
        from tests.factories import Tree

        self.replica(reachable=True)
        before = _renamed(Tree.COUNTY_A)
        runs = []

        @reads_from_replica()
        def report_that_writes_then_fails():
            runs.append(1)
            assert Event.objects.all().db == REPLICA
            _events()  # read on the replica
            _append_to_name(Tree.COUNTY_A)
            raise OperationalError("canceling statement due to lock timeout")  # as the primary may answer

        # when / then: the error is raised as it is, and the write is not repeated
        with pytest.raises(OperationalError):
            report_that_writes_then_fails()
        assert runs == [1]
        assert _renamed(Tree.COUNTY_A) == before + "+"

    def test_a_report_that_only_read_runs_again_on_the_primary_when_the_replica_fails(self):
        from gridgov.core.db_router import reads_from_replica
        from gridgov.events.catalog import seed_categories
        from tests.factories import EventFactory, Tree

        self.replica(reachable=False)
        seed_categories()  # the migration's rows (a transactional test flushed them)
        event = EventFactory(org_code=Tree.CELL_A1)
        runs = []

        @reads_from_replica()
        def report():
            runs.append(1)
            return [e.pk for e in _events()]

        assert report() == [event.pk]
        assert runs == [1, 1] and self.healthy.down  # it failed on the replica, then read the primary


@pytest.mark.parametrize("sql,select", [
    ("SELECT 1", True),
    ('  (SELECT "events_event"."id" FROM "events_event")', True),
    ('SELECT "id" FROM "core_orgunit" WHERE "code" = %s FOR UPDATE', False),
    ("SELECT 1 INTO scratch", False),
    ("UPDATE core_orgunit SET name = 'x'", False),
    ("WITH gone AS (DELETE FROM core_orgunit RETURNING 1) SELECT 1", False),
    ('SAVEPOINT "s1"', False),
    ("", False),
])
def test_what_counts_as_a_read_that_may_run_twice(sql, select):
    from gridgov.core.db_router import _is_select

    assert _is_select(sql) is select


ACCESS_MODELS = [
    "core.user", "core.userrole", "core.rolegrantrequest", "core.gridassignment", "core.apitoken",
    "core.emergencygrant", "core.orgunit", "core.department", "care.teammember",
    "django_tasks_database.dbtaskresult", "sessions.session", "otp_totp.totpdevice",
]


@pytest.fixture
def replica_router(monkeypatch, settings, tmp_path):
    """The router installed, a `replica` alias configured (never connected to), thought healthy."""
    from gridgov.core import db_router

    settings.DATABASE_ROUTERS = ["gridgov.core.db_router.PrimaryReplicaRouter"]
    monkeypatch.setattr(db_router, "health", AlwaysHealthy())
    ReplicaAlias.use(ReplicaAlias.settings_dict(reachable=False, tmp=tmp_path))
    yield
    ReplicaAlias.remove()


@pytest.mark.parametrize("label", ACCESS_MODELS)
def test_what_decides_who_may_see_what_is_read_from_the_primary_even_in_a_report(label, replica_router):
    from django.apps import apps

    from gridgov.core.db_router import PRIMARY, REPLICA, PrimaryReplicaRouter, reads_from_replica
    from gridgov.events.models import Event

    router = PrimaryReplicaRouter()
    with reads_from_replica():
        assert router.db_for_read(Event) == REPLICA  # a report's data may be served by the replica
        assert router.db_for_read(apps.get_model(label)) == PRIMARY


def test_the_org_trees_grid_workers_through_table_is_primary_too(replica_router):
    from gridgov.core.db_router import PRIMARY, PrimaryReplicaRouter, reads_from_replica
    from gridgov.core.models import OrgUnit

    router = PrimaryReplicaRouter()
    with reads_from_replica():
        assert router.db_for_read(OrgUnit.grid_workers.through) == PRIMARY


# --- 6. A redelivered notification task sends nothing twice --------------------------------

from tests.core.notifications.conftest import fake_aliyun  # noqa: E402, F401 (a fixture)

DELIVER = "gridgov.core.notifications.tasks.deliver_notification"


def _texted_officer():
    from gridgov.core.models import NotificationContact, Role
    from gridgov.core.notifications import register_kind
    from tests.factories import Tree, build_tree, make_user

    register_kind("review12_texted", "Test (texted)", channels=("sms",), roles=("-",))
    build_tree()
    officer = make_user("officer12", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    NotificationContact.objects.create(user=officer, sms_phone="13912345678")
    return officer


@pytest.mark.django_db
def test_a_redelivered_sms_task_sends_nothing_more(fake_aliyun, django_capture_on_commit_callbacks):
    from gridgov.core.models import Delivery
    from gridgov.core.notifications import notify
    from gridgov.core.notifications.deliveries import deliveries_send_due

    officer = _texted_officer()
    # given: an SMS sent by its task after the action committed
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="review12_texted", text="A check-in was missed.")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and len(fake_aliyun.received) == 1

    # when: the broker hands the same message to workers again (acks_late after a lost ack,
    # Redis' visibility timeout), and the catch-up runs
    again = [run_task.run(DELIVER, [delivery.pk], {}, "default", "") for _ in range(3)]
    deliveries_send_due()

    # then: nothing more was sent
    assert again == ["skipped"] * 3
    assert len(fake_aliyun.received) == 1
    assert Delivery.objects.get().attempts == 1


@pytest.mark.django_db(transaction=True)
def test_workers_given_the_same_sms_at_once_send_it_once(fake_aliyun):
    from django.db import connection

    from gridgov.core.models import Delivery
    from gridgov.core.notifications import notify
    from gridgov.core.notifications.deliveries import delivery_attempt
    from tests.security.races import run_together

    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (the row lock); SQLite has one worker")
    officer = _texted_officer()
    notify(recipients=[officer], kind="review12_texted", text="A check-in was missed.")  # autocommit:
    # the ImmediateBackend sends it at once; make it pending again to race for it
    Delivery.objects.update(status=Delivery.Status.PENDING, attempts=0, sent_at=None, text="A check-in was missed.")
    fake_aliyun.received.clear()
    pk = Delivery.objects.get().pk

    results = run_together(8, lambda i: delivery_attempt(pk))

    assert sorted(results) == ["sent"] + ["skipped"] * 7
    assert len(fake_aliyun.received) == 1


# --- 7. The cached org tree follows its workers' accounts -----------------------------------


@pytest.fixture
def cell_worker(tree):
    from rest_framework.test import APIClient

    from gridgov.core.models import Role
    from tests.factories import Tree, make_api_token, make_user

    admin = make_user("cityadmin12", Role.CITY_ADMIN, scope="99")
    worker = make_user("worker12", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(admin)}")
    return client, worker


def _cell_workers(client) -> list[str]:
    from tests.factories import Tree

    response = client.get(f"/api/v1/org-units/{Tree.CELL_A1}/")
    assert response.status_code == 200
    return response.json()["grid_workers"]


def test_a_workers_new_username_shows_in_the_cached_tree_at_once(cell_worker):
    client, worker = cell_worker
    assert _cell_workers(client) == ["worker12"]  # now cached

    # when: the account is renamed (the admin saves the whole user)
    worker.username = "renamed12"
    worker.save()

    # then
    assert _cell_workers(client) == ["renamed12"]


def test_a_cell_given_to_a_worker_through_the_relation_shows_at_once(cell_worker, db):
    from gridgov.core.models import OrgUnit, Role
    from tests.factories import Tree, make_user

    client, _worker = cell_worker
    assert _cell_workers(client) == ["worker12"]
    second = make_user("second12", Role.GRID_WORKER, scope=Tree.CELL_A1)

    OrgUnit.objects.get(code=Tree.CELL_A1).grid_workers.add(second)  # a bulk insert: no post_save

    assert _cell_workers(client) == ["second12", "worker12"]


def test_a_workers_scope_change_or_rename_drops_the_tree_but_a_sign_in_does_not(cell_worker):
    from django.contrib.auth.models import update_last_login

    from gridgov.core import org_cache
    from tests.factories import Tree

    _client, worker = cell_worker
    first = org_cache.generation()

    update_last_login(None, worker)  # every sign-in saves last_login
    assert org_cache.generation() == first

    worker.scope_code = Tree.VILLAGE_A
    worker.save(update_fields=["scope_code"])
    assert org_cache.generation() != first
