"""Writing CSV files that Excel and WPS open safely: the one way every export writes a CSV row.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and
treats a leading tab or carriage return the same way after trimming), so a name typed as
`=HYPERLINK("http://…","点击")` or `=cmd|' /C calc'!A0` would become a live link or a command
in the exported file (CSV injection, OWASP). A CSV cell has no "text" type, so such a value is
written with a leading apostrophe, which the program takes as "this is text" and does not
show; everything else is written as it is. Numbers (int, float, Decimal) are not text and are
written unchanged, a negative number included. The import side (`tabular.cell_value`) drops
the apostrophe again, so an exported file imports back to the values it was made from.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def unquote(value: str) -> str:
    """The text an exported cell was made from: without the apostrophe `safe_cell` (or a
    user typing in Excel) put before a formula-like value."""
    if value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def safe_cell(value):
    """`value` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose rows are neutralised cell by cell (`safe_cell`)."""

    def __init__(self, buffer, **kwargs):
        self._writer = csv.writer(buffer, **kwargs)

    def writerow(self, values: Iterable):
        return self._writer.writerow([safe_cell(v) for v in values])

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self.writerow(row)


def writer(buffer, **kwargs) -> SafeWriter:
    return SafeWriter(buffer, **kwargs)
