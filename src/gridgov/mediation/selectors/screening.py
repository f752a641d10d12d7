"""Reads of dispute screening: a grid worker's own cells for a month, screened or not, with
what was found; an area's coverage (cells screened of all cells) and its findings counted by
type and route. What a finding is about is read by the cell's grid worker and the area's
justice officers; a mediator of the area reads the counts only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.models import OrgLevel, OrgUnit
from gridgov.core.orgcodes import GRID_LENGTH, LEVEL_LENGTHS
from gridgov.core.permissions import Capability, allows, has_capability, in_scope
from gridgov.core.querysets import scope_of
from gridgov.mediation.models import CaseType, Finding, FindingRoute, Screening

SUPERVISING_ROLES = {Capability.MEDIATE_DISPUTES, Capability.SUPERVISE_MEDIATION}
SCREENING_ROLES = {Capability.SCREEN_DISPUTES, *SUPERVISING_ROLES}


def my_screening_cells(user) -> list[str]:
    """The grid cells the user screens: its assigned cells inside its scope (as the
    services check them)."""
    if not has_capability(user, Capability.SCREEN_DISPUTES):
        return []
    from gridgov.core.selectors import grid_cells_of

    return [code for code in grid_cells_of(user) if in_scope(user, code)]


def sees_area_summaries(user) -> bool:
    """Justice officers read what the area's findings are about; mediators count them."""
    return has_capability(user, Capability.SUPERVISE_MEDIATION)


def sees_area_coverage(user) -> bool:
    return allows(user, SUPERVISING_ROLES)


def _with_findings(screenings: QuerySet[Screening]) -> QuerySet[Screening]:
    findings = Finding.objects.select_related("case").order_by("id")
    return screenings.select_related("screened_by").prefetch_related(Prefetch("findings", queryset=findings))


@dataclass(frozen=True)
class CellRow:
    org_code: str
    screening: Screening | None


def cells_for_month(user, month: datetime.date) -> list[CellRow]:
    """Each of the user's cells with its screening of `month` (None: not yet) and its findings."""
    codes = my_screening_cells(user)
    if not codes:
        return []
    screenings = {s.org_code: s for s in _with_findings(Screening.objects.filter(org_code__in=codes, month=month))}
    return [CellRow(org_code=code, screening=screenings.get(code)) for code in codes]


def access_screening_cell(user, org_code: str) -> str:
    """One of the user's cells (the same 404 for a cell that is not theirs and no cell at all)."""
    if org_code not in my_screening_cells(user):
        raise NotFound(_("No such grid cell of yours."))
    return org_code


def cell_screening(org_code: str, month: datetime.date) -> Screening | None:
    """A cell's screening of a month with its findings (read after `access_screening_cell`)."""
    return _with_findings(Screening.objects.filter(org_code=org_code, month=month)).first()


# --- The area's view ----------------------------------------------------------------------------


def _group_length(scope: str) -> int:
    """The areas a coverage table has rows for: the level below the scope (a township's
    villages, a county's townships), the cells themselves for a village."""
    below = [n for n in LEVEL_LENGTHS if n > len(scope)]
    return below[0] if below else GRID_LENGTH


@dataclass(frozen=True)
class CoverageRow:
    org_code: str
    cells: int
    screened: int

    @property
    def percent(self) -> int:
        return round(100 * self.screened / self.cells) if self.cells else 0


def screening_coverage(user, month: datetime.date) -> list[CoverageRow]:
    """Per area below the user's scope: its grid cells, and how many were screened in `month`
    (two grouped queries)."""
    scope = scope_of(user)
    if not scope or not sees_area_coverage(user):
        return []
    length = _group_length(scope)
    cells = dict(OrgUnit.objects.filter(level=OrgLevel.GRID, code__startswith=scope)
                 .annotate(area=Substr("code", 1, length)).values("area").annotate(n=Count("code"))
                 .order_by().values_list("area", "n"))
    screened = dict(Screening.objects.in_area_of(user).filter(month=month)
                    .annotate(area=Substr("org_code", 1, length)).values("area").annotate(n=Count("id"))
                    .order_by().values_list("area", "n"))
    return [CoverageRow(org_code=area, cells=n, screened=screened.get(area, 0)) for area, n in sorted(cells.items())]


@dataclass
class FindingCounts:
    """The month's findings of the area: per type (its count on each route) and per route."""

    by_type: list[dict] = field(default_factory=list)  # {"type", "label", "routes": [n per route], "total"}
    by_route: list[int] = field(default_factory=list)
    total: int = 0


def finding_counts(user, month: datetime.date) -> FindingCounts:
    """One grouped query."""
    counts = FindingCounts(by_route=[0] * len(FindingRoute.values))
    if not sees_area_coverage(user) or not scope_of(user):
        return counts
    grouped = (Finding.objects.filter(screening__in=Screening.objects.in_area_of(user).filter(month=month))
               .values("type", "route").annotate(n=Count("id")).order_by().values_list("type", "route", "n"))
    routes = list(FindingRoute.values)
    per_type: dict[str, list[int]] = {}
    for type_, route, n in grouped:
        if route not in routes:
            continue
        per_type.setdefault(type_, [0] * len(routes))[routes.index(route)] += n
        counts.by_route[routes.index(route)] += n
        counts.total += n
    labels = dict(CaseType.choices)
    counts.by_type = [{"type": t, "label": labels.get(t, t), "routes": per_type[t], "total": sum(per_type[t])}
                      for t in CaseType.values if t in per_type]
    return counts


def area_findings(user, month: datetime.date) -> QuerySet[Finding]:
    """The month's findings of the area, with what they are about: justice officers only."""
    if not sees_area_summaries(user):
        return Finding.objects.none()
    return (Finding.objects.filter(screening__in=Screening.objects.in_area_of(user).filter(month=month))
            .select_related("screening", "case"))
