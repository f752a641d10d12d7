"""Fixtures of the event API tests: the grid of tests/factories, the routing of
tests/events/conftest.py, and signed-in API clients."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401

POINT_A1 = {"lat": 31.005, "lng": 120.005}  # inside grid cell 990101001001001
POINT_B1 = {"lat": 31.005, "lng": 120.105}  # inside 990102001001001, the other county


@pytest.fixture
def client_for(db):
    """A signed-in API client for `user` (token auth, as the mobile apps use), in English."""

    def make(user) -> APIClient:
        from tests.factories import make_api_token

        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
        return client

    return make


@pytest.fixture
def anon():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(tree):
    from tests.factories import make_user

    return make_user("resident", scope="")


def report(client, headers=None, **fields):
    """POST a grid worker's usual report (food.unlicensed at a point of cell A1)."""
    body = {"category": "food.unlicensed", "description": "路边无证小吃摊", **POINT_A1, **fields}
    return client.post("/api/v1/events/", body, format="json", headers=headers)
