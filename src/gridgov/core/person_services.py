"""Writes of the core app about people: registering and changing a person, opening the full
record for a purpose, exact searches by resident ID or phone number, and merging duplicate
records. One function per use case; each checks permission, validates, writes, and appends
its audit entry in the same transaction.

`gridgov.core.services` imports every name here, so `from gridgov.core.services import
person_create` keeps working.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core import crypto, masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.concurrency import conflict_on_integrity_error
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.geo import validate_lng_lat
from gridgov.core.models import OrgUnit, Person
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.person_search import person_name_index_clear, person_name_index_refresh
from gridgov.core.purposes import check_purpose
from gridgov.core.selectors import can_open_person_record, person_view
from gridgov.core.validators import (
    normalize_mobile,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_error,
    resident_id_gender,
    validate_mobile,
)

# --- People -------------------------------------------------------------------------


def check_person_fields(
    *, name: str, resident_id: str, phone: str, address: str, org_code: str,
    lat: float | None, lng: float | None, birth_date: datetime.date | None, gender: str,
) -> dict:
    """Validate and normalise a person's fields; raise DomainError listing every problem."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    resident_id = normalize_resident_id(resident_id)
    id_problem = resident_id_error(resident_id)
    if id_problem:
        errors["resident_id"] = [id_problem]
    phone = normalize_mobile(phone or "")
    if phone:
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if address and len(address) > 300:
        errors["address"] = [_("An address has at most 300 characters.")]
    if not OrgUnit.objects.filter(code=org_code or "").exists():
        errors["org_code"] = [_("No org unit with this code.")]
    if (lat is None) != (lng is None):
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    elif lat is not None:
        try:
            validate_lng_lat(lng, lat)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not id_problem:
        id_birth = resident_id_birth_date(resident_id)
        id_gender = resident_id_gender(resident_id)
        if birth_date and birth_date != id_birth:
            errors["birth_date"] = [_("The birth date differs from the one in the resident ID number.")]
        if gender and gender != id_gender:
            errors["gender"] = [_("The gender differs from the one in the resident ID number.")]
        birth_date, gender = id_birth, id_gender
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    return {
        "name": name, "resident_id": resident_id, "phone": phone, "address": (address or "").strip(),
        "org_code": org_code, "lat": float(lat) if lat is not None else None,
        "lng": float(lng) if lng is not None else None, "birth_date": birth_date, "gender": gender,
    }


def person_create(
    *, actor, name: str, resident_id: str, org_code: str, phone: str = "", address: str = "",
    lat: float | None = None, lng: float | None = None, birth_date: datetime.date | None = None,
    gender: str = "",
) -> Person:
    require(actor, Capability.EDIT_PEOPLE)
    fields = check_person_fields(
        name=name, resident_id=resident_id, phone=phone, address=address, org_code=org_code,
        lat=lat, lng=lng, birth_date=birth_date, gender=gender,
    )
    if not in_scope(actor, fields["org_code"]):
        raise Forbidden(_("You may only register people inside your own area."))
    from gridgov.core.person_duplicates import check_resident_id_free, generic_refusal

    already = generic_refusal()  # no oracle for numbers outside the actor's area (person_duplicates)
    index = crypto.blind_index("resident_id", fields["resident_id"])
    check_resident_id_free(actor=actor, index=index, resident_id=fields["resident_id"])
    # The constraint core_person_one_live_per_resident_id decides a race: the loser's insert
    # fails, its transaction rolls back, and it answers 409 without naming the winner's area.
    with conflict_on_integrity_error(already.message, code=already.code, fields=already.fields), \
            transaction.atomic():
        person = Person.objects.create(
            **fields,
            resident_id_index=index,
            phone_index=crypto.blind_index("phone", fields["phone"]),
            created_by=actor,
        )
        person_name_index_refresh(people=[person])
        audit_record(
            actor=actor, action=AuditAction.PERSON_CREATE, obj=person, person_id=person.pk,
            object_repr=masking.mask_name(person.name), org_code=person.org_code,
            changes={"after": {"org_code": person.org_code, "has_phone": bool(person.phone),
                               "has_address": bool(person.address)}},
        )
    return person


