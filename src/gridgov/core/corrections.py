"""Correction requests (PIPL art. 46): a person asks, through the staff who serve them, for
their data to be corrected; a second person with the right to edit decides; an approval
applies the change through the ordinary services, so that field history and audit happen as
for any edit.

The rules:
- Who records a request: staff who may edit people (a grid worker or care worker, the
  program officer, a screener) in whose area the person lives.
- Who decides: someone else. Personal details (name, phone, address, resident ID) need the
  right to edit people in the person's area; register facts (a household's address, a
  member's relation or residence type) need a screener's sign-off right in that area.
- Every step is audited (the field names, never the values); the values themselves are
  stored encrypted and shown in full only to the requester and to those who may decide,
  and each such showing is audited too.
- The answer is due 15 working days after the request (`DUE_WORKING_DAYS`); queues list the
  earliest due first, so overdue requests come first.

Apps that hold correctable records register an adapter (`register_correction_target`); the
person adapter lives here. Requests are read through the selectors at the end of this module.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import crypto, masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import CorrectionEvidence, CorrectionRequest, CorrectionTarget, Gender, Person, User
from gridgov.core.permissions import Capability, has_capability, in_scope

DUE_WORKING_DAYS = 15
MIN_REASON_LENGTH = 2
MAX_VALUE_LENGTH = 300

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "resident_id": gettext_lazy("Resident ID number"),
    "birth_date": gettext_lazy("Birth date"),
    "gender": gettext_lazy("Gender"),
    "phone": gettext_lazy("Mobile phone"),
    "address": gettext_lazy("Address"),
    "relation": gettext_lazy("Relation to the head"),
    "residence_type": gettext_lazy("Residence type"),
}


# --- Targets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionAdapter:
    """How one kind of record is corrected.

    `load(person, target_id)` returns the record (NotFound unless it belongs to the person);
    `current(obj)` its correctable values as text; `check(obj, values)` validates requested
    values and returns them cleaned (DomainError otherwise); `apply(actor=, obj=, values=)`
    writes them through the app's service and returns the changed field names;
    `decider_capability` is what the second person needs in `org_code(obj)`.
    """

    fields: frozenset[str]
    load: Callable
    current: Callable
    check: Callable
    apply: Callable
    org_code: Callable
    decider_capability: Capability
    mask: Callable  # (user, field, value) -> value as `user` may see it
    default_target: Callable  # (person) -> the id of the person's record of this kind, or None
    form_fields: tuple[str, ...] = ()  # offered on the request page, in this order
    choices: dict | None = None  # field -> [(value, label)] where the value is one of a set


_ADAPTERS: dict[str, CorrectionAdapter] = {}


def register_correction_target(target: str, adapter: CorrectionAdapter) -> None:
    _ADAPTERS[target] = adapter


def adapter_for(target: str) -> CorrectionAdapter:
    adapter = _ADAPTERS.get(target)
    if adapter is None:
        raise DomainError(_("This kind of record cannot be corrected here."), ErrorCode.INVALID,
                          {"target": [_("Unknown kind of record.")]})
    return adapter


def mask_person_value(user, field: str, value: str) -> str:
    """A person's value as `user` may see it in a list or a request they may not decide."""
    if field == "name":
        return value if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(value)
    if field == "resident_id":
        return masking.mask_resident_id(value)
    if field == "phone":
        return masking.mask_phone(value)
    if field == "address":
        return masking.mask_address(value)
    if field == "gender":
        return str(Gender(value).label) if value in Gender.values else value
    if field == "birth_date":
        try:
            return masking.mask_birth_date(datetime.date.fromisoformat(value)) if value else ""
        except ValueError:
            return "****"
    return value


def _person_load(person: Person, target_id: int) -> Person:
    if int(target_id) != person.pk:
        raise NotFound(_("No such record of this person."))
    return person


def _person_current(person: Person) -> dict[str, str]:
    return {
        "name": person.name, "resident_id": person.resident_id, "phone": person.phone,
        "address": person.address, "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "gender": person.gender,
    }


