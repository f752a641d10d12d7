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
    VIEW_REGISTER = "view_register"  # buildings, households, places (names as VIEW_PERSON_NAMES)
    EDIT_REGISTER = "edit_register"  # direct edits and imports, kept in field history
    PROPOSE_REGISTER_EDITS = "propose_register_edits"  # changes that wait for sign-off
    SIGN_OFF_REGISTER = "sign_off_register"
    MANAGE_ROUNDS = "manage_rounds"
    MERGE_PEOPLE = "merge_people"
    MANAGE_EVENT_CONFIG = "manage_event_config"  # categories, limits, routing rules
    VIEW_CARE_STATISTICS = "view_care_statistics"  # counts only, never named people
    VIEW_CARE = "view_care"  # who needs a visit (not why, without VIEW_CARE_DETAILS)
    VIEW_CARE_DETAILS = "view_care_details"  # programs, health and criminal-record facts
    MANAGE_ENROLLMENTS = "manage_enrollments"  # enroll, exit, teams, handovers, payments
    RECORD_VISITS = "record_visits"
    REPORT_CRISIS = "report_crisis"
    # emergency (issue 10): auditors review every emergency access ("break the glass")
    REVIEW_EMERGENCY_ACCESS = "review_emergency_access"
    # purposes (issue 10): the data protection officer's record of processing (auditors and
    # city administrators), and lifting the hold that bulk use of personal data exports puts
    VIEW_PROCESSING_RECORD = "view_processing_record"
    REVIEW_BULK_EXPORTS = "review_bulk_exports"
    # fix-core (issue 10): screening campaigns are the grid worker's checklist and the
    # officer's follow-up (docs/care.md); other care roles may never open one (403, not 404)
    WORK_CAMPAIGNS = "work_campaigns"


_C = Capability
_NAMED_PEOPLE = {_C.VIEW_PEOPLE, _C.VIEW_PERSON_NAMES}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        _NAMED_PEOPLE
        | {
            _C.MANAGE_ORG_UNITS, _C.MANAGE_DEPARTMENTS, _C.MANAGE_USERS,
            _C.VIEW_REGISTER, _C.EDIT_REGISTER, _C.MANAGE_ROUNDS, _C.MERGE_PEOPLE, _C.MANAGE_EVENT_CONFIG,
            _C.VIEW_CARE_STATISTICS,
            _C.VIEW_PROCESSING_RECORD,  # purposes (issue 10)
        }
    ),
    Role.DISPATCHER: frozenset({_C.VIEW_PEOPLE, _C.VIEW_REGISTER}),
    Role.GRID_WORKER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER, _C.PROPOSE_REGISTER_EDITS,
            _C.VIEW_CARE, _C.VIEW_CARE_STATISTICS, _C.RECORD_VISITS, _C.REPORT_CRISIS,
            _C.WORK_CAMPAIGNS,
        }
    ),
    Role.DEPARTMENT_STAFF: frozenset({_C.VIEW_PEOPLE, _C.VIEW_REGISTER}),
    Role.STATION_STAFF: frozenset({_C.VIEW_PEOPLE, _C.VIEW_REGISTER}),
    Role.CARE_WORKER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER,
            _C.VIEW_CARE, _C.VIEW_CARE_STATISTICS, _C.VIEW_CARE_DETAILS, _C.RECORD_VISITS, _C.REPORT_CRISIS,
        }
    ),
    Role.MEDIATOR: frozenset(_NAMED_PEOPLE | {_C.OPEN_PERSON_RECORD}),
    Role.PROGRAM_OFFICER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER, _C.VIEW_CARE, _C.VIEW_CARE_STATISTICS,
            _C.VIEW_CARE_DETAILS,
            _C.MANAGE_ENROLLMENTS, _C.RECORD_VISITS, _C.REPORT_CRISIS,
            _C.WORK_CAMPAIGNS,
        }
    ),
    Role.SCREENER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER, _C.EDIT_REGISTER,
            _C.SIGN_OFF_REGISTER, _C.MANAGE_ROUNDS, _C.MERGE_PEOPLE,
        }
    ),
    Role.AUDITOR: frozenset({_C.VIEW_AUDIT, _C.REVIEW_EMERGENCY_ACCESS,
                             _C.VIEW_PROCESSING_RECORD, _C.REVIEW_BULK_EXPORTS}),
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


# accounts (issue 10): roles whose holders see or change sensitive data, or can hand out
# access. Granting one needs a second administrator's approval, and (where GRIDGOV_OTP is
# `required`) their holders sign in with a second factor.
SENSITIVE_CAPABILITIES = frozenset({
    Capability.MANAGE_USERS,
    Capability.OPEN_PERSON_RECORD,
    Capability.EDIT_PEOPLE,
    Capability.VIEW_CARE,
    Capability.VIEW_CARE_DETAILS,
    Capability.MANAGE_ENROLLMENTS,
    Capability.VIEW_AUDIT,
    Capability.EDIT_REGISTER,
    Capability.MERGE_PEOPLE,
    Capability.REVIEW_EMERGENCY_ACCESS,
})


def role_is_sensitive(role: str) -> bool:
    return bool(ROLE_CAPABILITIES.get(role, frozenset()) & SENSITIVE_CAPABILITIES)


def sees_sensitive_data(user) -> bool:
    return bool(capabilities_of(user) & SENSITIVE_CAPABILITIES)
