"""Reads of the core app: scoped querysets and `access_*` fetch-and-authorise helpers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.core import crypto, masking
from gridgov.core.exceptions import NotFound
from gridgov.core.models import (
    AuditEntry,
    Department,
    OrgLevel,
    OrgUnit,
    Person,
    User,
)
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.validators import normalize_mobile, normalize_resident_id


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor of `code`, from the province down, excluding itself."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if n < len(code)]


# --- Org units ----------------------------------------------------------------------


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """The user's subtree and the ancestors above it (for breadcrumbs and navigation)."""
    scope = user.scope_code or ""
    if not scope:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(Q(code__startswith=scope) | Q(code__in=ancestor_codes(scope)))


def access_org_unit(user, code: str) -> OrgUnit:
    unit = org_units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise NotFound(_("No such org unit in your area."))
    return unit


def org_unit_children(user, parent_code: str | None) -> QuerySet[OrgUnit]:
    """Children of `parent_code`, or the user's scope root itself when no parent is given."""
    visible = org_units_visible_to(user).prefetch_related("grid_workers")
    if not parent_code:
        return visible.filter(code=user.scope_code)
    access_org_unit(user, parent_code)
    return visible.filter(parent_id=parent_code)


def org_unit_path(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors and itself, from the top down, in one query."""
    codes = ancestor_codes(unit.code) + [unit.code]
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


def grid_cell_at(*, lng: float, lat: float) -> OrgUnit | None:
    """The grid cell that contains a WGS-84 point (boundary counts as inside), or None.

    A bounding-box query narrows the cells to a handful; shapely decides among them.
    Where cells share an edge the lowest code wins, so the answer is stable.
    """
    from gridgov.core.geo import point_in_polygon

    candidates = OrgUnit.objects.filter(
        level=OrgLevel.GRID,
        min_lng__lte=lng,
        max_lng__gte=lng,
        min_lat__lte=lat,
        max_lat__gte=lat,
    ).order_by("code")
    for cell in candidates:
        if cell.polygon and point_in_polygon(cell.polygon, lng, lat):
            return cell
    return None


def grid_cells_of(user) -> list[str]:
    return sorted(user.grid_assignments.values_list("cell_id", flat=True))


# --- Departments --------------------------------------------------------------------


def departments_visible_to(user, *, org: str | None = None) -> QuerySet[Department]:
    """Departments serving the user's area: those in its subtree and those above it."""
    scope = user.scope_code or ""
    if not scope:
        return Department.objects.none()
    qs = Department.objects.filter(
        Q(org_code__startswith=scope) | Q(org_code__in=ancestor_codes(scope) + [scope])
    ).select_related("parent")
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs


def access_department(user, code: str) -> Department:
    dept = departments_visible_to(user).filter(code=code).first()
    if dept is None:
        raise NotFound(_("No such department in your area."))
    return dept


# --- People -------------------------------------------------------------------------


def people_visible_to(user) -> QuerySet[Person]:
    require(user, Capability.VIEW_PEOPLE)
    if not user.scope_code:
        return Person.objects.none()
    return Person.objects.in_subtree(user.scope_code).filter(merged_into__isnull=True)


def access_person(user, person_id) -> Person:
    try:
        person = people_visible_to(user).filter(pk=int(person_id)).first()
    except (TypeError, ValueError):
        person = None
    if person is None:
        raise NotFound(_("No such person in your area."))
    return person


def people_search(user, *, query: str = "", org: str | None = None) -> QuerySet[Person]:
    """People in scope matching a name fragment, an exact resident ID or an exact phone."""
    qs = people_visible_to(user)
    if org:
        qs = qs.in_subtree(org)
    query = (query or "").strip()
    if query:
        resident_index = crypto.blind_index("resident_id", normalize_resident_id(query))
        phone_index = crypto.blind_index("phone", normalize_mobile(query))
        match = Q(resident_id_index=resident_index) | Q(phone_index=phone_index)
        # A query shaped like an ID or a phone number is looked up by index only: adding a
        # name match would turn an index lookup into a scan of the whole table.
        looks_like_number = query.upper().rstrip("X").isdigit()
        if has_capability(user, Capability.VIEW_PERSON_NAMES) and not looks_like_number:
            match |= Q(name__contains=query)
        qs = qs.filter(match)
    return qs


@dataclass(frozen=True)
class PersonView:
    """A person as one user may see them: masked unless the full record was opened."""

    id: int
    name: str
    gender: str
    birth_date: str  # YYYY-MM-DD, or YYYY-**-** when masked
    resident_id: str
    phone: str
    address: str
    org_code: str
    lat: float | None
    lng: float | None
    masked: bool


def person_view(user, person: Person, *, full: bool = False) -> PersonView:
    """`full=True` only after `person_open_record` has logged the purpose."""
    show_name = full or has_capability(user, Capability.VIEW_PERSON_NAMES)
    precise_location = full or has_capability(user, Capability.VIEW_PERSON_NAMES)
    return PersonView(
        id=person.pk,
        name=person.name if show_name else masking.mask_name(person.name),
        gender=person.gender,
        birth_date=masking.mask_birth_date(person.birth_date, full=full),
        resident_id=person.resident_id if full else masking.mask_resident_id(person.resident_id),
        phone=person.phone if full else masking.mask_phone(person.phone),
        address=person.address if full else masking.mask_address(person.address),
        org_code=person.org_code,
        lat=person.lat if precise_location else None,
        lng=person.lng if precise_location else None,
        masked=not full,
    )


def duplicate_people(user) -> QuerySet[Person]:
    """People in scope who share a resident ID number with another unmerged record."""
    from django.db.models import Count

    visible = people_visible_to(user)
    shared = (
        visible.values("resident_id_index").annotate(n=Count("id")).filter(n__gt=1).values("resident_id_index")
    )
    return visible.filter(resident_id_index__in=shared).order_by("resident_id_index", "id")


def can_open_person_record(user, person: Person) -> bool:
    return has_capability(user, Capability.OPEN_PERSON_RECORD) and in_scope(user, person.org_code)


# --- Users --------------------------------------------------------------------------


def users_visible_to(user) -> QuerySet[User]:
    require(user, Capability.MANAGE_USERS)
    return User.objects.filter(scope_code__startswith=user.scope_code)


# --- Audit --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    org_code: str = ""
    person_resident_id: str = ""
    person_id: int | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def audit_entries_for(user, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    require(user, Capability.VIEW_AUDIT)
    scope = user.scope_code or ""
    if not scope:
        return AuditEntry.objects.none()
    visible = Q(org_code__startswith=scope)
    if len(scope) <= 4:
        # City-wide and system entries carry no county; the top-level auditor sees them.
        visible |= Q(org_code="") | Q(org_code__in=ancestor_codes(scope) + [scope])
    qs = AuditEntry.objects.filter(visible)
    f = filters or AuditFilters()
    if f.actor:
        qs = qs.filter(actor_username=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.org_code:
        qs = qs.filter(org_code__startswith=f.org_code)
    if f.person_id is not None:
        qs = qs.filter(person_id=f.person_id)
    if f.person_resident_id:
        index = crypto.blind_index("resident_id", normalize_resident_id(f.person_resident_id))
        qs = qs.filter(person_id__in=Person.objects.filter(resident_id_index=index).values("pk"))
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-at", "-id")


# --- Working calendar ---------------------------------------------------------------


def work_calendar_for(org_code: str):
    """The working calendar of the office serving `org_code` (most specific schedule wins)."""
    from gridgov.core.models import HolidayOverride, WorkSchedule
    from gridgov.core.workcal import DEFAULT_PERIODS, WorkCalendar

    prefixes = ancestor_codes(org_code) + [org_code] if org_code else []
    schedule = WorkSchedule.objects.filter(org_code__in=prefixes).order_by("-org_code").first()
    periods = (
        ((schedule.morning_start, schedule.morning_end), (schedule.afternoon_start, schedule.afternoon_end))
        if schedule
        else DEFAULT_PERIODS
    )
    overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
    return WorkCalendar(periods=periods, overrides=overrides)


def next_year_calendar_missing(today: datetime.date) -> bool:
    """From 1 December, warn admins when nobody has entered next year's holidays."""
    from gridgov.core.models import HolidayOverride
    from gridgov.core.workcal import official_schedule_known

    if today.month != 12:
        return False
    next_year = today.year + 1
    if official_schedule_known(next_year):
        return False
    return not HolidayOverride.objects.filter(date__year=next_year).exists()
