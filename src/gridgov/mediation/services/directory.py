"""Writes of the area's directory of mediation, kept by its justice officers: the one-stop
dispute centres (矛盾纠纷多元化解中心) with their duty roster, and the legal advisers of its
villages (法律明白人, and the lawyer paired with each village, 一村一法律顾问).

Every function checks the justice officer's capability and area first, then the input, and
writes in one transaction with its audit entry (never a phone number).
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import OrgLevel, OrgUnit
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.models import AdviserKind, CaseType, Centre, Committee, DayPart, DutyShift, LegalAdviser
from gridgov.mediation.services.common import clean_mobile, clean_text, invalid

# The audit actions of the directory (registered in mediation/audit_actions.py as MediationAction members).
CENTRE_CREATE = MediationAction.CENTRE_CREATE.value
SHIFT_ADD = MediationAction.SHIFT_ADD.value
SHIFT_REMOVE = MediationAction.SHIFT_REMOVE.value
ADVISER_ADD = MediationAction.ADVISER_ADD.value
ADVISER_UPDATE = MediationAction.ADVISER_UPDATE.value
ADVISER_DEACTIVATE = MediationAction.ADVISER_DEACTIVATE.value

# A landline with its area code: 010-12345678, 0571-88888888 (the dash optional).
LANDLINE_PATTERN = re.compile(r"^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$")




def _require_keeper(actor, org_code: str, *, missing: str) -> None:
    require(actor, Capability.SUPERVISE_MEDIATION,
            message=_("Only the area's justice officers keep its dispute centres and legal advisers."))
    if not in_scope(actor, org_code):
        raise NotFound(missing)


def _check_keeps(actor, org_code: str) -> None:
    """A justice officer of the record's own area (one above it reads it, but does not keep it)."""
    require(actor, Capability.SUPERVISE_MEDIATION,
            message=_("Only the area's justice officers keep its dispute centres and legal advisers."))
    if not in_scope(actor, org_code):
        raise Forbidden(_("Only the justice officers of its own area change this."))


# --- Centres and their duty roster --------------------------------------------------------------


def centre_create(*, actor, name: str, org_code: str, address: str = "") -> Centre:
    """A one-stop dispute centre of the actor's area."""
    _require_keeper(actor, org_code, missing=_("No such org unit in your area."))
    if not OrgUnit.objects.filter(code=org_code).exists():
        raise invalid("org_code", _("Choose the area the centre serves."))
    name = clean_text(name, field="name", limit=100)
    address = clean_text(address, field="address", required=False, limit=200)
    with transaction.atomic():
        if Centre.objects.filter(org_code=org_code, name=name).exists():
            message = _("A centre of this name already serves this area.")
            raise DomainError(message, ErrorCode.DUPLICATE, {"name": [message]})
        centre = Centre.objects.create(name=name, org_code=org_code, address=address)
        audit_record(actor=actor, action=MediationAction.CENTRE_CREATE, obj=centre, object_repr=name, org_code=org_code,
                     changes={"name": name})
    return centre


def shift_add(*, actor, centre: Centre, on_date: datetime.date, part: str, staff: str,
              committee: Committee | None = None, unit: str = "") -> DutyShift:
    """Someone on duty at the centre on a day (its morning, afternoon or all of it): a
    mediation committee of the area, or another unit (a court, the labour inspectorate, the
    police station), with the staff's names."""
    _check_keeps(actor, centre.org_code)
    if part not in DayPart.values:
        raise invalid("part", _("Choose the morning, the afternoon or the whole day."))
    if not isinstance(on_date, datetime.date) or on_date < timezone.localdate():
        raise invalid("on_date", _("A shift is added for today or a later day."))
    if on_date > timezone.localdate() + datetime.timedelta(days=366):
        raise invalid("on_date", _("The roster is kept at most a year ahead."))
    unit = clean_text(unit, field="unit", required=False, limit=100)
    if (committee is None) == (not unit):
        raise invalid("unit", _("Name either a mediation committee or another unit on duty."))
    if committee is not None and not (
            committee.is_active and Committee.objects.visible_to(actor).filter(pk=committee.pk).exists()):
        raise NotFound(_("No such committee in your area."))
    staff = clean_text(staff, field="staff", limit=100)
    with transaction.atomic():
        shift = DutyShift.objects.create(centre=centre, on_date=on_date, part=part, committee=committee, unit=unit,
                                         staff=staff)
        audit_record(actor=actor, action=MediationAction.SHIFT_ADD, obj=shift, object_repr=centre.name,
                     org_code=centre.org_code,
                     changes={"centre": centre.pk, "on_date": str(on_date), "part": part,
                              "committee": committee.pk if committee else None, "unit": unit})
    return shift


