"""Finding 13 (lockout): axes locked (username, address) pairs, so a guesser who changed
address kept guessing, and a sprayer trying one password on many accounts was never stopped.
Now an account locks after GRIDGOV_LOGIN_FAILURE_LIMIT failures from any addresses, and an
address after GRIDGOV_LOGIN_ADDRESS_LIMIT failures on any accounts — page and API alike."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.models import Role
from tests.factories import TEST_PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def api_sign_in(username, password, address):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password}, format="json")


def page_sign_in(username, password, address):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


@override_settings(AXES_FAILURE_LIMIT=3, GRIDGOV_LOGIN_ADDRESS_LIMIT=100)
def test_an_account_locks_after_failures_from_different_addresses_on_the_api(grid_worker):
    # given a guesser who uses a new address for every guess
    for n in range(2):
        assert api_sign_in("gw", f"guess-{n}", f"10.0.0.{n + 1}").status_code == 400

    third = api_sign_in("gw", "guess-3", "10.0.0.3")

    # then the account is locked, from any address, even with the right password
    assert third.status_code == 429 and third.json()["code"] == "locked_out"
    right = api_sign_in("gw", TEST_PASSWORD, "192.168.7.7")
    assert right.status_code == 429 and right.json()["code"] == "locked_out"


@override_settings(AXES_FAILURE_LIMIT=3, GRIDGOV_LOGIN_ADDRESS_LIMIT=100)
def test_an_account_locks_after_failures_from_different_addresses_on_the_page(grid_worker):
    for n in range(3):
        page_sign_in("gw", f"guess-{n}", f"10.0.1.{n + 1}")

    response = page_sign_in("gw", TEST_PASSWORD, "192.168.7.8")

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def _many_accounts(tree, count):
    return [make_user(f"user{n}", Role.DISPATCHER, scope="9901").username for n in range(count)]


@override_settings(AXES_FAILURE_LIMIT=5, GRIDGOV_LOGIN_ADDRESS_LIMIT=6)
def test_one_address_spraying_many_accounts_is_locked_on_the_api(tree):
    names = _many_accounts(tree, 8)
    sprayer = "203.0.113.9"
    # one guess per account: no account reaches its own limit
    answers = [api_sign_in(name, "Spring2026!", sprayer).status_code for name in names[:6]]
    assert answers == [400] * 5 + [429]  # the sixth failure reaches the address limit

    # then the address is locked, even for the right password of an untouched account
    locked = api_sign_in(names[7], TEST_PASSWORD, sprayer)
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    # while the same account from its owner's address still signs in
    assert api_sign_in(names[7], TEST_PASSWORD, "198.51.100.1").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=5, GRIDGOV_LOGIN_ADDRESS_LIMIT=6)
def test_one_address_spraying_many_accounts_is_locked_on_the_page(tree):
    names = _many_accounts(tree, 8)
    for name in names[:6]:
        page_sign_in(name, "Spring2026!", "203.0.113.10")

    response = page_sign_in(names[7], TEST_PASSWORD, "203.0.113.10")

    assert response.status_code == 429
    assert page_sign_in(names[7], TEST_PASSWORD, "198.51.100.2").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=5, GRIDGOV_LOGIN_ADDRESS_LIMIT=6)
def test_a_sprayer_cannot_clear_the_address_count_by_signing_in_to_their_own_account(tree):
    names = _many_accounts(tree, 8)
    sprayer = "203.0.113.11"
    for name in names[:5]:
        api_sign_in(name, "Spring2026!", sprayer)

    # the sprayer's own account signs in (that clears only that account's failures)
    assert api_sign_in(names[6], TEST_PASSWORD, sprayer).status_code == 200
    api_sign_in(names[5], "Spring2026!", sprayer)

    assert api_sign_in(names[7], TEST_PASSWORD, sprayer).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3, GRIDGOV_LOGIN_ADDRESS_LIMIT=100)
def test_a_successful_sign_in_clears_the_accounts_failures(grid_worker):
    api_sign_in("gw", "guess-1", "10.0.2.1")
    api_sign_in("gw", "guess-2", "10.0.2.2")
    assert api_sign_in("gw", TEST_PASSWORD, "10.0.2.3").status_code == 200

    assert api_sign_in("gw", "guess-3", "10.0.2.4").status_code == 400
    assert api_sign_in("gw", "guess-4", "10.0.2.5").status_code == 400
