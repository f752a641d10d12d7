"""One live person per resident ID (races, issue 10, finding 4): the upgrade of a database
that already holds duplicates stops with a clear message, and `gridgov people_duplicates`
clears them so that it can run."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridgov.core.models import AuditEntry, Person
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

MIGRATION = importlib.import_module("gridgov.core.migrations.0004_races_person_unique_idempotency_hash")


def check_before_constraint():
    MIGRATION.refuse_live_duplicates(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def twins(legacy_duplicate_people, tree):
    resident_id = make_resident_id(birth="19750505", seq=3)
    return PersonFactory(resident_id=resident_id, phone=""), PersonFactory(resident_id=resident_id)


def test_the_migration_stops_with_a_clear_message_while_duplicates_exist(twins):
    with pytest.raises(CommandError) as stopped:
        check_before_constraint()

    message = str(stopped.value)
    assert message.startswith("1 resident ID numbers are held by more than one unmerged person record")
    assert f"{twins[0].pk}, {twins[1].pk}" in message
    assert "Nothing was changed" in message and "gridgov people_duplicates --merge --actor" in message


def test_the_command_lists_the_groups_masked_and_changes_nothing(twins):
    out = StringIO()

    call_command("people_duplicates", stdout=out)

    text = out.getvalue()
    assert f"#{twins[0].pk} ({Tree.CELL_A1}), #{twins[1].pk} ({Tree.CELL_A1})" in text
    assert twins[0].resident_id not in text and "1 group(s)" in text
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_the_command_merges_each_group_into_its_oldest_record_and_the_migration_can_run(twins):
    admin = make_user("admin", "city_admin", scope="99")
    oldest, newer = twins

    call_command("people_duplicates", "--merge", "--actor", "admin", stdout=StringIO())

    newer.refresh_from_db()
    oldest.refresh_from_db()
    assert newer.merged_into == oldest and oldest.merged_into is None
    assert oldest.phone == newer.phone  # the kept record filled in what it lacked
    assert AuditEntry.objects.filter(action="person.merge", actor=admin).count() == 1
    check_before_constraint()  # no longer refuses


def test_merging_needs_an_account(twins):
    with pytest.raises(CommandError):
        call_command("people_duplicates", "--merge", stdout=StringIO())
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_without_duplicates_the_check_passes_and_the_command_says_ok(db, tree):
    PersonFactory()
    out = StringIO()

    check_before_constraint()
    call_command("people_duplicates", stdout=out)

    assert out.getvalue().startswith("OK")