def _person_check(person: Person, values: dict) -> dict:
    from gridgov.core.services import check_person_fields

    if ({"birth_date", "gender"} & set(values)) and "resident_id" not in values:
        message = _("The birth date and gender follow from the resident ID number: correct the ID number.")
        raise DomainError(message, ErrorCode.INVALID, {"resident_id": [message]})
    birth_date = values.get("birth_date") or None
    if isinstance(birth_date, str):
        try:
            birth_date = datetime.date.fromisoformat(birth_date)
        except ValueError:
            raise DomainError(_("Give the birth date as YYYY-MM-DD."), ErrorCode.INVALID,
                              {"birth_date": [_("Give the birth date as YYYY-MM-DD.")]}) from None
    merged = {
        "name": values.get("name", person.name), "resident_id": values.get("resident_id", person.resident_id),
        "phone": values.get("phone", person.phone), "address": values.get("address", person.address),
        "org_code": person.org_code, "lat": person.lat, "lng": person.lng,
        "birth_date": birth_date if "resident_id" in values else person.birth_date,
        "gender": values.get("gender", "") if "resident_id" in values else person.gender,
    }
    fields = check_person_fields(**merged)
    cleaned = {k: fields[k] for k in ("name", "phone", "address", "resident_id") if k in values}
    if "resident_id" in values:
        # The birth date and gender come from the corrected number (GB 11643).
        cleaned["birth_date"] = fields["birth_date"].isoformat() if fields["birth_date"] else ""
        cleaned["gender"] = fields["gender"]
        index = crypto.blind_index("resident_id", fields["resident_id"])
        if Person.objects.filter(resident_id_index=index, merged_into__isnull=True).exclude(pk=person.pk).exists():
            message = _("Another person is registered with this resident ID number: merge the records instead.")
            raise DomainError(message, ErrorCode.DUPLICATE, {"resident_id": [message]})
    return cleaned


def _person_apply(*, actor, obj: Person, values: dict) -> list[str]:
    from gridgov.core.services import person_update

    contact = {k: v for k, v in values.items() if k in {"name", "phone", "address"}}
    changed: list[str] = []
    if contact:
        before = _person_current(obj)
        obj = person_update(actor=actor, person=obj, **contact)
        changed += [k for k in contact if before[k] != _person_current(obj)[k]]
    if "resident_id" in values:
        changed += _person_correct_resident_id(actor=actor, person=obj, resident_id=values["resident_id"])
    return changed


