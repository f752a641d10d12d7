"""Reads of mediation, scoped: a mediator's cases are their committees'; a justice officer's,
those of the area. Nobody else reads a named case."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows
from gridgov.mediation.models import Case, Committee, Party

MEDIATION_ROLES = {Capability.MEDIATE_DISPUTES, Capability.SUPERVISE_MEDIATION}


def committees_for(user, *, org: str = "") -> QuerySet[Committee]:
    """Active committees of the user's area and above it (where a case may go)."""
    qs = Committee.objects.visible_to(user).filter(is_active=True)
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs.order_by("org_code", "id")


def cases_for(user) -> QuerySet[Case]:
    if not allows(user, MEDIATION_ROLES):
        return Case.objects.none()
    # the parties with their register names (never the register's encrypted columns)
    parties = Party.objects.select_related("person").defer("person__resident_id", "person__phone",
                                                           "person__address").order_by("id")
    return (Case.objects.visible_to(user).select_related("committee", "mediator")
            .prefetch_related(Prefetch("parties", queryset=parties)).order_by("-id"))


def access_case(user, case_id) -> Case:
    case = cases_for(user).filter(pk=case_id).first() if str(case_id).isdigit() else None
    if case is None:
        raise NotFound(_("No such mediation case in your area."))
    return case


def access_committee(user, committee_id) -> Committee:
    committee = committees_for(user).filter(pk=committee_id).first() if str(committee_id).isdigit() else None
    if committee is None:
        raise NotFound(_("No such committee in your area."))
    return committee
