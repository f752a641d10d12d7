"""Issue 10, "Faults": an import killed half-way leaves nothing half-written.

A subprocess runs the import (`gridgov orgunits import`, and the register's household
import, which also registers new people) against a database file or server; as soon as it
has written its first rows it stops, and is killed with SIGKILL, as an out-of-memory killer
or a pulled plug would. Then nothing of the import is in the database, and `audit verify`
passes. On a file-based SQLite database and on PostgreSQL.
"""

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.core.models import AuditEntry, OrgUnit, Person, Role
from gridgov.register import services
from gridgov.register.models import Household
from tests.factories import Tree, make_resident_id, make_user

pytestmark = pytest.mark.django_db(transaction=True)
GRIDGOV = os.path.join(os.path.dirname(sys.executable), "gridgov")

# Runs the import given as argv[2] (Python), and once an INSERT into the table argv[1] has
# been executed says so and waits to be killed, inside the import's transaction.
_CHILD = r"""
import sys, time
import django
django.setup()
from django.db import connection

table, code = sys.argv[1], sys.argv[2]

def stop_after_first_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
        print("WROTE", flush=True)
        time.sleep(600)
    return result

with connection.execute_wrapper(stop_after_first_write):
    exec(code)
print("FINISHED", flush=True)
"""

_ORG_UNITS = r"""
from django.core.management import call_command
call_command("orgunits", "import", sys.argv[3])
"""

_HOUSEHOLDS = r"""
from gridgov.core.models import User
from gridgov.register.imports import register_import
register_import(
    actor=User.objects.get(username="screener"), kind="households",
    headers=["户号", "楼栋地址", "单元", "姓名", "身份证号", "手机", "与户主关系", "居住类型"],
    rows=[["H1", "幸福路 8 号", "1单元101", "王大", "%s", "13800001111", "户主", "户籍人口"],
          ["H1", "幸福路 8 号", "1单元101", "王小", "%s", "", "子女", "registered_here"],
          ["H2", "幸福路 8 号", "1单元102", "李老", "%s", "", "head", "moved_in"]],
    dry_run=False)
""" % (make_resident_id(birth="19700101", seq=21), make_resident_id(birth="20050101", seq=22),
       make_resident_id(birth="19450101", seq=23))


@pytest.fixture
def database_url(tmp_path, tree):
    """A database the subprocess can open: on SQLite the test database copied to a file (by
    `gridgov backup`), on PostgreSQL the test database itself (this test commits)."""
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005, use="residential",
                             units=["1单元101", "1单元102"])
    if connection.vendor == "sqlite":
        path = tmp_path / "gridgov.sqlite3"
        call_command("backup", str(path), stdout=StringIO())
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(database_url, tmp_path):
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "gridgov.test_settings",
            "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}


def _kill_after_first_write(database_url, tmp_path, table, code, *args):
    child = subprocess.Popen([sys.executable, "-c", _CHILD, table, code, *args], env=_env(database_url, tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 180)
        line = child.stdout.readline().strip() if ready else ""
        assert line == "WROTE", f"the import did not reach its first write: {line!r} {child.stderr.read()[-3000:]}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


def _counts(database_url, tables):
    if database_url.startswith("sqlite:///"):
        db = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            db.close()
    with connection.cursor() as cursor:
        counts = {}
        for t in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{t}"')
            counts[t] = cursor.fetchone()[0]
        return counts


def _audit_verify(database_url, tmp_path):
    result = subprocess.run([GRIDGOV, "audit", "verify"], env=_env(database_url, tmp_path),
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


TABLES = [OrgUnit._meta.db_table, Person._meta.db_table, Household._meta.db_table, AuditEntry._meta.db_table,
          "register_membership"]


def test_a_killed_org_unit_import_leaves_nothing(database_url, tmp_path):
    units = tmp_path / "units.geojson"
    township = Tree.COUNTY_A + "002"
    units.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": township, "name": "新镇", "level": "township"}, "geometry": None},
        {"type": "Feature", "properties": {"code": township + "001", "name": "新村"}, "geometry": None},
    ]}, ensure_ascii=False))
    before = _counts(database_url, TABLES)

    _kill_after_first_write(database_url, tmp_path, OrgUnit._meta.db_table, _ORG_UNITS, str(units))

    assert _counts(database_url, TABLES) == before
    code, output = _audit_verify(database_url, tmp_path)
    assert code == 0 and output.startswith("OK:"), output


def _audit_actions(database_url):
    sql = "SELECT action FROM core_auditentry ORDER BY chain, seq"
    if database_url.startswith("sqlite:///"):
        db = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return [r[0] for r in db.execute(sql)]
        finally:
            db.close()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [r[0] for r in cursor.fetchall()]


def test_a_killed_household_import_leaves_no_household_and_no_person(database_url, tmp_path):
    before = _counts(database_url, TABLES)
    actions_before = _audit_actions(database_url)

    _kill_after_first_write(database_url, tmp_path, Household._meta.db_table, _HOUSEHOLDS)

    after = _counts(database_url, TABLES)
    new_actions = _audit_actions(database_url)[len(actions_before):]
    # The lookup of the file's resident IDs is logged, and committed, before the import
    # starts (masking, issue 10: a search is logged even when its import is rolled back).
    assert new_actions == ["person.identifier_search"]
    assert {t: n for t, n in after.items() if t != "core_auditentry"} == {
        t: n for t, n in before.items() if t != "core_auditentry"}
    code, output = _audit_verify(database_url, tmp_path)
    assert code == 0 and output.startswith("OK:"), output
