"""Reads of the event loop, scoped by role and area."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import dates
from gridgov.core.exceptions import Forbidden, NotFound
from gridgov.core.models import Department
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.workcal import WorkCalendar
from gridgov.events.models import OPEN_STATUS_LIST, Category, Event, Photo, TimelineEntry
from gridgov.events.workflow import OPEN_STATUSES


def takes_part_in_events(user) -> bool:
    """The staff of the loop (`Capability.TAKE_PART_IN_EVENTS`), and an account without any
    role (a resident following their own reports). Staff whose work lies elsewhere (care,
    mediation, the register) and an auditor, whatever other role the account holds (it holds
    no event capability), never see events: for them every event URL is a 403 (CONTRACTS: the
    role may never do this), not an empty list or a 404."""
    if has_capability(user, Capability.TAKE_PART_IN_EVENTS):
        return True
    return user.is_authenticated and not user.roles


def require_event_loop(user) -> None:
    if not takes_part_in_events(user):
        raise Forbidden(_("Your role does not take part in the event loop."))


def require_event_desk(user) -> None:
    """Merging duplicates happens at the centre's desk; checked before the body is read so
    that a role that may never merge gets 403, not 400 (the service checks again)."""
    require_event_loop(user)
    if not has_capability(user, Capability.WORK_EVENT_DESK):
        raise Forbidden(_("Only a dispatcher merges duplicate events."))


def events_visible_to(user) -> QuerySet[Event]:
    """Dispatchers and admins see their area; grid workers their cells; a department or
    station the events sent to it; everyone the events they reported themselves
    (`events.querysets.EventQuerySet`)."""
    return Event.objects.visible_to(user)


def access_event(user, event_id) -> Event:
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        pk = -1
    event = events_visible_to(user).select_related("category", "department", "owner_department").filter(pk=pk).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def returned_by_my_unit(user, event_id) -> TimelineEntry | None:
    """The latest return of an event by the user's own department or station, when the event
    is no longer theirs to see: what the unit may still read of it (its code, category, the
    reason it gave), so that its page and notification links lead to a clear page, not a 404."""
    if not user.is_authenticated or not has_capability(user, Capability.HANDLE_EVENTS) or not user.department_id:
        return None
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        return None
    code = Department.objects.filter(pk=user.department_id).values_list("code", flat=True).first()
    if not code:
        return None
    return (TimelineEntry.objects.select_related("event__category", "actor")
            .filter(event_id=pk, action="return", extra__returned_by=code).order_by("-at", "-id").first())


DUPLICATE_RADIUS_M = 50


def _metres_to_degrees(lat: float, metres: float) -> tuple[float, float]:
    d_lat = metres / 111_320
    d_lng = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return d_lat, d_lng


EARTH_RADIUS_M = 6_371_000


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    r = EARTH_RADIUS_M
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def possible_duplicates(event: Event, *, user) -> list[Event]:
    """Open events of the same category within 50 m that the user may see, offered for merging."""
    if event.lat is None or event.lng is None:
        return []
    d_lat, d_lng = _metres_to_degrees(event.lat, DUPLICATE_RADIUS_M)
    nearby = events_visible_to(user).filter(
        category_id=event.category_id, status__in=OPEN_STATUSES,
        lat__range=(event.lat - d_lat, event.lat + d_lat), lng__range=(event.lng - d_lng, event.lng + d_lng),
    ).exclude(pk=event.pk).order_by("created_at")
    return [e for e in nearby if haversine_m(event.lat, event.lng, e.lat, e.lng) <= DUPLICATE_RADIUS_M]


# --- Lists over the API ---------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    """Filters of the event list; each one maps onto an indexed column."""

    statuses: tuple[str, ...] = ()
    category: str = ""  # a category code: the category and its sub-categories
    org: str = ""  # an org-unit code: its subtree
    department: str = ""  # a department or station code: the events it handles
    overdue: bool = False  # open with the running step past its deadline
    supervised: bool = False  # open and under supervision by the level above (督办)
    since: datetime.date | None = None  # reported on or after this day (Asia/Shanghai)
    until: datetime.date | None = None  # reported on or before this day

    @property
    def order(self) -> tuple[str, ...]:
        """The keyset order of the list, newest first, matched by an index of the event
        table (events/0006): by report time when narrowed to a time window or to a unit
        (`events_event_created_id`, `events_event_dept_created`), so that the scan starts
        at the window instead of walking the primary key back from the newest event and
        discarding every row reported after it; by id otherwise."""
        return TIME_ORDER if (self.since or self.until or self.department) else ID_ORDER


ID_ORDER = ("-id",)
TIME_ORDER = ("-created_at", "-id")


# Columns no list shows: the hotline caller's encrypted name and contact (each decrypted as
# its row loads) and the event's public token.
PRIVATE_LIST_FIELDS = ("reporter_name", "reporter_contact", "public_token")


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return dates.start_of_day(day)  # clamped: `until=9999-12-31` cannot overflow


DUE_SOON = datetime.timedelta(hours=24)
# The steps a department or station is on the clock for (accept, handle).
UNIT_STEPS = frozenset({"dispatched", "accepted"})


def deadline_q(due: str, now: datetime.datetime) -> Q:
    """Open events whose running step is past its deadline ("overdue") or reaches it within
    a day ("soon")."""
    running = Q(status__in=OPEN_STATUSES, step_deadline__isnull=False)
    if due == "overdue":
        return running & Q(step_deadline__lt=now)
    return running & Q(step_deadline__gte=now, step_deadline__lt=now + DUE_SOON)


def events_filtered(user, filters: EventFilters, *, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The events `user` sees, narrowed by `filters`, with what a list row shows joined in.

    Every filter is a plain comparison on a column of the event table, so that the planner
    sees its selectivity and runs it on the index that also gives the list's order
    (`filters.order`): a department's code is turned into its id by a query of its own (one
    row of a small table) rather than by a subquery, whose result the planner cannot see
    and which made it walk the primary key through the whole history (issue 12)."""
    events = events_visible_to(user).select_related("category", "department").defer(*PRIVATE_LIST_FIELDS)
    if filters.statuses:
        events = events.filter(status__in=filters.statuses)
    if filters.category:
        code = filters.category
        events = events.filter(
            category_id__in=Category.objects.filter(Q(code=code) | Q(code__startswith=f"{code}.")).values("id")
        )
    if filters.org:
        events = events.filter(org_code__startswith=filters.org)
    if filters.department:
        department_id = Department.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        events = events.filter(department_id=department_id) if department_id else events.none()
    if filters.overdue:
        events = events.filter(status__in=OPEN_STATUSES, step_deadline__lt=now or timezone.now())
    if filters.supervised:
        events = events.filter(status__in=OPEN_STATUSES).exclude(supervision_level="")
    if filters.since:
        events = events.filter(created_at__gte=_start_of_day(filters.since))
    if filters.until:
        events = events.filter(created_at__lt=dates.end_of_day(filters.until))
    return events


