"""The one table as an Excel workbook, written while the user waits or, for a large village,
by a worker (`core.export_jobs`, the kind `register.one_table`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font

from gridgov.core import xlsx
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.export_jobs import ExportPlan, register_export_kind
from gridgov.core.permissions import Capability, require
from gridgov.register import presenters, selectors
from gridgov.register.selectors import OneTableRow

ONE_TABLE = "register.one_table"
EXPORT_CHUNK = 500


def one_table_plan(*, actor, params: dict, village=None, cells: list | None = None) -> ExportPlan:
    """The one table of `params["village"]` with `params["filters"]` (the page's query
    parameters), as `actor` sees it. Raises when the actor may not see that village. A page
    that has just read the village (`selectors.access_village`) and its cells as that actor
    passes them on."""
    from gridgov.register import services
    from gridgov.register.forms import OneTableFilterForm

    require(actor, Capability.VIEW_REGISTER)
    raw = params.get("filters") or {}
    unknown = set(params) - {"village", "filters"} or (set(raw) - set(OneTableFilterForm.FILTER_FIELDS)
                                                       if isinstance(raw, dict) else {"filters"})
    if unknown:
        raise DomainError(_("Unknown parameters of this export: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                          ErrorCode.INVALID)
    if village is None or village.code != params.get("village"):
        village = selectors.access_village(actor, str(params.get("village") or ""))
        cells = None
    if cells is None:
        cells = selectors.village_cells(actor, village)
    form = OneTableFilterForm(raw, cells=cells,
                              names_allowed=presenters.names_allowed(actor),
                              addresses_allowed=selectors.may_see_full_address(actor))
    if not form.is_valid():
        raise DomainError(_("The filters of this export are not valid for your area."), ErrorCode.INVALID)
    filters = form.filter_params()
    households = selectors.one_table_households(actor, village=village.code, filters=form.filters())
    cell_names = {c.code: c.name for c in cells}
    today = timezone.localdate()
    title = _("%(village)s — households, %(date)s") % {"village": village.name, "date": today.isoformat()}

    def write(progress):
        written = 0

        def rows():  # issue 12: one chunk of households in memory at a time, never the whole table
            nonlocal written
            for chunk in selectors.one_table_chunks(households, size=EXPORT_CHUNK):
                yield from selectors.one_table_rows(actor, chunk)
                written += len(chunk)
                progress(written)

        handle = one_table_workbook(rows(), title=title, cell_names=cell_names)
        return handle, written

    return ExportPlan(
        params={"village": village.code, "filters": filters},
        title=title, filename=f"one-table-{village.code}-{today:%Y%m%d}.xlsx", org_code=village.code,
        count=lambda: households.order_by().count(),
        exceeds=lambda limit: households.order_by()[: limit + 1].count() > limit,
        write=write,
        record=lambda rows: services.one_table_export_record(actor=actor, village_code=village.code,
                                                             households=rows, filters=filters),
    )


register_export_kind(ONE_TABLE, one_table_plan, label=gettext_lazy("Village one table"))


def one_table_workbook(rows: Iterable[OneTableRow], *, title: str, cell_names: dict[str, str] | None = None):
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
    cell_names = cell_names or {}
    for row in rows:
        cell_name = cell_names.get(row.org_code, row.org_code)
        notes = "；".join(row.flags)
        address = xlsx.cell(sheet, row.address, alignment=wrap)
        if not row.members:
            xlsx.append_row(sheet, [row.household_id, cell_name, address, "", "", "", "", "", "", "", notes])
        for member in row.members:
            xlsx.append_row(sheet, [
                row.household_id, cell_name, xlsx.cell(sheet, row.address, alignment=wrap), member.name,
                member.relation, member.residence_type, member.gender, member.age, member.phone,
                "、".join(member.badges), notes,
            ])
    return xlsx.workbook_file(workbook)
