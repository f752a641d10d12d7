"""Append-only, hash-chained audit log.

Each county has its own chains (`org_code[:6]`) and there are more for city-wide actions,
so writes in different counties never wait on the same chain head. Within a county the log
is *striped* (issue 12): `GRIDGOV_AUDIT_STRIPES` (default 8) independent chains, named
`330102` (stripe 0, the county's chain from before stripes, so older entries stay where they
are) and `330102:1` … `330102:7` (`city`, `city:1` … for city-wide actions). A write takes
whichever head of its county no other transaction holds (PostgreSQL: `SELECT … FOR UPDATE
SKIP LOCKED LIMIT 1`, one query) and keeps that row locked until it commits, so concurrent
writes in one county proceed side by side, each on its own stripe; only when every stripe is
busy does a write wait, on one of them chosen at random. Heads are created on first use
(`INSERT … ON CONFLICT DO NOTHING`; only then may a second first writer wait for the first
one's commit, once per county).
Each stripe is a complete chain in its own right (its own `seq` from 1 and genesis hash):
verification, checkpoints and the re-seal treat every stripe as one more chain, and the
county's log is the union of its stripes, ordered by time. An entry's
hash is keyed and covers the previous hash and every column of the entry (`HASHED_FIELDS`):
`hash = HMAC-SHA256(key, prev_hash + canonical_json(columns))`, the key derived from
`GRIDGOV_AUDIT_KEY`, which is never stored in the database. Without the key nobody can
write a link that verifies, so altering, inserting or re-hashing entries is detected.

Cutting the tail of a chain (and rewinding its head) leaves a shorter chain that still
verifies on its own; `write_checkpoint` therefore writes each chain's head, signed, to files
outside the database (`GRIDGOV_AUDIT_CHECKPOINT_DIR`), and `verify_all` fails when a chain
is shorter than, or differs from, any checkpoint.

`audit_record` must be called inside the transaction of the write it records, so that the
write and its audit row commit or roll back together.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gridgov.core import request_context
from gridgov.core.actors import SystemActor
from gridgov.core.audit_actions import AuditAction, AuditActions, is_registered  # noqa: F401
from gridgov.core.models import AuditChainHead, AuditEntry

CITY_CHAIN = "city"
GENESIS_HASH = "0" * 64


STRIPE_SEPARATOR = ":"


def chain_for(org_code: str) -> str:
    """The base chain (stripe 0) of `org_code`'s county, or the city-wide chain."""
    return org_code[:6] if len(org_code or "") >= 6 else CITY_CHAIN


def stripe_count() -> int:
    return max(1, int(getattr(settings, "GRIDGOV_AUDIT_STRIPES", 1)))


def stripes_of(base: str) -> list[str]:
    """The chains of one county (or of the city): `base`, `base:1`, … (GRIDGOV_AUDIT_STRIPES)."""
    return [base] + [f"{base}{STRIPE_SEPARATOR}{n}" for n in range(1, stripe_count())]


def base_chain(chain: str) -> str:
    """The county (or `city`) a chain belongs to: `330102:3` → `330102`."""
    return chain.split(STRIPE_SEPARATOR, 1)[0]


def chain_label(chain: str) -> str:
    """A chain as an auditor reads it: `330102`, `330102:3`, `city-wide`, `city-wide:3`."""
    from django.utils.translation import gettext

    base, separator, stripe = chain.partition(STRIPE_SEPARATOR)
    return (gettext("city-wide") if base == CITY_CHAIN else base) + separator + stripe


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


# Every column of AuditEntry but two: `id`, the database's surrogate key (assigned at insert,
# after the hash is computed; an entry's place is its (chain, seq), which is hashed) and
# `hash` itself. tests/core/test_audit_chain.py fails when a new column is missing here;
# adding one changes every hash, so it needs a re-seal of the existing chains.
HASHED_FIELDS = (
    "chain", "seq", "prev_hash", "at", "actor_id", "actor_username", "action", "object_type",
    "object_id", "object_repr", "person_id", "org_code", "ip", "purpose", "changes",
)
UNHASHED_FIELDS = ("id", "hash")


