"""The figures of people's mediation for a period, and the open cases that escalate.

Figures per committee, per mediator, per area (the org units directly below the chosen one)
and per type of dispute: cases accepted, in progress now, settled, failed (by reason),
referred and declined; the success rate (settled of settled and failed, among the cases
concluded in the period); agreements performed, judicial confirmations applied for and
confirmed; the average days from acceptance to conclusion; and, per area and type, the
disputes found by the grid's screening and 调处率 (settled of screened).

Counts only: no party's name and no matters leave here. A justice officer counts the
committees of their area and the cases of those committees placed in it; a mediator, the
committees they sit on. Each figure is computed in the database, grouped (`values` +
`annotate`), in a fixed number of queries whatever the number of committees or cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.core.db_router import reads_from_replica
from gridgov.core.exceptions import NotFound
from gridgov.core.models import OrgUnit
from gridgov.core.orgcodes import LEVEL_LENGTHS
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.querysets import scope_of
from gridgov.mediation.models import (
    Case,
    CaseType,
    Committee,
    Confirmation,
    FailureReason,
    Finding,
    Mediator,
    Party,
    Performance,
    Session,
    SessionKind,
)
from gridgov.mediation.selectors.cases import MEDIATION_ROLES
from gridgov.mediation.workflow import CaseStatus

# The justice bureau's year is the calendar year in China, whatever the server's zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# What makes an open case escalate (矛盾激化预警): long mediation, many parties, the month ending.
ESCALATION_SESSIONS = 3
ESCALATION_PARTIES = 5
ESCALATION_DAYS = 3
ESCALATION_LIMIT = 100

OPEN = (CaseStatus.REQUESTED, CaseStatus.ACCEPTED, CaseStatus.MEDIATING)
IN_PROGRESS = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING)


def today() -> datetime.date:
    return timezone.localdate(timezone=SHANGHAI)


@dataclass(frozen=True)
class Period:
    """Days `since` to `until`, both included."""

    since: datetime.date
    until: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def current_year(cls) -> Period:
        return cls.year(today().year)

    @property
    def first_month(self) -> datetime.date:
        return self.since.replace(day=1)

    @property
    def is_calendar_year(self) -> bool:
        return (self.since.year == self.until.year and (self.since.month, self.since.day) == (1, 1)
                and (self.until.month, self.until.day) == (12, 31))


def rate_text(part: int, whole: int | None) -> str:
    """`part` of `whole` as a percentage with one decimal; "—" when the whole is nothing."""
    return "—" if not whole else f"{part * 100 / whole:.1f}%"


def rate_number(part: int, whole: int | None) -> float | None:
    return None if not whole else round(part * 100 / whole, 1)


@dataclass
class Figures:
    """The figures of one row (a committee, a mediator, an area, a type) or of the total.
    `screened` is None where screening is not counted (committees and mediators)."""

    key: object
    label: str
    org_code: str = ""  # a committee's area, an area's own code
    accepted: int = 0
    in_progress: int = 0
    settled: int = 0
    failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    referred: int = 0
    declined: int = 0
    performed: int = 0
    confirmation_applied: int = 0
    confirmed: int = 0
    average_days: float | None = None
    screened: int | None = None

    @property
    def success_rate(self) -> float | None:
        return rate_number(self.settled, self.settled + self.failed)

    @property
    def success_rate_text(self) -> str:
        return rate_text(self.settled, self.settled + self.failed)

    @property
    def resolution_rate(self) -> float | None:
        """调处率: settled of the disputes screened."""
        return rate_number(self.settled, self.screened)

    @property
    def resolution_rate_text(self) -> str:
        return rate_text(self.settled, self.screened)

    @property
    def average_days_text(self) -> str:
        return "—" if self.average_days is None else f"{self.average_days:.1f}"

    @property
    def failure_counts(self) -> list[int]:
        """The failures by reason, in the order of `FailureReason`."""
        return [self.failed_by_reason.get(reason, 0) for reason in FailureReason.values]


@dataclass(frozen=True)
class ReasonShare:
    reason: str
    label: str
    count: int
    share_text: str
    share: float | None


@dataclass
class Report:
    period: Period
    area: OrgUnit
    committee: Committee | None
    committees: list[Figures]
    mediators: list[Figures]
    areas: list[Figures]
    types: list[Figures]
    failure_reasons: list[ReasonShare]
    total: Figures


# --- Scope --------------------------------------------------------------------------------------


def _supervises(user) -> bool:
    return has_capability(user, Capability.SUPERVISE_MEDIATION)


def statistics_committees(user) -> list[Committee]:
    """The committees whose figures the user sees: a justice officer's, those serving their
    area (not the ones above it); a mediator's, those they sit on. 403 for anyone else."""
    require(user, MEDIATION_ROLES)
    if _supervises(user):
        committees = Committee.objects.in_subtree(scope_of(user))
    else:
        committees = Committee.objects.filter(mediators__user=user, mediators__is_active=True)
    return list(committees.order_by("org_code", "name", "id"))


