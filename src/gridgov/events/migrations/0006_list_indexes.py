"""Indexes of the event lists (issue 12): each list filter with its keyset order, partial
indexes over open events only, BRIN on the handling deadline. Built with CREATE INDEX
CONCURRENTLY on PostgreSQL (no write lock on a table of millions of events), hence not atomic.
"""

from django.db import migrations, models

import gridgov.events.indexes
from gridgov.events.online_indexes import AddIndexOnline, RemoveIndexOnline

OPEN = models.Q(("status__in", ["accepted", "dispatched", "handled", "registered", "returned", "suspended",
                                "verified"]))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("events", "0005_field_labels")]

    operations = [
        # (created_at, id) serves everything (created_at) did, and the order of a time window.
        AddIndexOnline(model_name="event",
                       index=models.Index(fields=["created_at", "id"], name="events_event_created_id")),
        RemoveIndexOnline(model_name="event", name="events_event_created"),
        AddIndexOnline(model_name="event", index=models.Index(fields=["department", "created_at", "id"],
                                                              name="events_event_dept_created")),
        AddIndexOnline(model_name="event",
                       index=models.Index(condition=OPEN, fields=["id"], name="events_event_open_id")),
        AddIndexOnline(model_name="event", index=models.Index(condition=OPEN, fields=["department", "status"],
                                                              name="events_event_open_dept")),
        AddIndexOnline(model_name="event", index=models.Index(condition=OPEN, fields=["owner_department", "status"],
                                                              name="events_event_open_owner")),
        # Duplicate hints only ever look for open events: the open part of the old index.
        AddIndexOnline(model_name="event", index=models.Index(condition=OPEN, fields=["category", "lat", "lng"],
                                                              name="events_event_open_point")),
        RemoveIndexOnline(model_name="event", name="events_event_cat_point"),
        AddIndexOnline(model_name="event", index=gridgov.events.indexes.BrinOnPostgresIndex(
            fields=["handle_deadline"], name="events_event_handle_brin")),
        RemoveIndexOnline(model_name="event", name="events_event_handle_deadline"),
    ]
