"""The handover report download for program officers."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.care import reports, services
from gridgov.core import dates, xlsx
from gridgov.core.permissions import Capability, require
from gridgov.core.views import domain_errors_as_http


@login_required
@require_GET
@domain_errors_as_http
def handover_report(request):
    """Every handover into or out of the officer's area in a period (default: this year)."""
    user = request.user
    require(user, Capability.MANAGE_ENROLLMENTS)
    today = timezone.localdate()
    since = dates.parse_day(request.GET.get("since")) or datetime.date(today.year, 1, 1)
    until = dates.parse_day(request.GET.get("until")) or today
    handovers = reports.handovers_in_period(user, since=since, until=until)
    services.care_report_export_record(actor=user, report="handovers", rows=len(handovers),
                                       since=since, until=until)
    title = _("Handovers %(since)s – %(until)s") % {"since": since.isoformat(), "until": until.isoformat()}
    # issue 12: written to a temporary file and streamed from it, not built in memory
    return xlsx.workbook_response(reports.handover_workbook(user, handovers, title=title),
                                  filename=f"handovers-{since:%Y%m%d}-{until:%Y%m%d}.xlsx")
