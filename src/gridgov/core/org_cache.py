"""The org tree from a cache (issue 12): what a scope sees of the tree, kept in Django's cache
and dropped whenever any org unit (or a grid cell's workers) changes.

The tree changes rarely — an import, a rename, a new cell — and is read on every page that
shows a place. Entries are keyed by a *generation* kept in the cache itself and by the
reader's scope (what a user sees of the tree depends on their scope alone, see
`OrgUnitQuerySet`). A change takes a new generation, at once and again after its
transaction commits (so that a reader who filled the cache in between from the old rows is
not believed); old entries are never read again and expire. Reading a cached answer costs
no SQL query.

Every writer of org units calls `org_tree_changed()`: `org_unit_create`, `org_unit_update`,
the tree import, the demo seeder, and — for saves and deletes of single rows anywhere,
the admin included — the receivers at the end of this module. Several processes or servers
must share the cache (`CACHES`: a file cache on one server, Redis across servers) to see
each other's changes.
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

_GENERATION_KEY = "gridgov:orgtree:generation"
TIMEOUT = 24 * 3600  # seconds; a change makes old entries unreachable long before this


def generation() -> str:
    """The tree's current generation: it changes with every change of the tree."""
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        cache.add(_GENERATION_KEY, str(time.time_ns()), None)
        generation = cache.get(_GENERATION_KEY)
    return str(generation)


def _bump() -> None:
    cache.set(_GENERATION_KEY, str(time.time_ns()), None)


def org_tree_changed() -> None:
    """Forget every cached view of the tree: now, and again when the transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def org_tree_cached(scope: str, what: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value for this scope and question, from the cache while the tree has not
    changed. `what` names the question (e.g. "api-children:320583"); the value must pickle."""
    digest = hashlib.sha256(what.encode()).hexdigest()[:32]  # any text makes a valid cache key
    key = f"gridgov:orgtree:{generation()}:{scope or '-'}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found


def _changed(sender, **kwargs) -> None:
    org_tree_changed()


def connect_receivers() -> None:
    """Called from `CoreConfig.ready`: single-row saves and deletes of org units and of grid
    assignments (the API lists a cell's workers) invalidate the tree too."""
    from gridgov.core.models import GridAssignment, OrgUnit

    for model in (OrgUnit, GridAssignment):
        post_save.connect(_changed, sender=model, dispatch_uid=f"org_cache_{model.__name__}_save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"org_cache_{model.__name__}_delete")
