"""Every deployment starts with the seeded category tree of the 网格化+ domains."""

from decimal import Decimal

from django.db import migrations

from gridgov.events.catalog import CATEGORY_TREE, DOMAIN_LIMITS


def seed(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    CategoryLimit = apps.get_model("events", "CategoryLimit")
    for code, name, fixable, public in CATEGORY_TREE:
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "parent_id": parent_code, "fixable_on_site": fixable, "is_public": public}
        )
    for domain, by_urgency in DOMAIN_LIMITS.items():
        category = Category.objects.get(code=domain)
        for urgency, hours in by_urgency.items():
            CategoryLimit.objects.get_or_create(
                category=category, urgency=urgency,
                defaults=dict(zip(("dispatch_hours", "accept_hours", "handle_hours", "verify_hours"),
                                  (Decimal(h) for h in hours))),
            )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
