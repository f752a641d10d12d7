"""Finding 5 (issue 10): no list of personal data is kept by a browser or proxy cache.

Every response to a signed-in user (a session or an API token) carries
`Cache-Control: no-store, private` unless its view chose its own; public pages keep
theirs (none), so that caches may still serve them.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.models import Role
from tests.factories import PersonFactory, Tree, make_api_token, make_user


@pytest.fixture
def worker(tree):
    PersonFactory(name="王小明")
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


@pytest.fixture
def dispatcher(tree):
    return make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A)


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("name,args", [
    ("people-list", []),
    ("register-one-table", [Tree.VILLAGE_A]),
    ("register-buildings", []),
    ("register-places", []),
    ("events-queue", []),
    ("home", []),
])
def test_html_lists_of_a_signed_in_user_are_not_stored(worker, dispatcher, name, args):
    user = dispatcher if name.startswith("events") else worker

    response = page(user).get(reverse(name, args=args))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/api/v1/households/", "/api/v1/buildings/", "/api/v1/places/",
                                 "/api/v1/care/today/", "/api/v1/me/"])
def test_api_lists_read_with_a_token_are_not_stored(worker, url):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(worker)}")

    response = client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_view_that_sets_its_own_cache_control_keeps_it(worker):
    # the people API already said "no-store" itself: the middleware leaves it alone
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(worker)

    assert client.get("/api/v1/people/")["Cache-Control"] == "no-store"


def test_public_answers_are_left_to_the_caches(tree):
    response = Client().get("/open311/v2/services.json")

    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
