"""Monthly partitions of the audit log, notifications and deliveries on PostgreSQL (issue 12).

Run on PostgreSQL (DATABASE_URL=postgres://…); on SQLite the tables are plain and these skip."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from gridgov.core import partitions
from gridgov.core.audit import AuditAction, audit_record, verify_all
from gridgov.core.models import AuditEntry, User
from gridgov.core.models_notifications import Channel, Delivery, Notification
from gridgov.core.notifications.retention import notifications_cleanup
from gridgov.core.tasks import maintain_partitions
from tests.factories import Tree

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="table partitioning is PostgreSQL's")

TZ = partitions.local_zone()


def _partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT tableoid::regclass::text FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def _notification(user, **kwargs) -> Notification:
    return Notification.objects.create(user=user, kind="test", text="测试", **kwargs)


def _at(year: int, month: int, day: int = 15) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=TZ)


def _record(actor, n: int = 1):
    return [audit_record(actor=actor, action=AuditAction.PERSON_UPDATE, object_type="core.person",
                         object_id=str(i), org_code=Tree.COUNTY_A, changes={"i": i}) for i in range(n)]


def _immediate():
    """Check the deferred foreign keys now, as the commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_append_only_tables_are_partitioned_by_month(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]")
        found = {name: (strategy, column) for name, strategy, column in cursor.fetchall()}

    assert found == {
        "core_auditentry": ("r", "at"),
        "core_notification": ("r", "created_at"),
        "core_delivery": ("r", "created_at"),
        "events_timelineentry": ("r", "at"),
    }
    # The events table itself stays one table (docs/deployment.md, "Partition maintenance").
    assert not partitions.is_partitioned("events_event")
    for spec in partitions.TABLES:
        assert partitions.partitions_of(spec.table)[-1].is_default


def test_rows_of_different_months_land_in_different_partitions(city_admin):
    with time_machine.travel(_at(2026, 11), tick=False):
        november = _record(city_admin)[0]
        call_command("partitions", ahead=1)
    with time_machine.travel(_at(2026, 12), tick=False):
        december = _record(city_admin)[0]
        note = _notification(city_admin)

    assert _partition_of("core_auditentry", november.pk) == "core_auditentry_p202611"
    assert _partition_of("core_auditentry", december.pk) == "core_auditentry_p202612"
    assert _partition_of("core_notification", note.pk) == "core_notification_p202612"
    # Django still reads them by their id alone, oldest-first order intact.
    assert list(AuditEntry.objects.order_by("at").values_list("pk", flat=True)) == [november.pk, december.pk]
    assert AuditEntry.objects.get(pk=november.pk).seq == 1


def test_the_command_creates_months_ahead_once(db, capsys):
    now = dt.datetime.now(dt.UTC)
    first = partitions.month_start(now)

    call_command("partitions", ahead=6)
    names = {p.name for p in partitions.partitions_of("core_notification")}
    capsys.readouterr()
    call_command("partitions", ahead=6, exact=True)
    again = capsys.readouterr().out.splitlines()

    assert {partitions.partition_name("core_notification", partitions.add_months(first, n)) for n in range(7)} <= names
    assert again[0].startswith("0 partition(s) created")
    assert {p.name for p in partitions.partitions_of("core_notification")} == names
    assert "  core_notification_default: default (months without a partition), 0 rows" in again


def test_the_task_creates_the_same_months_as_the_command(db):
    far = partitions.add_months(partitions.month_start(dt.datetime.now(dt.UTC)), 9)

    created = maintain_partitions.call(ahead=9)

    assert partitions.partition_name("core_auditentry", far) in created
    assert maintain_partitions.call(ahead=9) == []


def test_a_month_without_partition_goes_to_default_and_the_command_moves_it(city_admin):
    # A notification dated in 2031 (no partition yet) is kept, in the default partition...
    note = _notification(city_admin)
    Notification.objects.filter(pk=note.pk).update(created_at=_at(2031, 3))
    delivery = Delivery.objects.create(notification=note, kind="test", channel=Channel.SMS, text="测试")
    Delivery.objects.filter(pk=delivery.pk).update(created_at=_at(2031, 3))
    assert _partition_of("core_notification", note.pk) == "core_notification_default"

    # ...and when that month's partition is made, its rows move there with their ids, and the
    # delivery still points at its notification.
    with time_machine.travel(_at(2031, 3), tick=False):
        call_command("partitions", ahead=0)
    _immediate()

    assert _partition_of("core_notification", note.pk) == "core_notification_p203103"
    assert _partition_of("core_delivery", delivery.pk) == "core_delivery_p203103"
    assert Delivery.objects.get(pk=delivery.pk).notification_id == note.pk
    assert list(note.deliveries.all()) == [Delivery.objects.get(pk=delivery.pk)]