# The columns of a list row of the API (`events.api.common.event_json`), by their `values()`
# names: the category's code and name and the unit's code and name joined in the same query.
EVENT_ROW_FIELDS = (
    "id", "code", "status", "category__code", "category__name", "urgency", "channel", "description", "org_code",
    "lat", "lng", "address", "place_id", "department__code", "department__name", "step", "step_started_at",
    "step_deadline", "deadlines", "rework_count", "created_at", "updated_at", "closed_at",
)


def event_list_rows(user, filters: EventFilters, *, now: datetime.datetime | None = None) -> QuerySet[dict]:
    """`events_filtered` as plain rows of `EVENT_ROW_FIELDS` (issue 12): no `Event` instance is
    built for a list page, only the columns its rows show."""
    return events_filtered(user, filters, now=now).values(*EVENT_ROW_FIELDS)


def event_timeline(event: Event) -> list[TimelineEntry]:
    """The timeline of one event, oldest first, with each step's photos (two queries)."""
    return list(event.timeline.prefetch_related("photos").order_by("at", "id"))


def work_calendars_for(org_codes: Iterable[str]) -> dict[str, WorkCalendar]:
    """`core.selectors.work_calendar_for` for many org codes at once, in two queries
    (the schedules of every ancestor of the codes, the holiday overrides) whatever their
    number: a list page computes its traffic lights with it."""
    from gridgov.core.models import HolidayOverride, WorkSchedule
    from gridgov.core.selectors import ancestor_codes
    from gridgov.core.workcal import DEFAULT_PERIODS

    codes = {code for code in org_codes if code}
    if not codes:
        return {}
    prefixes = set(codes).union(*(ancestor_codes(code) for code in codes))
    schedules = {s.org_code: s for s in WorkSchedule.objects.filter(org_code__in=prefixes)}
    overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
    calendars: dict[str, WorkCalendar] = {}
    by_schedule: dict[str | None, WorkCalendar] = {}
    for code in codes:
        owner = max((p for p in [*ancestor_codes(code), code] if p in schedules), key=len, default=None)
        if owner not in by_schedule:
            s = schedules.get(owner)
            periods = ((s.morning_start, s.morning_end), (s.afternoon_start, s.afternoon_end)) if s else DEFAULT_PERIODS
            by_schedule[owner] = WorkCalendar(periods=periods, overrides=overrides)
        calendars[code] = by_schedule[owner]
    return calendars