def person_update(*, actor, person: Person, **changes) -> Person:
    """Change some of a person's fields; the history of what changed is in the audit log."""
    require(actor, Capability.EDIT_PEOPLE)
    if not in_scope(actor, person.org_code):
        raise NotFound(_("No such person in your area."))
    allowed = {"name", "phone", "address", "org_code", "lat", "lng"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    current = {
        "name": person.name, "resident_id": person.resident_id, "phone": person.phone,
        "address": person.address, "org_code": person.org_code, "lat": person.lat, "lng": person.lng,
        "birth_date": person.birth_date, "gender": person.gender,
    }
    fields = check_person_fields(**{**current, **changes})
    if not in_scope(actor, fields["org_code"]):
        raise Forbidden(_("You may only move people inside your own area."))
    changed = sorted(k for k in allowed if fields[k] != current[k])
    if not changed:
        return person
    with transaction.atomic():
        for key in changed:
            setattr(person, key, fields[key])
        person.phone_index = crypto.blind_index("phone", person.phone)
        person.save(update_fields=changed + ["phone_index", "updated_at"])
        if "name" in changed:
            person_name_index_refresh(people=[person])
        # Sensitive values are never copied into the audit log: only which fields changed.
        plain = {"name", "org_code"}
        audit_record(
            actor=actor, action=AuditAction.PERSON_UPDATE, obj=person, person_id=person.pk,
            object_repr=masking.mask_name(person.name), org_code=person.org_code,
            changes={
                "fields": changed,
                "before": {k: current[k] for k in changed if k in plain},
                "after": {k: fields[k] for k in changed if k in plain},
            },
        )
    return person


def person_open_record(*, actor, person: Person, purpose: str, note: str = ""):
    """Reveal a person's full record for a purpose chosen from `core.purposes` (with an
    optional note; "other" needs one), and log the purpose's code and the note."""
    if not can_open_person_record(actor, person):
        raise Forbidden(_("Your role may not open full personal records."))
    stated = check_purpose(purpose, note)
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.PERSON_OPEN_RECORD, obj=person, person_id=person.pk,
            object_repr=masking.mask_name(person.name), org_code=person.org_code, purpose=stated.stored,
            # emergency (issue 10): opened outside the user's area, through this grant
            changes={"emergency_grant": person.emergency_grant.pk} if getattr(person, "emergency_grant", None) else None,
        )
    return person_view(actor, person, full=True)


# --- masking (issue 10): exact searches by resident ID or phone number ---------------------


def check_people_search(*, actor, query: str, org: str | None = None, where: str = "people"):
    """People matching a search text, as `selectors.people_search`, except that a text
    shaped like a resident ID or phone number is looked up exactly — only for roles that
    may see the full number (others get no match, never an error), and only after the
    search is logged and counted against the per-hour limit (`person_identifier_search_record`).
    `where` names the screen or endpoint, for the auditor."""
    from gridgov.core.selectors import identifier_kind, may_search_identifiers, people_by_identifier, people_search

    kind = identifier_kind(query)
    if kind is None or not may_search_identifiers(actor):
        return people_search(actor, query=query, org=org)
    people = people_by_identifier(actor, kind=kind, value=query, org=org)
    person_identifier_search_record(actor=actor, kind=kind, value=query, where=where, matched=people.count())
    return people


