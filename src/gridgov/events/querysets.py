"""Which events a user sees: `Event.objects.visible_to(user)` (core.querysets' hook).

Roles with SEE_AREA_EVENTS (dispatchers, administrators, grid workers) see their area; a
department or station (HANDLE_EVENTS) its inbox (the events sent to it or that it owns),
whatever their place; everyone (a resident without any role included) sees the events they
reported themselves.
"""

from __future__ import annotations

from django.db.models import Q

from gridgov.core.models import Role, ScopedQuerySet
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.querysets import area_q

# The roles of the units an event is sent to (their accounts carry the department).
HANDLER_ROLES = frozenset({Role.DEPARTMENT_STAFF, Role.STATION_STAFF})


class EventQuerySet(ScopedQuerySet):
    def visibility(self, user) -> Q | None:
        if user is None or not user.is_authenticated:
            return None
        visible = Q(reporter=user)  # a reporter's own reports, with or without a scope
        area = area_q(user)
        if area is not None and has_capability(user, Capability.SEE_AREA_EVENTS):
            visible |= area
        if user.department_id and has_capability(user, Capability.HANDLE_EVENTS):
            visible |= self.inbox_q(user.department_id)
        return visible

    @staticmethod
    def inbox_q(department_id) -> Q:
        """A department's or station's inbox: the events sent to it and those it owns."""
        return Q(department_id=department_id) | Q(owner_department_id=department_id)


class RoutingRuleQuerySet(ScopedQuerySet):
    """Routing rules whose area lies in the user's scope (their code is `org_prefix`)."""

    scope_field = "org_prefix"
