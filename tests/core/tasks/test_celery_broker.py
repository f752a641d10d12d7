"""Background work on Celery (GRIDGOV_TASKS_BACKEND=celery), against the running brokers:
a real worker (`celery -A gridgov.celery_app worker`, solo pool) in a subprocess, on the
test's PostgreSQL database, runs what the app enqueues after its transaction commits.

The worker is another process, so these tests need a database server (DATABASE_URL; on
SQLite they are skipped) and the brokers of this machine (RabbitMQ on 5672, Redis on 6379;
without one they are skipped, and fail in CI)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction

from gridgov.celery_app import app as celery_app
from gridgov.core.models import Delivery, Role
from gridgov.core.notifications import notify, register_kind
from gridgov.core.task_backends.celery import run_task
from tests.factories import Tree, build_tree, make_user

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
REDIS = "redis://127.0.0.1:6379/14"
CELERY_BACKEND = {"default": {"BACKEND": "gridgov.core.task_backends.celery.CeleryBackend"}}
ROOT = Path(__file__).resolve().parents[3]
WAIT = 60  # seconds at most for the worker to start or a task to show its effect

register_kind("test_worker_mailed", "Test (mailed by a worker)", channels=("email",), roles=("-",))

# `serial`: the broker's queues are shared by every test process, so these run on their own.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _no_broker(name: str, port: int):
    """Skipped on a developer's machine without the broker; a failure in CI, which has both."""
    message = f"no {name} broker on 127.0.0.1:{port}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class FlakyInbox:
    """A local SMTP server's handler that refuses the first `refuse` messages (451, "try
    again later", as a busy mail server does) and keeps the rest."""

    refuse: int = 0
    refused: int = 0
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    handler = FlakyInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def inbox(smtp):
    smtp.refuse = smtp.refused = 0
    smtp.messages.clear()
    return smtp


def _wait_for(predicate, *, what: str, worker=None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) while waiting for {what}:\n{_log(worker)}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {WAIT} s" + (f":\n{_log(worker)}" if worker is not None else ""))


def _log(worker) -> str:
    worker.log.flush()
    return Path(worker.log.name).read_text()[-4000:]


def _use_broker(url: str | None) -> None:
    """Send from this process (the app) to `url` from now on (None: the configured one)."""
    celery_app.conf.broker_url = url or celery_app.conf.broker_url
    celery_app._pool = celery_app.amqp._producer_pool = None


@pytest.fixture(scope="module", params=["rabbitmq", "redis"])
def broker_url(request):
    url, port = (RABBITMQ, 5672) if request.param == "rabbitmq" else (REDIS, 6379)
    if connection.vendor != "postgresql":
        pytest.skip("the Celery worker is another process: it needs a database server (DATABASE_URL)")
    if not _listening(port):
        _no_broker(request.param, port)
    previous = celery_app.conf.broker_url
    _use_broker(url)
    celery_app.control.purge()  # nothing left over from an earlier run
    yield url
    _use_broker(previous)


@pytest.fixture
def broker(broker_url, settings):
    """The app's tasks go to the Celery backend on this broker."""
    settings.TASKS = CELERY_BACKEND
    _use_broker(broker_url)
    return broker_url


