"""Issue 10, "Faults": `gridgov backup` / `gridgov restore` round-trip the whole database.

A backup of a seeded database (people with encrypted fields, an event, audit entries and a
checkpoint of the audit chains) restored into a fresh database equals the original table
by table, row by row; the restored people decrypt with the same key, and `audit verify`
passes on it. On PostgreSQL the fresh database is created for the test and dropped after.
"""

import os
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridgov.core.models import Person, Role
from gridgov.core.services import person_create
from gridgov.events.catalog import seed_categories
from gridgov.events.models import Channel, Event
from gridgov.events.services import Submission, event_submit
from tests.factories import Tree, make_resident_id, make_user

pytestmark = pytest.mark.django_db(transaction=True)
GRIDGOV = os.path.join(os.path.dirname(sys.executable), "gridgov")


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.GRIDGOV_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.GRIDGOV_AUDIT_CHECKPOINT_DIR


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _pg_admin(statement: str) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                         password=s["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database to restore into."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _gridgov(database_url, checkpoint_dir, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "gridgov.test_settings",
           "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir)}
    return subprocess.run([GRIDGOV, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def grid_worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


def _seed(grid_worker):
    seed_categories()
    people = [
        person_create(actor=grid_worker, name=name, resident_id=make_resident_id(seq=seq), phone=f"1380000{seq:04d}",
                      address="示范市幸福路 8 号", org_code=Tree.CELL_A1)
        for seq, name in ((101, "张三"), (102, "李四"), (103, "王五"))
    ]
    event_submit(actor=grid_worker, submission=Submission(
        category_code="food.unlicensed", description="路边无证小吃摊", channel=Channel.GRID_WORKER,
        lat=31.005, lng=120.005))
    return people


def _sqlite_tables(conn) -> dict:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def _pg_tables(url) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")]
        tables = {name: conn.execute(f'SELECT t::text FROM "{name}" AS t ORDER BY 1').fetchall() for name in names}
        for (sequence,) in conn.execute(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'").fetchall():
            tables[f"sequence {sequence}"] = conn.execute(f'SELECT last_value, is_called FROM "{sequence}"').fetchall()
        return tables


def _all_rows(database_url=None) -> dict:
    if connection.vendor == "sqlite":
        if database_url is None:
            connection.ensure_connection()
            return _sqlite_tables(connection.connection)
        restored = sqlite3.connect(database_url.removeprefix("sqlite:///"),
                                   detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        try:
            return _sqlite_tables(restored)
        finally:
            restored.close()
    return _pg_tables(database_url or _pg_url(connection.settings_dict["NAME"]))


def test_a_backup_restored_into_a_fresh_database_equals_the_original(
        grid_worker, checkpoints, fresh_database, tmp_path):
    people = _seed(grid_worker)
    call_command("audit", "checkpoint", stdout=StringIO())
    backup = tmp_path / "gridgov.backup"

    call_command("backup", str(backup), stdout=StringIO())
    restore = _gridgov(fresh_database, checkpoints, "restore", str(backup))
    verify = _gridgov(fresh_database, checkpoints, "audit", "verify")
    decrypt = _gridgov(fresh_database, checkpoints, "shell", "--no-imports", "-c",
                       f"from gridgov.core.models import Person; print(Person.objects.get(pk={people[0].pk}).resident_id)")
    original, restored = _all_rows(), _all_rows(fresh_database)

    assert restore.returncode == 0, restore.stderr
    assert set(restored) == set(original)
    for table, rows in original.items():
        assert restored[table] == rows, table
    assert Person.objects.count() == 3 and Event.objects.count() == 1
    assert len(original["core_auditentry"]) >= 4
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK:") and "against 1 checkpoint file(s)" in verify.stdout
    assert decrypt.stdout.strip() == people[0].resident_id
    assert people[0].resident_id.encode() not in backup.read_bytes()  # encrypted in the backup too


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(grid_worker, checkpoints, tmp_path):
    people = _seed(grid_worker)
    backup = tmp_path / "gridgov.backup"
    call_command("backup", str(backup), stdout=StringIO())
    later = person_create(actor=grid_worker, name="赵六", resident_id=make_resident_id(seq=104),
                          org_code=Tree.CELL_A1)

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(backup))
    kept = Person.objects.filter(pk=later.pk).exists()
    with pytest.raises(CommandError):
        call_command("backup", str(backup))  # nor does a backup overwrite an earlier one
    call_command("restore", str(backup), "--force", stdout=StringIO())
    connection.close()

    assert kept
    assert not Person.objects.filter(pk=later.pk).exists()
    assert Person.objects.get(pk=people[0].pk).resident_id == people[0].resident_id
    call_command("audit", "verify", stdout=StringIO())  # exits 0: the chain is whole again
