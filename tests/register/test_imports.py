import pytest

from gridgov.core.exceptions import DomainError, Forbidden
from gridgov.core.models import AuditEntry, Person, User
from gridgov.register.imports import register_import
from gridgov.register.models import Building, Household, Membership, Place, address_index
from tests.factories import Tree, make_resident_id

HEAD_ID = make_resident_id(birth="19700101", seq=11)
CHILD_ID = make_resident_id(birth="20050101", seq=12)
SINGLE_ID = make_resident_id(birth="19450101", seq=13)

BUILDING_HEADERS = ["地址", "纬度", "经度", "用途", "单元"]
HOUSEHOLD_HEADERS = ["户号", "楼栋地址", "单元", "姓名", "身份证号", "手机", "与户主关系", "居住类型"]


def _buildings(screener, rows, dry_run=False):
    return register_import(actor=screener, kind="buildings", headers=BUILDING_HEADERS, rows=rows, dry_run=dry_run)


def test_buildings_import_with_chinese_headers_and_labels(screener):
    report = _buildings(screener, [["幸福路 1 号", 31.005, 120.005, "住宅", "1单元101；1单元102"],
                                   ["幸福路 2 号", 31.006, 120.006, "mixed", ""]])

    assert report.ok and report.committed and report.created == 2
    # addresses are encrypted: found by their blind index (spaces ignored)
    assert Building.objects.get(address_index=address_index("幸福路1号")).units.count() == 2
    assert AuditEntry.objects.filter(action="register.import").count() == 1


def test_dry_run_reports_but_writes_nothing(screener):
    report = _buildings(screener, [["幸福路 1 号", 31.005, 120.005, "住宅", ""]], dry_run=True)

    assert report.ok and report.created == 1 and not report.committed
    assert Building.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_one_bad_row_rejects_the_whole_import_with_row_numbers(screener):
    report = _buildings(screener, [
        ["幸福路 1 号", 31.005, 120.005, "住宅", ""],
        ["", 31.005, 120.005, "游乐场", ""],
        ["幸福路 3 号", 40.0, 100.0, "住宅", ""],
    ])

    assert not report.ok
    assert sorted({(e.row, e.field) for e in report.errors}) == [(3, "use"), (4, "lat")]
    assert Building.objects.count() == 0


def test_missing_required_columns_are_named(screener):
    with pytest.raises(DomainError) as error:
        register_import(actor=screener, kind="buildings", headers=["地址"], rows=[["x"]], dry_run=True)

    assert "lat" in error.value.message


def test_explicit_column_mapping(screener):
    report = register_import(actor=screener, kind="buildings", headers=["门牌", "Y", "X", "类别"],
                             rows=[["幸福路 9 号", 31.005, 120.005, "shop"]], dry_run=False,
                             mapping={"address": "门牌", "lat": "Y", "lng": "X", "use": "类别"})

    assert report.committed


def test_households_import_groups_members_and_registers_new_people(screener):
    _buildings(screener, [["幸福路 1 号", 31.005, 120.005, "住宅", ""]])

    report = register_import(actor=screener, kind="households", headers=HOUSEHOLD_HEADERS, rows=[
        ["H1", "幸福路 1 号", "101", "王大", HEAD_ID, "13800001111", "户主", "户籍人口"],
        ["H1", "幸福路 1 号", "101", "王小", CHILD_ID, "", "子女", "registered_here"],
        ["H2", "幸福路 1 号", "102", "李老", SINGLE_ID, "", "head", "moved_in"],
    ], dry_run=False)

    assert report.committed and report.created == 2
    head = Person.objects.get(name="王大")
    assert head.phone == "13800001111" and head.org_code == Tree.CELL_A1
    assert sorted(Membership.objects.filter(household__unit__label="101").values_list("relation", flat=True)) == [
        "child", "head"]


def test_households_import_rejects_bad_ids_and_second_heads_with_row_numbers(screener):
    _buildings(screener, [["幸福路 1 号", 31.005, 120.005, "住宅", ""]])

    report = register_import(actor=screener, kind="households", headers=HOUSEHOLD_HEADERS, rows=[
        ["H1", "幸福路 1 号", "101", "王大", HEAD_ID, "", "head", "registered_here"],
        ["H1", "幸福路 1 号", "101", "王二", "110105194912310021", "", "child", "registered_here"],
        ["H2", "不存在路 1 号", "102", "李老", SINGLE_ID, "", "head", "moved_in"],
    ], dry_run=False)

    assert {(e.row, e.field) for e in report.errors} == {(3, "resident_id"), (4, "building_address")}
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_places_import(screener):
    report = register_import(actor=screener, kind="places", headers=["名称", "类型", "纬度", "经度", "容量"],
                             rows=[["颐养之家", "elderly_daycare", 31.004, 120.004, 40]], dry_run=False)

    assert report.committed and Place.objects.get().capacity == 40


def test_grid_workers_import_needs_user_management_rights(screener, city_admin):
    rows = [["gw_new", "新网格员", f"{Tree.CELL_A1},{Tree.CELL_A2}"]]
    with pytest.raises(Forbidden):
        register_import(actor=screener, kind="grid_workers", headers=["用户名", "姓名", "网格编码"], rows=rows,
                        dry_run=True)

    report = register_import(actor=city_admin, kind="grid_workers", headers=["用户名", "姓名", "网格编码"], rows=rows,
                             dry_run=False)

    user = User.objects.get(username="gw_new")
    assert report.committed and user.scope_code == Tree.VILLAGE_A
    assert sorted(user.grid_cells.values_list("code", flat=True)) == [Tree.CELL_A1, Tree.CELL_A2]
