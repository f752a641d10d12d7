"""Monthly partitions (issue 12): deliveries, notifications and the audit log become tables
partitioned by month on PostgreSQL, rows kept (`gridgov.core.partitions`). Deliveries go first:
they reference notifications, whose conversion then re-points that foreign key. Nothing on
SQLite; the Django state is unchanged."""

from django.db import migrations

from gridgov.core import partitions


class Migration(migrations.Migration):
    dependencies = [("core", "0015_people_search")]

    operations = partitions.migration_operations(partitions.DELIVERY, partitions.NOTIFICATION, partitions.AUDIT)