def _person_correct_resident_id(*, actor, person: Person, resident_id: str) -> list[str]:
    """The one edit of a resident ID number: only through an approved correction request,
    since the number identifies the person everywhere. Birth date and gender follow it."""
    from gridgov.core.services import check_person_fields

    current = {
        "name": person.name, "resident_id": resident_id, "phone": person.phone, "address": person.address,
        "org_code": person.org_code, "lat": person.lat, "lng": person.lng, "birth_date": None, "gender": "",
    }
    fields = check_person_fields(**current)
    before = {"resident_id": person.resident_id, "birth_date": person.birth_date, "gender": person.gender}
    changed = sorted(k for k in before if fields[k] != before[k])
    if not changed:
        return []
    with transaction.atomic(savepoint=False):
        person.resident_id = fields["resident_id"]
        person.resident_id_index = crypto.blind_index("resident_id", fields["resident_id"])
        person.birth_date = fields["birth_date"]
        person.gender = fields["gender"]
        person.save(update_fields=["resident_id", "resident_id_index", "birth_date", "gender", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.PERSON_UPDATE, obj=person, person_id=person.pk,
            object_repr=masking.mask_name(person.name), org_code=person.org_code,
            changes={"fields": changed, "source": "correction"},
        )
    return changed


register_correction_target(CorrectionTarget.PERSON, CorrectionAdapter(
    fields=frozenset({"name", "phone", "address", "resident_id", "birth_date", "gender"}),
    load=_person_load,
    current=_person_current,
    check=_person_check,
    apply=_person_apply,
    org_code=lambda person: person.org_code,
    decider_capability=Capability.EDIT_PEOPLE,
    mask=mask_person_value,
    default_target=lambda person: person.pk,
    form_fields=("name", "resident_id", "phone", "address"),
))


def correction_targets() -> dict[str, CorrectionAdapter]:
    return dict(_ADAPTERS)


# --- Rules ------------------------------------------------------------------------------


# Who works with corrections at all: those who record them (EDIT_PEOPLE) and the deciders
# of every registered kind. Any other role may never see or decide one: 403, not 404.
CORRECTION_CAPABILITIES = frozenset({Capability.EDIT_PEOPLE, Capability.SIGN_OFF_REGISTER})


def may_work_corrections(user) -> bool:
    return any(has_capability(user, c) for c in CORRECTION_CAPABILITIES)


def may_request(user, person: Person) -> bool:
    return has_capability(user, Capability.EDIT_PEOPLE) and in_scope(user, person.org_code)


def may_decide(user, request: CorrectionRequest) -> bool:
    """A second person, never the requester, with the decider's right in the record's area."""
    adapter = _ADAPTERS.get(request.target)
    return (
        adapter is not None
        and user.is_authenticated
        and request.requested_by_id != user.pk
        and has_capability(user, adapter.decider_capability)
        and in_scope(user, request.org_code)
    )


def may_see_values(user, request: CorrectionRequest) -> bool:
    return request.requested_by_id == user.pk or may_decide(user, request)


def due_date(org_code: str, start: datetime.date) -> datetime.date:
    from gridgov.core.selectors import work_calendar_for
    from gridgov.core.workcal import add_working_days

    return add_working_days(start, DUE_WORKING_DAYS, work_calendar_for(org_code))


def _loads(text: str) -> dict:
    return json.loads(text) if text else {}


def _dumps(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _reason(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        message = _("Give the reason.")
        raise DomainError(message, ErrorCode.INVALID, {field: [message]})
    if len(text) > 1000:
        message = _("At most 1000 characters.")
        raise DomainError(message, ErrorCode.INVALID, {field: [message]})
    return text


# --- Services ---------------------------------------------------------------------------


def correction_request_create(
    *, actor, person: Person, target: str = CorrectionTarget.PERSON, target_id: int | None = None,
    values: dict, evidence: str, reason: str,
) -> CorrectionRequest:
    """Record a person's request to correct some of their data; nothing changes until a
    second person approves it."""
    if not may_request(actor, person):
        raise Forbidden(_("Your role may not record correction requests for this person."))
    adapter = adapter_for(target)
    errors: dict[str, list[str]] = {}
    values = {k: ("" if v is None else str(v).strip()) for k, v in (values or {}).items()}
    unknown = sorted(set(values) - adapter.fields)
    if unknown:
        errors["values"] = [_("These fields cannot be corrected here: %(fields)s") % {"fields": ", ".join(unknown)}]
    elif not values:
        errors["values"] = [_("Name at least one field and the value it should have.")]
    if any(len(v) > MAX_VALUE_LENGTH for v in values.values()):
        errors["values"] = [_("A value has at most %(n)d characters.") % {"n": MAX_VALUE_LENGTH}]
    if evidence not in CorrectionEvidence.values:
        errors["evidence"] = [_("Choose the evidence shown.")]
    try:
        reason = _reason(reason, "reason")
    except DomainError as error:
        errors.update(error.fields)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    target_id = adapter.default_target(person) if target_id is None else target_id
    if target_id is None:
        message = _("This person has no record of this kind.")
        raise DomainError(message, ErrorCode.INVALID, {"target": [message]})
    obj = adapter.load(person, target_id)
    org_code = adapter.org_code(obj)
    if not in_scope(actor, org_code):
        raise NotFound(_("No such record of this person."))
    cleaned = adapter.check(obj, values)
    current = adapter.current(obj)
    cleaned = {k: v for k, v in cleaned.items() if str(v) != str(current.get(k, ""))}
    if not cleaned:
        message = _("The requested values are the ones already recorded.")
        raise DomainError(message, ErrorCode.INVALID, {"values": [message]})
    today = timezone.localdate()
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            person=person, org_code=org_code, target=target, target_id=obj.pk, fields=sorted(cleaned),
            current_values=_dumps({k: str(current.get(k, "")) for k in cleaned}),
            requested_values=_dumps({k: str(v) for k, v in cleaned.items()}),
            evidence=evidence, reason=reason, due_on=due_date(org_code, today), requested_by=actor,
        )
        audit_record(
            actor=actor, action=AuditAction.CORRECTION_REQUEST, obj=request, object_repr=f"#{request.pk}",
            person_id=person.pk, org_code=org_code,
            changes={"target": target, "target_id": obj.pk, "fields": sorted(cleaned), "evidence": evidence,
                     "due_on": request.due_on.isoformat()},
        )
    return request


def _decide(*, actor, request: CorrectionRequest, approve: bool, reason: str) -> CorrectionRequest:
    if not may_decide(actor, request):
        if request.requested_by_id == getattr(actor, "pk", None):
            raise Forbidden(_("A correction you recorded is decided by someone else."))
        raise Forbidden(_("Your role may not decide this correction request."))
    reason = _reason(reason, "reason")
    adapter = adapter_for(request.target)
    with transaction.atomic():
        request = CorrectionRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
        if request.status != CorrectionRequest.Status.PENDING:
            raise DomainError(_("This request has already been decided."), ErrorCode.CONFLICT)
        applied: list[str] = []
        if approve:
            person = Person.objects.select_for_update().get(pk=request.person_id)
            obj = adapter.load(person, request.target_id)
            current, snapshot = adapter.current(obj), _loads(request.current_values)
            if any(str(current.get(k, "")) != v for k, v in snapshot.items()):
                raise DomainError(
                    _("The record was changed after this request: refuse it and record a new one if still needed."),
                    ErrorCode.CONFLICT,
                )
            values = adapter.check(obj, _loads(request.requested_values))
            applied = adapter.apply(actor=actor, obj=obj, values=values)
        request.status = CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason
        request.applied_fields = sorted(applied)
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "applied_fields"])
        audit_record(
            actor=actor, action=AuditAction.CORRECTION_APPROVE if approve else AuditAction.CORRECTION_REFUSE,
            obj=request, object_repr=f"#{request.pk}", person_id=request.person_id, org_code=request.org_code,
            changes={"target": request.target, "fields": request.fields, "applied": request.applied_fields,
                     "overdue": request.due_on < timezone.localdate()},
        )
        _tell_requester(request)
    return request