def test_a_second_entry_at_the_same_place_of_a_chain_is_refused_in_any_month(city_admin):
    first = _record(city_admin)[0]
    forged = AuditEntry(chain=first.chain, seq=first.seq, prev_hash="0" * 64, hash="f" * 64, at=_at(2024, 1),
                        actor_username="x", action=first.action)

    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save(force_insert=True)
    copy = AuditEntry(chain=first.chain, seq=first.seq + 5, prev_hash="0" * 64, hash=first.hash,
                      at=_at(2024, 1), actor_username="x", action=first.action)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)

    assert AuditEntry.objects.count() == 1
    assert verify_all() == (1, [])


def test_the_audit_chain_verifies_across_months(city_admin):
    for month in (10, 11, 12):
        with time_machine.travel(_at(2026, month), tick=False):
            call_command("partitions", ahead=0)
            _record(city_admin, 2)

    assert verify_all() == (6, [])
    assert {_partition_of("core_auditentry", e.pk) for e in AuditEntry.objects.all()} == {
        "core_auditentry_p202610", "core_auditentry_p202611", "core_auditentry_p202612"}


def test_updates_and_deletes_through_the_orm_work(city_admin, tree):
    user = User.objects.create_user("leaver", password="x")
    old = _notification(user)
    Notification.objects.filter(pk=old.pk).update(created_at=_at(2025, 1))
    new = _notification(user)
    Delivery.objects.create(notification=new, kind="test", channel=Channel.SMS, text="测试")
    Delivery.objects.create(notification=old, kind="test", channel=Channel.SMS, text="测试")

    Notification.objects.filter(user=user).update(read_at=_at(2025, 2))
    assert Notification.objects.filter(user=user, read_at__isnull=False).count() == 2
    # The recipient's account is deleted: its notifications and their deliveries go with it.
    user.delete()
    _immediate()

    assert not Notification.objects.filter(pk__in=[old.pk, new.pk]).exists()
    assert not Delivery.objects.exists()


def test_the_retention_cleanup_deletes_across_months(city_admin):
    kept = _notification(city_admin)
    expired = [_notification(city_admin, read_at=_at(2025, 1)) for _ in range(2)]
    Notification.objects.filter(pk=expired[0].pk).update(created_at=_at(2025, 1))
    Notification.objects.filter(pk=expired[1].pk).update(created_at=_at(2025, 3))
    for note in expired:
        Delivery.objects.create(notification=note, kind="test", channel=Channel.SMS, text="测试")
    Delivery.objects.update(created_at=_at(2025, 3))

    result = notifications_cleanup(days=30)
    _immediate()

    assert (result.deliveries, result.notifications) == (2, 2)
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_delivery_of_a_missing_notification_is_refused(city_admin):
    note = _notification(city_admin)
    Delivery.objects.create(notification=note, kind="test", channel=Channel.SMS, text="测试")

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notification_id=note.pk + 1000, kind="test", channel=Channel.SMS, text="测试")
        _immediate()


def test_audit_months_within_the_retention_are_never_detached(city_admin):
    this_month = partitions.month_start(dt.datetime.now(dt.UTC))
    recent, old = partitions.add_months(this_month, -2), partitions.add_months(this_month, -9)
    for month in (old, recent):
        with time_machine.travel(month + dt.timedelta(days=3), tick=False):
            call_command("partitions", ahead=0)
            _record(city_admin, 1)

    with pytest.raises(CommandError, match="kept 6 months"):
        call_command("partitions", detach_before=this_month.strftime("%Y-%m"), include_audit=True)
    with pytest.raises(CommandError, match="never detached"):
        call_command("partitions", detach_before=partitions.add_months(this_month, 1).strftime("%Y-%m"))
    # Without --include-audit the audit log is not touched at all, --drop or not.
    call_command("partitions", detach_before=this_month.strftime("%Y-%m"), drop=True)
    assert verify_all() == (2, [])

    # Past the retention an audit month is detached, never dropped: the table is the archive.
    call_command("partitions", detach_before=partitions.add_months(old, 1).strftime("%Y-%m"),
                 include_audit=True, drop=True)
    archived = partitions.partition_name("core_auditentry", old)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{archived}"')
        assert cursor.fetchone()[0] == 1
    assert AuditEntry.objects.count() == 1
    # The archived entry's place in its chain is still taken.
    kept = AuditEntry.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry(chain=kept.chain, seq=kept.seq - 1, prev_hash="0" * 64, hash="d" * 64,
                   at=kept.at, actor_username="x", action=kept.action).save(force_insert=True)


