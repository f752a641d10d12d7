"""The import service: preview, all-or-nothing commit, updates, errors by row, scope, audit."""

import json

import pytest

from gridgov.core import org_io
from gridgov.core.actors import SystemActor
from gridgov.core.audit import verify_all
from gridgov.core.exceptions import Forbidden
from gridgov.core.models import AuditEntry, OrgUnit, Role
from gridgov.core.org_io_services import ImportRejected, org_units_import, org_units_import_plan
from tests.factories import Tree, make_user, square
from tests.org_io.files import BOW_TIE, csv_bytes, feature, geojson_bytes, polygon_text

NEW_TOWNSHIP = Tree.COUNTY_A + "002"
NEW_VILLAGE = NEW_TOWNSHIP + "001"
SYSTEM = SystemActor("orgunits")  # the command line


def parsed(data: bytes, fmt: str = "geojson", mapping=None, name="units"):
    return org_io.read_import_file(data, fmt=fmt, mapping=mapping, name=f"{name}.{fmt}")


def commit(data, fmt="geojson", *, actor=None, mapping=None):
    source = parsed(data, fmt, mapping)
    return org_units_import(actor=actor or SYSTEM, plan=org_io.ImportPlan.unchecked(source))


def preview(data, fmt="geojson", *, actor=None, mapping=None):
    return org_units_import_plan(actor=actor or SYSTEM, source=parsed(data, fmt, mapping))


def new_branch() -> bytes:
    """A township with one village and two side-by-side cells under county A."""
    return geojson_bytes([
        feature(NEW_VILLAGE + "001", "新网格1", square(120.5, 31.0)),
        feature(NEW_TOWNSHIP, "新镇", level="township"),
        feature(NEW_VILLAGE, "新村", parent=NEW_TOWNSHIP),
        feature(NEW_VILLAGE + "002", "新网格2", square(120.51, 31.0)),
    ])


def snapshot():
    return list(OrgUnit.objects.order_by("code").values_list("code", "name", "polygon"))


def test_an_import_creates_parents_and_children_with_their_geometry(tree):
    # when
    plan = commit(new_branch())

    # then
    assert plan.committed and plan.counts["create"] == 4 and plan.errors == []
    cell = OrgUnit.objects.get(code=NEW_VILLAGE + "002")
    assert (cell.level, cell.parent_id, cell.name) == ("grid", NEW_VILLAGE, "新网格2")
    assert (cell.min_lng, cell.min_lat, cell.max_lng, cell.max_lat) == pytest.approx((120.51, 31.0, 120.52, 31.01))
    assert (cell.centroid_lng, cell.centroid_lat) == pytest.approx((120.515, 31.005))
    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).parent_id == Tree.COUNTY_A
    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).polygon is None


def test_a_dry_run_previews_and_writes_nothing(tree):
    # given
    before = snapshot()
    source = parsed(new_branch())

    # when
    plan = org_units_import(actor=SYSTEM, plan=org_io.ImportPlan.unchecked(source), dry_run=True)

    # then
    assert not plan.committed
    assert plan.counts == {"rows": 4, "create": 4, "update": 0, "unchanged": 0, "errors": 0, "warnings": 0}
    assert [u.code for u in plan.preview()["create"]] == [NEW_VILLAGE + "001", NEW_TOWNSHIP, NEW_VILLAGE,
                                                         NEW_VILLAGE + "002"]
    assert snapshot() == before
    assert not AuditEntry.objects.exists()


def test_a_reimport_reports_unchanged_rows_and_updates_names_and_boundaries(tree):
    # given
    commit(new_branch())
    cell = OrgUnit.objects.get(code=NEW_VILLAGE + "001")

    # when: the same file again, then one renamed village and one moved cell
    again = commit(new_branch())
    changed = commit(geojson_bytes([
        feature(NEW_VILLAGE, "新村（更名）"),
        feature(NEW_VILLAGE + "001", "新网格1", square(120.6, 31.1)),
        feature(NEW_VILLAGE + "002", "新网格2"),  # no geometry: the boundary stays
    ]))

    # then
    assert again.counts["unchanged"] == 4 and again.counts["create"] == again.counts["update"] == 0
    assert changed.counts["update"] == 2 and changed.counts["unchanged"] == 1
    assert {u.code: u.changed for u in changed.updates} == {NEW_VILLAGE: ("name",),
                                                             NEW_VILLAGE + "001": ("polygon",)}
    assert OrgUnit.objects.get(code=NEW_VILLAGE).name == "新村（更名）"
    moved = OrgUnit.objects.get(code=NEW_VILLAGE + "001")
    assert (moved.min_lng, moved.centroid_lat) == pytest.approx((120.6, 31.105))
    assert moved.updated_at > cell.updated_at
    assert OrgUnit.objects.get(code=NEW_VILLAGE + "002").polygon == square(120.51, 31.0)


