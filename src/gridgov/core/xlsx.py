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

Large exports (issue 12) are written in openpyxl's write-only mode, row by row, to a
temporary file that the response then streams (`streamed_workbook`, `workbook_response`):
memory stays flat however many rows, where a workbook held in memory took ~4 KB a row.
Styles in write-only mode go on the cells as they are written (`cell`).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

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


def cell(sheet, value, **style) -> Cell:
    """A cell of a write-only sheet with a style (`font=`, `alignment=`); text as text."""
    made = WriteOnlyCell(sheet, value=clean_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        _mark_text(made, value)
    for name, applied in style.items():
        setattr(made, name, applied)
    return made


def append_row(sheet, values: Iterable) -> None:
    """Append one row; strings go in as text cells (never formulas). A write-only sheet also
    takes cells made with `cell` (styled) among the values."""
    values = list(values)
    if getattr(sheet, "_get_cell", None) is None:  # a write-only sheet takes cells, not values
        cells = []
        for value in values:
            if isinstance(value, Cell):  # made by `cell`, styled
                cells.append(value)
            elif isinstance(value, str):
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


def workbook_file(workbook: Workbook):
    """The workbook saved to an anonymous temporary file (removed when closed), at its start."""
    handle = tempfile.TemporaryFile()
    try:
        workbook.save(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(handle, *, filename: str) -> FileResponse:
    """Stream a saved workbook file as a download (the file is closed, and so removed, when
    the response has been sent). Exports hold personal data: never stored by a cache."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
