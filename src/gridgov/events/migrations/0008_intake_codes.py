"""Event codes from a sequence on PostgreSQL (issue 12, `gridgov.events.codes`): the
sequence is created and moved past today's numbers of the per-day counters, so that a code
handed out before the upgrade is never handed out again. Nothing on SQLite."""

from django.db import migrations


def create_sequence(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from django.utils import timezone

    from gridgov.events import codes

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {codes.SEQUENCE} AS bigint MINVALUE 0 START 0")
    counter = apps.get_model("events", "EventCodeCounter")
    today = timezone.localdate()
    highest = max(counter.objects.filter(day=today).values_list("last", flat=True), default=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s)", [codes.SEQUENCE, codes._day_value(today) + highest])


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from gridgov.events import codes

        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {codes.SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("events", "0007_partitions")]

    operations = [migrations.RunPython(create_sequence, drop_sequence, elidable=False)]
