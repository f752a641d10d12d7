"""Rarely changing lookups from a cache (issue 12): the tables every submission reads and an
administrator changes a few times a year — categories and their limits, routing rules,
departments, working calendars — kept in Django's cache under a *generation*, as
`core.org_cache` keeps the org tree.

Each group of tables (`"events.routing"`, `"core.calendars"`…) has its own generation in the
cache; `lookups_changed(group)` takes a new one at once and again when the transaction
commits (so that a reader who filled the cache from the old rows in between is not
believed). `connect(group, *models)` does it for every single-row save and delete of the
models (the admin included); a writer that bypasses signals (`QuerySet.update`,
`bulk_create`) calls `lookups_changed` itself. Reading a cached answer costs no SQL query.
Processes share what they see through the shared cache (`CACHES`: a file cache on one server,
Redis across servers).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

TIMEOUT = 24 * 3600  # seconds; a change makes old entries unreachable long before this
_MISSING = object()


def _generation_key(group: str) -> str:
    return f"gridgov:lookups:{group}:generation"


def generation(group: str) -> str:
    key = _generation_key(group)
    found = cache.get(key)
    if found is None:
        cache.add(key, str(time.time_ns()), None)
        found = cache.get(key)
    return str(found)


def _bump(group: str) -> None:
    cache.set(_generation_key(group), str(time.time_ns()), None)


def lookups_changed(group: str) -> None:
    """Forget every cached lookup of `group`: now, and again when the transaction commits."""
    _bump(group)
    transaction.on_commit(lambda: _bump(group))


def cached(group: str, what: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value for the question `what`, from the cache while `group` has not
    changed. The value must pickle (None is a value too)."""
    digest = hashlib.sha256(what.encode()).hexdigest()[:32]
    key = f"gridgov:lookups:{group}:{generation(group)}:{digest}"
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found


def connect(group: str, *models) -> None:
    """Single-row saves and deletes of `models` change `group` (call from an app's `ready`)."""

    def changed(sender, **kwargs) -> None:
        lookups_changed(group)

    for model in models:
        label = model._meta.label_lower
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"lookups_{group}_{label}_save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"lookups_{group}_{label}_delete")
