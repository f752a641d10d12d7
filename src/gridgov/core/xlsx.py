"""Writing Excel workbooks: the one way every export puts values into cells.

User text is always written as a text cell. openpyxl turns any string that starts with
`=` into a formula, and Excel runs what a cell holds (`=HYPERLINK(…)`, `=cmd|…`), so a
household member named `=HYPERLINK("http://…","点击")` would become a live link in the
one table. Here every `str` becomes a string cell, whatever it starts with (`=`, `+`,
`-`, `@`, a tab or a carriage return), shown exactly as typed and never evaluated.
Characters that XML cannot hold (control characters) are dropped instead of failing the
whole export. Numbers, dates and booleans stay what they are. A text that looks like a
formula also gets Excel's quote prefix (the leading apostrophe), so that it stays text when
edited. CSV files are written through `core.csvout`, which does the same with an apostrophe.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gridgov.core.csvout import is_formula_like

TEXT = "s"


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _mark_text(cell, value: str) -> None:
    cell.data_type = TEXT
    if is_formula_like(value):
        # Excel's "leading apostrophe": the cell stays text even when someone edits it and
        # presses Enter, or saves the sheet as CSV and opens that.
        cell.quotePrefix = True


def new_workbook(*, write_only: bool = False) -> Workbook:
    return Workbook(write_only=write_only)


def append_row(sheet, values: Iterable) -> None:
    """Append one row; strings go in as text cells (never formulas)."""
    values = list(values)
    if getattr(sheet, "_get_cell", None) is None:  # a write-only sheet takes cells, not values
        cells = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=clean_text(value))
                _mark_text(cell, value)
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        return
    sheet.append([clean_text(v) if isinstance(v, str) else v for v in values])
    for cell, value in zip(sheet[sheet.max_row], values):
        if isinstance(value, str):
            _mark_text(cell, value)


def set_text(sheet, coordinate: str, value: str) -> None:
    """Write one text cell at `coordinate` (e.g. a title in A1)."""
    cell = sheet[coordinate]
    cell.value = clean_text(value)
    _mark_text(cell, value)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
