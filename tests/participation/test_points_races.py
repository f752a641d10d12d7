"""Many redemptions at once at one account and one shop item, and many sign-ups at once to one
volunteer shift (issue 14's done-means), on
PostgreSQL in the test process and on a file SQLite database in a program of its own: the
balance and the stock stay exact and never go below zero, the losers answer 409 in the error
shape, and one idempotency key makes one movement however many retries arrive together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def check(results: dict) -> None:
    spend = results["balance"]  # 100 points, twenty requests of 20
    assert spend["unexpected"] == [] and spend["statuses"] == [201] * 5 + [409] * 15
    assert spend["errors"] == ["insufficient_balance"] and spend["left"] == 0
    rice = results["stock"]  # 3 bags, twenty requests of one
    assert rice["statuses"] == [201] * 3 + [409] * 17 and rice["errors"] == ["out_of_stock"] and rice["left"] == 0
    retry = results["one_key"]  # twenty retries of one earning
    assert retry["statuses"] == [201] * 20 and len(retry["ids"]) == 1 and retry["movements"] == 1
    shift = results["shift"]  # 3 places, twenty volunteers at once
    assert shift["statuses"] == [201] * 3 + [409] * 17 and shift["errors"] == ["full"]
    assert shift["taken"] == 3 and shift["signups"] == 3
    again = results["one_volunteer"]  # one volunteer's twenty requests for a place
    assert again["statuses"] == [201] + [409] * 19 and again["taken"] == 1
    ledger = results["ledger"]
    assert ledger == {"sum": 0, "hold": 5 * 20 + 3 * 10, "negative_households": 0}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run (SQLite: the test below)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_on_postgresql():
    from tests.participation.points_races import race_results

    check(race_results())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite run (PostgreSQL: the test above)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_on_a_sqlite_file(django_db_blocker, tmp_path):
    path = tmp_path / "points.sqlite3"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])  # the migrated, empty schema
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "gridgov.test_settings",
           "GRIDGOV_DEBUG": "1", "GRIDGOV_ALLOWED_HOSTS": "testserver"}
    done = subprocess.run([sys.executable, "-m", "tests.participation.points_races"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, done.stdout[-2000:] + done.stderr[-4000:]
    check(json.loads(line.removeprefix("RESULT ")))
