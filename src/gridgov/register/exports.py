"""The one table as an Excel workbook."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from gridgov.core import xlsx
from gridgov.register.selectors import OneTableRow


def one_table_workbook(rows: list[OneTableRow], *, title: str) -> bytes:
    """One row per member, household columns repeated, so that the sheet filters cleanly."""
    workbook = xlsx.new_workbook()
    sheet = workbook.active
    sheet.title = _("Households")[:31]
    headers = [
        _("Household"), _("Grid cell"), _("Address"), _("Name"), _("Relation to the head"),
        _("Residence type"), _("Gender"), _("Age"), _("Mobile phone"), _("Programs"), _("Notes"),
    ]
    xlsx.append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    xlsx.append_row(sheet, headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        notes = "；".join(row.flags)
        if not row.members:
            xlsx.append_row(sheet, [row.household_id, row.org_code, row.address, "", "", "", "", "", "", "", notes])
        for member in row.members:
            xlsx.append_row(sheet, [
                row.household_id, row.org_code, row.address, member.name, member.relation, member.residence_type,
                member.gender, member.age, member.phone, "、".join(member.badges), notes,
            ])
    for column, width in zip("ABCDEFGHIJK", (10, 18, 32, 10, 12, 16, 6, 6, 14, 16, 20)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    for row_cells in sheet.iter_rows(min_row=3):
        row_cells[2].alignment = Alignment(wrap_text=True)
    return xlsx.workbook_bytes(workbook)
