import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture
def anon():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_for(db):
    """A signed-in API client for `user` (token auth, as the mobile apps use), in English."""

    def make(user) -> APIClient:
        from tests.factories import make_api_token

        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()
