"""The client's address behind the deployment's own proxies, and the limits that count it:
one resident cannot use up everybody's budget behind nginx, a header from anywhere else is
not believed, and an IPv6 client counts by its /64."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from gridgov.core import ratelimit
from gridgov.core.proxies import TrustedProxyMiddleware, trusted_proxies

NGINX = "10.0.0.5"


def seen(remote: str, forwarded: str = "", proxies: str = "10.0.0.0/8") -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(GRIDGOV_TRUSTED_PROXIES=trusted_proxies(proxies)):
        TrustedProxyMiddleware(lambda r: None)(request)
    return request.META["REMOTE_ADDR"]


def test_the_client_is_the_last_address_not_of_a_trusted_proxy():
    assert seen(NGINX, "203.0.113.9") == "203.0.113.9"
    assert seen(NGINX, "198.51.100.1, 203.0.113.9, 10.0.0.7") == "203.0.113.9"  # a forged first hop is skipped
    assert seen(NGINX, "not-an-address") == NGINX


def test_a_header_sent_from_elsewhere_or_without_trusted_proxies_is_not_believed():
    assert seen("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert seen(NGINX, "198.51.100.1", proxies="") == NGINX


def test_an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_ipv4():
    factory = RequestFactory()

    def key(address):
        return ratelimit.client_key(factory.get("/", REMOTE_ADDR=address))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("::ffff:203.0.113.9") == "203.0.113.9"


@pytest.mark.django_db
def test_behind_nginx_one_client_does_not_use_up_another_residents_look_ups(tree):
    cache.clear()
    with override_settings(GRIDGOV_TRUSTED_PROXIES=trusted_proxies("10.0.0.0/8")):
        prober, resident = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.66"), \
            Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.9")
        answers = [prober.post("/mediate/track/", {"code": "TJ2222222222", "phone_last4": "0000"}).status_code
                   for _n in range(21)]
        assert answers[-1] == 429 and set(answers[:20]) == {404}
        assert resident.post("/mediate/track/", {"code": "TJ2222222222", "phone_last4": "0000"}).status_code == 404
    cache.clear()
