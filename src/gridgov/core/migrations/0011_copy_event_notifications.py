"""notify (issue 11): the notifications the event loop kept (`events.Notification`) become
core's, with the event as their subject and its page as their link. The events migration
that removes the old table runs after this one."""

from django.db import migrations


def copy_event_notifications(apps, schema_editor):
    try:
        Old = apps.get_model("events", "Notification")
    except LookupError:  # a database created after the events table was removed
        return
    New = apps.get_model("core", "Notification")
    batch = []
    for old in Old.objects.select_related("event").order_by("id").iterator(chunk_size=2000):
        event = old.event
        new = New(user_id=old.user_id, kind=old.kind, text=old.text, read_at=old.read_at,
                  link=f"/events/{event.pk}/" if event else "", org_code=event.org_code if event else "",
                  subject_type="events.event" if event else "", subject_id=event.pk if event else None,
                  subject_label=event.code if event else "")
        batch.append((new, old.created_at))
        if len(batch) >= 2000:
            _flush(New, batch)
            batch = []
    _flush(New, batch)


def _flush(New, batch):
    rows = New.objects.bulk_create([new for new, _at in batch])
    # created_at is auto_now_add: set the original times afterwards.
    for row, (_new, at) in zip(rows, batch, strict=True):
        New.objects.filter(pk=row.pk).update(created_at=at)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0010_notifications"),
        ("events", "0003_event_place"),
    ]

    operations = [
        migrations.RunPython(copy_event_notifications, migrations.RunPython.noop),
    ]
