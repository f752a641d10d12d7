"""Reads of the register, scoped to the user's area."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.exceptions import NotFound
from gridgov.core.models import Gender
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.register.models import (
    Building,
    ChecklistItem,
    FieldChange,
    Household,
    Membership,
    Place,
    ProposedEdit,
    Relation,
    ResidenceType,
    UpdateRound,
)
from gridgov.register.workflow import DONE_STATES


def _scoped(user, queryset: QuerySet, org: str | None = None) -> QuerySet:
    require(user, Capability.VIEW_REGISTER)
    queryset = queryset.visible_to(user)
    return queryset.in_subtree(org) if org else queryset


def buildings_visible_to(user, *, org: str | None = None) -> QuerySet[Building]:
    return _scoped(user, Building.objects.all(), org).prefetch_related("units")


def places_visible_to(user, *, org: str | None = None, kind: str | None = None) -> QuerySet[Place]:
    qs = _scoped(user, Place.objects.all(), org).select_related("responsible_person")
    return qs.filter(kind=kind) if kind else qs


def households_visible_to(user, *, org: str | None = None, include_dissolved: bool = False) -> QuerySet[Household]:
    qs = _scoped(user, Household.objects.all(), org).select_related("building", "unit").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(is_current=True).select_related("person").order_by("id"),
            to_attr="current_members",
        )
    )
    return qs if include_dissolved else qs.filter(dissolved_on__isnull=True)


def access_household(user, household_id) -> Household:
    household = households_visible_to(user, include_dissolved=True).filter(pk=_as_int(household_id)).first()
    if household is None:
        raise NotFound(_("No such household in your area."))
    return household


def access_building(user, building_id) -> Building:
    building = buildings_visible_to(user).filter(pk=_as_int(building_id)).first()
    if building is None:
        raise NotFound(_("No such building in your area."))
    return building


def access_place(user, place_id) -> Place:
    place = places_visible_to(user).filter(pk=_as_int(place_id)).first()
    if place is None:
        raise NotFound(_("No such place in your area."))
    return place


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def display_name(user, person) -> str:
    if person is None:
        return ""
    return person.name if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(person.name)


def may_see_full_address(user, org_code: str | None = None) -> bool:
    """Register addresses (of buildings, households and places) say where named people live,
    so they follow the rule of a person's address: in full only for roles that may open a
    person's full record, inside their own area (the grid worker, care worker, programme
    officer and screener who visit there); masked for everyone else, the city administrator
    included (masking, issue 10)."""
    if not has_capability(user, Capability.OPEN_PERSON_RECORD):
        return False
    return org_code is None or in_scope(user, org_code)


def display_address(user, address: str, org_code: str | None = None) -> str:
    """A register address as this user may see it (`may_see_full_address`). Lists are
    already scoped, so `org_code` matters only for rows reached from outside the area."""
    return address if may_see_full_address(user, org_code) else masking.mask_address(address)


def history_of(user, obj) -> QuerySet[FieldChange]:
    require(user, Capability.VIEW_REGISTER)
    return FieldChange.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk).select_related(
        "changed_by", "approved_by"
    )


# --- The one table ---------------------------------------------------------------------

# Other apps (care) add badges per person here: `provider(user, person_ids) -> {person_id: [label]}`.
# A provider must itself return nothing for roles that may not see its program.
PERSON_BADGE_PROVIDERS: list = []


@dataclass(frozen=True)
class OneTableFilters:
    cell: str = ""
    residence_type: str = ""
    elderly_alone: bool = False
    rental: bool = False
    no_head: bool = False
    query: str = ""


@dataclass
class OneTableMember:
    person_id: int
    name: str
    relation: str
    residence_type: str
    gender: str
    age: int | None
    phone: str
    badges: list[str] = field(default_factory=list)
    meta: str = ""  # relation · residence type · gender · age, as the page shows it


@dataclass
class OneTableRow:
    household_id: int
    org_code: str
    address: str
    is_rental: bool
    members: list[OneTableMember]
    flags: list[str]


def _age(birth: datetime.date | None, today: datetime.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


ELDERLY_AGE = 60


def access_village(user, code: str):
    """A village of the user's area (its org unit), or NotFound."""
    from gridgov.core import selectors as core_selectors
    from gridgov.core.models import OrgLevel

    unit = core_selectors.access_org_unit(user, code)
    if unit.level != OrgLevel.VILLAGE:
        raise NotFound(_("No such village in your area."))
    return unit


def village_cells(user, village) -> list:
    """The village's grid cells the user sees, by code."""
    from gridgov.core import selectors as core_selectors
    from gridgov.core.models import OrgLevel

    return list(
        core_selectors.org_units_visible_to(user).filter(parent_id=village.code, level=OrgLevel.GRID).order_by("code")
    )


