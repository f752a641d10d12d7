"""Writes of the register: buildings, households and their members, places, deaths, merges.

Each function checks permission and scope, validates (reporting every problem at once),
writes in one transaction with field history (`history.py`) and an audit entry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import Person
from gridgov.core.validators import normalize_mobile, validate_mobile
from gridgov.register.audit_actions import RegisterAction
from gridgov.register.history import apply_changes, record_creation
from gridgov.register.models import (
    Building,
    BuildingUnit,
    ChangeSource,
    Household,
    LeaveReason,
    Membership,
    Place,
    Relation,
    ResidenceType,
)

# RegisterAction (the audit actions) lives in register/audit_actions.py, imported above.
from gridgov.register.place_services import (  # noqa: E402  buildings and places, importable from here
    building_create,
    building_update,
    place_create,
    place_update,
)
from gridgov.register.service_checks import (  # noqa: E402
    _check_in_scope,
    _check_person_usable,
    _raise_if,
    require_editor,
)

__all__ = ["building_create", "building_update", "place_create", "place_update", "require_editor"]


# --- Households and members -----------------------------------------------------------


@dataclass(frozen=True)
class MemberSpec:
    person: Person
    relation: str
    residence_type: str
    moved_in_on: datetime.date | None = None


def _check_member_spec(errors: dict, index: int, spec: MemberSpec, actor) -> None:
    key = f"members.{index}"
    if spec.relation not in Relation.values:
        errors.setdefault(key, []).append(_("Unknown relation to the head of household."))
    if spec.residence_type not in ResidenceType.values:
        errors.setdefault(key, []).append(_("Unknown residence type."))
    if spec.moved_in_on and spec.moved_in_on > timezone.localdate():
        errors.setdefault(key, []).append(_("A move-in date cannot be in the future."))
    _check_person_usable(errors, key, spec.person, actor)


def _current_membership(person: Person) -> Membership | None:
    return Membership.objects.filter(person=person, is_current=True).select_related("household").first()


def household_create(
    *, actor, members: list[MemberSpec], building: Building | None = None, unit_label: str = "",
    address: str = "", org_code: str = "", registered_on: datetime.date | None = None,
    source: str = ChangeSource.EDIT, approved_by=None,
) -> Household:
    require_editor(actor, approved_by=approved_by)
    who = approved_by or actor
    errors: dict[str, list[str]] = {}
    if building is not None:
        org_code = building.org_code
        address = address or (f"{building.address} {unit_label}".strip())
    if not org_code:
        errors["org_code"] = [_("Give the household's building or grid cell.")]
    if not (address or "").strip():
        errors["address"] = [_("An address is required.")]
    heads = [m for m in members if m.relation == Relation.HEAD]
    if members and len(heads) != 1:
        errors["members"] = [_("A household has exactly one head.")]
    if len({m.person.pk for m in members}) != len(members):
        errors.setdefault("members", []).append(_("A person is listed twice."))
    for index, spec in enumerate(members):
        _check_member_spec(errors, index, spec, who)
    _raise_if(errors)
    _check_in_scope(actor, org_code, approved_by=approved_by)
    with transaction.atomic():
        for index, spec in enumerate(members):
            current = _current_membership(spec.person)
            if current is not None:
                raise DomainError(
                    _("%(name)s already belongs to the household at %(address)s; record the move-out first.")
                    % {"name": spec.person.name, "address": current.household.address},
                    ErrorCode.CONFLICT, {f"members.{index}": [_("Already in a current household.")]},
                )
        unit = None
        if building is not None and unit_label.strip():
            unit, _created = BuildingUnit.objects.get_or_create(building=building, label=unit_label.strip())
        household = Household.objects.create(
            org_code=org_code, building=building, unit=unit, address=address.strip(), registered_on=registered_on,
        )
        Membership.objects.bulk_create(
            Membership(household=household, person=m.person, relation=m.relation, residence_type=m.residence_type,
                       moved_in_on=m.moved_in_on, org_code=org_code)
            for m in members
        )
        record_creation(obj=household, actor=actor, source=source, approved_by=approved_by,
                        fields={"address": household.address, "building": building})
        audit_record(actor=actor, action=RegisterAction.HOUSEHOLD_CREATE, obj=household, org_code=org_code,
                     object_repr=masking.mask_address(household.address),
                     changes={"members": [m.person.pk for m in members], "source": source})
    return household


def household_update(*, actor, household: Household, source: str = ChangeSource.EDIT, approved_by=None,
                     **changes) -> list[str]:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, household.org_code, approved_by=approved_by)
    unknown = set(changes) - {"address"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "address" in changes and not (changes["address"] or "").strip():
        raise DomainError(_("An address is required."), ErrorCode.INVALID, {"address": [_("An address is required.")]})
    with transaction.atomic():
        changed = apply_changes(obj=household, changes=changes, actor=actor, source=source, approved_by=approved_by)
        if changed:
            audit_record(actor=actor, action=RegisterAction.HOUSEHOLD_UPDATE, obj=household,
                         object_repr=masking.mask_address(household.address),
                         org_code=household.org_code, changes={"fields": changed, "source": source})
    return changed


def member_add(
    *, actor, household: Household, spec: MemberSpec, move_from_current: bool = False,
    source: str = ChangeSource.EDIT, approved_by=None,
) -> Membership:
    """Add a person to a household; with `move_from_current`, end their current membership
    elsewhere on the move-in date (a move between households)."""
    require_editor(actor, approved_by=approved_by)
    who = approved_by or actor
    _check_in_scope(actor, household.org_code, approved_by=approved_by)
    errors: dict[str, list[str]] = {}
    _check_member_spec(errors, 0, spec, who)
    if household.dissolved_on:
        errors.setdefault("household", []).append(_("This household has been dissolved."))
    _raise_if({("person" if k == "members.0" else k): v for k, v in errors.items()})
    with transaction.atomic():
        current = _current_membership(spec.person)
        if current is not None and current.household_id == household.pk:
            raise DomainError(_("%(name)s is already a member of this household.") % {"name": spec.person.name},
                              ErrorCode.CONFLICT)
        if current is not None and not move_from_current:
            raise DomainError(
                _("%(name)s already belongs to the household at %(address)s; record the move-out first.")
                % {"name": spec.person.name, "address": current.household.address},
                ErrorCode.CONFLICT, {"person": [_("Already in a current household.")]},
            )
        if spec.relation == Relation.HEAD and household.memberships.filter(is_current=True, relation=Relation.HEAD).exists():
            raise DomainError(_("This household already has a head."), ErrorCode.CONFLICT,
                              {"relation": [_("This household already has a head.")]})
        if current is not None:
            _end_membership(current, on=spec.moved_in_on or timezone.localdate(), reason=LeaveReason.MOVED_OUT,
                            actor=actor, source=source, approved_by=approved_by)
        membership = Membership.objects.create(
            household=household, person=spec.person, relation=spec.relation, residence_type=spec.residence_type,
            moved_in_on=spec.moved_in_on, org_code=household.org_code,
        )
        if spec.person.org_code != household.org_code:
            apply_changes(obj=spec.person, changes={"org_code": household.org_code}, actor=actor, source=source,
                          approved_by=approved_by)
        audit_record(
            actor=actor, action=RegisterAction.MEMBER_ADD, obj=household, org_code=household.org_code,
            object_repr=masking.mask_address(household.address),
            person_id=spec.person.pk,
            changes={"relation": spec.relation, "residence_type": spec.residence_type,
                     "moved_from": current.household_id if current else None, "source": source},
        )
    return membership


def _end_membership(membership: Membership, *, on: datetime.date, reason: str, actor, source, approved_by=None):
    apply_changes(
        obj=membership, changes={"moved_out_on": on, "leave_reason": reason, "is_current": False},
        actor=actor, source=source, approved_by=approved_by,
    )


def member_leave(*, actor, membership: Membership, on: datetime.date, reason: str = LeaveReason.MOVED_OUT,
                 source: str = ChangeSource.EDIT, approved_by=None) -> Membership:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, membership.org_code, approved_by=approved_by)
    errors: dict[str, list[str]] = {}
    if reason not in {LeaveReason.MOVED_OUT, LeaveReason.CORRECTION}:
        errors["reason"] = [_("Record a death with the death form, and duplicates by merging.")]
    if on is None or on > timezone.localdate():
        errors["on"] = [_("Give a move-out date that is not in the future.")]
    elif membership.moved_in_on and on < membership.moved_in_on:
        errors["on"] = [_("The move-out date is before the move-in date.")]
    _raise_if(errors)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_current:
            raise DomainError(_("This person has already left the household."), ErrorCode.CONFLICT)
        _end_membership(membership, on=on, reason=reason, actor=actor, source=source, approved_by=approved_by)
        audit_record(actor=actor, action=RegisterAction.MEMBER_LEAVE, obj=membership.household,
                     object_repr=masking.mask_address(membership.household.address),
                     org_code=membership.org_code, person_id=membership.person_id,
                     changes={"on": on.isoformat(), "reason": reason, "source": source})
    return membership


def member_update(*, actor, membership: Membership, source: str = ChangeSource.EDIT, approved_by=None,
                  **changes) -> list[str]:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, membership.org_code, approved_by=approved_by)
    unknown = set(changes) - {"relation", "residence_type"}
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["fields"] = [_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}]
    if "relation" in changes and changes["relation"] not in Relation.values:
        errors["relation"] = [_("Unknown relation to the head of household.")]
    if "residence_type" in changes and changes["residence_type"] not in ResidenceType.values:
        errors["residence_type"] = [_("Unknown residence type.")]
    _raise_if(errors)
    with transaction.atomic():
        if (changes.get("relation") == Relation.HEAD and membership.relation != Relation.HEAD
                and membership.household.memberships.filter(is_current=True, relation=Relation.HEAD).exists()):
            raise DomainError(_("This household already has a head."), ErrorCode.CONFLICT,
                              {"relation": [_("This household already has a head.")]})
        changed = apply_changes(obj=membership, changes=changes, actor=actor, source=source, approved_by=approved_by)
        if changed:
            audit_record(actor=actor, action=RegisterAction.MEMBER_UPDATE, obj=membership.household,
                         object_repr=masking.mask_address(membership.household.address),
                         org_code=membership.org_code, person_id=membership.person_id,
                         changes={"fields": changed, "source": source})
    return changed


# workflow (issue 11): apps whose records end with a person's life (care's enrollments) register
# a `hook(*, person, died_on, actor)`, run inside the transaction that records the death, with
# the screener who signed it off as the actor where a grid worker proposed it.
_PERSON_DEATH_HOOKS: list = []


def register_person_death_hook(hook) -> None:
    if hook not in _PERSON_DEATH_HOOKS:
        _PERSON_DEATH_HOOKS.append(hook)


def person_record_death(*, actor, person: Person, died_on: datetime.date, source: str = ChangeSource.EDIT,
                        approved_by=None) -> Person:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, person.org_code, approved_by=approved_by)
    errors: dict[str, list[str]] = {}
    if died_on is None or died_on > timezone.localdate():
        errors["died_on"] = [_("Give a date of death that is not in the future.")]
    elif person.birth_date and died_on < person.birth_date:
        errors["died_on"] = [_("The date of death is before the birth date.")]
    if person.died_on:
        errors["died_on"] = [_("This person's death is already recorded.")]
    _raise_if(errors)
    with transaction.atomic():
        apply_changes(obj=person, changes={"died_on": died_on}, actor=actor, source=source, approved_by=approved_by)
        current = _current_membership(person)
        if current is not None:
            _end_membership(current, on=died_on, reason=LeaveReason.DIED, actor=actor, source=source,
                            approved_by=approved_by)
        for hook in _PERSON_DEATH_HOOKS:
            hook(person=person, died_on=died_on, actor=approved_by or actor)
        audit_record(actor=actor, action=RegisterAction.PERSON_DEATH, obj=person, object_repr=person.name[:1] + "*",
                     org_code=person.org_code, person_id=person.pk,
                     changes={"died_on": died_on.isoformat(), "source": source})
    return person


def person_change_contact(*, actor, person: Person, source: str = ChangeSource.EDIT, approved_by=None,
                          **changes) -> list[str]:
    """A register change to a person's name, phone or address, kept in field history."""
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, person.org_code, approved_by=approved_by)
    from gridgov.core import crypto

    unknown = set(changes) - {"name", "phone", "address"}
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["fields"] = [_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}]
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    if changes.get("phone"):
        changes["phone"] = normalize_mobile(changes["phone"])
        try:
            validate_mobile(changes["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    _raise_if(errors)
    with transaction.atomic():
        changed = apply_changes(obj=person, changes=changes, actor=actor, source=source, approved_by=approved_by)
        if "phone" in changed:
            person.phone_index = crypto.blind_index("phone", person.phone)
            person.save(update_fields=["phone_index"])
        if changed:
            audit_record(actor=actor, action=AuditAction.PERSON_UPDATE, obj=person, object_repr=person.name[:1] + "*",
                         org_code=person.org_code, person_id=person.pk,
                         changes={"fields": sorted(changed), "source": source})
    return changed


def person_merge_register_references(*, keep: Person, duplicate: Person, actor) -> dict:
    """Move the duplicate's register rows to the kept record (a core merge hook)."""
    moved = {"memberships": 0, "buildings": 0, "places": 0}
    keep_current = _current_membership(keep)
    for membership in Membership.objects.filter(person=duplicate).order_by("id"):
        if membership.is_current and keep_current is not None:
            _end_membership(membership, on=timezone.localdate(), reason=LeaveReason.MERGED, actor=actor,
                            source=ChangeSource.MERGE)
        apply_changes(obj=membership, changes={"person": keep}, actor=actor, source=ChangeSource.MERGE)
        moved["memberships"] += 1
    for building in Building.objects.filter(landlord=duplicate):
        apply_changes(obj=building, changes={"landlord": keep}, actor=actor, source=ChangeSource.MERGE)
        moved["buildings"] += 1
    for place in Place.objects.filter(responsible_person=duplicate):
        apply_changes(obj=place, changes={"responsible_person": keep}, actor=actor, source=ChangeSource.MERGE)
        moved["places"] += 1
    return moved


def one_table_export_record(*, actor, village_code: str, households: int, filters: dict) -> None:
    """A download of a village's one table (names of residents) is an access to log."""
    with transaction.atomic():
        audit_record(actor=actor, action=RegisterAction.EXPORT, object_type="register.one_table",
                     object_id=village_code, object_repr=village_code, org_code=village_code,
                     changes={"households": households, "filters": filters})


# --- Members by resident ID (the household page) ---------------------------------------------------


def check_person_in_area(*, actor, resident_id: str) -> Person | None:
    """The registered person in the actor's area with this exact resident ID (blind index).
    An exact lookup: logged and rate-limited, and nobody for roles that see IDs masked."""
    from gridgov.core import services as core_services

    if not resident_id:
        return None
    return core_services.check_people_search(actor=actor, query=resident_id, where="register").order_by("id").first()


def not_registered_error() -> DomainError:
    message = _("Nobody in your area is registered with this resident ID number; give the name to register them.")
    return DomainError(message, ErrorCode.INVALID, {"name": [message]})


def member_add_by_resident_id(
    *, actor, household: Household, resident_id: str, new_person: dict, relation: str, residence_type: str,
    moved_in_on: datetime.date | None = None, move_from_current: bool = False,
) -> Membership:
    """Add a member found by resident ID: the person registered in the actor's area, or else a
    new person record (which then needs `new_person["name"]`), in one transaction."""
    from gridgov.core import services as core_services

    person = check_person_in_area(actor=actor, resident_id=resident_id)  # the lookup is logged even if we stop
    if person is None and not (new_person.get("name") or "").strip():
        raise not_registered_error()
    with transaction.atomic():
        if person is None:
            person = core_services.person_create(actor=actor, org_code=household.org_code, **new_person)
        spec = MemberSpec(person=person, relation=relation, residence_type=residence_type, moved_in_on=moved_in_on)
        return member_add(actor=actor, household=household, spec=spec, move_from_current=move_from_current)