def person_identifier_search_record(
    *, actor, kind: str, value: str, where: str, matched: int | None, lookups: int = 1
) -> None:
    """Log one exact search, with the number masked (the log must not become a list of the
    numbers people were looked up by), and refuse it with 429 `rate_limited` past
    `GRIDGOV_IDENTIFIER_SEARCH_LIMIT` searches in the last hour. An import file that links
    rows by resident ID is one search of `lookups` numbers (`value` empty), each limited to
    the importer's own area.

    The count is read from the audit log after this search's own entry is written: the entry
    takes the chain head's lock, so concurrent searches by one user (always on the chain of
    their scope) are counted one after another, in every process. A refused search rolls
    back with its entry, so that a blocked user's retries do not extend the block.
    """
    from django.conf import settings

    from gridgov.core.models import AuditEntry

    limit = settings.GRIDGOV_IDENTIFIER_SEARCH_LIMIT
    value = (value or "").strip().upper()
    masked = masking.mask_resident_id(value) if kind == "resident_id" else masking.mask_phone(value)
    with transaction.atomic():
        entry = audit_record(
            actor=actor, action=AuditAction.PERSON_IDENTIFIER_SEARCH, object_type="core.person",
            object_repr=masked, org_code=actor.scope_code or "",
            changes={"kind": kind, "where": where, "matched": matched, "lookups": lookups},
        )
        recent = AuditEntry.objects.filter(
            actor_username=actor.get_username(), action=AuditAction.PERSON_IDENTIFIER_SEARCH,
            at__gt=entry.at - datetime.timedelta(hours=1),
        ).count()
        if recent > limit:
            raise DomainError(
                _("You have run %(n)d searches by resident ID or phone number in the last hour, "
                  "the most allowed. Try again later.") % {"n": limit},
                ErrorCode.RATE_LIMITED,
            )



# --- Merging duplicate people -----------------------------------------------------------

_PERSON_MERGE_HOOKS: list = []


def register_person_merge_hook(hook) -> None:
    """Apps that refer to people register a `hook(*, keep, duplicate, actor) -> dict` that
    moves their rows from the duplicate to the kept record, inside the merge transaction."""
    if hook not in _PERSON_MERGE_HOOKS:
        _PERSON_MERGE_HOOKS.append(hook)


def people_merge(*, actor, keep: Person, duplicate: Person) -> dict:
    """Merge two records of the same person (same resident ID). The duplicate row stays,
    marked as merged, so that history which points at it remains readable."""
    require(actor, Capability.MERGE_PEOPLE)
    for person in (keep, duplicate):
        if not in_scope(actor, person.org_code):
            raise NotFound(_("No such person in your area."))
    if keep.pk == duplicate.pk:
        raise DomainError(_("A record cannot be merged into itself."))
    if keep.resident_id_index != duplicate.resident_id_index:
        raise DomainError(_("Only records with the same resident ID number can be merged."), ErrorCode.INVALID,
                          {"duplicate": [_("The resident ID numbers differ.")]})
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
        if keep.merged_into_id or duplicate.merged_into_id:
            raise DomainError(_("One of these records has already been merged."), ErrorCode.CONFLICT)
        moved = {hook.__module__: hook(keep=keep, duplicate=duplicate, actor=actor) for hook in _PERSON_MERGE_HOOKS}
        filled = [f for f in ("phone", "address") if not getattr(keep, f) and getattr(duplicate, f)]
        for field in filled:
            setattr(keep, field, getattr(duplicate, field))
        if keep.lat is None and duplicate.lat is not None:
            keep.lat, keep.lng = duplicate.lat, duplicate.lng
            filled.append("location")
        keep.phone_index = crypto.blind_index("phone", keep.phone)
        keep.save()
        duplicate.merged_into = keep
        duplicate.save(update_fields=["merged_into", "updated_at"])
        person_name_index_clear(person_ids=[duplicate.pk])  # a merged record is found as the kept one
        audit_record(
            actor=actor, action=AuditAction.PERSON_MERGE, obj=keep, person_id=keep.pk,
            object_repr=masking.mask_name(keep.name), org_code=keep.org_code,
            changes={"duplicate": duplicate.pk, "filled": filled, "moved": moved},
        )
    return {"filled": filled, "moved": moved}
