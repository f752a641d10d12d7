"""Reads of the area's directory of mediation: the dispute centres and their week's duty
roster, and the legal advisers of its villages. Read by the mediators, justice officers and
grid workers of the area (and of the areas below a centre or adviser: who serves them);
a legal-literate resident's own phone in full only to the justice officers and mediators of
the adviser's area, masked to everyone else."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows, has_capability, in_scope
from gridgov.core.querysets import meets_area_of, scope_of
from gridgov.mediation.models import AdviserKind, Centre, DutyShift, LegalAdviser

DIRECTORY_ROLES = {Capability.MEDIATE_DISPUTES, Capability.SUPERVISE_MEDIATION, Capability.SCREEN_DISPUTES}
PHONE_ROLES = {Capability.MEDIATE_DISPUTES, Capability.SUPERVISE_MEDIATION}


def reads_directory(user) -> bool:
    return allows(user, DIRECTORY_ROLES)


def keeps_directory(user, org_code: str) -> bool:
    """A justice officer of the record's own area (as the services check it)."""
    return has_capability(user, Capability.SUPERVISE_MEDIATION) and in_scope(user, org_code)


# --- Centres ------------------------------------------------------------------------------------


def centres_for(user) -> QuerySet[Centre]:
    """The centres serving the user's area: in it, and above it."""
    if not reads_directory(user):
        return Centre.objects.none()
    return Centre.objects.visible_to(user)


def access_centre(user, centre_id) -> Centre:
    centre = centres_for(user).filter(pk=centre_id).first() if str(centre_id).isdigit() else None
    if centre is None:
        raise NotFound(_("No such dispute centre in your area."))
    return centre


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def centre_week(centre: Centre, monday: datetime.date) -> list[DutyShift]:
    """The shifts of the week from `monday` to Sunday, with their committees (one query)."""
    return list(DutyShift.objects.filter(centre=centre, on_date__gte=monday,
                                         on_date__lte=monday + datetime.timedelta(days=6))
                .select_related("committee").order_by("on_date", "part", "id"))


def access_shift(centre: Centre, shift_id) -> DutyShift:
    shift = (DutyShift.objects.filter(centre=centre, pk=shift_id).select_related("centre").first()
             if str(shift_id).isdigit() else None)
    if shift is None:
        raise NotFound(_("No such shift on this centre's roster."))
    return shift


# --- Legal advisers -----------------------------------------------------------------------------


def advisers_for(user, *, org: str = "", kind: str = "") -> QuerySet[LegalAdviser]:
    """The active advisers serving the user's area (a grid worker's village above its cell),
    narrowed to an area and a kind."""
    if not reads_directory(user):
        return LegalAdviser.objects.none()
    qs = LegalAdviser.objects.visible_to(user).filter(is_active=True)
    if org:
        if not meets_area_of(user, org):
            return LegalAdviser.objects.none()
        scope = scope_of(user)
        if len(org) > len(scope):  # an area inside the user's; one above it means all of theirs
            qs = qs.filter(org_code__startswith=org)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def access_adviser(user, adviser_id) -> LegalAdviser:
    adviser = (LegalAdviser.objects.visible_to(user).filter(pk=adviser_id).first()
               if reads_directory(user) and str(adviser_id).isdigit() else None)
    if adviser is None:
        raise NotFound(_("No such legal adviser in your area."))
    return adviser


def adviser_phone(user, adviser: LegalAdviser) -> str:
    """A lawyer's phone (the firm's) in full; a legal-literate resident's in full to who
    would call them about a dispute — the mediators and justice officers of the adviser's
    area, the grid workers of the village it serves — and masked to everyone else."""
    if adviser.kind == AdviserKind.LAWYER:
        return adviser.phone
    if allows(user, PHONE_ROLES) and in_scope(user, adviser.org_code):
        return adviser.phone
    scope = getattr(user, "scope_code", "") or ""
    if has_capability(user, Capability.SCREEN_DISPUTES) and scope and scope.startswith(adviser.org_code):
        return adviser.phone
    return masking.mask_phone(adviser.phone)
