"""The one table as an Excel workbook."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from gridgov.core import xlsx
from gridgov.register.selectors import OneTableRow


def one_table_workbook(rows: Iterable[OneTableRow], *, title: str):
    """One row per member, household columns repeated, so that the sheet filters cleanly.

    Written row by row in write-only mode to a temporary file (issue 12: flat memory for a
    whole city), which is returned open at its start for `xlsx.workbook_response`."""
    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households")[:31])
    headers = [
        _("Household"), _("Grid cell"), _("Address"), _("Name"), _("Relation to the head"),
        _("Residence type"), _("Gender"), _("Age"), _("Mobile phone"), _("Programs"), _("Notes"),
    ]
    for column, width in zip("ABCDEFGHIJK", (10, 18, 32, 10, 12, 16, 6, 6, 14, 16, 20)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    xlsx.append_row(sheet, [xlsx.cell(sheet, title, font=Font(bold=True, size=14))])
    bold = Font(bold=True)
    xlsx.append_row(sheet, [xlsx.cell(sheet, header, font=bold) for header in headers])
    wrap = Alignment(wrap_text=True)
    for row in rows:
        notes = "；".join(row.flags)
        address = xlsx.cell(sheet, row.address, alignment=wrap)
        if not row.members:
            xlsx.append_row(sheet, [row.household_id, row.org_code, address, "", "", "", "", "", "", "", notes])
        for member in row.members:
            xlsx.append_row(sheet, [
                row.household_id, row.org_code, xlsx.cell(sheet, row.address, alignment=wrap), member.name,
                member.relation, member.residence_type, member.gender, member.age, member.phone,
                "、".join(member.badges), notes,
            ])
    return xlsx.workbook_file(workbook)