def test_each_committed_import_writes_one_audit_entry_and_the_chain_holds(tree, city_admin):
    # when
    commit(new_branch(), actor=city_admin)
    commit(new_branch(), actor=city_admin)

    # then
    entries = list(AuditEntry.objects.filter(action="org_unit.import").order_by("seq"))
    assert len(entries) == 2 and AuditEntry.objects.count() == 2
    first = json.loads(entries[0].changes)
    assert (first["created"], first["updated"], first["unchanged"], first["rows"]) == (4, 0, 0, 4)
    assert json.loads(entries[1].changes)["unchanged"] == 4
    assert entries[0].actor_username == "cityadmin" and entries[0].org_code == NEW_TOWNSHIP
    assert entries[0].chain == Tree.COUNTY_A
    checked, problems = verify_all()
    assert checked == 2 and problems == []


def test_a_system_import_is_audited_as_the_system(tree):
    commit(new_branch())

    assert AuditEntry.objects.get().actor_username == "system"


def test_padded_official_codes_in_csv_are_converted(tree):
    # given: the 12-digit official forms of a new township and of its parent county
    data = csv_bytes([
        ["code", "name", "parent", "level"],
        [NEW_TOWNSHIP + "000", "新镇", Tree.COUNTY_A + "000000", "township"],
        [NEW_VILLAGE, "新村", NEW_TOWNSHIP + "000", "村"],
    ])

    # when
    plan = commit(data, "csv")

    # then
    assert [(u.code, u.parent_code) for u in plan.creates] == [(NEW_TOWNSHIP, Tree.COUNTY_A),
                                                               (NEW_VILLAGE, NEW_TOWNSHIP)]
    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).level == "township"


def test_csv_with_chinese_headers_and_polygons(tree):
    data = csv_bytes([
        ["编码", "名称", "上级编码", "边界"],
        [NEW_TOWNSHIP, "新镇", Tree.COUNTY_A, ""],
        [NEW_VILLAGE, "新村", "", ""],
        [NEW_VILLAGE + "001", "新网格1", NEW_VILLAGE, polygon_text(120.5, 31.0)],
    ], encoding="gb18030")

    plan = commit(data, "csv")

    assert plan.counts["create"] == 3
    assert OrgUnit.objects.get(code=NEW_VILLAGE + "001").polygon == square(120.5, 31.0)


def test_column_mapping_applies_to_the_import(tree):
    data = csv_bytes([["区划代码", "单位名称"], [NEW_TOWNSHIP, "新镇"]])

    plan = commit(data, "csv", mapping={"code": "区划代码", "name": "单位名称"})

    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).name == "新镇" and plan.counts["create"] == 1


# --- Errors ------------------------------------------------------------------------------------

HEADER = ["code", "name", "parent", "polygon"]
CELL = NEW_VILLAGE + "001"

