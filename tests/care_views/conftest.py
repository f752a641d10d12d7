"""Fixtures of the care page tests: the staff, patient and enroll helper of tests/care
(officer and doctor in county A, grid workers in cells A1 and A2, an officer of county B,
a city-level officer, station staff), signed-in clients in English, and dates relative to
today (the pages use the real "today" in Asia/Shanghai)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.core.models import Role
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import Tree, make_user

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=30)  # SMD "basically stable": due 14 days later, so overdue today
SMD_DUE = {"risk_level": 1, "classification": "basically_stable"}


@pytest.fixture
def login():
    """A client signed in as `user`, in English (force_login: axes needs a request for passwords)."""

    def _login(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def auditor(tree):
    return make_user("aud", Role.AUDITOR, scope="99")


@pytest.fixture
def due_case(staff, patient):
    """An SMD enrollment in cell A1, due (overdue) today, with gw, doctor and family on the team."""
    return enroll(staff, patient, details={**SMD_DUE, "diagnosis": "精神分裂症"}, start_date=START)


def enroll_due(staff, person, **kwargs):
    kwargs.setdefault("details", dict(SMD_DUE))
    return enroll(staff, person, start_date=kwargs.pop("start_date", START), **kwargs)


__all__ = ["Tree"]
