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
the admin included — the receivers at the end of this module: org units, grid assignments
(saved, deleted, or added through `OrgUnit.grid_workers`), and users whose name, display
name, activity, scope or department changed (the tree shows a cell's workers by name; a
sign-in, which saves only `last_login`, changes nothing). Several processes or servers
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
from django.db.models.signals import m2m_changed, post_delete, post_save

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


# What the cached tree shows of a user, or decides by (security review, issue 12).
_USER_FIELDS = frozenset({"username", "display_name", "first_name", "last_name", "is_active",
                          "scope_code", "department", "department_id"})


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if created:
        return  # a new account is in no cell yet; its grid assignments drop the tree
    if update_fields is not None and not _USER_FIELDS.intersection(update_fields):
        return
    org_tree_changed()


def _workers_changed(sender, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        org_tree_changed()


def connect_receivers() -> None:
    """Called from `CoreConfig.ready`: single-row saves and deletes of org units, of grid
    assignments (the API lists a cell's workers) and of users invalidate the tree too."""
    from gridgov.core.models import GridAssignment, OrgUnit, User

    for model in (OrgUnit, GridAssignment):
        post_save.connect(_changed, sender=model, dispatch_uid=f"org_cache_{model.__name__}_save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"org_cache_{model.__name__}_delete")
    post_save.connect(_user_saved, sender=User, dispatch_uid="org_cache_User_save")
    post_delete.connect(_changed, sender=User, dispatch_uid="org_cache_User_delete")
    m2m_changed.connect(_workers_changed, sender=OrgUnit.grid_workers.through,
                        dispatch_uid="org_cache_grid_workers_changed")
