"""The register's section of a person's data export (`core.exports`): the households the
person belongs or belonged to (their own membership, not the other members), the moves,
the buildings they let and the places they are responsible for, and the field history of
those records as far as it concerns them."""

from __future__ import annotations

from django.db.models import Q

from gridgov.register.models import Building, FieldChange, Membership, Place


def person_register_export(*, person) -> dict:
    memberships = list(
        Membership.objects.filter(person=person).select_related("household").order_by("moved_in_on", "id")
    )
    households = {m.household_id: m.household for m in memberships}
    buildings = list(Building.objects.filter(landlord=person).order_by("id"))
    places = list(Place.objects.filter(responsible_person=person).order_by("id"))
    # Whole-household changes (its address) concern every member; a membership's own rows
    # concern only its person.
    concerning = (
        Q(object_type="core.person", object_id=person.pk)
        | Q(object_type="register.membership", object_id__in=[m.pk for m in memberships])
        | Q(object_type="register.household", object_id__in=list(households))
        | Q(object_type="register.building", object_id__in=[b.pk for b in buildings])
        | Q(object_type="register.place", object_id__in=[p.pk for p in places])
    )
    history = FieldChange.objects.filter(concerning).order_by("at", "id")
    return {
        "households": [
            {
                "household": m.household_id,
                "address": households[m.household_id].address,
                "org_code": households[m.household_id].org_code,
                "relation": m.get_relation_display(),
                "residence_type": m.get_residence_type_display(),
                "moved_in_on": m.moved_in_on,
                "moved_out_on": m.moved_out_on,
                "leave_reason": m.get_leave_reason_display() if m.leave_reason else "",
                "current": m.is_current,
            }
            for m in memberships
        ],
        "buildings_let": [
            {"building": b.pk, "address": b.address, "org_code": b.org_code, "use": b.get_use_display()}
            for b in buildings
        ],
        "places_responsible_for": [
            {"place": p.pk, "name": p.name, "kind": p.get_kind_display(), "address": p.address,
             "org_code": p.org_code, "contact_phone": p.contact_phone}
            for p in places
        ],
        "field_history": [
            {"record": f"{c.object_type}#{c.object_id}", "field": c.field, "old": c.old_value, "new": c.new_value,
             "source": c.get_source_display(), "at": c.at}
            for c in history
        ],
    }
