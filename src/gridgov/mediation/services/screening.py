"""Writes of dispute screening (矛盾纠纷排查): a grid worker records, once a month for each of
its grid cells, what it found (nothing found counts too), and where each finding went: a
case asked of the committee serving the place, an event of the loop, or talked out there.

A cell's screening for a month is recorded once (`screening_record`, the unique constraint
deciding between two workers who record it at the same moment); findings that come later
are added to it (`finding_add`). What a finding is about is encrypted and never copied into
the audit log, which keeps its type, route, the number of people and the links.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.models import CaseSource, CaseType, Channel, Committee, Finding, FindingRoute, Screening
from gridgov.mediation.services.common import clean_text, invalid
from gridgov.mediation.workflow import CaseStatus

# The audit actions of screening (registered in mediation/audit_actions.py as MediationAction members).
SCREENING_RECORD = MediationAction.SCREENING_RECORD.value
FINDING_ADD = MediationAction.FINDING_ADD.value

MAX_FINDINGS = 20
MAX_PARTY_COUNT = 999
SUMMARY_LIMIT = 1000


@dataclass(frozen=True)
class FindingSpec:
    type: str
    summary: str
    party_count: int
    route: str
    event_id: int | None = None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def grid_cells_screened_by(actor) -> list[str]:
    """The grid cells `actor` screens: its assigned cells inside its scope."""
    from gridgov.core.selectors import grid_cells_of

    return [code for code in grid_cells_of(actor) if in_scope(actor, code)]


def _check_cell(actor, org_code: str) -> None:
    require(actor, Capability.SCREEN_DISPUTES, message=_("Only grid workers screen their cells for disputes."))
    if org_code not in grid_cells_screened_by(actor):
        raise NotFound(_("No such grid cell of yours."))


def _clean_month(month: datetime.date) -> datetime.date:
    if not isinstance(month, datetime.date):
        raise invalid("month", _("Choose the month of the screening."))
    first = month_start(month)
    this_month = month_start(timezone.localdate())
    if first > this_month:
        raise invalid("month", _("A month is screened once it has begun."))
    # this month's screening, or last month's recorded late; never an older month's coverage made up afterwards
    if first < month_start(this_month - datetime.timedelta(days=1)):
        raise invalid("month", _("Only this month's or last month's screening can be recorded."))
    return first


def _clean_findings(org_code: str, findings: list[FindingSpec]) -> tuple[list[FindingSpec], Committee | None]:
    """The findings checked, and the committee serving the cell when one goes to mediation."""
    from gridgov.events.selectors import event_org_code
    from gridgov.mediation.services.cases import committee_serving

    if len(findings) > MAX_FINDINGS:
        raise invalid("findings", _("At most %(n)d findings at once.") % {"n": MAX_FINDINGS})
    cleaned, committee = [], None
    for finding in findings:
        if finding.type not in CaseType.values:
            raise invalid("type", _("Choose a kind of dispute."))
        if finding.route not in FindingRoute.values:
            raise invalid("route", _("Say where the dispute went."))
        try:
            party_count = int(finding.party_count)
        except (TypeError, ValueError):
            party_count = 0
        if not 1 <= party_count <= MAX_PARTY_COUNT:
            raise invalid("party_count", _("Between 1 and %(n)d people are involved.") % {"n": MAX_PARTY_COUNT})
        event_id = None
        if finding.route == FindingRoute.EVENT:
            place = event_org_code(finding.event_id) if isinstance(finding.event_id, int) else None
            if place is None or not place.startswith(org_code):
                raise invalid("event", _("Name the event you reported in this grid cell."))
            event_id = finding.event_id
        if finding.route == FindingRoute.MEDIATION and committee is None:
            committee = committee_serving(org_code)
            if committee is None:
                raise invalid("route", _("No mediation committee serves this place yet: report the dispute as an "
                                         "event, or call the township's justice office."))
        cleaned.append(FindingSpec(type=finding.type, route=finding.route, party_count=party_count, event_id=event_id,
                                   summary=clean_text(finding.summary, field="summary", limit=SUMMARY_LIMIT)))
    return cleaned, committee


def _write_findings(*, actor, screening: Screening, findings: list[FindingSpec],
                    committee: Committee | None) -> list[Finding]:
    """The findings' rows, and for each one routed to mediation its case, requested of the
    committee (the committee names the parties when it takes the dispute up)."""
    from gridgov.mediation.services.cases import _create_case

    rows = []
    for spec in findings:
        case = None
        if spec.route == FindingRoute.MEDIATION:
            case = _create_case(actor=actor, committee=committee, status=CaseStatus.REQUESTED, parties=[], fields={
                "org_code": screening.org_code, "type": spec.type, "source": CaseSource.INITIATIVE,
                "channel": Channel.GRID, "matters": spec.summary,
            })
            audit_record(actor=actor, action=MediationAction.CASE_OPEN, obj=case, object_repr=case.code,
                         org_code=case.org_code,
                         changes={"type": spec.type, "source": CaseSource.INITIATIVE, "channel": Channel.GRID,
                                  "committee": committee.pk, "parties": 0, "status": CaseStatus.REQUESTED,
                                  "screening": screening.pk})
        rows.append(Finding(screening=screening, type=spec.type, summary=spec.summary, party_count=spec.party_count,
                            route=spec.route, case=case, event_id=spec.event_id))
    Finding.objects.bulk_create(rows)
    return rows


def _finding_codes(rows: list[Finding]) -> list[dict]:
    return [{"type": f.type, "route": f.route, "party_count": f.party_count, "case": f.case_id, "event": f.event_id}
            for f in rows]


def _already_recorded() -> DomainError:
    message = _("This cell's screening for the month is recorded already: add what you found since to it.")
    return DomainError(message, ErrorCode.DUPLICATE, {"month": [message]})


def screening_record(*, actor, org_code: str, month: datetime.date, findings: list[FindingSpec]) -> Screening:
    """The screening of one of the actor's grid cells for a month, with what it found (none
    is a screening too); once per cell and month."""
    _check_cell(actor, org_code)
    month = _clean_month(month)
    cleaned, committee = _clean_findings(org_code, list(findings))
    with transaction.atomic():
        if Screening.objects.filter(org_code=org_code, month=month).exists():
            raise _already_recorded()
        try:
            with transaction.atomic():  # another worker of the cell may be recording it at this moment
                screening = Screening.objects.create(org_code=org_code, month=month, screened_by=actor)
        except IntegrityError:
            raise _already_recorded() from None
        rows = _write_findings(actor=actor, screening=screening, findings=cleaned, committee=committee)
        audit_record(actor=actor, action=MediationAction.SCREENING_RECORD, obj=screening, object_repr=org_code,
                     org_code=org_code, changes={"month": month.strftime("%Y-%m"), "findings": _finding_codes(rows)})
    return screening


def finding_add(*, actor, screening: Screening, findings: list[FindingSpec]) -> list[Finding]:
    """Findings added to a cell's screening recorded before (a dispute found later in the month)."""
    _check_cell(actor, screening.org_code)
    if not findings:
        raise invalid("findings", _("Describe at least one dispute found."))
    cleaned, committee = _clean_findings(screening.org_code, list(findings))
    with transaction.atomic():
        rows = _write_findings(actor=actor, screening=screening, findings=cleaned, committee=committee)
        audit_record(actor=actor, action=MediationAction.FINDING_ADD, obj=screening, object_repr=screening.org_code,
                     org_code=screening.org_code,
                     changes={"month": screening.month.strftime("%Y-%m"), "findings": _finding_codes(rows)})
    return rows