@pytest.fixture(scope="module")
def worker(broker_url, smtp, django_db_setup, tmp_path_factory):
    """`celery -A gridgov.celery_app worker` on the same broker and the same test database."""
    db = connection.settings_dict
    logs = tmp_path_factory.mktemp("celery-worker")
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "tests.core.tasks.worker_settings",
           "GRIDGOV_CELERY_BROKER_URL": broker_url,
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}",
           "GRIDGOV_TEST_SMTP_PORT": str(smtp.port),
           "GRIDGOV_NOTIFY_RETRY_SECONDS": "1",
           "GRIDGOV_NOTIFY_MAX_ATTEMPTS": "3",
           "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(logs / "checkpoints")}
    log = open(logs / "worker.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gridgov.celery_app", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    try:
        _wait_for(lambda: "ready." in Path(log.name).read_text(), what="ready worker", worker=process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def officer():
    build_tree()
    return make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, email="officer@example.org")


def _notify(officer):
    """What an action does: notify inside its transaction; the delivery is enqueued on commit."""
    with transaction.atomic():
        notify(recipients=[officer], kind="test_worker_mailed", text="Event %(code)s was sent to you.",
               params={"code": "990101-20261202-0001"}, link="/events/7/")


def _delivery():
    return Delivery.objects.get()


def test_the_worker_sends_what_the_app_enqueued_after_commit(broker, worker, inbox, officer):
    # when: an action notifies the officer (enqueued to the broker when it commits)
    _notify(officer)

    # then: the worker process sent the e-mail and recorded it in the database
    _wait_for(lambda: _delivery().status == Delivery.Status.SENT, what="sent delivery", worker=worker)
    [(recipients, message)] = inbox.messages
    assert recipients == ["officer@example.org"]
    assert "Event 990101-20261202-0001 was sent to you." in message.get_content()
    delivery = _delivery()
    assert (delivery.attempts, delivery.last_error) == (1, "")


def test_a_refused_delivery_is_retried_through_the_broker(broker, worker, inbox, officer):
    # given: the mail server refuses the first message
    inbox.refuse = 1

    # when
    _notify(officer)

    # then: the first attempt failed and was recorded; its retry went back through the broker
    # (run_after = Celery eta, the backoff of GRIDGOV_NOTIFY_RETRY_SECONDS) and was sent
    _wait_for(lambda: _delivery().status == Delivery.Status.SENT, what="delivery sent on retry", worker=worker)
    delivery = _delivery()
    assert delivery.attempts == 2 and "Try again later" in delivery.last_error
    assert inbox.refused == 1 and len(inbox.messages) == 1


def test_a_delivery_refused_every_time_ends_failed_after_its_attempts(broker, worker, inbox, officer):
    inbox.refuse = 99

    _notify(officer)

    _wait_for(lambda: _delivery().status == Delivery.Status.FAILED, what="failed delivery", worker=worker)
    assert (_delivery().attempts, inbox.refused, inbox.messages) == (3, 3, [])


def test_with_the_broker_down_the_action_stands_and_its_delivery_is_sent_by_the_catch_up(
        settings, officer, mailoutbox):
    from django.core.management import call_command

    # given: the broker is out of reach
    settings.TASKS = CELERY_BACKEND
    previous = celery_app.conf.broker_url
    try:
        _use_broker(f"amqp://guest:guest@127.0.0.1:{_free_port()}//")

        # when: an action notifies (the enqueue after commit fails)
        _notify(officer)
    finally:
        _use_broker(previous)

    # then: the action was not undone nor turned into an error; the delivery waits, due now
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 0)
    assert delivery.next_attempt_at is not None and mailoutbox == []

    # when: the periodic catch-up runs (cron: `gridgov notifications_send_due`)
    call_command("notifications_send_due", verbosity=0)

    # then: sent
    assert _delivery().status == Delivery.Status.SENT and len(mailoutbox) == 1


@pytest.mark.parametrize("url,port", [(RABBITMQ, 5672), (REDIS, 6379)], ids=["rabbitmq", "redis"])
def test_readiness_checks_the_broker(url, port, settings):
    from gridgov.core.health import check_tasks

    if not _listening(port):
        _no_broker(url.split(":")[0], port)
    settings.TASKS = CELERY_BACKEND
    previous = celery_app.conf.broker_url
    try:
        _use_broker(url)
        check_tasks()  # reaches the running broker

        _use_broker(url.replace(f":{port}/", f":{_free_port()}/"))  # nothing listens there
        with pytest.raises(Exception):  # noqa: B017 (kombu's or the client's connection error)
            check_tasks()
    finally:
        _use_broker(previous)


def test_the_bridge_refuses_what_is_not_a_task(db):
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation):
        run_task.run("os.system", ["true"], {})


def test_the_bridge_gives_a_task_that_takes_context_its_result(db, monkeypatch):
    import re

    from gridgov.core.task_backends import celery as bridge

    # the bridge runs gridgov tasks only; this test's own task is let through here
    monkeypatch.setattr(bridge, "TASK_PATH", re.compile(r"tests\.core\.tasks\.sample_tasks\.[a-z_]+"))
    outcome = run_task.run("tests.core.tasks.sample_tasks.result_id_and_argument", [7], {}, "default", "abc123")

    assert outcome == {"id": "abc123", "value": 7, "attempt": 1}
