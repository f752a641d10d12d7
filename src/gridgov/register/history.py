"""Field history of register records: every change is kept, never overwritten silently."""

from __future__ import annotations

import datetime

from django.db import models

from gridgov.register.models import ChangeSource, FieldChange


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def apply_changes(
    *, obj: models.Model, changes: dict, actor, source: str = ChangeSource.EDIT, approved_by=None
) -> list[str]:
    """Set the changed attributes on `obj`, save them, and record one FieldChange each.

    Returns the names of the fields that really changed (equal values are skipped).
    """
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    if not changed:
        return []
    rows = []
    for name in changed:
        rows.append(
            FieldChange(
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                field=name,
                old_value=as_text(getattr(obj, name)),
                new_value=as_text(changes[name]),
                source=source,
                changed_by=actor if getattr(actor, "is_authenticated", False) else None,
                approved_by=approved_by,
                org_code=getattr(obj, "org_code", ""),
            )
        )
        setattr(obj, name, changes[name])
    update_fields = [obj._meta.get_field(name).attname for name in changed]
    if any(f.name == "updated_at" for f in obj._meta.fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    FieldChange.objects.bulk_create(rows)
    return changed


def record_creation(*, obj: models.Model, fields: dict, actor, source: str, approved_by=None) -> None:
    """History rows for a new record, so its first values are traceable to a person and source."""
    FieldChange.objects.bulk_create(
        FieldChange(
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            field=name,
            old_value="",
            new_value=as_text(value),
            source=source,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
            approved_by=approved_by,
            org_code=getattr(obj, "org_code", ""),
        )
        for name, value in fields.items()
        if as_text(value) != ""
    )
