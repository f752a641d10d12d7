"""Indexes of the event table that PostgreSQL builds in its own way (issue 12).

- `BrinOnPostgresIndex`: BRIN on PostgreSQL, a b-tree elsewhere (SQLite). For a time column
  that grows with the table's physical order (a deadline computed at intake), BRIN keeps one
  summary per range of pages: a few kilobytes for millions of rows, and a month's range
  reads that month's pages only.
- `gridgov.events.online_indexes`: the migration operations that build and drop them
  without stopping intake.
"""

from __future__ import annotations

from django.db import models


class BrinOnPostgresIndex(models.Index):
    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "gridgov.events.indexes.BrinOnPostgresIndex", args, kwargs