# A user's notifications are read in gridgov.core.notifications.selectors (notify, issue 11).


# --- The public view (Open311) --------------------------------------------------------

# Timeline notes the public may read: what was done about the problem, never a return
# reason, an internal instruction or who did it.
PUBLIC_NOTE_ACTIONS = ("handle", "resolve_on_site", "close", "merge")
# Personal matters (a family dispute, a child, an old person asking for help) are listed
# publicly without their description, place or photo.
PERSONAL_CATEGORY_PREFIXES = ("dispute", "youth", "community.elderly_help")


def is_personal_category(code: str) -> bool:
    return any(code == p or code.startswith(f"{p}.") for p in PERSONAL_CATEGORY_PREFIXES)


def public_services() -> list[Category]:
    """Categories the public may report: active, public leaves (one query)."""
    categories = list(Category.objects.filter(is_active=True))
    parents = {c.parent_id for c in categories if c.parent_id}
    names = {c.code: c.name for c in categories}
    leaves = [c for c in categories if c.is_public and c.code not in parents]
    for category in leaves:
        category.domain_name = names.get(category.code.split(".")[0], "")
        category.ancestor_names = [names[code] for code in reversed(_ancestry(category.code)) if code in names]
    return sorted(leaves, key=lambda c: c.code)


def _ancestry(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def public_events() -> QuerySet[Event]:
    """Events of public categories, with their photos prefetched (no notes: staff-typed
    text is never published, issue 10)."""
    return (
        Event.objects.filter(category__is_public=True)
        .select_related("category", "department", "owner_department")
        .defer(*PRIVATE_LIST_FIELDS)
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("id"), to_attr="photo_list"))
    )


def photo_is_published(event: Event, photo: Photo) -> bool:
    """Only what a member of the public sent for publication: a photo of a report made
    through a public channel, sent by its reporter (not one taken by staff, who may have
    caught people in it)."""
    return (may_publish_photos(channel=event.channel, category_code=event.category.code)
            and photo.uploaded_by_id == event.reporter_id)


def may_publish_photos(*, channel: str, category_code: str) -> bool:
    """Whether any photo of a report of this channel and category may be published (those
    its reporter sent): a public channel, and not a personal matter."""
    from gridgov.events.models import Channel

    return channel in {Channel.RESIDENT, Channel.OPEN311} and not is_personal_category(category_code)


# The columns of a row of the public list (`events.api.open311.request_json`), as `values()`
# names: the category and both units joined in the same query. Never the reporter's name or
# contact, never a note.
PUBLIC_ROW_FIELDS = (
    "id", "code", "status", "category__code", "category__name", "channel", "description", "department__name",
    "owner_department__name", "created_at", "updated_at", "handle_deadline", "address", "lat", "lng", "reporter_id",
)


def public_event_rows() -> QuerySet[dict]:
    """`public_events` as plain rows of `PUBLIC_ROW_FIELDS` (issue 12); their photos come from
    `published_photos`."""
    return Event.objects.filter(category__is_public=True).values(*PUBLIC_ROW_FIELDS)


def published_photos(rows: list[dict]) -> dict[int, int]:
    """For rows of `public_event_rows`, the first published photo (`photo_is_published`) of
    each event that has one, by event id: one query, and none when no row may show a photo."""
    candidates = {row["id"]: row for row in rows
                  if may_publish_photos(channel=row["channel"], category_code=row["category__code"])}
    if not candidates:
        return {}
    first: dict[int, int] = {}
    for event_id, photo_id, uploaded_by_id in (Photo.objects.filter(event_id__in=candidates).order_by("id")
                                               .values_list("event_id", "id", "uploaded_by_id")):
        if event_id not in first and uploaded_by_id == candidates[event_id]["reporter_id"]:
            first[event_id] = photo_id
    return first


# --- Categories ---------------------------------------------------------------------------


def categories_listed(*, parent: str | None = None) -> QuerySet[Category]:
    """Active categories (a parent's children only, if given), each marked leaf or not."""
    categories = Category.objects.filter(is_active=True).annotate(
        has_children=Exists(Category.objects.filter(parent_id=OuterRef("code"), is_active=True))
    )
    return categories.filter(parent_id=parent) if parent else categories


