"""Append-only, hash-chained audit log.

Each county has its own chain (`org_code[:6]`) and there is one more for city-wide
actions, so writes in different counties never wait on the same chain head. An entry's
hash covers the previous hash and the canonical JSON of its own fields:
`hash = sha256(prev_hash + canonical_json(entry))`.

`audit_record` must be called inside the transaction of the write it records, so that the
write and its audit row commit or roll back together.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from gridgov.core import request_context
from gridgov.core.models import AuditChainHead, AuditEntry

CITY_CHAIN = "city"
GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    ORG_UNIT_CREATE = "org_unit.create"
    ORG_UNIT_UPDATE = "org_unit.update"
    ORG_UNIT_IMPORT = "org_unit.import"
    DEPARTMENT_CREATE = "department.create"
    DEPARTMENT_UPDATE = "department.update"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_ROLES_SET = "user.roles_set"
    GRID_ASSIGN = "grid.assign"
    PERSON_CREATE = "person.create"
    PERSON_UPDATE = "person.update"
    PERSON_OPEN_RECORD = "person.open_record"
    PERSON_MERGE = "person.merge"
    PERSON_EXPORT = "person.export"
    AUDIT_SEARCH = "audit.search"
    DEMO_SEED = "demo.seed"
    SIGN_IN = "auth.sign_in"


def chain_for(org_code: str) -> str:
    return org_code[:6] if len(org_code or "") >= 6 else CITY_CHAIN


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _hashed_fields(entry: AuditEntry) -> dict:
    return {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.timezone.utc).isoformat(),
        "actor": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "person_id": entry.person_id,
        "org_code": entry.org_code,
        "ip": entry.ip,
        "purpose": entry.purpose,
        "changes": entry.changes,
    }


def compute_hash(entry: AuditEntry) -> str:
    payload = entry.prev_hash + canonical_json(_hashed_fields(entry))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_code: str = "",
    person_id: int | None = None,
    purpose: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain of `org_code`'s county, in the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    with transaction.atomic(savepoint=False):
        chain = chain_for(org_code)
        head, _created = AuditChainHead.objects.get_or_create(chain=chain)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
        entry = AuditEntry(
            chain=chain,
            seq=head.seq + 1,
            prev_hash=head.hash,
            at=timezone.now(),
            actor=actor if actor_is_user else None,
            actor_username=actor.get_username() if actor_is_user else "system",
            action=str(action),
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:200],
            person_id=person_id,
            org_code=org_code or "",
            ip=request_context.current_ip(),
            purpose=purpose[:500],
            changes=canonical_json(changes or {}),
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


# Object types whose label is a person's name or a home address.
_PERSONAL_LABELS = {"core.person": "name", "register.household": "address", "register.membership": "address"}


def display_label(entry: AuditEntry) -> str:
    """The entry's object label as an auditor may see it: names and home addresses masked
    (auditors check who looked at what, not the data itself)."""
    from gridgov.core import masking

    label = entry.object_repr or ""
    kind = _PERSONAL_LABELS.get(entry.object_type)
    if kind == "address":
        return masking.mask_address(label)
    if (kind == "name" or entry.person_id is not None) and "*" not in label and not label.startswith("#"):
        return masking.mask_name(label)
    return label


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        ident = f"id {self.entry_id}" if self.entry_id is not None else "missing"
        return f"chain {self.chain}, entry #{self.seq} ({ident}): {self.reason}"


def verify_chain(chain: str, *, batch_size: int = 5000) -> tuple[int, ChainProblem | None]:
    """Walk one chain in order; return how many entries were checked and the first problem."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(chain=chain, seq__gte=expected_seq).order_by("seq")[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return checked, ChainProblem(chain, expected_seq, None, "entry is missing")
            if entry.prev_hash != prev_hash:
                return checked, ChainProblem(
                    chain, entry.seq, entry.pk, "previous-hash link does not match"
                )
            if compute_hash(entry) != entry.hash:
                return checked, ChainProblem(chain, entry.seq, entry.pk, "content was altered")
            prev_hash = entry.hash
            last_seq = entry.seq
            expected_seq += 1
            checked += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return checked, ChainProblem(
            chain, last_seq + 1, None, "entries after the last one found are missing"
        )
    return checked, None


def all_chains() -> list[str]:
    heads = set(AuditChainHead.objects.values_list("chain", flat=True))
    entries = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    return sorted(heads | entries)


def verify_all() -> tuple[int, list[ChainProblem]]:
    total = 0
    problems = []
    for chain in all_chains():
        checked, problem = verify_chain(chain)
        total += checked
        if problem:
            problems.append(problem)
    return total, problems
