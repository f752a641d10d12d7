# races (issue 10): one live person per resident ID, and the request hash of idempotency records.

from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models import Count, Q

LIVE = Q(merged_into__isnull=True) & ~Q(resident_id_index="")


def refuse_live_duplicates(apps, schema_editor):
    """Stop before the constraint with a message that says what to do, rather than failing
    half-way with the database's own error."""
    Person = apps.get_model("core", "Person")
    groups = list(
        Person.objects.using(schema_editor.connection.alias).filter(LIVE)
        .values("resident_id_index").annotate(n=Count("id")).filter(n__gt=1)
        .values_list("resident_id_index", flat=True)[:1000]
    )
    if not groups:
        return
    examples = list(
        Person.objects.using(schema_editor.connection.alias).filter(LIVE, resident_id_index__in=groups[:5])
        .order_by("resident_id_index", "id").values_list("id", flat=True)
    )
    raise CommandError(
        f"{len(groups)}{'+' if len(groups) == 1000 else ''} resident ID numbers are held by more than one "
        f"unmerged person record (for example person ids {', '.join(map(str, examples))}). Nothing was "
        "changed. Merge them first: `gridgov people_duplicates` lists them, and "
        "`gridgov people_duplicates --merge --actor USERNAME` merges each group into its oldest record "
        "(audited, references moved). Then run `gridgov migrate` again."
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_working_calendar'),
    ]

    operations = [
        migrations.AddField(
            model_name='idempotencyrecord',
            name='request_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(refuse_live_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(condition=models.Q(('merged_into__isnull', True), models.Q(('resident_id_index', ''), _negated=True)), fields=('resident_id_index',), name='core_person_one_live_per_resident_id'),
        ),
    ]
