"""Retention of the register (PIPL art. 19 and 47): what the grid no longer needs to know
about a person, it stops holding.

The rules (`settings.GRIDGOV_REGISTER_RETENTION_YEARS`, in years):
- `moved_out`: a person who belongs to no household any more, counted from the last day
  they lived in one here (3 by default);
- `died`: a person recorded as deceased, from the date of death (5 by default);
- `dissolved`: a dissolved household with nobody left in it, from the dissolution (3).

Past retention the identity goes and the statistics stay: a person's name becomes a
placeholder, the encrypted resident ID, phone and address and their blind indexes are
cleared (so no search finds the person again), the precise location and birth date are
dropped; gender, area, date of death and the household memberships (dates, relation,
residence type) remain for the counts. A dissolved household loses its address. The values
in their field history and in correction requests are purged, what notifications said of
them is forgotten (`core.notifications.notifications_forget_people`: texts rewritten,
deliveries emptied), and records merged into the person go with it; the history rows (who changed which field, when) and the audit chain
are kept as they are.

Nobody is anonymised while something still needs them: an enrollment in a care program
that is not itself anonymised yet (active, or within its own retention), a building they
let, an open place they are responsible for, or a correction request still waiting for an
answer. (Events do not refer to registered people, so none holds a person back; the events
about a place they were responsible for have their notifications forgotten with them.)

`run_retention()` is called nightly by `gridgov register_retention` or the task
`register.tasks.register_retention`; each run writes one audit entry, with counts only.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.models import CorrectionRequest, Person
from gridgov.core.notifications.services import notifications_forget_people
from gridgov.core.person_search import person_name_index_clear
from gridgov.register.models import Building, ChecklistItem, FieldChange, Household, Membership, Place, ProposedEdit

DEFAULT_YEARS = {"moved_out": 3, "died": 5, "dissolved": 3}
BATCH_SIZE = 500


@dataclass(frozen=True)
class RetentionRules:
    moved_out: int
    died: int
    dissolved: int


def rules() -> RetentionRules:
    years = {**DEFAULT_YEARS, **getattr(settings, "GRIDGOV_REGISTER_RETENTION_YEARS", {})}
    return RetentionRules(moved_out=int(years["moved_out"]), died=int(years["died"]),
                          dissolved=int(years["dissolved"]))


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def anonymised_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("(anonymised)")


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _address_cleared(model) -> dict:
    """The update that clears a register address (and its blind index, where it has one)."""
    return {"address": "", **({"address_index": ""} if _has_field(model, "address_index") else {})}


# --- Who is past retention ------------------------------------------------------------------


def _held_back() -> dict[str, QuerySet]:
    """Person ids that something still needs, as subqueries."""
    from gridgov.care.selectors import person_ids_held_by_care

    return {
        "care": person_ids_held_by_care(),
        "landlord": Building.objects.filter(landlord__isnull=False).values("landlord_id"),
        "place": Place.objects.filter(closed_on__isnull=True, responsible_person__isnull=False)
        .values("responsible_person_id"),
        "correction": CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING).values("person_id"),
    }


def people_past_retention(today: datetime.date, r: RetentionRules | None = None) -> QuerySet[Person]:
    r = r or rules()
    current = Membership.objects.filter(person=OuterRef("pk"), is_current=True)
    last_out = (Membership.objects.filter(person=OuterRef("pk")).values("person")
                .annotate(last=Max("moved_out_on")).values("last"))
    # A resident ID is required of every live record, so an empty index marks one already done.
    qs = Person.objects.exclude(resident_id_index="").filter(merged_into__isnull=True).annotate(
        has_current=Exists(current), last_moved_out=Subquery(last_out))
    died = qs.filter(died_on__lt=years_before(today, r.died))
    moved = qs.filter(died_on__isnull=True, has_current=False, last_moved_out__lt=years_before(today, r.moved_out))
    candidates = died | moved
    for held in _held_back().values():
        candidates = candidates.exclude(pk__in=held)
    return candidates.order_by("pk")


def households_past_retention(today: datetime.date, r: RetentionRules | None = None) -> QuerySet[Household]:
    r = r or rules()
    current = Membership.objects.filter(household=OuterRef("pk"), is_current=True)
    qs = Household.objects.filter(dissolved_on__lt=years_before(today, r.dissolved)).exclude(Exists(current))
    done = {"address_index": ""} if _has_field(Household, "address_index") else {"address": ""}
    return qs.exclude(**done).order_by("pk")


# --- Anonymising ------------------------------------------------------------------------------


def _purge_history(object_type: str, ids) -> int:
    return FieldChange.objects.filter(object_type=object_type, object_id__in=list(ids)).update(
        old_value="", new_value="")


def anonymise_people(person_ids: list[int]) -> int:
    """Blank the identity of these people, keeping their rows for statistics."""
    if not person_ids:
        return 0
    empty = json.dumps({})
    # Records merged into these people hold the same identity: they go with them.
    person_ids = [*person_ids, *Person.objects.filter(merged_into_id__in=person_ids).exclude(
        resident_id_index="").values_list("pk", flat=True)]
    with transaction.atomic():
        count = Person.objects.filter(pk__in=person_ids).update(
            name=anonymised_name(), resident_id="", resident_id_index="", phone="", phone_index="", address="",
            lat=None, lng=None, birth_date=None, updated_at=timezone.now(),
        )
        _purge_history("core.person", person_ids)
        person_name_index_clear(person_ids=person_ids)  # people search (issue 12): no longer found by name
        membership_ids = Membership.objects.filter(person_id__in=person_ids).values_list("pk", flat=True)
        _purge_history("register.membership", membership_ids)
        CorrectionRequest.objects.filter(person_id__in=person_ids).update(
            current_values=empty, requested_values=empty, reason="", decision_reason="")
        # What the notifications said of them (their record, the events about their places):
        # core asks each app through its hooks; the register imports none of them.
        notifications_forget_people(person_ids=person_ids)
    return count


def anonymise_households(household_ids: list[int]) -> int:
    if not household_ids:
        return 0
    with transaction.atomic():
        count = Household.objects.filter(pk__in=household_ids).update(**_address_cleared(Household),
                                                                      updated_at=timezone.now())
        _purge_history("register.household", household_ids)
        items = ChecklistItem.objects.filter(household_id__in=household_ids)
        # Proposed edits of a round may carry names, phones or ID numbers of its members.
        ProposedEdit.objects.filter(item__in=items).update(payload=json.dumps({}))
        items.update(note="")
    return count


def run_retention(today: datetime.date | None = None) -> dict[str, int]:
    """Anonymise everything past retention, in batches; audit the run with counts only."""
    today = today or timezone.localdate()
    r = rules()
    counts = {"people": 0, "households": 0}
    while True:
        batch = list(people_past_retention(today, r).values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            break
        counts["people"] += anonymise_people(batch)
    while True:
        batch = list(households_past_retention(today, r).values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            break
        counts["households"] += anonymise_households(batch)
    with transaction.atomic():
        audit_record(actor=SystemActor("register_retention"), action=AuditAction.REGISTER_RETENTION, object_type="register.retention",
                     object_repr=today.isoformat(),
                     changes={**counts, "today": today.isoformat(),
                              "years": {"moved_out": r.moved_out, "died": r.died, "dissolved": r.dissolved}})
    return counts
