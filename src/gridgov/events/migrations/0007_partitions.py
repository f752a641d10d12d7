"""Monthly partitions (issue 12): the events' timeline becomes a table partitioned by month on
PostgreSQL, rows kept, photos' foreign key re-pointed (`gridgov.core.partitions`). The events
table itself is not partitioned (docs/deployment.md, "Partition maintenance"). Nothing on
SQLite; the Django state is unchanged."""

from django.db import migrations

from gridgov.core import partitions


class Migration(migrations.Migration):
    dependencies = [("events", "0006_list_indexes")]

    operations = partitions.migration_operations(partitions.TIMELINE)