def shift_remove(*, actor, shift: DutyShift) -> None:
    """A shift taken off the roster before its day (a past day's roster stays as it was)."""
    centre = shift.centre
    _check_keeps(actor, centre.org_code)
    if shift.on_date < timezone.localdate():
        raise DomainError(_("A past shift stays on the roster."), ErrorCode.CONFLICT)
    with transaction.atomic():
        deleted, _rows = DutyShift.objects.filter(pk=shift.pk).delete()
        if not deleted:
            raise DomainError(_("This shift was removed meanwhile."), ErrorCode.CONFLICT)
        audit_record(actor=actor, action=MediationAction.SHIFT_REMOVE, obj=centre, object_repr=centre.name,
                     org_code=centre.org_code,
                     changes={"shift": shift.pk, "on_date": str(shift.on_date), "part": shift.part,
                              "committee": shift.committee_id, "unit": shift.unit})


# --- Legal advisers -----------------------------------------------------------------------------


def _clean_phone(kind: str, phone: str) -> str:
    """A mobile number; a lawyer's (the firm's) may be a landline with its area code."""
    value = (phone or "").strip()
    if kind == AdviserKind.LAWYER and LANDLINE_PATTERN.match(value.replace(" ", "")):
        return value.replace(" ", "")
    if not value:
        raise invalid("phone", _("This field is required."))
    try:
        return clean_mobile(value, field="phone")
    except DomainError:
        if kind == AdviserKind.LAWYER:
            raise invalid("phone", _("Enter a mobile number, or a landline with its area code (0571-88888888).")) \
                from None
        raise


def _clean_specialities(specialities) -> list[str]:
    chosen = set(specialities or ())
    unknown = chosen - set(CaseType.values)
    if unknown:
        raise invalid("specialities", _("Unknown kinds of dispute: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))})
    return sorted(chosen)


def _clean_adviser(kind: str, *, name: str, firm: str, phone: str, specialities) -> dict:
    return {
        "name": clean_text(name, field="name", limit=50),
        # a lawyer is named with the firm that pairs them with the village
        "firm": clean_text(firm, field="firm", required=kind == AdviserKind.LAWYER, limit=100),
        "phone": _clean_phone(kind, phone),
        "specialities": _clean_specialities(specialities),
    }


def adviser_add(*, actor, kind: str, name: str, org_code: str, phone: str, firm: str = "",
                specialities=()) -> LegalAdviser:
    """A legal-literate resident of a village, or the lawyer paired with it, in the directory."""
    _require_keeper(actor, org_code, missing=_("No such village in your area."))
    if kind not in AdviserKind.values:
        raise invalid("kind", _("Choose a legal-literate resident or a paired lawyer."))
    if not OrgUnit.objects.filter(code=org_code, level=OrgLevel.VILLAGE).exists():
        raise invalid("org_code", _("Choose the village or community the adviser serves."))
    fields = _clean_adviser(kind, name=name, firm=firm, phone=phone, specialities=specialities)
    with transaction.atomic():
        adviser = LegalAdviser.objects.create(kind=kind, org_code=org_code, **fields)
        audit_record(actor=actor, action=MediationAction.ADVISER_ADD, obj=adviser, object_repr=adviser.name,
                     org_code=org_code, changes={"kind": kind, "specialities": fields["specialities"]})
    return adviser


def adviser_update(*, actor, adviser: LegalAdviser, name: str, phone: str, firm: str = "",
                   specialities=()) -> LegalAdviser:
    """An adviser's name, firm, phone and specialities corrected."""
    _check_keeps(actor, adviser.org_code)
    if not adviser.is_active:
        raise DomainError(_("This adviser has left the directory."), ErrorCode.CONFLICT)
    fields = _clean_adviser(adviser.kind, name=name, firm=firm, phone=phone, specialities=specialities)
    changed = sorted(k for k, v in fields.items() if getattr(adviser, k) != v)
    with transaction.atomic():
        LegalAdviser.objects.filter(pk=adviser.pk).update(**fields)
        audit_record(actor=actor, action=MediationAction.ADVISER_UPDATE, obj=adviser, object_repr=fields["name"],
                     org_code=adviser.org_code, changes={"changed": changed})
    adviser.refresh_from_db()
    return adviser


def adviser_deactivate(*, actor, adviser: LegalAdviser) -> LegalAdviser:
    """An adviser who no longer serves leaves the directory (the row stays, for the record)."""
    _check_keeps(actor, adviser.org_code)
    with transaction.atomic():
        if not LegalAdviser.objects.filter(pk=adviser.pk, is_active=True).update(is_active=False):
            raise DomainError(_("This adviser has left the directory."), ErrorCode.CONFLICT)
        audit_record(actor=actor, action=MediationAction.ADVISER_DEACTIVATE, obj=adviser, object_repr=adviser.name,
                     org_code=adviser.org_code, changes={"kind": adviser.kind})
    adviser.refresh_from_db()
    return adviser
