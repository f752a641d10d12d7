"""The one table's workbook streamed (issue 12): written row by row to a temporary file in
openpyxl's write-only mode, the households read a chunk at a time; the same workbook as before,
flat memory, and the same queries whatever the number of households."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.core.models import AuditEntry
from gridgov.register.exports import one_table_workbook
from gridgov.register.selectors import OneTableMember, OneTableRow
from tests.factories import Tree
from tests.register_views.conftest import make_households

XLSX_URL = reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A])


def _row(i: int) -> OneTableRow:
    return OneTableRow(household_id=i, org_code=Tree.CELL_A1, address=f"幸福路 {i} 号", is_rental=False, flags=[],
                       members=[OneTableMember(person_id=i, name=f"张{i}", relation="户主", residence_type="户籍在本地",
                                               gender="男", age=40, phone="139******78", badges=["关爱对象"])])


def _peak_bytes(n: int) -> int:
    tracemalloc.start()
    try:
        one_table_workbook((_row(i) for i in range(n)), title="村1 一张表").close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_workbook_has_the_same_cells_and_layout_as_before():
    rows = [_row(1), OneTableRow(household_id=2, org_code=Tree.CELL_A2, address="空户", is_rental=True, members=[],
                                 flags=["No head of household", "Rented"])]

    sheet = load_workbook(one_table_workbook(rows, title="村1 一张表")).active

    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "村1 一张表" and sheet["A1"].font.bold and sheet["A1"].font.size == 14
    assert len(values[1]) == 11 and all(sheet.cell(row=2, column=c).font.bold for c in range(1, 12))
    assert values[2] == [1, Tree.CELL_A1, "幸福路 1 号", "张1", "户主", "户籍在本地", "男", 40, "139******78", "关爱对象", None]
    assert values[3] == [2, Tree.CELL_A2, "空户", None, None, None, None, None, None, None,
                         "No head of household；Rented"]
    assert sheet.freeze_panes == "A3"
    assert [sheet.column_dimensions[c].width for c in "ACK"] == [10, 32, 20]
    assert sheet["C3"].alignment.wrap_text and sheet["C4"].alignment.wrap_text


def test_memory_stays_flat_when_the_table_grows_tenfold():
    # (tracemalloc makes openpyxl ~3 ms a row slower: 500 and 5,000 rows keep the test short;
    # measured here, 2,000 rows peaked at 0.46 MB and 20,000 at 0.41 MB.)
    small, large = _peak_bytes(500), _peak_bytes(5_000)

    # Held in memory, ten times the rows took about ten times the memory (~4 KB a row).
    assert large / small < 2, (small, large)
    assert large < 5_000 * 1_000  # far below a kilobyte a row


def test_households_in_several_chunks_are_all_written_and_counted_once(login, screener, worker, building,
                                                                       monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("gridgov.register.exports"), "EXPORT_CHUNK", 2)
    made = make_households(screener, building, 5)

    response = login(worker).get(XLSX_URL)

    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(min_row=3, values_only=True))
    assert sorted({r[0] for r in rows}) == sorted(h.pk for h in made)
    assert response["Cache-Control"] == "no-store" and "attachment" in response["Content-Disposition"]
    assert '"households":5' in AuditEntry.objects.get(action="register.one_table_export").changes


@pytest.mark.parametrize("n", [3, 30])
def test_the_download_query_count(login, screener, worker, building, django_assert_num_queries, n):
    make_households(screener, building, n)
    client = login(worker)

    # session, user, roles; the village, its cells; whether it is above the inline limit (one
    # bounded count); the grid cells that have households, one chunk of the one cell's
    # households, their members with people, the care badges; the audit entry (savepoint, a
    # free chain head read and locked, the entry, the head moved — one statement on
    # PostgreSQL —, release)
    with django_assert_num_queries(14 if connection.vendor == "postgresql" else 15):
        response = client.get(XLSX_URL)

    assert len(list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(min_row=3))) == 2 * n




def test_chunks_go_cell_by_cell_in_the_tables_order(screener, building):
    from gridgov.register.models import Household
    from gridgov.register.selectors import one_table_chunks, one_table_households

    made = make_households(screener, building, 7)
    moved = [h.pk for h in made[:4]]  # the first four live in the village's second cell
    Household.objects.filter(pk__in=moved).update(org_code=Tree.CELL_A2)

    chunks = list(one_table_chunks(one_table_households(screener, village=Tree.VILLAGE_A), size=2))

    expected = sorted(Household.objects.filter(pk__in=[h.pk for h in made]).values_list("org_code", "id"))
    assert [(h.org_code, h.pk) for chunk in chunks for h in chunk] == expected
    assert [len(chunk) for chunk in chunks] == [2, 1, 2, 2]  # cell A1: 3 households; A2: 4
