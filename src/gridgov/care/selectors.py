"""Reads of the care programs, with their privacy rules:

- Above the county, statistics only: lists of named people come back empty, counts filled.
- Health and criminal-record details (and which sensitive program someone is in) only for
  roles with VIEW_CARE_DETAILS in scope, and for the clinical members of the care team;
  a grid worker sees that a person needs a visit, not why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care.models import Crisis, Enrollment, Handover, TeamRole
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.core import masking
from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, has_capability, require

COUNTY_CODE_LENGTH = 6
CLINICAL_TEAM_ROLES = {TeamRole.DOCTOR, TeamRole.PSYCHIATRIST, TeamRole.OFFICER, TeamRole.SOCIAL_WORKER}
MASKED = "***"


def statistics_only(user) -> bool:
    """Users above the county see numbers, never names."""
    return len(user.scope_code or "") < COUNTY_CODE_LENGTH


def enrollments_in_scope(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    """Every active enrollment the user's statistics may count (no privacy filter on rows)."""
    require(user, Capability.VIEW_CARE)
    if not user.scope_code:
        return Enrollment.objects.none()
    qs = Enrollment.objects.filter(org_code__startswith=user.scope_code, status=Enrollment.Status.ACTIVE)
    return qs.filter(org_code__startswith=org) if org else qs


