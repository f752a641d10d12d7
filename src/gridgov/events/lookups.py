"""What intake reads on every submission and an administrator changes rarely — the category,
its limits, the route of a category in a grid cell — from the lookup cache
(`core.lookup_cache`, issue 12), dropped whenever a category, a limit, a routing rule or a
department is saved or deleted (`connect_receivers`, from `EventsConfig.ready`)."""

from __future__ import annotations

from decimal import Decimal

from gridgov.core import lookup_cache

GROUP = "events.intake"


def intake_category(code: str):
    """(the active category with this code or None, whether it has active sub-categories)."""

    def compute():
        from gridgov.events.models import Category

        category = Category.objects.filter(code=code, is_active=True).first()
        return category, bool(category and category.children.filter(is_active=True).exists())

    return lookup_cache.cached(GROUP, f"category:{code}", compute)


def limits_of(category_code: str, urgency: str) -> dict[str, dict[str, Decimal]]:
    """The limits (hours per step) of the category and its ancestors for an urgency, by code."""

    def compute():
        from gridgov.events.models import CategoryLimit
        from gridgov.events.routing import category_ancestry

        rows = CategoryLimit.objects.filter(
            category__code__in=category_ancestry(category_code), urgency=urgency).select_related("category")
        return {row.category.code: {step: row.hours_for(step) for step in ("dispatch", "accept", "handle", "verify")}
                for row in rows}

    return lookup_cache.cached(GROUP, f"limits:{category_code}:{urgency}", compute)


def route_of(category, org_code: str):
    """`routing.find_route` for a category in a place, cached."""
    from gridgov.events.routing import find_route

    return lookup_cache.cached(GROUP, f"route:{category.code}:{org_code}",
                               lambda: find_route(category=category, org_code=org_code))


def changed() -> None:
    """For writers that bypass signals (bulk_create, QuerySet.update)."""
    lookup_cache.lookups_changed(GROUP)


def connect_receivers() -> None:
    from gridgov.core.models import Department
    from gridgov.events.models import Category, CategoryLimit, RoutingRule

    lookup_cache.connect(GROUP, Category, CategoryLimit, RoutingRule, Department)