ERROR_CASES = {
    "bad code shape": ([["99010100", "八位"]], 2, "is not an org-unit code"),
    "zeros in a code": ([["990101000", "零镇"]], 2, "only of zeros"),
    "name missing": ([[NEW_TOWNSHIP, "  "]], 2, "A name is required"),
    "name too long": ([[NEW_TOWNSHIP, "长" * 101]], 2, "at most 100 characters"),
    "parent nowhere": ([["990103001", "无县之镇"]], 2, "neither in the file nor in the database"),
    "wrong parent column": ([[NEW_TOWNSHIP, "新镇", Tree.COUNTY_B]], 2, "must be 990101"),
    "duplicate in file": ([[NEW_TOWNSHIP, "新镇"], [NEW_TOWNSHIP + "000", "又一个"]], 3, "already appears in Row 3"),
    "self-intersecting polygon": ([[Tree.VILLAGE_A + "009", "蝴蝶", "", json.dumps(BOW_TIE)]], 2, "invalid"),
    "polygon on a township": ([[NEW_TOWNSHIP, "新镇", "", polygon_text(120.5, 31)]], 2, "Only grid cells"),
    "longitude out of range": ([[Tree.VILLAGE_A + "009", "远", "", polygon_text(200, 31)]], 2, "Longitude"),
    "latitude out of range": ([[Tree.VILLAGE_A + "009", "远", "", polygon_text(120, 95)]], 2, "Latitude"),
    "boundary not json": ([[Tree.VILLAGE_A + "009", "坏", "", "POLYGON((1 2, 3 4))"]], 2, "not GeoJSON"),
    "not a polygon": ([[Tree.VILLAGE_A + "009", "点", "", '{"type": "Point", "coordinates": [120, 31]}']], 2,
                      "must be a GeoJSON Polygon"),
}


