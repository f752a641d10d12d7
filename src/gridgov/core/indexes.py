"""The database index every scoped table uses for its org-code prefix."""

from __future__ import annotations

from django.db import models


class PrefixIndex(models.Index):
    """A b-tree index that also serves `LIKE 'prefix%'` on PostgreSQL in any collation."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            self.opclasses = tuple("varchar_pattern_ops" for _ in self.fields)
        else:
            self.opclasses = ()
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.pop("opclasses", None)
        return "gridgov.core.models.PrefixIndex", args, kwargs
