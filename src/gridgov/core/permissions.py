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
    # the programs' intervals and ages in the admin (docs/care.md, "Program settings")
    MANAGE_CARE_CONFIG = "manage_care_config"
    # workflow (issue 11): the event loop, by the same roles that worked it when it checked
    # roles (docs/events.md "Workflow"); `events/workflow.py` names these per action.
    TAKE_PART_IN_EVENTS = "take_part_in_events"  # the loop's staff: its lists, an event, its photos
    SEE_AREA_EVENTS = "see_area_events"  # every event of the area (others: their unit's, their own)
    WORK_EVENT_DESK = "work_event_desk"  # the centre's queue, map and ranking
    REGISTER_EVENTS = "register_events"  # hotline intake: a caller's report typed in
    REPORT_FROM_GRID = "report_from_grid"  # the grid worker's channel and phone page
    DISPATCH_EVENTS = "dispatch_events"  # dispatch, cancel an invalid report
    PASS_ON_EVENTS = "pass_on_events"  # a department hands an event sent to it to its own station
    HANDLE_EVENTS = "handle_events"  # as the unit it was sent to: accept, return, handle, ask for time
    VERIFY_EVENTS = "verify_events"  # on site: the cell's grid worker (the dispatcher anywhere)
    FIX_EVENTS_ON_SITE = "fix_events_on_site"  # close a fixable problem on the spot
    CLOSE_EVENTS = "close_events"  # close a verified event, reopen a closed one
    SUPERVISE_EVENTS = "supervise_events"  # suspend, resume, decide on more time
    EVALUATE_EVENTS = "evaluate_events"
    MERGE_EVENTS = "merge_events"  # cancel a duplicate report into the event it repeats
    # inspections (issue 11 §C): the grid worker inspects the places of its cells in a round;
    # the city administrator sets each place kind's checklist
    RECORD_INSPECTIONS = "record_inspections"
    MANAGE_INSPECTION_CHECKLISTS = "manage_inspection_checklists"
    # mediation (issue 13): a mediator works the cases of their committees; the township's
    # justice officer (司法所) every case of the area, and keeps its committees
    MEDIATE_DISPUTES = "mediate_disputes"
    SUPERVISE_MEDIATION = "supervise_mediation"
    # the grid worker's monthly dispute screening of its cells (findings go to a committee or the loop)
    SCREEN_DISPUTES = "screen_disputes"
    # participation (issue 14): a points bank's keeper runs it (rules, shop, redemptions,
    # reversals); a grid worker records what a household earned, with its evidence
    KEEP_POINTS_BANK = "keep_points_bank"
    EARN_POINTS = "earn_points"
    TAKE_SHIFTS = "take_shifts"  # a volunteer's own shifts and hours
    ORGANISE_VOLUNTEERS = "organise_volunteers"  # the registry, activities, shifts, approving hours
    ASSIGN_SUGGESTIONS = "assign_suggestions"  # the grid centre sends residents' suggestions on
    MODERATE_SUGGESTIONS = "moderate_suggestions"  # hidden after reports: publish again or remove
    ANSWER_SUGGESTIONS = "answer_suggestions"  # a department's official answer
    MANAGE_PROJECTS = "manage_projects"  # a department's projects for the people (民生实事)
    RECORD_MEETINGS = "record_meetings"  # village meetings (屋场会) and their concerns
    MANAGE_LIAISONS = "manage_liaisons"  # officials assigned to villages (包村干部)
    RUN_CONSULTATIONS = "run_consultations"  # a department's public consultations on major decisions


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
            _C.MANAGE_CARE_CONFIG,
            _C.TAKE_PART_IN_EVENTS, _C.SEE_AREA_EVENTS, _C.WORK_EVENT_DESK,  # workflow (issue 11)
            _C.MANAGE_INSPECTION_CHECKLISTS,  # inspections (issue 11 §C)
            _C.MANAGE_LIAISONS,  # participation (issue 14): officials assigned to villages
        }
    ),
    Role.DISPATCHER: frozenset({
        _C.VIEW_PEOPLE, _C.VIEW_REGISTER,
        # workflow (issue 11): the grid centre's desk runs the loop
        _C.TAKE_PART_IN_EVENTS, _C.SEE_AREA_EVENTS, _C.WORK_EVENT_DESK, _C.REGISTER_EVENTS, _C.DISPATCH_EVENTS,
        _C.VERIFY_EVENTS, _C.CLOSE_EVENTS, _C.SUPERVISE_EVENTS, _C.EVALUATE_EVENTS, _C.MERGE_EVENTS,
        _C.ASSIGN_SUGGESTIONS, _C.MODERATE_SUGGESTIONS,  # participation (issue 14)
    }),
    Role.GRID_WORKER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER, _C.PROPOSE_REGISTER_EDITS,
            _C.VIEW_CARE, _C.VIEW_CARE_STATISTICS, _C.RECORD_VISITS, _C.REPORT_CRISIS,
            _C.WORK_CAMPAIGNS,
            # workflow (issue 11): reports from the cell, verifies there, fixes small things on the spot
            _C.TAKE_PART_IN_EVENTS, _C.SEE_AREA_EVENTS, _C.REPORT_FROM_GRID, _C.VERIFY_EVENTS,
            _C.FIX_EVENTS_ON_SITE,
            _C.RECORD_INSPECTIONS,  # inspections (issue 11 §C)
            _C.SCREEN_DISPUTES,  # mediation (issue 13)
            _C.EARN_POINTS, _C.RECORD_MEETINGS,  # participation (issue 14)
        }
    ),
    # workflow (issue 11): a unit handles what is sent to it; a department may pass it on to its station
    # participation (issue 14): a department answers the suggestions sent to it and runs its projects
    Role.DEPARTMENT_STAFF: frozenset({_C.VIEW_PEOPLE, _C.VIEW_REGISTER,
                                      _C.TAKE_PART_IN_EVENTS, _C.HANDLE_EVENTS, _C.PASS_ON_EVENTS,
                                      _C.ANSWER_SUGGESTIONS, _C.MANAGE_PROJECTS, _C.RUN_CONSULTATIONS}),
    Role.STATION_STAFF: frozenset({_C.VIEW_PEOPLE, _C.VIEW_REGISTER, _C.TAKE_PART_IN_EVENTS, _C.HANDLE_EVENTS,
                                   _C.ANSWER_SUGGESTIONS}),
    Role.CARE_WORKER: frozenset(
        _NAMED_PEOPLE
        | {
            _C.OPEN_PERSON_RECORD, _C.EDIT_PEOPLE, _C.VIEW_REGISTER,
            _C.VIEW_CARE, _C.VIEW_CARE_STATISTICS, _C.VIEW_CARE_DETAILS, _C.RECORD_VISITS, _C.REPORT_CRISIS,
        }
    ),
    # mediation (issue 13): the parties of their cases by name, people found to name a party;
    # no person-record powers (the case holds what mediation needs)
    Role.MEDIATOR: frozenset(_NAMED_PEOPLE | {_C.MEDIATE_DISPUTES}),
    Role.JUSTICE_OFFICER: frozenset(_NAMED_PEOPLE | {_C.SUPERVISE_MEDIATION}),
    # participation (issue 14): the village's bank by household (names of the register's heads)
    Role.BANK_KEEPER: frozenset(_NAMED_PEOPLE | {_C.KEEP_POINTS_BANK, _C.EARN_POINTS}),
    # a volunteer sees its own record and the shifts it can take, nobody else's data
    Role.VOLUNTEER: frozenset({_C.TAKE_SHIFTS}),
    # the organiser keeps the registry of its area's volunteers (their own names, not the register's)
    Role.VOLUNTEER_ORGANISER: frozenset({_C.ORGANISE_VOLUNTEERS}),
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
            _C.RECORD_MEETINGS,  # participation (issue 14): the grid leader records the village's meetings
        }
    ),
    Role.AUDITOR: frozenset({_C.VIEW_AUDIT, _C.REVIEW_EMERGENCY_ACCESS,
                             _C.VIEW_PROCESSING_RECORD, _C.REVIEW_BULK_EXPORTS}),
    # care (issue 11): the police liaison (社区民警) sees only the care cases on whose team it is
    # (care.selectors: no VIEW_CARE_STATISTICS, no grid cells, so team membership alone), by name,
    # with the risk level and the crisis path, never health details (no VIEW_CARE_DETAILS) and
    # never people lists (no VIEW_PEOPLE); it confirms its cases, reports danger and records a
    # contact visit where the program allows one.
    Role.POLICE_LIAISON: frozenset({_C.VIEW_PERSON_NAMES, _C.VIEW_CARE, _C.RECORD_VISITS, _C.REPORT_CRISIS}),
}