def one_table_households(user, *, village: str, filters: OneTableFilters | None = None) -> QuerySet[Household]:
    """The households of the one table, ordered by (org_code, id).

    Issue 12 (EXPLAIN at a million households): no join may repeat a household, so the filters
    on members are EXISTS subqueries and the queryset needs no DISTINCT — a DISTINCT over the
    household and building columns sorted the whole village on disk for every page and every
    export chunk (1.8 s each). The code range beside the prefix lets the partial index
    `register_household_one_table` serve the keyset order and stop at the village's end."""
    f = filters or OneTableFilters()
    area = f.cell or village
    qs = households_visible_to(user, org=area).filter(org_code__gte=area, org_code__lte=area.ljust(15, "9"))
    current = Membership.objects.filter(household=OuterRef("pk"), is_current=True)
    if f.residence_type:
        qs = qs.filter(Exists(current.filter(residence_type=f.residence_type)))
    if f.rental:
        qs = qs.filter(building__is_rental=True)
    if f.no_head:
        qs = qs.exclude(Exists(current.filter(relation=Relation.HEAD)))
    if f.elderly_alone:
        today = timezone.localdate()
        cutoff = today.replace(year=today.year - ELDERLY_AGE)
        # one current member, and that one old enough (a subquery per household, no GROUP BY)
        how_many = current.order_by().values("household").annotate(n=Count("id")).values("n")
        qs = qs.annotate(current_count=Subquery(how_many)).filter(
            Exists(current.filter(person__birth_date__lte=cutoff)), current_count=1)
    if f.query:
        qs = qs.filter(one_table_query(user, f.query))
    # issue 12 (profiled): only what the table shows. Every encrypted column read is a Fernet
    # decryption, and the table needs a member's phone (masked) but never their resident ID or
    # address, nor the building's address.
    lean_members = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_current=True).select_related("person").only(
            "household", "person", "relation", "residence_type", "is_current",
            "person__name", "person__gender", "person__birth_date", "person__phone",
        ).order_by("id"),
        to_attr="current_members",
    )
    qs = qs.prefetch_related(None).prefetch_related(lean_members).select_related(None).select_related("building")
    return qs.defer("building__address").order_by("org_code", "id")


def one_table_query(user, query: str) -> Q:
    """What the one table's search text matches, in SQL although addresses are encrypted:
    the exact address (its blind index, spaces and full-width characters ignored), a unit
    label or a building name fragment, and a member's name fragment for roles that see names.
    A role that sees addresses masked matches nothing by address (a match would confirm a
    masked address), and nobody searches by ID or phone number here."""
    from gridgov.core.selectors import identifier_kind
    from gridgov.register.models import address_index

    match = Q(pk__in=[])
    if identifier_kind(query):
        return match
    if may_see_full_address(user):
        match |= Q(address_index=address_index(query)) | Q(unit__label__contains=query)
        match |= Q(building__name__contains=query)
    if has_capability(user, Capability.VIEW_PERSON_NAMES):
        # EXISTS, not a join: a household with two matching members is still one row
        match |= Q(Exists(Membership.objects.filter(household=OuterRef("pk"), is_current=True,
                                                    person__name__contains=query)))
    return match


def one_table_chunks(households: QuerySet[Household], *, size: int) -> Iterator[list[Household]]:
    """`one_table_households` in lists of `size`, in its order: grid cell by grid cell, each
    chunk the next `size` ids of its cell. The export holds one chunk in memory, no cursor stays
    open, and every chunk is a range of the index on (org_code, id) (issue 12: a keyset of
    `org_code > x OR (org_code = x AND id > y)` rescanned the cell from its start each time)."""
    codes = list(households.order_by("org_code").values_list("org_code", flat=True).distinct())
    for code in codes:
        last = 0
        while True:
            chunk = list(households.filter(org_code=code, id__gt=last)[:size])
            if chunk:
                yield chunk
            if len(chunk) < size:
                break
            last = chunk[-1].pk