def _tell_requester(request: CorrectionRequest) -> None:
    from django.urls import reverse

    from gridgov.core.notifications import notify

    if request.requested_by_id is None:
        return
    if request.status == CorrectionRequest.Status.APPROVED:
        text = _("Correction request #%(id)d was approved and the record corrected: please tell the person.")
    else:
        text = _("Correction request #%(id)d was refused (see the reason): please tell the person.")
    requester = User.objects.filter(pk=request.requested_by_id, is_active=True)
    notify(recipients=requester, kind="correction_decided", text=text, params={"id": request.pk},
           link=reverse("correction-detail", args=[request.pk]), org_code=request.org_code)


def correction_approve(*, actor, request: CorrectionRequest, reason: str) -> CorrectionRequest:
    """Approve and apply: the change goes through the record's own service (field history,
    audit), in the same transaction as the decision."""
    return _decide(actor=actor, request=request, approve=True, reason=reason)


def correction_refuse(*, actor, request: CorrectionRequest, reason: str) -> CorrectionRequest:
    return _decide(actor=actor, request=request, approve=False, reason=reason)


def correction_values_shown(*, actor, request: CorrectionRequest) -> None:
    """The requested values were shown in full (to the requester or a decider): a sensitive
    read, logged like opening a record."""
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.CORRECTION_VIEW, obj=request, object_repr=f"#{request.pk}",
                     person_id=request.person_id, org_code=request.org_code,
                     purpose=str(_("Review of a correction request")))


# --- Selectors --------------------------------------------------------------------------


def corrections_visible_to(user, *, status: str | None = None) -> QuerySet[CorrectionRequest]:
    """Requests in the user's area for users who may record or decide them, earliest due first
    (so overdue ones come first)."""
    kinds = [t for t, a in _ADAPTERS.items() if has_capability(user, a.decider_capability)]
    if not (kinds or has_capability(user, Capability.EDIT_PEOPLE)):
        return CorrectionRequest.objects.none()
    qs = CorrectionRequest.objects.visible_to(user).filter(
        Q(target__in=kinds) | Q(requested_by=user)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "requested_by", "decided_by").order_by("due_on", "id")


def corrections_to_decide(user) -> QuerySet[CorrectionRequest]:
    """The queue: pending requests this user may decide (not their own)."""
    return corrections_visible_to(user, status=CorrectionRequest.Status.PENDING).exclude(requested_by=user)


def access_correction(user, request_id) -> CorrectionRequest:
    if not may_work_corrections(user):
        raise Forbidden()
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        pk = 0
    # Outside a bigint the database would fail instead of finding nothing.
    request = corrections_visible_to(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if request is None:
        raise NotFound(_("No such correction request in your area."))
    return request


@dataclass(frozen=True)
class CorrectionRow:
    field: str
    label: str
    current: str
    requested: str


def correction_rows(user, request: CorrectionRequest) -> tuple[list[CorrectionRow], bool]:
    """The fields of a request as `user` may see them, and whether values are shown in full
    (the requester and deciders; the caller logs that with `correction_values_shown`)."""
    adapter = adapter_for(request.target)
    full = may_see_values(user, request)
    current, requested = _loads(request.current_values), _loads(request.requested_values)

    def shown(field: str, value: str, *, is_current: bool) -> str:
        # Deciders compare the requested value with the evidence; the old one stays masked.
        if full and not is_current:
            return value
        return adapter.mask(user, field, value)

    rows = [
        CorrectionRow(field=f, label=str(FIELD_LABELS.get(f, f)),
                      current=shown(f, current.get(f, ""), is_current=True),
                      requested=shown(f, requested.get(f, ""), is_current=False))
        for f in request.fields
    ]
    return rows, full


def person_label(user, person: Person) -> str:
    return person.name if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(person.name)


def is_overdue(request: CorrectionRequest, today: datetime.date | None = None) -> bool:
    return request.status == CorrectionRequest.Status.PENDING and request.due_on < (today or timezone.localdate())