def _cases(user, *, area: str, committee: Committee | None) -> QuerySet[Case]:
    """The cases counted: visible to the user, of the committees they see, placed in `area`."""
    cases = Case.objects.visible_to(user)
    if _supervises(user):
        cases = cases.filter(committee__org_code__startswith=scope_of(user))
    if committee is not None:
        cases = cases.filter(committee=committee)
    return cases.filter(org_code__startswith=area)


def area_unit(user, code: str) -> OrgUnit | None:
    """The org unit `code` when it lies in the user's area, else None."""
    if not code or not in_scope(user, code):
        return None
    return OrgUnit.objects.filter(code=code).first()


# --- The figures --------------------------------------------------------------------------------


def _metrics(period: Period) -> dict:
    S = CaseStatus
    concluded = Q(concluded_on__gte=period.since, concluded_on__lte=period.until)
    metrics = {
        "accepted": Count("id", filter=Q(accepted_on__gte=period.since, accepted_on__lte=period.until)),
        "in_progress": Count("id", filter=Q(status__in=IN_PROGRESS)),
        "settled": Count("id", filter=concluded & Q(status=S.SETTLED)),
        "failed": Count("id", filter=concluded & Q(status=S.FAILED)),
        "referred": Count("id", filter=concluded & Q(status=S.REFERRED)),
        "declined": Count("id", filter=concluded & Q(status=S.DECLINED)),
        "performed": Count("id", filter=concluded & Q(performance=Performance.PERFORMED)),
        "confirmation_applied": Count("id", filter=concluded & ~Q(confirmation="")),
        "confirmed": Count("id", filter=concluded & Q(confirmation=Confirmation.CONFIRMED)),
        "average_days": Avg(ExpressionWrapper(F("concluded_on") - F("accepted_on"), output_field=DurationField()),
                            filter=concluded & Q(accepted_on__isnull=False)),
    }
    for reason in FailureReason.values:
        metrics[f"failed__{reason}"] = Count("id", filter=concluded & Q(status=S.FAILED, failure_reason=reason))
    return metrics