def category_rows(categories: list[Category]) -> list[dict]:
    """Rows for a page of categories; the urgencies with limits come from one query over the
    (small) limits table, a category inheriting its ancestors' limits."""
    from gridgov.events.models import CategoryLimit, Urgency

    limited: dict[str, set[str]] = {}
    for code, urgency in CategoryLimit.objects.values_list("category__code", "urgency"):
        limited.setdefault(code, set()).add(urgency)
    rows = []
    for category in categories:
        urgencies = set().union(*(limited.get(code, set()) for code in _ancestry(category.code)))
        rows.append({
            "code": category.code, "name": category.name, "parent": category.parent_id,
            "urgencies": [u for u in Urgency.values if u in urgencies],
            "fixable_on_site": category.fixable_on_site, "is_public": category.is_public,
            "is_leaf": not category.has_children,
        })
    return rows


# --- The HTML pages -------------------------------------------------------------------------


class Hint(NamedTuple):
    """An open event offered as a possible duplicate of a row: what the row shows of it."""

    pk: int
    code: str
    created_at: datetime.datetime


def duplicate_hints(events: Iterable[Event]) -> dict[int, list[Hint]]:
    """`possible_duplicates` for a whole page of events in one query: for each open event
    with a point, the other open events of its category within 50 m, oldest first (plain
    tuples of the candidates' columns: no model instance is built for them)."""
    placed = [e for e in events if e.lat is not None and e.lng is not None and e.status in OPEN_STATUSES]
    if not placed:
        return {}
    near = Q()
    for event in placed:
        d_lat, d_lng = _metres_to_degrees(event.lat, DUPLICATE_RADIUS_M)
        near |= Q(category_id=event.category_id, lat__range=(event.lat - d_lat, event.lat + d_lat),
                  lng__range=(event.lng - d_lng, event.lng + d_lng))
    candidates = list(Event.objects.filter(near, status__in=OPEN_STATUS_LIST).values_list(
        "id", "code", "category_id", "lat", "lng", "created_at").order_by("created_at", "id"))
    # Each event is compared only with the candidates of its category in its own cell of a
    # grid of ~50 m and the eight around it, not with every candidate of the page (issue 12:
    # 23,100 distances a page). Two points within the radius are never further apart than a
    # cell in latitude (a great-circle distance is at least the meridian arc between the two
    # latitudes) nor in longitude (at least the parallel's arc, scaled by the cosine of the
    # latitude furthest from the equator), so no pair within 50 m is skipped: the same hints
    # as comparing every pair.
    lat_step = _BAND_DEGREES
    widest = max([abs(e.lat) for e in placed] + [abs(c[3]) for c in candidates]) + lat_step
    lng_step = lat_step / max(math.cos(math.radians(min(widest, 89.0))), 0.01) * 1.01

    cells: dict[tuple[int, int, int], list[tuple]] = defaultdict(list)
    for candidate in candidates:  # in the query's order: each cell's list is oldest first
        cells[(candidate[2], math.floor(candidate[3] / lat_step), math.floor(candidate[4] / lng_step))].append(candidate)
    hints: dict[int, list[Hint]] = {}
    for event in placed:
        lat, lng = event.lat, event.lng
        row, col = math.floor(lat / lat_step), math.floor(lng / lng_step)
        found = [c for r in (row - 1, row, row + 1) for k in (col - 1, col, col + 1)
                 for c in cells.get((event.category_id, r, k), ())
                 if c[0] != event.pk and abs(c[3] - lat) <= lat_step
                 and haversine_m(lat, lng, c[3], c[4]) <= DUPLICATE_RADIUS_M]
        if found:
            found.sort(key=lambda c: (c[5], c[0]))  # oldest first, as the query's order
            hints[event.pk] = [Hint(c[0], c[1], c[5]) for c in found]
    return hints


# The latitude (in degrees) that a great-circle distance of DUPLICATE_RADIUS_M spans at most
# on the sphere of `haversine_m`, with a margin for rounding: the height of a cell.
_BAND_DEGREES = math.degrees(DUPLICATE_RADIUS_M / EARTH_RADIUS_M) * 1.0001


