"""Writes of the register: buildings and places (split from `services`, which re-exports
them). Each checks permission and scope, validates, writes with field history and an audit entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError
from gridgov.core.models import Person
from gridgov.core.validators import validate_mobile
from gridgov.register.audit_actions import RegisterAction
from gridgov.register.history import apply_changes, record_creation
from gridgov.register.models import (
    Building,
    BuildingUnit,
    BuildingUse,
    ChangeSource,
    Place,
    PlaceKind,
)
from gridgov.register.service_checks import (
    _check_in_scope,
    _check_person_usable,
    _check_point,
    _raise_if,
    require_editor,
)

# --- Buildings ----------------------------------------------------------------------


def building_create(
    *, actor, address: str, lat: float, lng: float, use: str, name: str = "", floors: int | None = None,
    is_rental: bool = False, landlord: Person | None = None, units: list[str] | tuple = (),
    source: str = ChangeSource.EDIT, approved_by=None,
) -> Building:
    require_editor(actor, approved_by=approved_by)
    errors: dict[str, list[str]] = {}
    address = (address or "").strip()
    if not address:
        errors["address"] = [_("An address is required.")]
    if use not in BuildingUse.values:
        errors["use"] = [_("Choose the building's use.")]
    if floors is not None and not 0 < int(floors) < 200:
        errors["floors"] = [_("Floors must be between 1 and 199.")]
    if is_rental and landlord is None:
        errors["landlord"] = [_("A rented building needs its landlord.")]
    _check_person_usable(errors, "landlord", landlord, approved_by or actor)
    labels = [u.strip() for u in units if u and u.strip()]
    if len(set(labels)) != len(labels):
        errors["units"] = [_("Unit labels must be unique within a building.")]
    org_code = _check_point(errors, lat, lng)
    _raise_if(errors)
    _check_in_scope(actor, org_code, approved_by=approved_by)
    with transaction.atomic():
        building = Building.objects.create(
            org_code=org_code, name=name.strip(), address=address, lat=float(lat), lng=float(lng), use=use,
            floors=floors, is_rental=is_rental, landlord=landlord,
        )
        BuildingUnit.objects.bulk_create([BuildingUnit(building=building, label=label) for label in labels])
        record_creation(
            obj=building, actor=actor, source=source, approved_by=approved_by,
            fields={"address": address, "use": use, "is_rental": is_rental, "landlord": landlord},
        )
        # Addresses are encrypted in the register: the audit log holds them masked, never in clear.
        audit_record(actor=actor, action=RegisterAction.BUILDING_CREATE, obj=building, org_code=org_code,
                     object_repr=masking.mask_address(building.address),
                     changes={"units": len(labels), "source": source})
    return building


def building_update(*, actor, building: Building, source: str = ChangeSource.EDIT, approved_by=None,
                    **changes) -> list[str]:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, building.org_code, approved_by=approved_by)
    allowed = {"name", "address", "use", "floors", "is_rental", "landlord"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    errors: dict[str, list[str]] = {}
    merged = {k: changes.get(k, getattr(building, k)) for k in allowed}
    if not (merged["address"] or "").strip():
        errors["address"] = [_("An address is required.")]
    if merged["use"] not in BuildingUse.values:
        errors["use"] = [_("Choose the building's use.")]
    if merged["is_rental"] and merged["landlord"] is None:
        errors["landlord"] = [_("A rented building needs its landlord.")]
    if "landlord" in changes:
        _check_person_usable(errors, "landlord", changes["landlord"], approved_by or actor)
    _raise_if(errors)
    with transaction.atomic():
        changed = apply_changes(obj=building, changes=changes, actor=actor, source=source, approved_by=approved_by)
        if changed:
            audit_record(actor=actor, action=RegisterAction.BUILDING_UPDATE, obj=building,
                         object_repr=masking.mask_address(building.address),
                         org_code=building.org_code, changes={"fields": changed, "source": source})
    return changed


# --- Places ---------------------------------------------------------------------------


def _check_place_fields(errors: dict, fields: dict, who) -> None:
    if not (fields.get("name") or "").strip():
        errors["name"] = [_("A name is required.")]
    if fields.get("kind") not in PlaceKind.values:
        errors["kind"] = [_("Choose the kind of place.")]
    capacity = fields.get("capacity")
    if capacity is not None and int(capacity) < 0:
        errors["capacity"] = [_("Capacity cannot be negative.")]
    phone = fields.get("contact_phone")
    if phone:
        try:
            validate_mobile(phone)
        except ValidationError:
            if not phone.replace("-", "").isdigit() or not 7 <= len(phone.replace("-", "")) <= 12:
                errors["contact_phone"] = [_("Enter a mobile or landline number.")]
    _check_person_usable(errors, "responsible_person", fields.get("responsible_person"), who)


def place_create(
    *, actor, name: str, kind: str, lat: float, lng: float, address: str = "", building: Building | None = None,
    responsible_person: Person | None = None, contact_phone: str = "", opening_hours: str = "",
    capacity: int | None = None, source: str = ChangeSource.EDIT, approved_by=None,
) -> Place:
    require_editor(actor, approved_by=approved_by)
    errors: dict[str, list[str]] = {}
    fields = {"name": name, "kind": kind, "responsible_person": responsible_person,
              "contact_phone": (contact_phone or "").strip(), "capacity": capacity}
    _check_place_fields(errors, fields, approved_by or actor)
    org_code = _check_point(errors, lat, lng)
    if building is not None and org_code and building.org_code != org_code:
        errors.setdefault("building", []).append(_("The building lies in another grid cell than this point."))
    _raise_if(errors)
    _check_in_scope(actor, org_code, approved_by=approved_by)
    with transaction.atomic():
        place = Place.objects.create(
            org_code=org_code, name=name.strip(), kind=kind, building=building,
            address=(address or (building.address if building else "")).strip(), lat=float(lat), lng=float(lng),
            responsible_person=responsible_person, contact_phone=fields["contact_phone"],
            opening_hours=(opening_hours or "").strip(), capacity=capacity,
        )
        record_creation(obj=place, actor=actor, source=source, approved_by=approved_by,
                        fields={"name": place.name, "kind": kind, "responsible_person": responsible_person})
        audit_record(actor=actor, action=RegisterAction.PLACE_CREATE, obj=place, org_code=org_code,
                     changes={"kind": kind, "source": source})
    return place


def place_update(*, actor, place: Place, source: str = ChangeSource.EDIT, approved_by=None, **changes) -> list[str]:
    require_editor(actor, approved_by=approved_by)
    _check_in_scope(actor, place.org_code, approved_by=approved_by)
    allowed = {"name", "kind", "address", "responsible_person", "contact_phone", "opening_hours", "capacity",
               "closed_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    errors: dict[str, list[str]] = {}
    merged = {k: changes.get(k, getattr(place, k)) for k in allowed}
    _check_place_fields(errors, merged if "responsible_person" in changes else {**merged, "responsible_person": None},
                        approved_by or actor)
    _raise_if(errors)
    with transaction.atomic():
        changed = apply_changes(obj=place, changes=changes, actor=actor, source=source, approved_by=approved_by)
        if changed:
            audit_record(actor=actor, action=RegisterAction.PLACE_UPDATE, obj=place, org_code=place.org_code,
                         changes={"fields": changed, "source": source})
    return changed
