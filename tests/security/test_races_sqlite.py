"""SQLite under concurrent writers (races, issue 10, findings 4 and 10).

The attack: 20 parallel submissions on the embedded SQLite database, 18 of which failed
with "database is locked". Writers now queue (BEGIN IMMEDIATE with a busy timeout), so on
a file database (WAL, as deployed; not the in-memory one of the tests) all 20 succeed,
and the races of finding 4 end as they do on PostgreSQL.

The writers run in a separate program on a copy of the test database's schema, so that
each thread has its own connection to a real file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite settings under test"),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results(django_db_setup, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-writers") / "gridgov.sqlite3"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])  # the migrated, empty schema
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "gridgov.test_settings",
           "GRIDGOV_DEBUG": "1", "GRIDGOV_ALLOWED_HOSTS": "testserver"}
    done = subprocess.run([sys.executable, "-m", "tests.security.sqlite_writers"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(line.removeprefix("RESULT "))


def test_the_settings_queue_writers_and_keep_wal():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_twenty_parallel_registrations_all_succeed(results):
    run = results["distinct_people"]
    assert run["unexpected"] == [] and run["statuses"] == [201] * 20
    assert len(run["ids"]) == 20


def test_twenty_parallel_registrations_of_one_id_make_one_person_and_nineteen_409s(results):
    run = results["one_resident_id"]
    assert run["statuses"] == [201] + [409] * 19 and run["errors"] == ["duplicate"]
    assert run["people"] == 1


def test_twenty_parallel_subsidies_stay_within_the_cap(results):
    run = results["subsidies"]
    assert run["statuses"] == [201] * 6 + [409] * 14 and run["errors"] == ["conflict"]
    assert run["days"] == 54


def test_twenty_retries_with_one_idempotency_key_create_one_person(results):
    run = results["one_key"]
    assert run["statuses"] == [201] * 20 and len(run["ids"]) == 1
    assert run["people"] == 1
