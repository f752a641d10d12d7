"""Export, and the round trip: export → import into an empty database gives the same tree."""

import csv
import io
import json

import openpyxl
import pytest

from gridgov.core import org_io
from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import NotFound
from gridgov.core.models import OrgUnit
from gridgov.core.org_io_services import org_units_export, org_units_import
from tests.factories import Tree

FIELDS = ("code", "name", "level", "parent_id", "polygon", "min_lng", "min_lat", "max_lng", "max_lat",
          "centroid_lng", "centroid_lat")


def exported(root=None, fmt="geojson") -> bytes:
    return b"".join(org_io.export_org_units(root_code=root, fmt=fmt))


def tree_rows():
    return list(OrgUnit.objects.order_by("code").values_list(*FIELDS))


def empty_the_database():
    for length in (15, 12, 9, 6, 4, 2):  # children first: parents are protected
        OrgUnit.objects.filter(code__regex=rf"^[0-9]{{{length}}}$").delete()
    assert not OrgUnit.objects.exists()


@pytest.mark.parametrize("fmt", ["geojson", "csv", "xlsx"])
def test_export_then_import_into_an_empty_database_gives_the_same_tree(tree, fmt):
    # given
    original = tree_rows()
    data = exported(fmt=fmt)
    empty_the_database()

    # when
    source = org_io.read_import_file(data, fmt=fmt, name=f"tree.{fmt}")
    plan = org_units_import(actor=SystemActor("test"), plan=org_io.ImportPlan.unchecked(source))

    # then
    assert plan.counts["create"] == len(original) and plan.errors == [] and plan.warnings == []
    assert tree_rows() == original


def test_geojson_export_has_unpadded_codes_official_codes_parents_and_cell_polygons_only(tree):
    # when
    document = json.loads(exported(Tree.COUNTY_A))

    # then
    features = {f["properties"]["code"]: f for f in document["features"]}
    assert document["type"] == "FeatureCollection"
    assert sorted(features) == [Tree.COUNTY_A, Tree.TOWNSHIP_A, Tree.VILLAGE_A, Tree.CELL_A1, Tree.CELL_A2]
    assert features[Tree.TOWNSHIP_A]["properties"] == {
        "code": Tree.TOWNSHIP_A, "name": "镇1", "level": "township", "parent": Tree.COUNTY_A,
        "official_code": Tree.TOWNSHIP_A + "000",
    }
    assert features[Tree.TOWNSHIP_A]["geometry"] is None
    assert features[Tree.CELL_A1]["geometry"] == tree[Tree.CELL_A1].polygon


def test_csv_export_is_utf8_with_a_bom_for_excel(tree):
    data = exported(Tree.VILLAGE_A, "csv")

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["code", "name", "level", "parent", "official_code", "polygon"]
    assert [r[0] for r in rows[1:]] == [Tree.VILLAGE_A, Tree.CELL_A1, Tree.CELL_A2]
    assert rows[1][5] == "" and json.loads(rows[2][5])["type"] == "Polygon"


def test_xlsx_export_keeps_codes_as_text(tree):
    workbook = openpyxl.load_workbook(io.BytesIO(exported(Tree.VILLAGE_A, "xlsx")))

    values = list(workbook.worksheets[0].values)
    assert values[1][:4] == (Tree.VILLAGE_A, "村1", "village", Tree.TOWNSHIP_A)


def test_exporting_a_missing_root_is_refused(tree):
    with pytest.raises(NotFound):
        org_io.export_org_units(root_code="990109", fmt="csv")


def test_the_scoped_export_refuses_a_root_outside_the_actors_scope(county_admin):
    with pytest.raises(NotFound):
        org_units_export(actor=county_admin, root_code=Tree.COUNTY_B, fmt="geojson")
    with pytest.raises(NotFound):
        org_units_export(actor=county_admin, root_code="9901", fmt="geojson")

    data = b"".join(org_units_export(actor=county_admin, root_code=Tree.TOWNSHIP_A, fmt="geojson"))
    assert len(json.loads(data)["features"]) == 4
