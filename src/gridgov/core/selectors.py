"""Reads of the core app: scoped querysets and `access_*` fetch-and-authorise helpers."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext as _

from gridgov.core import crypto, masking, orgcodes
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
from gridgov.core.querysets import area_q, filter_q
from gridgov.core.validators import normalize_mobile, normalize_resident_id


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor of `code`, from the province down, excluding itself."""
    return orgcodes.ancestor_codes(code)


# --- Org units ----------------------------------------------------------------------


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """The user's subtree and the ancestors above it (for breadcrumbs and navigation)."""
    return OrgUnit.objects.visible_to(user)


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


GRID_TILE = 0.01  # degrees (about 1 km): the tiles of grid_cell_at's cache


def grid_cell_at(*, lng: float, lat: float) -> OrgUnit | None:
    """The grid cell that contains a WGS-84 point (boundary counts as inside), or None.

    A bounding-box query narrows the cells to a handful; shapely decides among them.
    Where cells share an edge the lowest code wins, so the answer is stable.
    """
    from gridgov.core.geo import point_in_polygon
    from gridgov.core.org_cache import org_tree_cached

    # The cells near the point: those whose box meets the point's tile of GRID_TILE degrees,
    # from the org tree cache (issue 12), so that a submission's lookup costs no query.
    tile_lng, tile_lat = math.floor(lng / GRID_TILE), math.floor(lat / GRID_TILE)

    def cells_of_tile() -> list[OrgUnit]:
        return list(OrgUnit.objects.filter(
            level=OrgLevel.GRID,
            min_lng__lte=(tile_lng + 1) * GRID_TILE,
            max_lng__gte=tile_lng * GRID_TILE,
            min_lat__lte=(tile_lat + 1) * GRID_TILE,
            max_lat__gte=tile_lat * GRID_TILE,
        ).order_by("code"))

    candidates = [
        cell for cell in org_tree_cached("", f"grid-tile:{GRID_TILE}:{tile_lng}:{tile_lat}", cells_of_tile)
        if cell.min_lng <= lng <= cell.max_lng and cell.min_lat <= lat <= cell.max_lat
    ]
    for cell in candidates:
        if cell.polygon and point_in_polygon(cell.polygon, lng, lat):
            return cell
    return None


_CELLS_ATTR = "_gridgov_grid_cells"


def grid_cells_of(user) -> list[str]:
    """The codes of the user's grid cells, sorted. Read once per user object — that is, once
    per request for `request.user` — and shared by everything that asks during it (the
    home page, its workbench sections, the care queryset's cell rule). Cells are assigned
    when an account is created, before anything reads them."""
    cached = getattr(user, _CELLS_ATTR, None)
    if cached is None:
        cached = tuple(sorted(user.grid_assignments.values_list("cell_id", flat=True)))
        setattr(user, _CELLS_ATTR, cached)
    return list(cached)


# --- Departments --------------------------------------------------------------------


def departments_visible_to(user, *, org: str | None = None) -> QuerySet[Department]:
    """Departments serving the user's area: those in its subtree and those above it."""
    qs = Department.objects.visible_to(user).select_related("parent")
    return qs.in_subtree(org) if org else qs


def access_department(user, code: str) -> Department:
    dept = departments_visible_to(user).filter(code=code).first()
    if dept is None:
        raise NotFound(_("No such department in your area."))
    return dept


# --- People -------------------------------------------------------------------------


def people_visible_to(user) -> QuerySet[Person]:
    require(user, Capability.VIEW_PEOPLE)
    return Person.objects.visible_to(user).filter(merged_into__isnull=True)


def access_person(user, person_id, *, now: datetime.datetime | None = None) -> Person:
    """One person in the user's area, or outside it through a live emergency grant
    (`core.emergency`: that read is audited and `person.emergency_grant` is set). The same
    404 for a missing person and one elsewhere."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        pk = None
    person = people_visible_to(user).filter(pk=pk).first() if pk is not None else None
    if person is None and pk is not None:
        from gridgov.core.emergency import person_under_grant

        person = person_under_grant(user, pk, now=now)
    if person is None:
        raise NotFound(_("No such person in your area."))
    return person


def identifier_kind(query: str) -> str | None:
    """`resident_id` or `phone` when a search text is shaped like one of those numbers
    (digits, perhaps spaced, a final X or a +86 prefix), else None."""
    compact = re.sub(r"[\s-]", "", query or "").upper()
    if compact.startswith("+86"):
        compact = compact[3:]
    if len(compact) < 6 or not compact.rstrip("X").isdigit() or compact.count("X") > 1:
        return None
    return "resident_id" if len(compact) in (15, 18) else "phone"


def may_search_identifiers(user) -> bool:
    """Only a role that may see the full number may look a person up by it: for anyone
    else, a match would confirm a value they see masked (DESIGN, People)."""
    return has_capability(user, Capability.OPEN_PERSON_RECORD)


def people_search(user, *, query: str = "", org: str | None = None) -> QuerySet[Person]:
    """People in scope matching a name fragment (roles that see names).

    A text shaped like a resident ID or phone number matches nobody here, whatever the
    role: exact lookups go through `core.services.check_people_search`, which logs and
    rate-limits them, and only for roles that may see the full number.
    """
    qs = people_visible_to(user)
    if org:
        qs = qs.in_subtree(org)
    query = (query or "").strip()
    if not query:
        return qs
    if identifier_kind(query) or not has_capability(user, Capability.VIEW_PERSON_NAMES):
        return qs.none()
    # people search (issue 12): through the keyed name index, not a scan of every name.
    from gridgov.core.person_search import people_matching_name

    return people_matching_name(qs, query)


def people_by_identifier(user, *, kind: str, value: str, org: str | None = None) -> QuerySet[Person]:
    """People in scope with exactly this resident ID or phone number. Only for
    `check_people_search`, after the search was logged."""
    qs = people_visible_to(user)
    if not may_search_identifiers(user):
        return qs.none()
    if org:
        qs = qs.in_subtree(org)
    if kind == "resident_id":
        compact = re.sub(r"[\s-]", "", value)
        return qs.filter(resident_id_index=crypto.blind_index("resident_id", normalize_resident_id(compact)))
    return qs.filter(phone_index=crypto.blind_index("phone", normalize_mobile(value)))


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


def live_duplicate_people() -> QuerySet[Person]:
    """Unmerged records that share a resident ID number, oldest first in each group.

    The constraint `core_person_one_live_per_resident_id` makes these impossible; they exist
    only in a database from before it, which `gridgov people_duplicates` clears so that the
    migration adding it can run. Unscoped: it is an operator's tool, not a page."""
    from django.db.models import Count

    live = Person.objects.filter(merged_into__isnull=True).exclude(resident_id_index="")
    shared = live.values("resident_id_index").annotate(n=Count("id")).filter(n__gt=1).values("resident_id_index")
    return live.filter(resident_id_index__in=shared).order_by("resident_id_index", "id")


