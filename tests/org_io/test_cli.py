"""`gridgov orgunits import|export` from the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.core.models import AuditEntry, OrgUnit, Role
from tests.factories import Tree, make_user, square
from tests.org_io.files import csv_bytes, feature, geojson_bytes

NEW_TOWNSHIP = Tree.COUNTY_A + "002"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("orgunits", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_then_import_from_the_command_line(tree, tmp_path):
    # given
    target = tmp_path / "county.geojson"

    # when
    out, _err = run("export", str(target), "--root", Tree.COUNTY_A)

    # then
    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["features"]) == 5 and str(target) in out

    # and importing it back changes nothing
    out, _err = run("import", str(target))
    assert "Create: 0  Update: 0  Unchanged: 5" in out
    assert AuditEntry.objects.get().actor_username == "system"


def test_the_format_comes_from_the_extension_unless_given(tree, tmp_path):
    target = tmp_path / "units.data"

    with pytest.raises(CommandError):
        run("export", str(target))
    run("export", str(target), "--format", "csv")

    assert target.read_bytes().startswith(b"\xef\xbb\xbfcode,name")


def test_a_dry_run_prints_the_preview_and_writes_nothing(tree, tmp_path):
    # given
    source = tmp_path / "new.geojson"
    source.write_bytes(geojson_bytes([feature(NEW_TOWNSHIP, "新镇"), feature(Tree.TOWNSHIP_A, "镇1改")]))

    # when
    out, _err = run("import", str(source), "--dry-run")

    # then
    assert "Create: 1  Update: 1  Unchanged: 0" in out
    assert f"Feature 1: {NEW_TOWNSHIP} 新镇" in out and f"Feature 2: {Tree.TOWNSHIP_A} 镇1改" in out
    assert "Dry run" in out
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists() and not AuditEntry.objects.exists()


def test_errors_are_printed_by_row_and_the_command_exits_non_zero(tree, tmp_path):
    # given
    source = tmp_path / "bad.csv"
    source.write_bytes(csv_bytes([["编码", "名称"], [NEW_TOWNSHIP, "新镇"], ["123", "坏"], ["990109001", "孤镇"]]))
    err = io.StringIO()

    # when
    with pytest.raises(CommandError) as error:
        call_command("orgunits", "import", str(source), stdout=io.StringIO(), stderr=err)

    # then
    assert error.value.returncode == 1
    assert "Row 3: 123 is not an org-unit code" in err.getvalue()
    assert "Row 4: The parent 990109" in err.getvalue()
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_column_mapping_from_the_command_line(tree, tmp_path):
    source = tmp_path / "mapped.csv"
    source.write_bytes(csv_bytes([["区划代码", "单位名称"], [NEW_TOWNSHIP + "000", "新镇"]]))

    run("import", str(source), "--map", "code=区划代码", "--map", "name=单位名称")

    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).name == "新镇"


def test_a_malformed_mapping_is_refused(tree, tmp_path):
    source = tmp_path / "mapped.csv"
    source.write_bytes(csv_bytes([["code", "name"], [NEW_TOWNSHIP, "新镇"]]))

    with pytest.raises(CommandError):
        run("import", str(source), "--map", "code")


def test_importing_as_a_user_applies_their_permission_and_scope(tree, tmp_path):
    # given
    make_user("county-admin", Role.CITY_ADMIN, scope=Tree.COUNTY_A)
    make_user("worker", Role.GRID_WORKER, scope=Tree.CELL_A1)
    source = tmp_path / "cells.geojson"
    source.write_bytes(geojson_bytes([feature(Tree.VILLAGE_B + "003", "外县网格", square(120.3, 31.0))]))

    # when / then
    with pytest.raises(CommandError) as outside:
        run("import", str(source), "--as", "county-admin")
    with pytest.raises(CommandError) as forbidden:
        run("import", str(source), "--as", "worker")
    with pytest.raises(CommandError):
        run("import", str(source), "--as", "nobody")
    assert outside.value.returncode == 1
    assert "permission" in str(forbidden.value)
    assert not OrgUnit.objects.filter(code=Tree.VILLAGE_B + "003").exists()

    run("import", str(source))  # the system may
    assert OrgUnit.objects.filter(code=Tree.VILLAGE_B + "003").exists()