def one_table_rows(user, households: list[Household]) -> list[OneTableRow]:
    """Rows of the one table for already fetched households (one more query per badge provider)."""
    today = timezone.localdate()
    person_ids = [m.person_id for h in households for m in h.current_members]
    badges: dict[int, list[str]] = {}
    for provider in PERSON_BADGE_PROVIDERS:
        for person_id, labels in provider(user, person_ids).items():
            badges.setdefault(person_id, []).extend(labels)
    # issue 12 (profiled): what is the same for every row is worked out once, not per member
    # (each choice label was a lazy translation, each name a capability check).
    names_in_full = has_capability(user, Capability.VIEW_PERSON_NAMES)
    addresses_in_full = may_see_full_address(user)
    relations = {value: str(label) for value, label in Relation.choices}
    residence_types = {value: str(label) for value, label in ResidenceType.choices}
    genders = {value: str(label) for value, label in Gender.choices}
    age_text = _("%(age)s y")
    rows = []
    for household in households:
        members = []
        for m in household.current_members:
            person = m.person
            age = _age(person.birth_date, today)
            relation = relations.get(m.relation, m.relation)
            residence_type = residence_types.get(m.residence_type, m.residence_type)
            gender = genders.get(person.gender, person.gender)
            meta = [relation, residence_type, *([gender] if gender else []),
                    *([age_text % {"age": age}] if age is not None else [])]
            members.append(OneTableMember(
                person_id=m.person_id,
                name=person.name if names_in_full else masking.mask_name(person.name),
                relation=relation, residence_type=residence_type, gender=gender, age=age,
                phone=masking.mask_phone(person.phone),
                badges=badges.get(m.person_id, []),
                meta=" · ".join(meta),
            ))
        flags = []
        if household.current_members and not any(m.relation == Relation.HEAD for m in household.current_members):
            flags.append(_("No head of household"))
        if len(members) == 1 and (members[0].age or 0) >= ELDERLY_AGE:
            flags.append(_("Elderly, living alone"))
        if household.building and household.building.is_rental:
            flags.append(_("Rented"))
        rows.append(OneTableRow(
            household_id=household.pk, org_code=household.org_code,
            address=household.address if addresses_in_full else masking.mask_address(household.address),
            is_rental=bool(household.building and household.building.is_rental), members=members, flags=flags,
        ))
    return rows


# --- Rounds ----------------------------------------------------------------------------


def rounds_visible_to(user) -> QuerySet[UpdateRound]:
    require(user, Capability.VIEW_REGISTER)
    # A grid worker sees the rounds of the village or township that contains their cell.
    return UpdateRound.objects.visible_to(user)


def access_round(user, round_id) -> UpdateRound:
    update_round = rounds_visible_to(user).filter(pk=_as_int(round_id)).first()
    if update_round is None:
        raise NotFound(_("No such update round in your area."))
    return update_round


def checklist_for(user, update_round: UpdateRound, *, status: str = "") -> QuerySet[ChecklistItem]:
    """The households a grid worker has to check in a round (their own cells)."""
    require(user, Capability.VIEW_REGISTER)
    qs = update_round.items.visible_to(user).select_related("household")
    if has_capability(user, Capability.PROPOSE_REGISTER_EDITS) and not has_capability(
        user, Capability.SIGN_OFF_REGISTER
    ):
        qs = qs.filter(Q(assignee=user) | Q(org_code__in=user.grid_assignments.values("cell_id")))
    return qs.filter(status=status) if status else qs


def access_item(user, item_id) -> ChecklistItem:
    require(user, Capability.VIEW_REGISTER)
    item = (
        ChecklistItem.objects.visible_to(user).filter(pk=_as_int(item_id))
        .select_related("round", "household")
        .first()
    )
    if item is None:
        raise NotFound(_("No such checklist item in your area."))
    return item


def sign_off_queue(user) -> QuerySet[ProposedEdit]:
    require(user, Capability.SIGN_OFF_REGISTER)
    return (
        ProposedEdit.objects.visible_to(user).filter(status=ProposedEdit.Status.PROPOSED)
        .select_related("item__household", "item__round", "proposed_by")
        .order_by("proposed_at", "id")
    )


@dataclass(frozen=True)
class Progress:
    org_code: str
    total: int
    done: int
    awaiting_sign_off: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def round_progress(user, update_round: UpdateRound, *, level_length: int) -> list[Progress]:
    """Progress per grid cell (level_length 15) or per village (12), in one query."""
    from django.db.models.functions import Substr

    qs = (
        update_round.items.visible_to(user)
        .annotate(unit=Substr("org_code", 1, level_length))
        .values("unit")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=DONE_STATES)),
            awaiting=Count("id", filter=Q(status=ChecklistItem.Status.PROPOSED)),
        )
        .order_by("unit")
    )
    return [Progress(r["unit"], r["total"], r["done"], r["awaiting"]) for r in qs]


def households_in_area(org_code: str):
    """(id, cell code) of every current household of an area, for checklists of other apps."""
    return (
        Household.objects.in_subtree(org_code).filter(dissolved_on__isnull=True)
        .order_by("org_code", "id").values_list("pk", "org_code").iterator(chunk_size=2000)
    )


