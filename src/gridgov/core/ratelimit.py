"""Limits per client for what anyone may call without signing in (a resident's report, a
request for mediation, a look-up by tracking code).

The client is `REMOTE_ADDR`, which `core.proxies.TrustedProxyMiddleware` sets from the proxy's
`X-Forwarded-For` when the connection comes from a proxy named in `GRIDGOV_TRUSTED_PROXIES`
(and never from a header a client sent directly: a new value per request would pass any
limit). An IPv6 client counts by its /64, the block one household or phone is given.

Counters are atomic (`cache.add` then `cache.incr`), so that requests sent at once cannot
each find the last one left.
"""

from __future__ import annotations

import ipaddress

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


def client_key(request) -> str:
    """The address a limit counts: IPv4 as it is, IPv6 by its /64."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:  # ::ffff:1.2.3.4 is the IPv4 client 1.2.3.4
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(scope: str, request) -> str:
    return f"gridgov:limit:{scope}:{client_key(request)}"


def spend(scope: str, request, *, limit: int, window: int) -> bool:
    """Count one call of `scope` from this client; False when its `limit` for the `window`
    (seconds) was used up already."""
    key = _key(scope, request)
    cache.add(key, 0, window)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return True


def used_up(scope: str, request, *, limit: int) -> bool:
    """True when this client has no call of `scope` left (spends nothing)."""
    return (cache.get(_key(scope, request)) or 0) >= limit


class AddressThrottle(BaseThrottle):
    """The same counter for an API view: `scope`, `limit` calls per `window` seconds."""

    scope = ""
    limit = 0
    window = 3600

    def allow_request(self, request, view) -> bool:
        return spend(self.scope, request, limit=self.limit, window=self.window)

    def wait(self):
        return self.window
