"""Reading spreadsheet uploads: a CSV file (UTF-8, UTF-16 or GB18030, comma, tab or
semicolon) or the first sheet of an Excel workbook (.xlsx), as a header row and data rows.

Rows are numbered as the user sees them in Excel (the first line of the file is row 1),
so that every import can report a problem with the row number the user will look for.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.core import csvout
from gridgov.core.exceptions import DomainError, ErrorCode

FORMATS = ("csv", "xlsx")
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}
HEADER_SEARCH_ROWS = 10  # a sheet may carry a title (or a few) above its header row


def format_from_filename(filename: str) -> str | None:
    return EXTENSIONS.get(os.path.splitext(filename or "")[1].lower())


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 as Chinese Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def sniff_delimiter(text: str) -> str:
    """Excel's comma, or a tab or semicolon when the first line uses more of those."""
    first_line = text.split("\n", 1)[0]
    return max(",\t;", key=first_line.count) if first_line else ","


def csv_records(data: bytes) -> list[list[str]]:
    """Every line of a CSV file as a list of strings; DomainError when it cannot be read."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise DomainError(_("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8).")) from exc
    try:
        return list(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=sniff_delimiter(text)))
    except csv.Error as exc:
        raise DomainError(_("The CSV file cannot be read: %(reason)s") % {"reason": exc}) from exc


def xlsx_records(data: bytes) -> list[list]:
    """Every row of the first sheet of a workbook, values as Excel holds them (numbers stay
    numbers, dates dates); DomainError when it is not a readable workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise DomainError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise DomainError(_("The file is empty."))
        return [list(row) for row in workbook.worksheets[0].iter_rows(min_row=1, values_only=True)]
    finally:
        workbook.close()


def read_records(data: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return csv_records(data)
    if fmt == "xlsx":
        return xlsx_records(data)
    raise DomainError(_("Unknown file format; use CSV (.csv) or Excel (.xlsx)."), ErrorCode.INVALID)


def cell_value(value):
    """A cell as an import wants it: text stripped (without a BOM, and without the apostrophe
    that keeps a spreadsheet from reading `=…` as a formula), whole numbers as
    integers (Excel stores codes and phone numbers as floats), dates and empties as they are."""
    if isinstance(value, str):
        return csvout.unquote(value.replace("\ufeff", "")).strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def header_text(value) -> str:
    value = cell_value(value)
    return "" if value is None else str(value)


def _is_blank(record) -> bool:
    return all(cell_value(v) in (None, "") for v in record)


@dataclass
class Table:
    """A header row and the data rows below it. Unpacks as `headers, rows`."""

    headers: list[str]
    rows: list[list]
    header_row: int = 1  # the header's row number as the user sees it

    @property
    def first_row_number(self) -> int:
        return self.header_row + 1

    def __iter__(self):
        return iter((self.headers, self.rows))


def read_table(data: bytes, fmt: str, *, is_header: Callable[[list[str]], bool] | None = None) -> Table:
    """The header and data rows of a CSV file or a workbook's first sheet.

    The header is the first non-empty row, or, with `is_header`, the first of the top
    rows it accepts (for sheets with a title above the header). Data rows keep their
    place, blank ones included, so that numbering them from `first_row_number` gives the
    numbers the user sees. Raises DomainError with a translated message for an unreadable file.
    """
    records = read_records(data, fmt)
    header_index = None
    seen = 0
    for index, record in enumerate(records):
        if _is_blank(record):
            continue
        if header_index is None:
            header_index = index  # the fallback: the first non-empty row
        seen += 1
        if is_header is None or is_header([header_text(v) for v in record]):
            header_index = index
            break
        if seen >= HEADER_SEARCH_ROWS:
            break
    if header_index is None:
        raise DomainError(_("The file is empty."))
    headers = [header_text(v) for v in records[header_index]]
    rows = [[cell_value(v) for v in record] for record in records[header_index + 1:]]
    return Table(headers=headers, rows=rows, header_row=header_index + 1)