def access_proposed_edit(user, edit_id) -> ProposedEdit:
    """A proposed edit in the screener's area, decided or not (same 404 for missing and elsewhere)."""
    require(user, Capability.SIGN_OFF_REGISTER)
    edit = (
        ProposedEdit.objects.visible_to(user).filter(pk=_as_int(edit_id))
        .select_related("item__household", "item__round", "proposed_by", "decided_by")
        .first()
    )
    if edit is None:
        raise NotFound(_("No such proposed change in your area."))
    return edit


def proposed_edit_targets(*, person_ids: set, membership_ids: set) -> tuple[dict, dict]:
    """The people and memberships a batch of proposed edits points at (two queries at most)."""
    from gridgov.core.models import Person

    people = Person.objects.in_bulk(person_ids) if person_ids else {}
    memberships = Membership.objects.select_related("person").in_bulk(membership_ids) if membership_ids else {}
    return people, memberships


def residence_type_counts(households: QuerySet[Household]) -> dict[str, int]:
    """Current members of these households by residence type, in one query."""
    return dict(
        Membership.objects.filter(household__in=households.order_by().values("pk"), is_current=True)
        .values_list("residence_type").annotate(n=Count("id")).order_by()
    )


# --- Aggregates of the pages (counts in one query each) ------------------------------------------


def household_counts_by_village(user, village_codes: list[str]) -> dict[str, int]:
    """Households visible to the user in each of these villages, in one query."""
    import functools
    import operator

    from django.db.models.functions import Substr

    if not village_codes:
        return {}
    return dict(
        households_visible_to(user).prefetch_related(None)
        .filter(functools.reduce(operator.or_, (Q(org_code__startswith=code) for code in village_codes)))
        .annotate(village=Substr("org_code", 1, 12))
        .values_list("village")
        .annotate(n=Count("id"))
        .order_by()
    )


def open_rounds_with_todo(user, cells: list[str]) -> list[UpdateRound]:
    """The open rounds over a grid worker's cells, each with `todo`: their households still
    to check (pending or returned), in one query."""
    return list(
        rounds_visible_to(user)
        .filter(status=UpdateRound.Status.OPEN)
        .annotate(todo=Count("items", filter=Q(
            items__org_code__in=cells,
            items__status__in=[ChecklistItem.Status.PENDING, ChecklistItem.Status.RETURNED],
        )))
        .order_by("due_on", "id")
    )


def counts_by_cell(user, village_code: str) -> tuple[dict[str, int], dict[str, int]]:
    """(households, open places) per grid cell of a village: two queries."""
    households = dict(
        households_visible_to(user, org=village_code).prefetch_related(None)
        .values_list("org_code").annotate(n=Count("id")).order_by()
    )
    places = dict(
        places_visible_to(user, org=village_code).filter(closed_on__isnull=True)
        .values_list("org_code").annotate(n=Count("id")).order_by()
    )
    return households, places


def _count_per_round(qs: QuerySet, aggregate=None):
    """A correlated subquery: `aggregate` (a count by default) of `qs`'s rows of the outer round."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = qs.filter(round=OuterRef("pk")).order_by().values("round")
    return Coalesce(Subquery(rows.annotate(n=aggregate or Count("pk")).values("n")[:1]), 0)


def rounds_with_progress(user) -> QuerySet[UpdateRound]:
    """The rounds the user sees, each with `total`, `done` and `problems`: its households (or,
    in an inspection round, its places) that the user sees (`visible_to`), in one query."""
    from django.db.models import Sum

    from gridgov.register.models import PlaceInspection
    from gridgov.register.workflow import INSPECTED_STATES

    items = ChecklistItem.objects.visible_to(user)
    inspections = PlaceInspection.objects.visible_to(user)
    return rounds_visible_to(user).annotate(
        total=_count_per_round(items) + _count_per_round(inspections),
        done=(_count_per_round(items.filter(status__in=DONE_STATES))
              + _count_per_round(inspections.filter(status__in=INSPECTED_STATES))),
        problems=_count_per_round(inspections, Sum("problems")),
    )


def checklist_status_counts(user, update_round: UpdateRound) -> dict[str, int]:
    """The user's checklist items of a round by status, in one query."""
    return dict(checklist_for(user, update_round).values_list("status").annotate(n=Count("id")).order_by())


def one_table_counts(households: QuerySet[Household]) -> dict:
    """Households and current members (by residence type) of a filtered one table: two queries."""
    by_type = residence_type_counts(households)
    return {"households": households.order_by().count(), "members": sum(by_type.values()), "by_type": by_type}
