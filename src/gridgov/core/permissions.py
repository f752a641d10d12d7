"""What each role may do. Checked in services and selectors, never only in templates.

Roles and capabilities are a closed set in code: an administrator assigns roles, but
cannot invent a new power from the admin screen.
"""

from __future__ import annotations

from enum import StrEnum

from gridgov.core.models import Role


class Capability(StrEnum):
    MANAGE_ORG_UNITS = "manage_org_units"
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_USERS = "manage_users"
    VIEW_PEOPLE = "view_people"  # lists of people, with sensitive fields masked
    VIEW_PERSON_NAMES = "view_person_names"  # names in full in lists
    OPEN_PERSON_RECORD = "open_person_record"  # the full record, with a purpose, logged
    EDIT_PEOPLE = "edit_people"
    VIEW_AUDIT = "view_audit"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        {
            Capability.MANAGE_ORG_UNITS,
            Capability.MANAGE_DEPARTMENTS,
            Capability.MANAGE_USERS,
            Capability.VIEW_PEOPLE,
            Capability.VIEW_PERSON_NAMES,
        }
    ),
    Role.DISPATCHER: frozenset({Capability.VIEW_PEOPLE}),
    Role.GRID_WORKER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.VIEW_PERSON_NAMES,
            Capability.OPEN_PERSON_RECORD,
            Capability.EDIT_PEOPLE,
        }
    ),
    Role.DEPARTMENT_STAFF: frozenset({Capability.VIEW_PEOPLE}),
    Role.STATION_STAFF: frozenset({Capability.VIEW_PEOPLE}),
    Role.CARE_WORKER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.VIEW_PERSON_NAMES,
            Capability.OPEN_PERSON_RECORD,
            Capability.EDIT_PEOPLE,
        }
    ),
    Role.MEDIATOR: frozenset(
        {Capability.VIEW_PEOPLE, Capability.VIEW_PERSON_NAMES, Capability.OPEN_PERSON_RECORD}
    ),
    Role.PROGRAM_OFFICER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.VIEW_PERSON_NAMES,
            Capability.OPEN_PERSON_RECORD,
            Capability.EDIT_PEOPLE,
        }
    ),
    Role.AUDITOR: frozenset({Capability.VIEW_AUDIT}),
}


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_gridgov_capabilities", None)
    if cached is None:
        cached = frozenset().union(*(ROLE_CAPABILITIES.get(r, frozenset()) for r in user.roles))
        user._gridgov_capabilities = cached
    return cached


def has_capability(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def in_scope(user, org_code: str) -> bool:
    """True when `org_code` lies in the user's subtree. An empty scope sees nothing."""
    scope = getattr(user, "scope_code", "") or ""
    return bool(scope) and (org_code or "").startswith(scope)


def require(user, capability: Capability) -> None:
    from gridgov.core.exceptions import Forbidden

    if not has_capability(user, capability):
        raise Forbidden()
