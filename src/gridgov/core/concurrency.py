"""Lost races answer 409, never 500 (races, issue 10).

Two rules make concurrent writes safe on PostgreSQL:
- a check that sums or looks for rows ("60 days at most", "one pending handover") first
  locks the aggregate's parent row, `select_for_update(no_key=True)`, so that the second
  writer waits and then sees the first one's rows (an empty set of child rows locks nothing);
- a database constraint backs every uniqueness rule, and the `IntegrityError` of the writer
  that lost anyway is turned into a `DomainError` at the service boundary.

`conflict_on_integrity_error` is that boundary. Put it *outside* the `transaction.atomic()`
block, so that the block (or its savepoint) has rolled back before the error is raised and
the connection stays usable:

    with conflict_on_integrity_error(_("Already registered.")), transaction.atomic():
        ...
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import IntegrityError

from gridgov.core.exceptions import DomainError, ErrorCode


@contextmanager
def conflict_on_integrity_error(message, *, code: ErrorCode = ErrorCode.CONFLICT, fields: dict | None = None):
    try:
        yield
    except IntegrityError as exc:
        raise DomainError(message, code, fields) from exc


def lock_rows(queryset, *pks) -> list:
    """Lock the given rows of one model in primary-key order (a fixed order, so that two
    writers locking the same rows never deadlock), without blocking inserts that refer to
    them (`no_key`: FOR NO KEY UPDATE on PostgreSQL; SQLite serialises writers anyway).
    Returns the primary keys found; the caller re-reads what it checks after the lock."""
    return list(queryset.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
                .values_list("pk", flat=True))
