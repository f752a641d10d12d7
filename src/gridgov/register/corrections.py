"""Register records a person may ask to have corrected (PIPL art. 46): the address of their
household and their own membership's relation and residence type. Decided by a screener
(sign-off right) in the household's area and applied through the register services, so the
field history records the change like any edit. See core/corrections.py for the workflow.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.corrections import CorrectionAdapter, register_correction_target
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import CorrectionTarget, Person
from gridgov.core.permissions import Capability
from gridgov.register import services
from gridgov.register.models import Household, Membership, Relation, ResidenceType

MAX_ADDRESS_LENGTH = 250


def _household_load(person: Person, target_id: int) -> Household:
    household = Household.objects.filter(pk=int(target_id), memberships__person=person).distinct().first()
    if household is None:
        raise NotFound(_("No such record of this person."))
    return household


def _household_check(household: Household, values: dict) -> dict:
    address = (values.get("address") or "").strip()
    if not address or len(address) > MAX_ADDRESS_LENGTH:
        message = _("Give the address (at most %(n)d characters).") % {"n": MAX_ADDRESS_LENGTH}
        raise DomainError(message, ErrorCode.INVALID, {"address": [message]})
    return {"address": address}


def _household_apply(*, actor, obj: Household, values: dict) -> list[str]:
    return services.household_update(actor=actor, household=obj, **values)


def _membership_load(person: Person, target_id: int) -> Membership:
    membership = Membership.objects.filter(pk=int(target_id), person=person).select_related("household").first()
    if membership is None:
        raise NotFound(_("No such record of this person."))
    return membership


def _membership_check(membership: Membership, values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if "relation" in values and values["relation"] not in Relation.values:
        errors["relation"] = [_("Unknown relation to the head of household.")]
    if "residence_type" in values and values["residence_type"] not in ResidenceType.values:
        errors["residence_type"] = [_("Unknown residence type.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    return {k: values[k] for k in ("relation", "residence_type") if k in values}


def _membership_apply(*, actor, obj: Membership, values: dict) -> list[str]:
    return services.member_update(actor=actor, membership=obj, **values)


def _current_membership_field(person: Person, name: str):
    return Membership.objects.filter(person=person, is_current=True).values_list(name, flat=True).first()


def _mask(user, field: str, value: str) -> str:
    if field == "address":
        return masking.mask_address(value)
    if field == "relation" and value in Relation.values:
        return str(Relation(value).label)
    if field == "residence_type" and value in ResidenceType.values:
        return str(ResidenceType(value).label)
    return value


register_correction_target(CorrectionTarget.HOUSEHOLD, CorrectionAdapter(
    fields=frozenset({"address"}),
    load=_household_load,
    current=lambda household: {"address": household.address},
    check=_household_check,
    apply=_household_apply,
    org_code=lambda household: household.org_code,
    decider_capability=Capability.SIGN_OFF_REGISTER,
    mask=_mask,
    default_target=lambda person: _current_membership_field(person, "household_id"),
    form_fields=("address",),
))

register_correction_target(CorrectionTarget.MEMBERSHIP, CorrectionAdapter(
    fields=frozenset({"relation", "residence_type"}),
    load=_membership_load,
    current=lambda membership: {"relation": membership.relation, "residence_type": membership.residence_type},
    check=_membership_check,
    apply=_membership_apply,
    org_code=lambda membership: membership.org_code,
    decider_capability=Capability.SIGN_OFF_REGISTER,
    mask=_mask,
    default_target=lambda person: _current_membership_field(person, "pk"),
    form_fields=("relation", "residence_type"),
    choices={"relation": Relation.choices, "residence_type": ResidenceType.choices},
))
