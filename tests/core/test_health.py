"""Issue 12: /healthz (liveness, asks nothing) and /readyz (readiness: database, cache,
migrations, task queue). The database down is tested against the real server in
tests/serving/test_gunicorn.py (a server whose database does not exist)."""

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from gridgov.core import health


@pytest.fixture(autouse=True)
def _forget_migration_check():
    health._migrated.clear()
    health.ready_cache.forget()  # each test's /readyz checks afresh
    yield
    health._migrated.clear()
    health.ready_cache.forget()


def test_healthz_answers_without_the_database_or_a_session(client):
    # No `db` fixture: any query would fail the test ("Database access not allowed").
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_is_only_read(client):
    assert client.post("/healthz").status_code == 405


def test_readyz_reports_every_check(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok", "tasks": "ok"},
    }


@pytest.mark.parametrize("backend", ["django_tasks_db.DatabaseBackend",
                                     "django_tasks.backends.immediate.ImmediateBackend"])
def test_readyz_checks_the_configured_task_backend(client, db, backend):
    with override_settings(TASKS={"default": {"BACKEND": backend}}):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == "ok"


def test_readyz_is_503_while_a_migration_is_not_applied(client, db):
    # given a database one migration behind the code (rolled back after the test)
    latest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed"
    assert body["failed"] == ["migrations"]
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_cache_cannot_be_reached_and_says_nothing_else(client, db, tmp_path):
    # A real file cache whose directory cannot be created (its parent is a file).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    caches = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(blocker / "cache")}}
    with override_settings(CACHES=caches):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    # no path, host, setting or exception text in an anonymous answer
    assert str(tmp_path) not in response.content.decode()
    assert "Error" not in response.content.decode()


def test_probes_are_not_sent_to_the_second_factor(client, grid_worker):
    # given a signed-in grid worker who has not set up the second factor, where it is required
    client.force_login(grid_worker)
    with override_settings(GRIDGOV_OTP="required"):
        health_response = client.get("/healthz")
        ready_response = client.get("/readyz")
        page = client.get("/")

    assert health_response.status_code == 200
    assert ready_response.status_code == 200
    assert page.status_code == 302  # an ordinary page is