@pytest.mark.parametrize("rows,row,fragment", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written(tree, rows, row, fragment):
    # given: a valid row first, so that nothing at all may be written
    data = csv_bytes([HEADER, [Tree.VILLAGE_A + "005", "好网格"]] + [[*r, "", "", ""][:4] for r in rows])
    before = snapshot()

    # when
    with pytest.raises(ImportRejected) as rejected:
        commit(data, "csv")

    # then
    errors = rejected.value.plan.errors
    assert [(e.row, fragment in e.message) for e in errors] == [(row + 1, True)], errors
    assert errors[0].where == f"Row {row + 1}"
    assert snapshot() == before and not AuditEntry.objects.exists()


def test_many_errors_in_one_file_are_all_listed_by_row(tree):
    # given
    data = geojson_bytes([
        feature(NEW_TOWNSHIP, "新镇"),
        feature(NEW_VILLAGE, "新村", level="township"),
        feature(NEW_VILLAGE + "001", "", square(120.5, 31)),
        feature(Tree.TOWNSHIP_A, "镇1改", square(120.5, 31)),
        feature(NEW_VILLAGE + "002", "网格", BOW_TIE),
    ])

    # when
    plan = preview(data)

    # then
    assert [(e.where, e.code) for e in plan.errors] == [
        ("Feature 2", NEW_VILLAGE), ("Feature 3", NEW_VILLAGE + "001"), ("Feature 4", Tree.TOWNSHIP_A),
        ("Feature 5", NEW_VILLAGE + "002"),
    ]
    assert "does not match" in plan.errors[0].message
    with pytest.raises(ImportRejected):
        commit(data)
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_an_overlapping_sibling_cell_is_a_warning_not_an_error(tree):
    # given: cell A1 covers 120.00–120.01; the new cell covers half of it, the other one only touches A2
    data = geojson_bytes([
        feature(Tree.VILLAGE_A + "003", "压线网格", square(119.995, 31.0)),
        feature(Tree.VILLAGE_A + "004", "相邻网格", square(120.02, 31.0)),
    ])

    # when
    plan = commit(data)

    # then
    assert plan.committed and plan.counts["create"] == 2
    assert [(w.row, w.code, Tree.CELL_A1 in w.message, "50%" in w.message) for w in plan.warnings] == [
        (1, Tree.VILLAGE_A + "003", True, True)
    ]


def test_overlapping_cells_within_the_file_are_warned_about_once(tree):
    data = geojson_bytes([
        feature(NEW_TOWNSHIP, "新镇"), feature(NEW_VILLAGE, "新村"),
        feature(NEW_VILLAGE + "001", "一", square(120.5, 31.0)),
        feature(NEW_VILLAGE + "002", "二", square(120.505, 31.0)),
    ])

    plan = preview(data)

    assert [(w.where, w.code) for w in plan.warnings] == [("Feature 4", NEW_VILLAGE + "002")]


def test_a_boundary_outside_china_is_a_warning(tree):
    data = geojson_bytes([feature(Tree.VILLAGE_A + "003", "反了", square(31.0, 120.0 - 90))])

    plan = preview(data)

    assert plan.ok and "outside China" in plan.warnings[0].message


# --- Permission and scope ----------------------------------------------------------------------


def test_a_scoped_admin_cannot_import_units_outside_their_scope(county_admin):
    # given: one township in the admin's county, one in county B, and a rename of the city
    data = geojson_bytes([
        feature(NEW_TOWNSHIP, "本县新镇"),
        feature(Tree.COUNTY_B + "002", "外县新镇"),
        feature("9901", "改名的市"),
        feature(Tree.COUNTY_A, "本县改名"),
    ])
    before = snapshot()

    # when
    with pytest.raises(ImportRejected) as rejected:
        commit(data, actor=county_admin)

    # then
    assert [(e.row, e.message) for e in rejected.value.plan.errors] == [
        (2, f"{Tree.COUNTY_B}002 lies outside your area."),
        (3, "9901 lies outside your area."),
    ]
    assert snapshot() == before


def test_a_scoped_admin_imports_inside_their_scope(county_admin):
    plan = commit(geojson_bytes([feature(NEW_TOWNSHIP, "本县新镇"), feature(Tree.COUNTY_A, "本县改名")]),
                  actor=county_admin)

    assert (plan.counts["create"], plan.counts["update"]) == (1, 1)


def test_a_scoped_admin_cannot_create_their_own_scope_root(tree):
    admin = make_user("new-township-admin", Role.CITY_ADMIN, scope=NEW_TOWNSHIP)

    plan = preview(geojson_bytes([feature(NEW_TOWNSHIP, "新镇")]), actor=admin)

    assert plan.errors[0].message == f"The parent of {NEW_TOWNSHIP} lies outside your area."


def test_a_user_without_the_capability_may_not_import(grid_worker):
    with pytest.raises(Forbidden):
        commit(new_branch(), actor=grid_worker)
    with pytest.raises(Forbidden):
        preview(new_branch(), actor=grid_worker)


def test_an_absent_actor_is_refused_not_taken_for_the_system(tree):
    with pytest.raises(TypeError):
        org_units_import(actor=None, plan=org_io.ImportPlan.unchecked(parsed(new_branch())))
    with pytest.raises(TypeError):
        org_units_import_plan(actor=None, source=parsed(new_branch()))
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_the_commit_rechecks_against_the_database_as_it_is_now(tree):
    # given: a preview made while the parent township existed, which has since gone
    temporary = OrgUnit.objects.create(code=NEW_TOWNSHIP, name="临时镇", level="township", parent_id=Tree.COUNTY_A)
    plan = preview(geojson_bytes([feature(NEW_VILLAGE, "新村")]))
    assert plan.ok
    temporary.delete()

    # when / then
    with pytest.raises(ImportRejected) as rejected:
        org_units_import(actor=SYSTEM, plan=plan)
    assert "neither in the file nor in the database" in rejected.value.plan.errors[0].message
    assert not OrgUnit.objects.filter(code=NEW_VILLAGE).exists()


# --- Scale --------------------------------------------------------------------------------------


def test_six_hundred_cells_import_in_a_bounded_number_of_queries(tree, city_admin, django_assert_max_num_queries):
    # given: a new township, village and 600 cells in a 30 × 20 grid, in one file
    features = [feature(NEW_TOWNSHIP, "新镇"), feature(NEW_VILLAGE, "新村")]
    for index in range(600):
        lng, lat = 121.0 + (index % 30) * 0.002, 31.0 + (index // 30) * 0.002
        features.append(feature(f"{NEW_VILLAGE}{index + 1:03d}", f"网格{index + 1}", square(lng, lat, 0.002)))
    data = geojson_bytes(features)

    # when: parse, check and commit (SQLite writes 66 rows per INSERT, PostgreSQL all at once)
    with django_assert_max_num_queries(25):
        plan = commit(data, actor=city_admin)

    # then
    assert plan.counts["create"] == 602 and plan.warnings == []
    assert OrgUnit.objects.filter(parent_id=NEW_VILLAGE, min_lng__isnull=False).count() == 600

    # and a re-import with every boundary moved is bulk-updated, too
    moved = json.loads(data)
    for item in moved["features"][2:]:
        item["geometry"]["coordinates"][0] = [[x + 0.0001, y] for x, y in item["geometry"]["coordinates"][0]]
    with django_assert_max_num_queries(25):
        plan = commit(json.dumps(moved).encode(), actor=city_admin)
    assert plan.counts["update"] == 600