def can_open_person_record(user, person: Person) -> bool:
    # emergency (issue 10): `emergency_grant` is set only by access_person, for a live grant.
    return has_capability(user, Capability.OPEN_PERSON_RECORD) and (
        in_scope(user, person.org_code) or getattr(person, "emergency_grant", None) is not None)


# --- Users --------------------------------------------------------------------------


def users_visible_to(user) -> QuerySet[User]:
    require(user, Capability.MANAGE_USERS)
    return filter_q(User.objects.all(), area_q(user, "scope_code"))  # accounts scoped inside the area


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


def _check_audit_person_search_limit(user) -> None:
    """429 `rate_limited` once the user has run `GRIDGOV_IDENTIFIER_SEARCH_LIMIT` audit
    searches by resident ID in the last hour (the search about to run is logged after this)."""
    from django.conf import settings
    from django.utils import timezone

    from gridgov.core.audit import AuditAction
    from gridgov.core.exceptions import DomainError, ErrorCode

    limit = settings.GRIDGOV_IDENTIFIER_SEARCH_LIMIT
    recent = AuditEntry.objects.filter(
        actor_username=user.get_username(), action=AuditAction.AUDIT_SEARCH, object_type="core.person",
        at__gt=timezone.now() - datetime.timedelta(hours=1),
    ).count()
    if recent >= limit:
        raise DomainError(
            _("You have run %(n)d searches by resident ID or phone number in the last hour, "
              "the most allowed. Try again later.") % {"n": limit},
            ErrorCode.RATE_LIMITED,
        )


def audit_entries_for(user, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    require(user, Capability.VIEW_AUDIT)
    # City-wide and system entries carry no county; the top-level auditor sees them.
    qs = AuditEntry.objects.visible_to(user)
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
        # Whether a number finds entries confirms it (masking, issue 10): each such search is
        # logged by `audit_person_search_record` and limited per hour like every other
        # exact-identifier search, counted from those log entries.
        _check_audit_person_search_limit(user)
        index = crypto.blind_index("resident_id", normalize_resident_id(re.sub(r"[\s-]", "", f.person_resident_id)))
        qs = qs.filter(person_id__in=Person.objects.filter(resident_id_index=index).values("pk"))
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-at", "-id")


# --- Working calendar ---------------------------------------------------------------


CALENDARS = "core.calendars"  # the lookup-cache group of schedules and holidays (core.lookup_cache)


def work_calendar_for(org_code: str):
    """The working calendar of the office serving `org_code` (most specific schedule wins),
    from the lookup cache while no schedule or holiday changes (issue 12)."""
    from gridgov.core.lookup_cache import cached

    return cached(CALENDARS, f"calendar:{org_code}", lambda: _work_calendar_for(org_code))


def _work_calendar_for(org_code: str):
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


# --- Grid cells on a public map ------------------------------------------------------------------

# The largest box (in degrees) one request may ask cells for: a few kilometres around a
# reporter, never the whole city at once.
PUBLIC_MAP_MAX_SPAN = 0.2
PUBLIC_MAP_MAX_CELLS = 300


def grid_cells_in_box(*, min_lng: float, min_lat: float, max_lng: float, max_lat: float,
                      limit: int = PUBLIC_MAP_MAX_CELLS) -> list[OrgUnit]:
    """Grid cells whose bounding box meets the given box, with their polygons (at most `limit`)."""
    cells = OrgUnit.objects.filter(
        level=OrgLevel.GRID, polygon__isnull=False,
        min_lng__lte=max_lng, max_lng__gte=min_lng, min_lat__lte=max_lat, max_lat__gte=min_lat,
    )
    return list(cells.only("code", "name", "polygon").order_by("code")[:limit])


def grid_centre() -> tuple[float, float] | None:
    """The middle of the deployment's grid (lat, lng), where a map opens before it knows where
    its user is; None when no cell has a boundary."""
    box = OrgUnit.objects.filter(level=OrgLevel.GRID, polygon__isnull=False).aggregate(
        west=Min("min_lng"), south=Min("min_lat"), east=Max("max_lng"), north=Max("max_lat"))
    if box["west"] is None:
        return None
    return (box["south"] + box["north"]) / 2, (box["west"] + box["east"]) / 2