def _relevant(cases: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """Only the rows some figure counts (accepted or concluded in the period, or open now)."""
    return cases.filter(Q(accepted_on__gte=period.since, accepted_on__lte=period.until)
                        | Q(concluded_on__gte=period.since, concluded_on__lte=period.until)
                        | Q(status__in=IN_PROGRESS))


def _days(value) -> float | None:
    """An average duration as days (SQLite and PostgreSQL both answer a timedelta)."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86400_000_000  # microseconds, should a backend answer a number


def _fill(figures: Figures, row: dict) -> Figures:
    for name in ("accepted", "in_progress", "settled", "failed", "referred", "declined", "performed",
                 "confirmation_applied", "confirmed"):
        setattr(figures, name, row.get(name) or 0)
    figures.failed_by_reason = {reason: row.get(f"failed__{reason}") or 0 for reason in FailureReason.values}
    figures.average_days = _days(row.get("average_days"))
    return figures


def _grouped(cases: QuerySet[Case], period: Period, key: str) -> dict:
    """The figures of `cases` per value of `key` (one query)."""
    rows = _relevant(cases, period).values(key).annotate(**_metrics(period)).order_by()
    return {row[key]: row for row in rows}


def _findings(user, *, area: str, committees: list[Committee], committee: Committee | None,
              period: Period) -> QuerySet[Finding]:
    """The disputes found by screenings of the period in the area the figures cover."""
    findings = Finding.objects.filter(screening__month__gte=period.first_month, screening__month__lte=period.until,
                                      screening__org_code__startswith=area)
    if committee is not None:
        return findings.filter(screening__org_code__startswith=committee.org_code)
    if _supervises(user):
        return findings.filter(screening__org_code__startswith=scope_of(user))
    # a mediator: the areas their committees serve
    served = Q()
    for code in {c.org_code for c in committees}:
        served |= Q(screening__org_code__startswith=code)
    return findings.filter(served) if committees else findings.none()


def _serves(committee: Committee, area: str) -> bool:
    return committee.org_code.startswith(area) or area.startswith(committee.org_code)


def _child_length(code: str) -> int | None:
    longer = [n for n in LEVEL_LENGTHS if n > len(code)]
    return longer[0] if longer else None


@reads_from_replica()  # statistics: the replica's, where there is one (issue 12)
def mediation_statistics(user, *, period: Period, area: OrgUnit | None = None,
                         committee: Committee | None = None) -> Report:
    """The figures of `period` in `area` (default: the user's own), for one committee or all
    the user sees. 403 for a user who neither mediates nor supervises mediation."""
    committees = statistics_committees(user)
    if committee is not None and committee.pk not in {c.pk for c in committees}:
        raise NotFound(_("No such committee in your area."))
    code = area.code if area is not None else scope_of(user)
    units = {u.code: u for u in OrgUnit.objects.filter(Q(code=code) | Q(parent_id=code)).only("code", "name", "parent")
             .order_by("code")}  # the area and the units directly below it (never their polygons)
    area = units.pop(code, None) or area or OrgUnit(code=code, name=code)
    cases = _cases(user, area=code, committee=committee)
    metrics = _metrics(period)

    by_committee = _grouped(cases, period, "committee_id")
    by_mediator = _grouped(cases, period, "mediator_id")
    by_type = _grouped(cases, period, "type")
    child_length = _child_length(code)
    by_unit: dict = {}
    children = list(units.values())
    if child_length is not None:
        rows = (_relevant(cases, period).annotate(unit=Substr("org_code", 1, child_length))
                .values("unit").annotate(**metrics).order_by())
        by_unit = {row["unit"]: row for row in rows}
    total = _fill(Figures(key=None, label=_("Total")), _relevant(cases, period).aggregate(**metrics))

    findings = _findings(user, area=code, committees=committees, committee=committee, period=period)
    screened_by_type = dict(findings.values("type").annotate(n=Count("id")).values_list("type", "n").order_by())
    screened_by_unit: dict = {}
    if child_length is not None:
        screened_by_unit = dict(findings.annotate(unit=Substr("screening__org_code", 1, child_length))
                                .values("unit").annotate(n=Count("id")).values_list("unit", "n").order_by())
    total.screened = sum(screened_by_type.values())

    shown = [c for c in committees if (committee is None or c.pk == committee.pk)
             and ((c.is_active and _serves(c, code)) or c.pk in by_committee)]
    committee_rows = [_fill(Figures(key=c.pk, label=c.name, org_code=c.org_code), by_committee.get(c.pk, {})) for c in shown]

    mediators = list(Mediator.objects.filter(committee__in=[c.pk for c in shown])
                     .select_related("committee").order_by("committee__org_code", "committee_id", "name", "id"))
    mediator_rows = [
        _fill(Figures(key=m.pk, label=_("%(name)s (%(committee)s)") % {"name": m.name, "committee": m.committee.name}),
              by_mediator.get(m.pk, {}))
        for m in mediators if m.is_active or m.pk in by_mediator
    ]
    if None in by_mediator:
        mediator_rows.append(_fill(Figures(key=None, label=_("No mediator assigned yet")), by_mediator[None]))

    area_rows = []
    if code in by_unit or code in screened_by_unit:  # placed on the area itself, not a unit below it
        row = _fill(Figures(key=code, label=_("%(area)s itself") % {"area": area.name}, org_code=code), by_unit.get(code, {}))
        row.screened = screened_by_unit.get(code, 0)
        area_rows.append(row)
    for unit in children:
        row = _fill(Figures(key=unit.code, label=unit.name, org_code=unit.code), by_unit.get(unit.code, {}))
        row.screened = screened_by_unit.get(unit.code, 0)
        area_rows.append(row)

    type_rows = []
    for value, label in CaseType.choices:
        row = _fill(Figures(key=value, label=str(label)), by_type.get(value, {}))
        row.screened = screened_by_type.get(value, 0)
        type_rows.append(row)

    reasons = [ReasonShare(reason, str(label), total.failed_by_reason.get(reason, 0),
                           rate_text(total.failed_by_reason.get(reason, 0), total.failed),
                           rate_number(total.failed_by_reason.get(reason, 0), total.failed))
               for reason, label in FailureReason.choices]
    return Report(period=period, area=area, committee=committee, committees=committee_rows, mediators=mediator_rows,
                  areas=area_rows, types=type_rows, failure_reasons=reasons, total=total)


# --- The early warning list ---------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    """An open case that escalates, and why (codes and counts only: no party, no matters)."""

    pk: int
    code: str
    status_label: str
    type_label: str
    committee_name: str
    org_code: str
    deadline: datetime.date | None
    sessions: int
    parties: int
    reasons: list[str]


def _count_of(model, kind: str | None = None):
    rows = model.objects.filter(case=OuterRef("pk"))
    if kind is not None:
        rows = rows.filter(kind=kind)
    return Coalesce(Subquery(rows.order_by().values("case").annotate(n=Count("id")).values("n"),
                             output_field=IntegerField()), Value(0))


def _reasons(*, sessions: int, parties: int, deadline: datetime.date | None, on: datetime.date) -> list[str]:
    reasons = []
    if sessions >= ESCALATION_SESSIONS:
        reasons.append(ngettext("%(n)d session without an agreement", "%(n)d sessions without an agreement",
                                sessions) % {"n": sessions})
    if parties >= ESCALATION_PARTIES:
        reasons.append(ngettext("%(n)d party", "%(n)d parties", parties) % {"n": parties})
    if deadline is not None and deadline <= on + datetime.timedelta(days=ESCALATION_DAYS):
        days = (deadline - on).days
        if days < 0:
            reasons.append(ngettext("The time limit passed %(n)d day ago", "The time limit passed %(n)d days ago",
                                    -days) % {"n": -days})
        elif days == 0:
            reasons.append(_("The time limit ends today"))
        else:
            reasons.append(ngettext("The time limit ends in %(n)d day", "The time limit ends in %(n)d days",
                                    days) % {"n": days})
    return reasons


def escalating_cases(user, *, area: str = "", committee: Committee | None = None,
                     limit: int = ESCALATION_LIMIT) -> list[Escalation]:
    """The open cases (requested, accepted, being mediated) that escalate: mediated in 3
    sessions or more without an agreement, with 5 parties or more, or whose time limit ends
    within 3 days or has passed; the most urgent first, at most `limit` (one query).
    Read from the primary: a list a mediator acts on."""
    require(user, MEDIATION_ROLES)
    on = today()
    cases = _cases(user, area=area or scope_of(user), committee=committee).filter(status__in=OPEN)
    rows = (cases.annotate(n_sessions=_count_of(Session, SessionKind.MEDIATION), n_parties=_count_of(Party))
            .filter(Q(n_sessions__gte=ESCALATION_SESSIONS) | Q(n_parties__gte=ESCALATION_PARTIES)
                    | Q(deadline__lte=on + datetime.timedelta(days=ESCALATION_DAYS)))
            .order_by(F("deadline").asc(nulls_last=True), "id")
            .values("pk", "code", "status", "type", "committee__name", "org_code", "deadline", "n_sessions",
                    "n_parties")[:limit])
    status_labels, type_labels = dict(CaseStatus.choices), dict(CaseType.choices)
    return [
        Escalation(pk=row["pk"], code=row["code"], status_label=str(status_labels.get(row["status"], row["status"])),
                   type_label=str(type_labels.get(row["type"], row["type"])), committee_name=row["committee__name"],
                   org_code=row["org_code"], deadline=row["deadline"], sessions=row["n_sessions"],
                   parties=row["n_parties"],
                   reasons=_reasons(sessions=row["n_sessions"], parties=row["n_parties"], deadline=row["deadline"],
                                    on=on))
        for row in rows
    ]
