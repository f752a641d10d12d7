"""The one write of the statistics: a download of the figures is logged."""

from __future__ import annotations

from django.db import transaction

from gridgov.core.audit import audit_record
from gridgov.mediation.audit_actions import MediationAction


def statistics_export_record(*, actor, report, title: str) -> None:
    """Log a download of `report` (selectors.statistics.Report): its period, area and committee."""
    period = report.period
    with transaction.atomic():
        audit_record(actor=actor, action=MediationAction.STATISTICS_EXPORT, object_type="mediation.statistics",
                     object_id=f"{period.since:%Y%m%d}-{period.until:%Y%m%d}", object_repr=title[:200],
                     org_code=report.area.code,
                     changes={"since": period.since.isoformat(), "until": period.until.isoformat(),
                              "area": report.area.code, "committee": report.committee.pk if report.committee else None})
