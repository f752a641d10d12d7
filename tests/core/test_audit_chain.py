from django.core.management import call_command
from django.db import connection
import pytest

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
