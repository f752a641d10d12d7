"""The handover report: every transfer into or out of an area in a period, as Excel."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from gridgov.care import selectors
from gridgov.care.models import Handover
from gridgov.core import dates, xlsx
from gridgov.core.db_router import reads_from_replica


@reads_from_replica()  # a report: served by the replica where there is one (issue 12)
def handovers_in_period(user, *, since: datetime.date, until: datetime.date) -> list[Handover]:
    """Handovers created in [since, until] into or out of the user's area, oldest first."""
    tz = timezone.get_current_timezone()
    begin, end = dates.start_of_day(since, tz), dates.end_of_day(until, tz)  # clamped: never overflow
    return list(selectors.handover_list(user).filter(created_at__gte=begin, created_at__lt=end)
                .select_related("decided_by", "created_by").order_by("created_at", "id"))


def handover_workbook(user, handovers: list[Handover], *, title: str):
    """The report, written in write-only mode to a temporary file (issue 12), returned open at
    its start for `xlsx.workbook_response`."""
    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet(_("Handovers")[:31])
    xlsx.append_row(sheet, [xlsx.cell(sheet, title, font=Font(bold=True, size=14))])
    bold = Font(bold=True)
    xlsx.append_row(sheet, [xlsx.cell(sheet, header, font=bold) for header in (
        _("Created"), _("Person"), _("Program"), _("From"), _("To"), _("Reason"), _("Due by"),
        _("Status"), _("Decided"), _("Decided by"), _("Reason for rejecting"))])
    for h in handovers:
        enrollment = h.enrollment
        xlsx.append_row(sheet, [
            timezone.localtime(h.created_at).strftime("%Y-%m-%d %H:%M"), selectors.masked_name(user, enrollment),
            str(selectors.program_label(user, enrollment)), h.from_org_code, h.to_org_code, h.get_reason_display(),
            h.due_date.isoformat(), h.get_status_display(),
            timezone.localtime(h.decided_at).strftime("%Y-%m-%d %H:%M") if h.decided_at else "",
            h.decided_by.label if h.decided_by else "", h.reject_reason,
        ])
    return xlsx.workbook_file(workbook)
