"""The client's address behind the deployment's own proxies (`GRIDGOV_TRUSTED_PROXIES`).

Behind nginx or a load balancer, `REMOTE_ADDR` is the proxy's: every resident would share
one limit, and the audit log would record the proxy. The middleware takes the client's from
`X-Forwarded-For`, believing the header only on a connection from a trusted proxy.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def trusted_proxies(value: str) -> tuple:
    """`GRIDGOV_TRUSTED_PROXIES`: addresses or networks, comma-separated (`10.0.0.5,10.1.0.0/16`)."""
    networks = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"GRIDGOV_TRUSTED_PROXIES: {part!r} is no address or network") from error
    return tuple(networks)


def _trusted(address: str, networks) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in networks)


class TrustedProxyMiddleware:
    """Behind the deployment's own proxies (nginx, a load balancer), `REMOTE_ADDR` becomes the
    client's: the last address of `X-Forwarded-For` that is not one of those proxies. A
    connection from anywhere else keeps its own address, whatever header it sends. The audit
    log, the request log and every limit then see the client."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = getattr(settings, "GRIDGOV_TRUSTED_PROXIES", ())

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if self.networks and forwarded and _trusted(peer, self.networks):
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                if not _trusted(hop, self.networks):
                    try:
                        ipaddress.ip_address(hop)
                    except ValueError:
                        break  # a forged, unparsable hop: keep the proxy's address
                    request.META["REMOTE_ADDR"] = hop
                    break
        return self.get_response(request)