def enrollments_visible_to(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    """The enrollments the user may see by name."""
    qs = enrollments_in_scope(user, org=org)
    if statistics_only(user):
        return qs.none()
    if not has_capability(user, Capability.VIEW_CARE_DETAILS):
        # A grid worker: the people on whose team they are, and those living in their cells.
        cells = list(user.grid_assignments.values_list("cell_id", flat=True))
        qs = qs.filter(Q(team__user=user, team__removed_at__isnull=True) | Q(org_code__in=cells)).distinct()
    return qs


def access_enrollment(user, enrollment_id) -> Enrollment:
    try:
        pk = int(enrollment_id)
    except (TypeError, ValueError):
        pk = -1
    # Ended enrollments stay readable (history) to the same people.
    qs = Enrollment.objects.filter(pk=pk, org_code__startswith=user.scope_code or "-")
    enrollment = qs.select_related("person").first()
    if enrollment is None or statistics_only(user) or not _may_see(user, enrollment):
        raise NotFound(_("No such enrollment in your area."))
    return enrollment


def _may_see(user, enrollment: Enrollment) -> bool:
    if not has_capability(user, Capability.VIEW_CARE):
        return False
    if has_capability(user, Capability.VIEW_CARE_DETAILS):
        return True
    on_team = enrollment.team.filter(user=user, removed_at__isnull=True).exists()
    return on_team or user.grid_assignments.filter(cell_id=enrollment.org_code).exists()


def may_see_details(user, enrollment: Enrollment) -> bool:
    if has_capability(user, Capability.VIEW_CARE_DETAILS) and (enrollment.org_code or "").startswith(user.scope_code):
        return True
    return enrollment.team.filter(user=user, removed_at__isnull=True, role__in=CLINICAL_TEAM_ROLES).exists()


def program_label(user, enrollment: Enrollment, *, details_visible: bool | None = None) -> str:
    """The program, or a mask when knowing it would reveal health or criminal records."""
    visible = may_see_details(user, enrollment) if details_visible is None else details_visible
    if enrollment.program in SENSITIVE_PROGRAMS and not visible:
        return MASKED
    return enrollment.program


# --- The daily map ------------------------------------------------------------------------------

STATUSES = ("hospitalized", "away", "visited", "due", "not_due")


def status_on(enrollment: Enrollment, today: datetime.date) -> str:
    if enrollment.hospitalized_since:
        return "hospitalized"
    if enrollment.away_since:
        return "away"
    if enrollment.last_visit_date == today:
        return "visited"
    if enrollment.next_due_date and enrollment.next_due_date <= today:
        return "due"
    return "not_due"


def today_counts(qs: QuerySet[Enrollment], today: datetime.date) -> dict[str, int]:
    """Counts by status in one query (the same rules as status_on, in SQL)."""
    hospital = Q(hospitalized_since__isnull=False)
    away = Q(away_since__isnull=False) & ~hospital
    visited = Q(last_visit_date=today) & ~hospital & ~Q(away_since__isnull=False)
    due = Q(next_due_date__lte=today) & ~hospital & ~Q(away_since__isnull=False) & ~Q(last_visit_date=today)
    row = qs.aggregate(
        hospitalized=Count("id", filter=hospital), away=Count("id", filter=away), visited=Count("id", filter=visited),
        due=Count("id", filter=due), total=Count("id"),
    )
    row["not_due"] = row.pop("total") - sum(row[k] for k in ("hospitalized", "away", "visited", "due"))
    return row


@dataclass(frozen=True)
class TodayRow:
    enrollment: int
    person_id: int
    name: str
    program: str
    status: str
    lat: float | None
    lng: float | None
    org_code: str


def care_today_rows(user, enrollments: list[Enrollment], today: datetime.date) -> list[TodayRow]:
    detail_user = has_capability(user, Capability.VIEW_CARE_DETAILS)
    return [
        TodayRow(
            enrollment=e.pk, person_id=e.person_id, name=e.person.name, org_code=e.org_code,
            program=program_label(user, e, details_visible=detail_user and e.org_code.startswith(user.scope_code)),
            status=status_on(e, today), lat=e.person.lat, lng=e.person.lng,
        )
        for e in enrollments
    ]


def care_today_queryset(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    return enrollments_visible_to(user, org=org).select_related("person").order_by("id")


# --- Officer's page --------------------------------------------------------------------------------


def unacknowledged_high_risk(user) -> QuerySet[Enrollment]:
    """High-risk cases whose team has not yet all confirmed."""
    return (
        enrollments_visible_to(user)
        .filter(high_risk=True, team__removed_at__isnull=True, team__user__isnull=False,
                team__acknowledged_at__isnull=True)
        .distinct()
        .select_related("person")
    )


def overdue_enrollments(user, today: datetime.date | None = None) -> QuerySet[Enrollment]:
    today = today or timezone.localdate()
    return enrollments_visible_to(user).filter(
        next_due_date__lt=today, hospitalized_since__isnull=True, away_since__isnull=True
    ).select_related("person")


def handovers_for(user) -> QuerySet[Handover]:
    """Handovers into or out of the user's area."""
    require(user, Capability.MANAGE_ENROLLMENTS)
    scope = user.scope_code or "-"
    return Handover.objects.filter(Q(to_org_code__startswith=scope) | Q(from_org_code__startswith=scope)).select_related(
        "enrollment__person")


def access_handover(user, handover_id) -> Handover:
    try:
        pk = int(handover_id)
    except (TypeError, ValueError):
        pk = -1
    handover = handovers_for(user).filter(pk=pk).first()
    if handover is None:
        raise NotFound(_("No such handover in your area."))
    return handover


# --- Metrics -------------------------------------------------------------------------------------


def care_metrics(user, *, org: str | None = None, today: datetime.date | None = None) -> list[dict]:
    """Per program: enrolled, management rate (not overdue), visit coverage (seen within the
    program's rhythm), overdue, crises this year and their outcomes. Statistics: allowed at
    every level."""
    today = today or timezone.localdate()
    qs = enrollments_in_scope(user, org=org)
    rows = qs.values("program").annotate(
        enrolled=Count("id"),
        overdue=Count("id", filter=Q(next_due_date__lt=today, hospitalized_since__isnull=True,
                                     away_since__isnull=True)),
        seen_90_days=Count("id", filter=Q(last_visit_date__gte=today - datetime.timedelta(days=90))),
        hospitalized=Count("id", filter=Q(hospitalized_since__isnull=False)),
    ).order_by("program")
    crises = {
        (r["enrollment__program"], r["outcome"]): r["n"]
        for r in Crisis.objects.filter(enrollment__in=qs, occurred_at__year=today.year)
        .values("enrollment__program", "outcome").annotate(n=Count("id"))
    }
    result = []
    for row in rows:
        enrolled = row["enrolled"]
        outcomes = {outcome or "open": n for (program, outcome), n in crises.items() if program == row["program"]}
        result.append({
            **row,
            "management_rate": round((enrolled - row["overdue"]) / enrolled, 4) if enrolled else None,
            "visit_coverage": round(row["seen_90_days"] / enrolled, 4) if enrolled else None,
            "crises": sum(outcomes.values()),
            "crisis_outcomes": outcomes,
        })
    return result


def masked_name(user, enrollment: Enrollment) -> str:
    return enrollment.person.name if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(
        enrollment.person.name)
