"""Routing: which department owns an event of a category reported in a place.

The rule table is keyed by (category, org-unit subtree). Rules for the event's category or
any of its ancestors, in any subtree containing the event's cell, are candidates; the most
specific wins — deepest category first, then the longest org prefix. No candidate, or two
stations of the department claiming the same place, leaves the event to the dispatcher.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.core.models import Department, DepartmentKind
from gridgov.core.orgcodes import ancestor_codes
from gridgov.events.models import Category, RoutingRule


def category_ancestry(code: str) -> list[str]:
    """`food.unlicensed.stall` → [`food.unlicensed.stall`, `food.unlicensed`, `food`]."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class Route:
    rule: RoutingRule
    owner: Department  # the department the rule names
    unit: Department  # who handles it: the owner, or its local station


def find_route(*, category: Category, org_code: str) -> Route | None:
    ancestry = category_ancestry(category.code)
    prefixes = set(ancestor_codes(org_code, include_self=True))
    candidates = list(
        RoutingRule.objects.filter(
            is_active=True, category__code__in=ancestry, org_prefix__in=prefixes, department__is_active=True
        ).select_related("department", "category")
    )
    if not candidates:
        return None

    def specificity(rule: RoutingRule) -> tuple[int, int]:
        return (rule.category.depth, len(rule.org_prefix))

    # (category, org_prefix) is unique among active rules, so the most specific is unique.
    best = max(candidates, key=specificity)
    unit = best.department
    if best.to_local_station:
        stations = list(
            Department.objects.filter(
                parent=best.department, kind=DepartmentKind.STATION, is_active=True,
                org_code__in=[org_code[:n] for n in (9, 12, 15) if n <= len(org_code)],
            )
        )
        if stations:
            nearest = max(len(s.org_code) for s in stations)
            nearest_stations = [s for s in stations if len(s.org_code) == nearest]
            if len(nearest_stations) > 1:
                return None  # two stations claim the same place: the dispatcher decides
            unit = nearest_stations[0]
    return Route(rule=best, owner=best.department, unit=unit)
