"""What the register's writes check before they write: an editor's capability and scope, a
point inside a grid cell, a person the actor may use (shared by `services` and
`place_services`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.geo import validate_lng_lat
from gridgov.core.models import Person
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.selectors import grid_cell_at


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)


def require_editor(actor, *, approved_by=None) -> None:
    """Direct edits need EDIT_REGISTER; a signed-off proposal is authorised by its screener."""
    if approved_by is not None:
        require(approved_by, Capability.SIGN_OFF_REGISTER)
        return
    require(actor, Capability.EDIT_REGISTER,
            message=_("Your role may not edit the register directly; propose the change in an update round."))


def _check_in_scope(actor, org_code: str, *, approved_by=None) -> None:
    who = approved_by or actor
    if not in_scope(who, org_code):
        raise Forbidden(_("This lies outside your area."))


def _check_point(errors: dict, lat, lng) -> str | None:
    """The grid cell of a point, adding errors for a bad or unplaceable point."""
    try:
        validate_lng_lat(lng, lat)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        return None
    cell = grid_cell_at(lng=float(lng), lat=float(lat))
    if cell is None:
        errors.setdefault("lat", []).append(_("This point lies in no grid cell."))
        return None
    return cell.code


def _check_person_usable(errors: dict, key: str, person: Person | None, actor) -> None:
    if person is None:
        return
    if person.merged_into_id:
        errors.setdefault(key, []).append(_("This person record was merged into another one."))
    elif person.died_on:
        errors.setdefault(key, []).append(_("This person is recorded as deceased."))
    elif not in_scope(actor, person.org_code):
        errors.setdefault(key, []).append(_("This person is not registered in your area."))