# workflow (issue 11): the event loop's capabilities. An auditor reads the audit log and changes
# nothing, whatever other role the account holds (issue 10), so an account holding a read-only
# role has none of them: it reports no event and takes no action on any (403).
EVENT_CAPABILITIES = frozenset({
    _C.TAKE_PART_IN_EVENTS, _C.SEE_AREA_EVENTS, _C.WORK_EVENT_DESK, _C.REGISTER_EVENTS, _C.REPORT_FROM_GRID,
    _C.DISPATCH_EVENTS, _C.PASS_ON_EVENTS, _C.HANDLE_EVENTS, _C.VERIFY_EVENTS, _C.FIX_EVENTS_ON_SITE,
    _C.CLOSE_EVENTS, _C.SUPERVISE_EVENTS, _C.EVALUATE_EVENTS, _C.MERGE_EVENTS,
})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def is_read_only(user) -> bool:
    """The account holds a role that reads and changes nothing (the auditor's)."""
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.roles & READ_ONLY_ROLES)


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_gridgov_capabilities", None)
    if cached is None:
        roles = user.roles
        cached = frozenset().union(*(ROLE_CAPABILITIES.get(r, frozenset()) for r in roles))
        if roles & READ_ONLY_ROLES:
            cached = cached - EVENT_CAPABILITIES
        user._gridgov_capabilities = cached
    return cached


