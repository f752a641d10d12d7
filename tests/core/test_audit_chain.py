import json

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.core.audit import CITY_CHAIN, AuditAction, audit_record, verify_all
from gridgov.core.models import AuditEntry


def _record(actor, org_code, n=1):
    return [
        audit_record(actor=actor, action=AuditAction.PERSON_UPDATE, object_type="core.person",
                     object_id=str(i), org_code=org_code, changes={"fields": ["name"], "i": i})
        for i in range(n)
    ]


def test_entries_of_different_counties_go_to_separate_chains(city_admin):
    a = _record(city_admin, "990101001001001", 2)
    b = _record(city_admin, "990102", 1)
    top = _record(city_admin, "9901", 1)

    assert [e.chain for e in a] == ["990101", "990101"]
    assert [e.seq for e in a] == [1, 2]
    assert a[1].prev_hash == a[0].hash
    assert (b[0].chain, b[0].seq) == ("990102", 1)
    assert top[0].chain == CITY_CHAIN


def test_intact_chain_verifies(city_admin, capsys):
    _record(city_admin, "990101", 3)

    checked, problems = verify_all()
    call_command("audit", "verify")

    assert (checked, problems) == (3, [])
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize("column,value", [("object_id", "999"), ("purpose", "altered"), ("actor_username", "mallory")])
def test_altered_entry_is_reported_as_the_first_broken_link(city_admin, column, value):
    entries = _record(city_admin, "990101", 4)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditentry SET {column} = %s WHERE id = %s", [value, entries[1].pk])

    _checked, problems = verify_all()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")

    assert len(problems) == 1
    assert (problems[0].seq, problems[0].entry_id) == (2, entries[1].pk)
    assert exit_info.value.code != 0


def test_deleted_entry_is_reported(city_admin):
    entries = _record(city_admin, "990101", 3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])

    _checked, problems = verify_all()

    assert problems[0].seq == 2 and "missing" in problems[0].reason


def test_deleting_the_newest_entry_is_detected_through_the_head(city_admin):
    entries = _record(city_admin, "990101", 3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])

    _checked, problems = verify_all()

    assert problems and problems[0].seq == 3


def test_orm_cannot_change_or_delete_entries(city_admin):
    entry = _record(city_admin, "990101")[0]

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


# --- audit (issue 10): keyed chain, every column hashed, re-seal of unkeyed chains -----------

from gridgov.core import audit as audit_module  # noqa: E402
from gridgov.core.models import AuditChainHead  # noqa: E402


def test_every_column_of_an_entry_is_hashed():
    columns = {field.attname for field in AuditEntry._meta.concrete_fields}

    # A new column must be added to HASHED_FIELDS (or, with a reason, to UNHASHED_FIELDS).
    assert columns - set(audit_module.UNHASHED_FIELDS) == set(audit_module.HASHED_FIELDS)
    assert set(audit_module.UNHASHED_FIELDS) == {"id", "hash"}


def test_the_hash_depends_on_the_key_and_on_the_actor_id(city_admin, settings):
    entry = _record(city_admin, "990101")[0]
    stored = entry.hash

    entry.actor_id = None
    without_actor = audit_module.compute_hash(entry)
    entry.actor_id = city_admin.pk
    settings.GRIDGOV_AUDIT_KEY = "another-key-that-is-long-enough-0123456789"
    other_key = audit_module.compute_hash(entry)

    assert len({stored, without_actor, other_key}) == 3


def _unkeyed_entry(chain, action="person.update", purpose=""):
    """An entry as audit_record wrote it before issue 10 (plain SHA-256, no actor_id)."""
    from django.utils import timezone

    head, _ = AuditChainHead.objects.get_or_create(chain=chain)
    entry = AuditEntry(chain=chain, seq=head.seq + 1, prev_hash=head.hash, at=timezone.now(),
                       actor_username="system", action=action, org_code=chain, purpose=purpose, changes="{}")
    entry.hash = audit_module.legacy_hash(entry)
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(chain=chain).update(seq=entry.seq, hash=entry.hash)
    return entry


@pytest.fixture
def checkpoint_dir(db, settings, tmp_path):
    settings.GRIDGOV_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.GRIDGOV_AUDIT_CHECKPOINT_DIR


def test_reseal_moves_an_unkeyed_chain_to_the_key_once(city_admin, checkpoint_dir, capsys):
    for _ in range(3):
        _unkeyed_entry("990101")
    [upgraded] = _record(city_admin, "990101", 1)  # written after the upgrade, before the re-seal
    _record(city_admin, "990102", 1)  # a chain that was keyed from the start
    _checked, before = verify_all()

    call_command("audit", "reseal")
    checked, after = verify_all()
    reseal = AuditEntry.objects.get(action=AuditAction.AUDIT_RESEAL)

    assert [p.chain for p in before] == ["990101"]
    assert (checked, after) == (6, [])
    assert (reseal.chain, reseal.seq) == ("990101", 5)
    assert json.loads(reseal.changes) == {"entries": 4, "unkeyed_entries": 3, "previous_head": upgraded.hash}
    assert len(list(checkpoint_dir.glob("*.json"))) == 1
    assert "resealed: chain 990101, 4 entries (3 unkeyed)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("audit", "reseal")  # checkpoints exist now: never again


def test_reseal_refuses_an_unkeyed_chain_that_was_altered(checkpoint_dir):
    entries = [_unkeyed_entry("990101") for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET purpose = %s WHERE id = %s", ["改过", entries[1].pk])

    with pytest.raises(SystemExit):
        call_command("audit", "reseal")

    assert AuditEntry.objects.get(pk=entries[2].pk).hash == entries[2].hash
    assert not AuditEntry.objects.filter(action=AuditAction.AUDIT_RESEAL).exists()


def test_a_user_who_has_acted_cannot_be_deleted_so_the_chain_stays_whole(city_admin):
    from django.db.models import ProtectedError

    _record(city_admin, "990101", 2)

    with pytest.raises(ProtectedError):
        city_admin.delete()

    assert verify_all() == (2, [])