def _key(purpose: bytes) -> bytes:
    # Separate keys for links and checkpoints, both derived from the one configured secret.
    return hmac.new(settings.GRIDGOV_AUDIT_KEY.encode("utf-8"), purpose, hashlib.sha256).digest()


def chain_key() -> bytes:
    return _key(b"gridgov audit chain v1")


def checkpoint_key() -> bytes:
    return _key(b"gridgov audit checkpoint v1")


def _hashed_fields(entry: AuditEntry) -> dict:
    values = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.timezone.utc).isoformat()
        values[name] = value
    return values


def compute_hash(entry: AuditEntry, *, key: bytes | None = None) -> str:
    payload = entry.prev_hash + canonical_json(_hashed_fields(entry))
    return hmac.new(key or chain_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed hash of chains written before issue 10; read only by `reseal_legacy_chains`."""
    fields = {
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
    return hashlib.sha256((entry.prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor,
    action: AuditActions,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_code: str = "",
    person_id: int | None = None,
    purpose: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain of `org_code`'s county, in the caller's transaction.

    `action` is a member of a registered `AuditActions` enum (`core.audit_actions`), never a
    plain string; `actor` is a user or a `core.actors.SystemActor` (entry actor "system")."""
    if not is_registered(action):
        raise TypeError(f"audit action {action!r} is not a registered AuditActions member "
                        "(declare it in <app>/audit_actions.py)")
    if actor is None:
        raise TypeError("audit_record needs an actor: a user, or core.actors.SystemActor for system work")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    with transaction.atomic(savepoint=False):
        head = _lock_free_head(chain_for(org_code))
        actor_is_user = getattr(actor, "is_authenticated", False)
        entry = AuditEntry(
            chain=head.chain,
            seq=head.seq + 1,
            prev_hash=head.hash,
            at=timezone.now(),
            actor=actor if actor_is_user else None,
            actor_username=actor.get_username() if actor_is_user else "system",
            action=action.value,
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
        _append(entry)
    return entry


def _lock_free_head(base: str) -> AuditChainHead:
    """Lock and return a head of `base`'s stripes that no other transaction holds.

    PostgreSQL: one `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` over the stripes' heads, the
    lowest free stripe first (so a quiet county writes to its base chain). When none is
    returned — the stripes have no heads yet, or all are held — the missing heads are
    inserted (`ON CONFLICT DO NOTHING`, race-safe), the select runs once more, and only if
    every stripe is still held does the write wait, on one stripe chosen at random. Other
    databases (SQLite) serialise writers anyway: the base chain, its head made on first use."""
    if connection.vendor != "postgresql":
        head = AuditChainHead.objects.filter(chain=base).first()
        if head is None:
            AuditChainHead.objects.bulk_create([AuditChainHead(chain=base)], ignore_conflicts=True)
            head = AuditChainHead.objects.select_for_update().get(chain=base)
        return head
    names = stripes_of(base)
    free = AuditChainHead.objects.select_for_update(skip_locked=True).filter(chain__in=names).order_by("chain")
    head = free.first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=name) for name in names], ignore_conflicts=True)
        head = free.first()
    if head is None:
        head = AuditChainHead.objects.select_for_update().get(chain=secrets.choice(names))
    return head


_APPEND_SQL = None


