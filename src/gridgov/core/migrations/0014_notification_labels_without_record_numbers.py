"""Notifications written before this kept a bare record number ("#3") as the label shown
beside their link; such a label names nothing, so it is emptied (the link still opens the
record, and `subject_type`/`subject_id` still say which one)."""

from django.db import migrations


def forward(apps, schema_editor):
    apps.get_model("core", "Notification").objects.filter(subject_label__startswith="#").update(subject_label="")


class Migration(migrations.Migration):
    dependencies = [("core", "0013_hash_recovery_codes")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
