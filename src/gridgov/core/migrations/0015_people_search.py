"""People search (issue 12): the keyed index of name pieces, filled for every live person."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def fill_name_index(apps, schema_editor):
    from gridgov.core import crypto
    from gridgov.core.person_search import KIND, name_pieces

    Person = apps.get_model("core", "Person")
    PersonNameToken = apps.get_model("core", "PersonNameToken")
    # Live records only: a merged duplicate is found as the record it was merged into, and an
    # anonymised one (its resident ID blanked) must not be found by its placeholder name.
    live = Person.objects.filter(merged_into__isnull=True).exclude(resident_id_index="").order_by("pk")
    last = 0
    while True:
        rows = list(live.filter(pk__gt=last).values_list("pk", "name")[:BATCH])
        if not rows:
            break
        PersonNameToken.objects.bulk_create(
            [PersonNameToken(person_id=pk, token=crypto.blind_index(KIND, piece))
             for pk, name in rows for piece in name_pieces(name)],
            batch_size=BATCH,
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("core", "0014_notification_labels_without_record_numbers")]

    operations = [
        migrations.CreateModel(
            name="PersonNameToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="core.person")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("token", "person"),
                                                        name="core_personnametoken_token_person")],
            },
        ),
        migrations.RunPython(fill_name_index, migrations.RunPython.noop, elidable=True),
    ]
