"""What an event's after-commit follow-up still owes (events.tasks.sweep_missed_follow_ups).
The column's database default keeps bulk writers that name their columns (the province's
COPY, the benchmark's INSERT … SELECT) valid; on PostgreSQL adding it rewrites nothing."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0008_intake_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='follow_up_pending',
            field=models.CharField(blank=True, db_default='', default='', max_length=12),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('follow_up_pending', ''), _negated=True), fields=['updated_at'], name='events_event_follow_up_due'),
        ),
    ]