def test_old_notification_months_are_dropped_only_when_asked(city_admin):
    note = _notification(city_admin, read_at=_at(2026, 1))
    with time_machine.travel(_at(2026, 1), tick=False):
        call_command("partitions", ahead=0)
    Notification.objects.filter(pk=note.pk).update(created_at=_at(2026, 1))
    assert _partition_of("core_notification", note.pk) == "core_notification_p202601"

    call_command("partitions")
    assert Notification.objects.filter(pk=note.pk).exists()
    call_command("partitions", detach_before="2026-02", drop=True)

    assert not Notification.objects.filter(pk=note.pk).exists()
    assert "core_notification_p202601" not in {p.name for p in partitions.partitions_of("core_notification")}


def test_the_conversion_keeps_rows_ids_and_rules_both_ways(city_admin):
    entries = _record(city_admin, 3)
    note = _notification(city_admin)
    delivery = Delivery.objects.create(notification=note, kind="test", channel=Channel.SMS, text="测试")

    with connection.schema_editor() as editor:
        for spec in (partitions.AUDIT, partitions.NOTIFICATION, partitions.DELIVERY):
            partitions.unpartition_table(editor.connection, spec)
    assert not partitions.is_partitioned("core_auditentry")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry(chain=entries[0].chain, seq=1, prev_hash="", hash="e" * 64, at=_at(2024, 1)).save(force_insert=True)
    with connection.schema_editor() as editor:
        for spec in (partitions.DELIVERY, partitions.NOTIFICATION, partitions.AUDIT):
            partitions.partition_table(editor.connection, spec)

    assert partitions.is_partitioned("core_auditentry") and partitions.is_partitioned("core_delivery")
    assert verify_all() == (3, [])
    assert Delivery.objects.get(pk=delivery.pk).notification_id == note.pk
    # Ids continue after the copied rows.
    assert _record(city_admin)[0].pk > entries[-1].pk
    assert Notification.objects.create(user=city_admin, kind="t", text="t").pk > note.pk
    _immediate()


def _partman_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_partman'")
        return cursor.fetchone() is not None


def test_with_pg_partman_the_command_hands_the_months_to_it(city_admin):
    if not _partman_available():  # asked inside the test: collection may not touch the database
        pytest.skip("pg_partman is not installed on this server")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA partman")
        cursor.execute("CREATE EXTENSION pg_partman SCHEMA partman")
    last = partitions.add_months(partitions.month_start(dt.datetime.now(dt.UTC)), 8)
    entry = _record(city_admin)[0]

    call_command("partitions", ahead=8)
    created_again = partitions.ensure_partitions(ahead=8)

    assert created_again == []
    for spec in partitions.TABLES:
        found = partitions.partitions_of(spec.table)
        assert any(p.lower == last for p in found), spec.table
        assert sum(p.is_default for p in found) == 1
    assert AuditEntry.objects.get(pk=entry.pk) == entry
    assert verify_all() == (1, [])


def test_with_since_the_past_months_are_made_and_their_rows_leave_the_default(city_admin):
    now = _at(2031, 6)
    note = _notification(city_admin)
    Notification.objects.filter(pk=note.pk).update(created_at=_at(2031, 2))
    assert _partition_of("core_notification", note.pk) == "core_notification_default"

    created = partitions.ensure_partitions(ahead=0, now=now, since=dt.date(2031, 1, 20))
    _immediate()

    assert {partitions.partition_name("events_timelineentry", _at(2031, m, 1)) for m in range(1, 7)} <= set(created)
    assert _partition_of("core_notification", note.pk) == "core_notification_p203102"
    assert partitions.default_rows()["core_notification"] == 0
    assert partitions.ensure_partitions(ahead=0, now=now, since=dt.date(2031, 1, 20)) == []
