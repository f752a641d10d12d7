"""What the register's pages share: the page size, a list page or its HTMX partial, org-unit
names, the map cells of an area, villages and household members as choices."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from gridgov.core import selectors as core_selectors
from gridgov.core.models import OrgLevel
from gridgov.core.pagination import keyset_page
from gridgov.register import selectors
from gridgov.register.forms import PAGE_SIZE

MAX_MAP_CELLS = 400

__all__ = ["PAGE_SIZE", "access_village", "members_of", "org_names", "page", "render_list", "scope_cells",
           "village_cells"]


def page(queryset, after, order: tuple[str, ...], size: int | None = None):
    """One keyset page of a register list (`core.pagination`), PAGE_SIZE rows by default."""
    return keyset_page(queryset, after=after, order=order, size=size or PAGE_SIZE)


def render_list(request, template: str, context: dict, *, target: str, status: int = 200):
    """The whole page, or only its results partial when HTMX asks for that target."""
    if request.htmx and request.htmx.target == target:
        template += "#results"
    response = render(request, template, context, status=status)
    # The same URL answers with a whole page or a partial: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def org_names(user, codes) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(core_selectors.org_units_visible_to(user).filter(code__in=codes).values_list("code", "name"))


def scope_cells(user) -> list:
    """Grid cells of the user's area with a boundary, for a map (at most MAX_MAP_CELLS)."""
    scope = user.scope_code or ""
    if not scope:
        return []
    return list(
        core_selectors.org_units_visible_to(user)
        .filter(level=OrgLevel.GRID, code__startswith=scope)
        .exclude(polygon__isnull=True)
        .order_by("code")[:MAX_MAP_CELLS]
    )


access_village = selectors.access_village
village_cells = selectors.village_cells


def members_of(user, memberships) -> list[tuple]:
    """(membership, display name) of the current members, for the forms' choices."""
    return [(m, selectors.display_name(user, m.person)) for m in memberships if m.is_current]
