"""Who sees which rows: one `visible_to(user)` for every table that carries an `org_code`.

A user's scope is one org-unit code and they see the rows whose `org_code` starts with it
(DESIGN, Org units). That rule is written here once; every scoped model's manager is built
from `ScopedQuerySet` (or a subclass of it) with `Manager.from_queryset`/`as_manager`, and
selectors, `access_*` helpers, admin pages and badges call

    Model.objects.visible_to(user)      # the rows this user may see (hooks per model)
    Model.objects.in_area_of(user)      # every row of the user's subtree (statistics, counts)
    Model.objects.in_subtree(code)      # a filter narrowing to one org unit's subtree

An empty scope means nothing, never everything: each of them returns no rows for a user
without a scope (or for an empty code).

Hooks. A model whose visibility is more than a prefix subclasses `ScopedQuerySet` and
overrides `visibility(user) -> Q | None` (None: nothing):
- `scope_field`: the column holding the code (`"item__org_code"` through a relation);
- `with_ancestors`: the rows of the units above the scope too (departments serving the
  area, rounds and campaigns over it);
- `events.querysets.EventQuerySet`: a department's or station's inbox, a reporter's own;
- `care.querysets.EnrollmentQuerySet`: statistics only above the county, team membership
  and own grid cells for roles without the details, and `TEAM_ONLY_ROLES` for roles that
  see only the cases on whose care team they are (the police liaison);
- `UserQuerySet`: accounts, by the scope they work in (`scope_code`);
- the register masks addresses and names (`core.masking`), which is not scoping: its rows
  are visible by prefix.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from gridgov.core.orgcodes import ancestor_codes


def scope_of(user) -> str:
    """The user's scope code; "" for nobody, an anonymous user or a user without one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "scope_code", "") or ""


def subtree_q(code: str, field: str = "org_code", *, with_ancestors: bool = False) -> Q | None:
    """Rows whose `field` lies under `code` (and, `with_ancestors`, on the units above it);
    None for an empty code, which covers nothing."""
    if not code:
        return None
    q = Q(**{f"{field}__startswith": code})
    if with_ancestors:
        q |= Q(**{f"{field}__in": ancestor_codes(code)})
    return q


def area_q(user, field: str = "org_code", *, with_ancestors: bool = False) -> Q | None:
    """`subtree_q` of the user's scope: None (nothing) without one."""
    return subtree_q(scope_of(user), field, with_ancestors=with_ancestors)


def filter_q(queryset: models.QuerySet, q: Q | None) -> models.QuerySet:
    """`queryset` narrowed to `q`; no rows at all when `q` is None."""
    return queryset.none() if q is None else queryset.filter(q)


class ScopedQuerySet(models.QuerySet):
    """Rows that carry a denormalized `org_code`; a scope is a code prefix."""

    scope_field = "org_code"
    with_ancestors = False

    def in_subtree(self, code: str) -> ScopedQuerySet:
        """The rows under `code`; none for an empty code."""
        return filter_q(self, subtree_q(code, self.scope_field))

    def in_area_of(self, user) -> ScopedQuerySet:
        """Every row of the user's area (the same rule as `visible_to` before any hook):
        for statistics and counts, which may cover rows the user may not open by name."""
        return filter_q(self, area_q(user, self.scope_field, with_ancestors=self.with_ancestors))

    def visibility(self, user) -> Q | None:
        """Hook: the rows `user` may see, as a filter; None means none. The default is the
        user's subtree (and, with `with_ancestors`, the units above it)."""
        return area_q(user, self.scope_field, with_ancestors=self.with_ancestors)

    def visible_to(self, user) -> ScopedQuerySet:
        """The rows `user` may see (lists and `access_*`): never every row for an empty scope."""
        return filter_q(self, self.visibility(user))


class AncestorScopedQuerySet(ScopedQuerySet):
    """Rows of the user's subtree and of the units above it (what serves or covers the area)."""

    with_ancestors = True


def meets_area_of(user, code: str | None) -> bool:
    """Whether an org-unit `code` lies in the user's area or above it (a list filter naming an
    area above the user's own means "all of mine"; a disjoint one does not exist for them).
    False for an empty scope or code."""
    scope, code = scope_of(user), code or ""
    return bool(scope) and bool(code) and (code.startswith(scope) or scope.startswith(code))


class OrgUnitQuerySet(AncestorScopedQuerySet):
    """Org units: the user's subtree and the units above it (breadcrumbs, navigation)."""

    scope_field = "code"


class UserQuerySet(ScopedQuerySet):
    """Accounts: visible are those whose own scope lies in the user's area (colleagues of the
    area, for pickers and account lists); an account scoped above the area is not."""

    scope_field = "scope_code"
