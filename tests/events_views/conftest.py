"""Fixtures of the event page tests: the grid of tests/factories, the routing of
tests/events/conftest.py (food.unlicensed → the county's market department → its station
in the township), signed-in clients, and the notifications badge wired into the layout."""


import pytest
from django.core.cache import cache
from django.test import Client, TestCase

from gridgov.events.models import Channel
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401

POINT_A1 = {"lat": 31.005, "lng": 120.005}  # inside grid cell 990101001001001


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login():
    """A client signed in as `user`, in English (force_login: axes needs a request for passwords)."""

    def _login(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def report(actor, category="food.unlicensed", channel=Channel.GRID_WORKER, **kwargs):
    fields = {"category_code": category, "description": "路边无证小吃摊", "channel": channel, **POINT_A1, **kwargs}
    return event_submit(actor=actor, submission=Submission(**fields))


def act(actor, event, action, **kwargs):
    return event_act(actor=actor, event=event, request=ActionRequest(action=action, **kwargs))


@pytest.fixture
def event(people, food_rule):
    """A grid worker's food.unlicensed report, routed to the township station, as it stands
    once committed: its follow-up (photo copies, the station's notice) has run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return report(people["gw"], photos=[jpeg()])


@pytest.fixture
def handled_event(people, event):
    act(people["station"], event, "accept")
    return act(people["station"], event, "handle", note="已取缔", photos=[jpeg("after.jpg")])
