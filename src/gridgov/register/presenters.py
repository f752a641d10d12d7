"""Register records as a reader may see them: field history and proposed edits as readable
lines ("field: old → new"), values labelled and masked for the reader's role, and the map
features of grid cells. Presenters read what selectors fetched; they never query on their
own except where a docstring says how many queries a batch costs.
"""

from __future__ import annotations

import functools
import json
import operator

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.permissions import Capability, has_capability
from gridgov.register import selectors
from gridgov.register.forms import PROPOSAL_FORMS
from gridgov.register.models import (
    BuildingUse,
    ChangeSource,
    LeaveReason,
    PlaceKind,
    ProposedEdit,
    Relation,
    ResidenceType,
)

HISTORY_LIMIT = 100


def names_allowed(user) -> bool:
    return has_capability(user, Capability.VIEW_PERSON_NAMES)


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


def cells_geojson(cells) -> dict:
    """Grid cells with a boundary as a GeoJSON FeatureCollection (labelled by name)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": c.polygon, "properties": {"code": c.code, "name": c.name,
                                                                      "label": c.name}}
            for c in cells if c.polygon
        ],
    }


def point_map(cells, *, lat=None, lng=None) -> dict:
    return {"cells": cells_geojson(cells), "point": [lat, lng] if lat is not None and lng is not None else None}


def item_row(user, item) -> dict:
    return {"item": item, "address": selectors.display_address(user, item.household.address)}


# --- Field history and proposed edits ----------------------------------------------------------

CHOICES = {"relation": Relation, "residence_type": ResidenceType, "leave_reason": LeaveReason,
           "use": BuildingUse, "kind": PlaceKind}
BOOLEAN_FIELDS = {"is_rental", "is_current"}
RECORD_FIELDS = {"person", "landlord", "responsible_person", "building", "household", "unit"}
PERSONAL_OBJECTS = {"core.person", "register.household", "register.membership"}


def _field_labels() -> dict[str, str]:
    return {
        "is_current": _("Current member"), "person": _("Person record"), "household": _("Household"),
        "org_code": _("Org unit"), "died_on": _("Date of death"), "phone": _("Mobile phone"),
        "address": _("Address"), "name": _("Name"), "on": _("Moved out on"), "reason": _("Reason"),
    }


def field_label(object_type: str, field: str) -> str:
    fixed = _field_labels()
    if field in fixed:
        return fixed[field]
    try:
        return str(capfirst(apps.get_model(object_type)._meta.get_field(field).verbose_name))
    except (LookupError, ValueError, FieldDoesNotExist):
        return field


def value_text(user, field: str, value, *, personal: bool = True, reveal_phone: bool = False) -> str:
    """A stored value as a reader may see it: labels for codes, phones masked (unless revealed
    to a screener deciding on it), names and home addresses masked for roles without names."""
    value = "" if value is None else str(value)
    if not value:
        return ""
    if field in CHOICES:
        try:
            return str(CHOICES[field](value).label)
        except ValueError:
            return value
    if field in BOOLEAN_FIELDS:
        return _("Yes") if value in ("1", "True", "true") else _("No")
    if field in ("phone", "contact_phone"):
        return value if reveal_phone else masking.mask_phone(value)
    if field == "resident_id":
        return masking.mask_resident_id(value)
    if field == "address" and not selectors.may_see_full_address(user):
        return masking.mask_address(value)  # every register address, not only a home's
    if personal and not names_allowed(user) and field == "name":
        return masking.mask_name(value)
    if field in RECORD_FIELDS:
        return f"#{value}"
    return value


def object_labels() -> dict[str, str]:
    return {"register.household": _("Household"), "register.membership": _("Membership"),
            "core.person": _("Person"), "register.building": _("Building"), "register.place": _("Place")}


def history_rows(user, objects, *, subjects: dict | None = None) -> list[dict]:
    """The latest field changes of several records, newest first, in one query."""
    querysets = [selectors.history_of(user, obj) for obj in objects]
    if not querysets:
        return []
    changes = functools.reduce(operator.or_, querysets).select_related("changed_by", "approved_by")
    labels = object_labels()
    rows = []
    for change in changes[:HISTORY_LIMIT]:
        personal = change.object_type in PERSONAL_OBJECTS
        rows.append({
            "change": change,
            "object": labels.get(change.object_type, change.object_type),
            "subject": (subjects or {}).get((change.object_type, change.object_id), ""),
            "field": field_label(change.object_type, change.field),
            "old": value_text(user, change.field, change.old_value, personal=personal),
            "new": value_text(user, change.field, change.new_value, personal=personal),
            "source": ChangeSource(change.source).label if change.source in ChangeSource.values else change.source,
            "by": change.changed_by.label if change.changed_by else _("System"),
            "approved_by": change.approved_by.label if change.approved_by else "",
        })
    return rows


def _line(user, object_type: str, field: str, new, old=None, *, reveal_phone: bool = False) -> dict:
    return {
        "field": field_label(object_type, field),
        # The old phone number is not what the screener decides on: it stays masked.
        "old": value_text(user, field, old) if old not in (None, "") else "",
        "new": value_text(user, field, new, reveal_phone=reveal_phone),
    }


def _describe_edit(user, edit: ProposedEdit, values: dict, people: dict, memberships: dict, *,
                   reveal_phone: bool) -> tuple[str, list[dict]]:
    """The subject (whose record) and the "field: old → new" lines of one proposed edit. Old
    values are shown while the edit waits: afterwards the record holds the new ones."""
    pending = edit.status == ProposedEdit.Status.PROPOSED

    def line(object_type, field, new, old=None):
        return _line(user, object_type, field, new, old if pending else None, reveal_phone=reveal_phone)

    if edit.kind in ("person_contact", "death"):
        person = people.get(edit.target_id)
        subject = selectors.display_name(user, person) if person else f"#{edit.target_id}"
        if edit.kind == "death":
            return subject, [line("core.person", "died_on", values.get("died_on"))]
        return subject, [line("core.person", f, values[f], getattr(person, f, None))
                         for f in ("name", "phone", "address") if f in values]
    if edit.kind in ("member_leave", "member_update"):
        membership = memberships.get(edit.target_id)
        subject = selectors.display_name(user, membership.person) if membership else f"#{edit.target_id}"
        if edit.kind == "member_leave":
            return subject, [line("register.membership", "moved_out_on", values.get("on")),
                             line("register.membership", "leave_reason", values.get("reason"))]
        return subject, [line("register.membership", f, values[f], getattr(membership, f, None))
                         for f in ("relation", "residence_type") if f in values]
    if edit.kind == "member_add":
        lines = []
        if values.get("person"):
            person = people.get(values["person"])
            subject = selectors.display_name(user, person) if person else f"#{values['person']}"
        else:
            new = values.get("new_person") or {}
            subject = new.get("name", "") if names_allowed(user) else masking.mask_name(new.get("name", ""))
            lines.append(line("core.person", "resident_id", new.get("resident_id")))
            if new.get("phone"):
                lines.append(line("core.person", "phone", new["phone"]))
        lines += [line("register.membership", f, values[f]) for f in ("relation", "residence_type", "moved_in_on")
                  if values.get(f)]
        return subject, lines
    if edit.kind == "household":
        return _("Household"), [line("register.household", "address", values.get("address"),
                                     edit.item.household.address)]
    return "", []


def describe_edits(user, edits: list[ProposedEdit], *, reveal_phone: bool = False) -> list[dict]:
    """Each proposed edit as a subject and readable lines (two queries for any number of edits)."""
    payloads = {edit.pk: edit_payload(edit) for edit in edits}
    person_ids = {e.target_id for e in edits if e.kind in ("person_contact", "death") and e.target_id}
    person_ids |= {payloads[e.pk].get("person") for e in edits if e.kind == "member_add"} - {None, ""}
    membership_ids = {e.target_id for e in edits if e.kind in ("member_leave", "member_update") and e.target_id}
    people, memberships = selectors.proposed_edit_targets(person_ids=person_ids, membership_ids=membership_ids)
    rows = []
    for edit in edits:
        subject, lines = _describe_edit(user, edit, payloads[edit.pk], people, memberships,
                                        reveal_phone=reveal_phone)
        rows.append({"edit": edit, "kind": edit_kind_label(edit.kind), "subject": subject, "lines": lines})
    return rows


def edit_payload(edit: ProposedEdit) -> dict:
    try:
        values = json.loads(edit.payload or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def edit_kind_label(kind: str) -> str:
    form = PROPOSAL_FORMS.get(kind)
    return str(form.title) if form else kind
