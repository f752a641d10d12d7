"""The ranking's figures from a cache (issue 12): computed once per (area, tab, period) and
kept for `TTL` seconds, or until an event in the area is closed, returned, reopened,
verified, disputed or cancelled.

The indicators of an area change slowly, and each computation aggregates the month's events
of the whole area. Entries are keyed by a *generation* of the reader's area kept in the cache
itself: every action in `INVALIDATING_ACTIONS` takes a new generation for each area that
holds the event (its county, township, … and the city and province above them), at once and
again after its transaction commits (a reader who filled the cache in between from the old
rows is not believed). Old entries are never read again and expire. A change of the score
rule takes a new generation everywhere. Other changes (an acceptance, an extension, a new
report) show within `TTL` seconds; the page says when its figures were computed.

Several processes or servers must share the cache (`CACHES`: a file cache on one server,
Redis across servers) to see each other's changes, as for the org tree (`core.org_cache`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")

TTL = 120  # seconds
# The actions that move the headline figures (closures, wrong dispatches, verifications).
INVALIDATING_ACTIONS = frozenset({"close", "resolve_on_site", "reopen", "return", "verify", "dispute", "cancel"})
# Org code lengths of province, city, county, township, village and grid cell.
_LEVEL_LENGTHS = (2, 4, 6, 9, 12, 15)
_EVERYWHERE = "*"


def _generation_key(area: str) -> str:
    return f"gridgov:ranking:generation:{area}"


def _areas_of(org_code: str) -> list[str]:
    return [org_code[:n] for n in _LEVEL_LENGTHS if len(org_code) >= n]


def _bump(areas: list[str]) -> None:
    token = str(time.time_ns())
    cache.set_many({_generation_key(area): token for area in areas}, None)


def ranking_changed(*, org_code: str | None = None) -> None:
    """Forget the cached figures of every area that holds `org_code` (of every area when
    None): now, and again when the transaction commits."""
    areas = _areas_of(org_code) if org_code else [_EVERYWHERE]
    _bump(areas)
    transaction.on_commit(lambda: _bump(areas))


def _generations(scope: str) -> str:
    keys = [_generation_key(_EVERYWHERE), _generation_key(scope)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, str(time.time_ns()), None)
            found[key] = cache.get(key)
    return "-".join(str(found[key]) for key in keys)


def ranking_cached(*, scope: str, what: str, compute: Callable[[], T]) -> tuple[T, datetime.datetime]:
    """`compute()`'s value for this area and question (e.g. "station:2026-12-01:2027-01-01")
    and when it was computed: from the cache while the area's figures have not changed and
    for at most `TTL` seconds. The value must pickle."""
    key = f"gridgov:ranking:{_generations(scope)}:{scope or '-'}:{what}"
    found = cache.get(key)
    if found is None:
        found = (compute(), timezone.now())
        cache.set(key, found, TTL)
    return found


def _rule_changed(sender, **kwargs) -> None:
    ranking_changed()


def connect_receivers() -> None:
    """Called from `EventsConfig.ready`: a change of the score rule (the admin edits it)
    changes every area's points and scores."""
    from django.db.models.signals import post_delete, post_save

    from gridgov.events.models import ScoreRule

    post_save.connect(_rule_changed, sender=ScoreRule, dispatch_uid="ranking_cache_rule_save")
    post_delete.connect(_rule_changed, sender=ScoreRule, dispatch_uid="ranking_cache_rule_delete")