def has_capability(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def in_scope(user, org_code: str) -> bool:
    """True when `org_code` lies in the user's subtree. An empty scope sees nothing."""
    scope = getattr(user, "scope_code", "") or ""
    return bool(scope) and (org_code or "").startswith(scope)


# --- One `require` (issue 11): the same check in services, pages and the API -----------------
# - services and selectors: `require(user, capability)` raises `Forbidden` (a DomainError:
#   403 at both edges);
# - HTML views: `@capability_required(capability)` under `@login_required` (a 403 page before
#   the view runs), or `require_page(user, capability)` for a check inside a view;
# - DRF: `core.api.common.HasCapability` with `required_capabilities = {"GET": cap, ...}`.
# A `capability` may be a set of capabilities, any one of which will do.

CapabilityLike = Capability | frozenset[Capability] | set[Capability] | tuple[Capability, ...]


def allows(user, capability: CapabilityLike) -> bool:
    """`has_capability`, where a set means any one of them."""
    if isinstance(capability, (frozenset, set, tuple)):
        return any(has_capability(user, c) for c in capability)
    return has_capability(user, capability)


def require(user, capability: CapabilityLike, *, message=None) -> None:
    """Raise `Forbidden` (403) unless the user's roles grant the capability."""
    from gridgov.core.exceptions import Forbidden

    if not allows(user, capability):
        raise Forbidden(message)


def require_page(user, capability: CapabilityLike, *, message=None) -> None:
    """`require` for an HTML view: Django's `PermissionDenied`, which renders the 403 page."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not allows(user, capability):
        raise PermissionDenied(str(message) if message else _("You do not have permission to do this."))


def capability_required(capability: CapabilityLike, *, message=None):
    """View decorator (put it under `@login_required`): 403 before the view reads anything."""
    import functools

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            require_page(request.user, capability, message=message)
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability
        return wrapper

    return decorator


class CapabilityRequiredMixin:
    """Class-based views: `required_capability = Capability.X` (403 before dispatch)."""

    required_capability: CapabilityLike | None = None
    capability_denied_message = None

    def dispatch(self, request, *args, **kwargs):
        if self.required_capability is not None:
            require_page(request.user, self.required_capability, message=self.capability_denied_message)
        return super().dispatch(request, *args, **kwargs)


# accounts (issue 10): roles whose holders see or change sensitive data, or can hand out
# access. Granting one needs a second administrator's approval, and (where GRIDGOV_OTP is
# `required`) their holders sign in with a second factor.
SENSITIVE_CAPABILITIES = frozenset({
    Capability.MANAGE_USERS,
    Capability.MEDIATE_DISPUTES,  # mediation (issue 13): what the parties of a dispute told
    Capability.SUPERVISE_MEDIATION,
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