def with_return_notes(events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` with `return_note` on each returned one: its last return's reason, who
    returned it (`who`, and the unit's code `by` with its name `by_name`) and the unit it
    should go to (`suggested`, `suggested_name`), as one JSON value read in the page's own
    query (a subquery run for the returned rows only), so that a page costs the same
    queries whatever its rows hold (issue 12). Other rows get None."""
    from django.db.models import Case, JSONField, When
    from django.db.models.fields.json import KT
    from django.db.models.functions import JSONObject

    from gridgov.events.workflow import Action, Status

    def unit_name(code_field: str):
        return Subquery(Department.objects.filter(code=OuterRef(code_field)).values("name")[:1])

    last = (TimelineEntry.objects.filter(event_id=OuterRef("pk"), action=Action.RETURN)
            .annotate(by=KT("extra__returned_by"), suggested=KT("extra__suggested_department"))
            .order_by("-at", "-id")
            .values(summary=JSONObject(by="by", who="actor_label", reason=KT("extra__reason"), suggested="suggested",
                                    by_name=unit_name("by"), suggested_name=unit_name("suggested")))[:1])
    return events.annotate(return_note=Case(When(status=Status.RETURNED, then=Subquery(last)), default=None,
                                            output_field=JSONField()))


def with_rework_notes(events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` with `rework_note`: the note of the last failed verification of a reworked
    event ("" for the others), read in the page's own query (issue 12)."""
    from django.db.models import Case, CharField, Value, When

    from gridgov.events.workflow import Action, Status

    last = (TimelineEntry.objects.filter(event_id=OuterRef("pk"), action=Action.VERIFY, to_status=Status.ACCEPTED)
            .order_by("-at", "-id").values("note")[:1])
    return events.annotate(rework_note=Case(When(rework_count__gt=0, then=Subquery(last)), default=Value(""),
                                            output_field=CharField()))


def pending_extension(event: Event):
    """The request for more time waiting for a dispatcher's decision, if any."""
    from gridgov.events.models import Extension

    return event.extensions.filter(status=Extension.Status.REQUESTED).select_related("requested_by").first()


def routing_rules_for(user) -> QuerySet:
    """Routing rules of the user's area (every rule whose area lies in the user's scope)."""
    from gridgov.events.models import RoutingRule

    return RoutingRule.objects.visible_to(user).select_related("category", "department", "created_by")


def routing_rule_histories(rules: list) -> dict[int, list]:
    """For each rule, the ended rules it replaced, newest first (one query for the page)."""
    from gridgov.events.models import RoutingRule

    if not rules:
        return {}
    ended = {
        r.pk: r for r in RoutingRule.objects.filter(
            is_active=False, category_id__in={r.category_id for r in rules},
            org_prefix__in={r.org_prefix for r in rules},
        ).select_related("category", "department", "created_by")
    }
    histories = {}
    for rule in rules:
        chain, seen, previous = [], set(), rule.replaces_id
        while previous in ended and previous not in seen:
            seen.add(previous)
            chain.append(ended[previous])
            previous = ended[previous].replaces_id
        histories[rule.pk] = chain
    return histories


def leaf_categories(*, public_only: bool = False) -> list[Category]:
    """Active leaf categories (what a report is filed under), each with `domain_name` and
    `ancestor_names` for a two-level picker; one query."""
    categories = list(Category.objects.filter(is_active=True))
    parents = {c.parent_id for c in categories if c.parent_id}
    names = {c.code: c.name for c in categories}
    leaves = [c for c in categories if c.code not in parents and (c.is_public or not public_only)]
    for category in leaves:
        category.domain_name = names.get(category.code.split(".")[0], "")
        category.ancestor_names = [names[code] for code in reversed(_ancestry(category.code)) if code in names]
    return sorted(leaves, key=lambda c: c.code)


# Other apps show on the event page what they keep about it (mediation: the case handed over
# from it): each provider(user, event) returns a list of `EventLink`s, the app's own check of who
# may follow the link done by the app. An EventLink is a dict: "title", "detail", "url" (may be
# empty: the user may not follow it), "offer" (a button: something the user may do).
EVENT_LINK_PROVIDERS: list = []


def event_links(user, event) -> list:
    return [link for provider in EVENT_LINK_PROVIDERS for link in provider(user, event)]


def event_org_code(event_id: int) -> str | None:
    """The place of an event, for another app that links a record to it (mediation, issue 13);
    None when there is no such event."""
    return Event.objects.filter(pk=event_id).values_list("org_code", flat=True).first()


def event_code(event_id: int) -> str | None:
    """The readable code of an event, for a record of another app that came from it."""
    return Event.objects.filter(pk=event_id).values_list("code", flat=True).first()


def event_by_code(code: str) -> Event | None:
    """An event found by its readable code, for the public status lookup (no personal data
    is read from it there)."""
    return Event.objects.select_related("category").filter(code=(code or "").strip()).first()
