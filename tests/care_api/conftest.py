"""Fixtures of the care API tests: the grid and staff of tests/care/conftest.py, a fixed
"today" (24 November 2026, Asia/Shanghai), signed-in API clients and enrollment helpers."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.care.conftest import START, enroll, patient, staff  # noqa: F401

TODAY = datetime.date(2026, 11, 24)
ENROLLMENTS = "/api/v1/enrollments/"
TODAY_URL = "/api/v1/care/today/"
STABLE = {"risk_level": 0, "classification": "stable"}
BASICALLY_STABLE = {"risk_level": 1, "classification": "basically_stable"}
UNSTABLE = {"risk_level": 4, "classification": "unstable"}

__all__ = ["START", "enroll"]


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


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
def clients(staff, client_for):  # noqa: F811
    return {name: client_for(user) for name, user in staff.items()}


def enrollment_url(enrollment, suffix: str = "") -> str:
    return f"{ENROLLMENTS}{enrollment.pk}/{suffix}"
