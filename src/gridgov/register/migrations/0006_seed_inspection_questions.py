"""Every deployment starts with an inspection checklist for each place kind (issue 11 §C)."""

from django.db import migrations

from gridgov.register.inspection_catalog import seed_inspection_questions


def seed(apps, schema_editor):
    seed_inspection_questions(apps.get_model("register", "InspectionQuestion"))


class Migration(migrations.Migration):
    dependencies = [("register", "0005_inspection_rounds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
