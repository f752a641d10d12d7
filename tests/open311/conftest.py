"""Fixtures of the Open311 tests: the grid, categories and routing of tests/events, and
an Open311 app's key."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from gridgov.core.actors import SystemActor
from gridgov.events import intake_keys
from gridgov.events.models import IntakeKey
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(tree) -> str:
    return intake_keys.intake_key_create(actor=SystemActor("open311_key"), kind=IntakeKey.Kind.OPEN311, name="随手拍 App").secret


@pytest.fixture
def public():
    """No session, no token: Open311 is public to read and key-based to write."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)


def post_request(client, fmt="json", **fields):
    """A form-encoded POST requests.{fmt}, as the spec sends it."""
    from urllib.parse import urlencode

    return client.post(f"{BASE}/requests.{fmt}", urlencode(fields), content_type="application/x-www-form-urlencoded")
