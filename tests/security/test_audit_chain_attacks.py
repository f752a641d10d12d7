"""Issue 10, finding 8: whoever can write the database cannot rewrite the audit log unseen.

Each test plays the attack with raw SQL (or an ORM bypass) as an insider with database access
but without GRIDGOV_AUDIT_KEY would, then runs `gridgov audit verify`, which must fail, naming
the chain and what is wrong. Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, models

from gridgov.core.audit import (
    AuditAction,
    audit_record,
    compute_hash,
    legacy_hash,
)
from gridgov.core.models import AuditEntry
from tests.factories import make_user

COUNTY = "990101"
OTHER_COUNTY = "990102"


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.GRIDGOV_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.GRIDGOV_AUDIT_CHECKPOINT_DIR


def _record(actor, org_code, n):
    return [
        audit_record(actor=actor, action=AuditAction.PERSON_OPEN_RECORD, object_type="core.person",
                     object_id=str(i), org_code=org_code, purpose="随访", changes={"i": i})
        for i in range(n)
    ]


def _verify():
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_info:
        return exit_info.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def _checkpoint():
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out, stderr=out)
    return out.getvalue()


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def _rehash_chain(chain, hasher, tamper=None):
    """The attacker's rewrite: alter an entry, then recompute every link after it so that
    the chain is consistent again, and move the head along."""
    prev_hash = "0" * 64
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq"):
        if tamper:
            tamper(entry)
        entry.prev_hash = prev_hash
        entry.hash = hasher(entry)
        _sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s, purpose = %s WHERE id = %s",
             [entry.prev_hash, entry.hash, entry.purpose, entry.pk])
        prev_hash = entry.hash
    _sql("UPDATE core_auditchainhead SET hash = %s WHERE chain = %s", [prev_hash, chain])


def test_an_intact_chain_with_checkpoints_verifies(city_admin, checkpoints):
    _record(city_admin, COUNTY, 3)
    _checkpoint()
    _record(city_admin, COUNTY, 2)  # appended after the checkpoint: still fine

    code, output = _verify()

    assert code == 0
    assert output.startswith("OK: 5 audit entries verified, against 1 checkpoint file(s).")


def test_cutting_the_tail_and_rewinding_the_head_fails_verify(city_admin, checkpoints):
    entries = _record(city_admin, COUNTY, 5)
    _checkpoint()

    _sql("DELETE FROM core_auditentry WHERE chain = %s AND seq > 3", [COUNTY])
    _sql("UPDATE core_auditchainhead SET seq = 3, hash = %s WHERE chain = %s", [entries[2].hash, COUNTY])
    code, output = _verify()

    assert code == 1
    assert f"BROKEN: chain {COUNTY}, entry #4" in output
    assert "recorded it up to #5: entries were cut" in output


@pytest.mark.parametrize("scheme", ["plain sha-256 (the old scheme)", "hmac under a wrong key"])
def test_recomputing_every_hash_fails_verify(city_admin, scheme):
    _record(city_admin, COUNTY, 4)
    wrong_key = hmac.new(b"a key the attacker made up", b"gridgov audit chain v1", hashlib.sha256).digest()
    hasher = legacy_hash if scheme.startswith("plain") else (lambda entry: compute_hash(entry, key=wrong_key))

    def tamper(entry):
        if entry.seq == 2:
            entry.purpose = "本人申请"

    _rehash_chain(COUNTY, hasher, tamper)
    code, output = _verify()

    assert code == 1
    assert f"BROKEN: chain {COUNTY}, entry #1" in output
    assert "content was altered" in output


def test_changing_the_actor_fails_verify(city_admin):
    entries = _record(city_admin, COUNTY, 3)
    scapegoat = make_user("scapegoat", scope="99")

    # Past the model's append-only guard: the plain QuerySet.update.
    models.QuerySet.update(AuditEntry.objects.filter(pk=entries[1].pk), actor_id=scapegoat.pk)
    code, output = _verify()

    assert AuditEntry.objects.get(pk=entries[1].pk).actor_id == scapegoat.pk
    assert code == 1
    assert f"BROKEN: chain {COUNTY}, entry #2 (id {entries[1].pk}): content was altered" in output


def test_deleting_a_checkpointed_chain_entirely_fails_verify(city_admin, checkpoints):
    _record(city_admin, COUNTY, 2)
    _record(city_admin, OTHER_COUNTY, 3)
    _checkpoint()

    _sql("DELETE FROM core_auditentry WHERE chain = %s", [OTHER_COUNTY])
    _sql("DELETE FROM core_auditchainhead WHERE chain = %s", [OTHER_COUNTY])
    code, output = _verify()

    assert code == 1
    assert f"BROKEN: chain {OTHER_COUNTY}, entry #1" in output
    assert f"chain {COUNTY}" not in output  # the other county's chain is intact


def _only_checkpoint(directory):
    [path] = directory.glob("*.json")
    return path


def test_an_edited_checkpoint_file_fails_verify(city_admin, checkpoints):
    entries = _record(city_admin, COUNTY, 5)
    _checkpoint()
    path = _only_checkpoint(checkpoints)

    # The attacker cuts the tail and edits the checkpoint to match the shorter chain.
    _sql("DELETE FROM core_auditentry WHERE chain = %s AND seq > 3", [COUNTY])
    _sql("UPDATE core_auditchainhead SET seq = 3, hash = %s WHERE chain = %s", [entries[2].hash, COUNTY])
    document = json.loads(path.read_text())
    document["chains"][0].update(seq=3, hash=entries[2].hash)
    path.chmod(0o644)
    path.write_text(json.dumps(document))
    code, output = _verify()

    assert code == 1
    assert f"BROKEN: checkpoint {path.name}: signature does not match" in output


def test_a_checkpoint_signed_with_another_key_fails_verify(city_admin, checkpoints):
    entries = _record(city_admin, COUNTY, 2)
    body = {"version": 1, "written_at": "2026-12-01T00:00:00+00:00",
            "chains": [{"chain": COUNTY, "seq": 2, "hash": entries[1].hash, "at": ""}]}
    forged_key = hmac.new(b"guessed", b"gridgov audit checkpoint v1", hashlib.sha256).digest()
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    body["signature"] = hmac.new(forged_key, payload.encode(), hashlib.sha256).hexdigest()
    checkpoints.mkdir()
    (checkpoints / "20990101T000000000000Z-forged.json").write_text(json.dumps(body))
    (checkpoints / "20990101T000000000001Z-junk.json").write_text("not json")

    code, output = _verify()

    assert code == 1
    assert "BROKEN: checkpoint 20990101T000000000000Z-forged.json: signature does not match" in output
    assert "BROKEN: checkpoint 20990101T000000000001Z-junk.json: unreadable" in output


def test_checkpoint_never_signs_a_broken_chain_and_never_rewrites_a_file(city_admin, checkpoints):
    _record(city_admin, COUNTY, 2)
    _record(city_admin, OTHER_COUNTY, 2)
    _checkpoint()
    first = _only_checkpoint(checkpoints)
    first_text = first.read_text()
    _record(city_admin, COUNTY, 1)
    later = _record(city_admin, OTHER_COUNTY, 1)

    # Altered after the first checkpoint: the next one must not vouch for it. (Entries up to
    # a checkpoint are re-checked by every `verify`, not by every checkpoint.)
    _sql("UPDATE core_auditentry SET purpose = %s WHERE id = %s", ["改过", later[0].pk])
    with pytest.raises(SystemExit) as exit_info:
        _checkpoint()

    files = sorted(checkpoints.glob("*.json"))
    second = json.loads(files[-1].read_text())
    assert exit_info.value.code == 1
    assert len(files) == 2 and first.read_text() == first_text
    assert [(head["chain"], head["seq"]) for head in second["chains"]] == [(COUNTY, 3)]