def _append(entry: AuditEntry) -> None:
    """Insert the entry and move its chain's head to it. PostgreSQL: one statement (a
    data-modifying CTE); elsewhere an insert and an update, in the caller's transaction."""
    global _APPEND_SQL
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(chain=entry.chain).update(seq=entry.seq, hash=entry.hash)
        return
    fields = [f for f in AuditEntry._meta.concrete_fields if f.column != "id"]
    if _APPEND_SQL is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        _APPEND_SQL = (
            f"WITH entry AS (INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns}) VALUES ({values}) "
            f"RETURNING id) UPDATE {quote(AuditChainHead._meta.db_table)} SET seq = %s, hash = %s "
            "WHERE chain = %s RETURNING (SELECT id FROM entry)"
        )
    params = [f.get_db_prep_save(f.pre_save(entry, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, [*params, entry.seq, entry.hash, entry.chain])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


# Object types whose label is a person's name or a home address.
_PERSONAL_LABELS = {"core.person": "name", "register.household": "address", "register.membership": "address",
                    "register.building": "address"}  # buildings: masking (issue 10)


def display_label(entry: AuditEntry) -> str:
    """The entry's object label as an auditor may see it: names and home addresses masked
    (auditors check who looked at what, not the data itself)."""
    from gridgov.core import masking

    label = entry.object_repr or ""
    kind = _PERSONAL_LABELS.get(entry.object_type)
    if kind == "address":
        return label if "*" in label else masking.mask_address(label)  # newer entries come masked
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


@dataclass(frozen=True)
class CheckpointProblem:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"checkpoint {self.file}: {self.reason}"


@dataclass(frozen=True)
class Checkpoint:
    """One chain's head as a signed checkpoint file recorded it."""

    file: str
    chain: str
    seq: int
    hash: str


@dataclass
class _Walk:
    checked: int
    problem: ChainProblem | None
    seq: int = 0
    hash: str = GENESIS_HASH
    at: datetime.datetime | None = None


def checkpoint_dir() -> Path:
    return Path(settings.GRIDGOV_AUDIT_CHECKPOINT_DIR)


def _signature(document: dict) -> str:
    return hmac.new(checkpoint_key(), canonical_json(document).encode("utf-8"), hashlib.sha256).hexdigest()


def read_checkpoints(directory: Path | str | None = None) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Every checkpoint in the directory whose signature holds, and a problem for each file
    that is unreadable or whose signature does not (forged, altered, or another key's)."""
    directory = Path(directory or checkpoint_dir())
    if not directory.is_dir():
        return [], []
    found, problems = [], []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
            signature = document.pop("signature")
            heads = [(str(h["chain"]), int(h["seq"]), str(h["hash"])) for h in document["chains"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            problems.append(CheckpointProblem(path.name, "unreadable, not a checkpoint file"))
            continue
        if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(document)):
            problems.append(CheckpointProblem(
                path.name, "signature does not match (forged or altered, or signed with another key)"
            ))
            continue
        found.extend(Checkpoint(path.name, chain, seq, hash_) for chain, seq, hash_ in heads)
    return found, problems


class _snapshot:
    """One consistent view of a chain and its head while it is walked, even while other
    requests append to it (PostgreSQL: REPEATABLE READ; SQLite: one read transaction)."""

    def __enter__(self):
        outermost = not connection.in_atomic_block
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc_info):
        return self._atomic.__exit__(*exc_info)


def _walk(chain: str, checkpoints: list[Checkpoint], since: Checkpoint | None, batch_size: int) -> _Walk:
    expected: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if checkpoint.chain == chain:
            expected.setdefault(checkpoint.seq, []).append(checkpoint)
    walk = _Walk(checked=0, problem=None)
    if since is not None:
        # Entries up to a checkpoint were verified when it was signed: start from there.
        anchor = AuditEntry.objects.filter(chain=chain, seq=since.seq).first()
        if anchor is None or anchor.hash != since.hash:
            walk.problem = ChainProblem(
                chain, since.seq, anchor.pk if anchor else None, f"differs from checkpoint {since.file}"
            )
            return walk
        walk.seq, walk.hash, walk.at = anchor.seq, anchor.hash, anchor.at
    key = chain_key()
    while True:
        batch = list(
            AuditEntry.objects.filter(chain=chain, seq__gt=walk.seq).order_by("seq")[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            if entry.seq != walk.seq + 1:
                walk.problem = ChainProblem(chain, walk.seq + 1, None, "entry is missing")
                return walk
            if entry.prev_hash != walk.hash:
                walk.problem = ChainProblem(chain, entry.seq, entry.pk, "previous-hash link does not match")
                return walk
            if not hmac.compare_digest(compute_hash(entry, key=key), entry.hash):
                walk.problem = ChainProblem(
                    chain, entry.seq, entry.pk, "content was altered (the hash does not match under the audit key)"
                )
                return walk
            for checkpoint in expected.get(entry.seq, ()):
                if checkpoint.hash != entry.hash:
                    walk.problem = ChainProblem(
                        chain, entry.seq, entry.pk, f"differs from checkpoint {checkpoint.file}"
                    )
                    return walk
            walk.seq, walk.hash, walk.at = entry.seq, entry.hash, entry.at
            walk.checked += 1
    furthest = max((c for c in checkpoints if c.chain == chain), key=lambda c: c.seq, default=None)
    if furthest is not None and furthest.seq > walk.seq:
        walk.problem = ChainProblem(
            chain, walk.seq + 1, None,
            f"the chain ends at entry #{walk.seq} but checkpoint {furthest.file} recorded it up to "
            f"#{furthest.seq}: entries were cut",
        )
        return walk
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != walk.seq or head.hash != walk.hash):
        walk.problem = ChainProblem(chain, walk.seq + 1, None, "entries after the last one found are missing")
    elif head is None and walk.seq:
        walk.problem = ChainProblem(chain, walk.seq, None, "the chain's head is missing")
    return walk


def verify_chain(
    chain: str, *, checkpoints: list[Checkpoint] | None = None, batch_size: int = 5000
) -> tuple[int, ChainProblem | None]:
    """Walk one chain in order; return how many entries were checked and the first problem."""
    with _snapshot():
        walk = _walk(chain, checkpoints or [], None, batch_size)
    return walk.checked, walk.problem


def all_chains(checkpoints: list[Checkpoint] = ()) -> list[str]:
    heads = set(AuditChainHead.objects.values_list("chain", flat=True))
    entries = set(AuditEntry.objects.order_by().values_list("chain", flat=True).distinct())
    # A chain whose every entry and head were deleted is still known from its checkpoints.
    return sorted(heads | entries | {c.chain for c in checkpoints})


def verify_all(*, directory: Path | str | None = None) -> tuple[int, list[ChainProblem | CheckpointProblem]]:
    """Every chain, against the key and every valid checkpoint; every bad checkpoint file."""
    checkpoints, problems = read_checkpoints(directory)
    total = 0
    for chain in all_chains(checkpoints):
        checked, problem = verify_chain(chain, checkpoints=checkpoints)
        total += checked
        if problem:
            problems.append(problem)
    return total, problems


def write_checkpoint(
    *, directory: Path | str | None = None
) -> tuple[Path | None, list[dict], list[ChainProblem | CheckpointProblem]]:
    """Sign the head of every intact chain into a new file (never overwriting one).

    Each chain is verified from its latest checkpoint on, so a checkpoint never vouches for
    a broken chain; broken chains are left out and returned as problems.
    """
    directory = Path(directory or checkpoint_dir())
    checkpoints, problems = read_checkpoints(directory)
    latest: dict[str, Checkpoint] = {}
    for checkpoint in checkpoints:
        if checkpoint.chain not in latest or checkpoint.seq > latest[checkpoint.chain].seq:
            latest[checkpoint.chain] = checkpoint
    heads = []
    for chain in all_chains(checkpoints):
        with _snapshot():
            walk = _walk(chain, checkpoints, latest.get(chain), 5000)
        if walk.problem:
            problems.append(walk.problem)
        elif walk.seq:
            heads.append({
                "chain": chain, "seq": walk.seq, "hash": walk.hash,
                "at": walk.at.astimezone(datetime.timezone.utc).isoformat() if walk.at else "",
            })
    if not heads:
        return None, heads, problems
    now = timezone.now().astimezone(datetime.timezone.utc)
    document = {"version": 1, "written_at": now.isoformat(), "chains": heads}
    document["signature"] = _signature(document)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.json"
    temporary = path.with_suffix(".tmp")
    with temporary.open("x", encoding="utf-8") as out:
        out.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        # link() refuses an existing name: a checkpoint file is written once, never replaced.
        os.link(temporary, path)
    finally:
        temporary.unlink()
    path.chmod(0o444)
    return path, heads, problems


class ResealRefused(Exception):
    pass


def _legacy_chain_state(chain: str, batch_size: int = 5000) -> tuple[int, int, str]:
    """(entries, unkeyed entries, head hash) of a chain whose links are all intact, each
    entry sealed either the old unkeyed way or, only after those, with the key."""
    key = chain_key()
    seq, prev_hash, legacy, keyed_seen = 0, GENESIS_HASH, 0, False
    while True:
        batch = list(AuditEntry.objects.filter(chain=chain, seq__gt=seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != seq + 1 or entry.prev_hash != prev_hash:
                raise ResealRefused(f"chain {chain}, entry #{seq + 1}: missing or its link is broken")
            if hmac.compare_digest(compute_hash(entry, key=key), entry.hash):
                keyed_seen = True
            elif not keyed_seen and legacy_hash(entry) == entry.hash:
                legacy += 1
            else:
                raise ResealRefused(f"chain {chain}, entry #{entry.seq} (id {entry.pk}): content was altered")
            seq, prev_hash = entry.seq, entry.hash
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is None or head.seq != seq or head.hash != prev_hash:
        raise ResealRefused(f"chain {chain}: entries after #{seq} are missing")
    return seq, legacy, prev_hash


def reseal_legacy_chains(*, directory: Path | str | None = None, batch_size: int = 5000) -> list[dict]:
    """Once, after upgrading a database from before keyed chains: re-hash every entry with
    the audit key, and record the re-seal (with the old head hash) as the chain's newest entry.

    Refused when any checkpoint exists (a checkpointed chain is keyed already: re-sealing it
    would launder whatever was written into it since), and for a chain whose old links do not
    verify, so that it never blesses an altered log.
    """
    checkpoints, problems = read_checkpoints(directory)
    if checkpoints or problems:
        raise ResealRefused(
            f"checkpoints exist in {Path(directory or checkpoint_dir())}: the chains were sealed already"
        )
    resealed = []
    for chain in all_chains():
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
            if head is None:
                continue
            entries, legacy, old_head = _legacy_chain_state(chain, batch_size)
            if not legacy:
                continue
            key = chain_key()
            seq, prev_hash = 0, GENESIS_HASH
            with connection.cursor() as cursor:
                while True:
                    batch = list(
                        AuditEntry.objects.filter(chain=chain, seq__gt=seq).order_by("seq")[:batch_size]
                    )
                    if not batch:
                        break
                    for entry in batch:
                        entry.prev_hash = prev_hash
                        entry.hash = compute_hash(entry, key=key)
                        # The one sanctioned rewrite of entries, past the ORM's append-only guard.
                        cursor.execute(
                            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                            [entry.prev_hash, entry.hash, entry.pk],
                        )
                        seq, prev_hash = entry.seq, entry.hash
            AuditChainHead.objects.filter(chain=chain).update(seq=seq, hash=prev_hash)
            audit_record(
                actor=SystemActor("audit_reseal"), action=AuditAction.AUDIT_RESEAL, object_type="core.auditchainhead",
                object_id=chain, object_repr=chain,
                org_code="" if base_chain(chain) == CITY_CHAIN else base_chain(chain),
                changes={"entries": entries, "unkeyed_entries": legacy, "previous_head": old_head},
            )
            resealed.append({"chain": chain, "entries": entries, "unkeyed_entries": legacy})
    return resealed
