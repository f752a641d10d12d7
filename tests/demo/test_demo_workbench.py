"""The demo leaves the dispatcher fresh reports to dispatch (issue 11: its first workbench item)."""

import pytest

from gridgov.core.models import User
from gridgov.demo.events_data import FRESH_UNDISPATCHED
from gridgov.demo.generator import seed_demo
from gridgov.events.workbench import dispatcher_items


@pytest.fixture
def town(db):
    return seed_demo(scale="town", password="demo-pass-1234", seed=11)


def test_the_dispatchers_first_item_has_fresh_reports_waiting(town):
    dispatcher = User.objects.get(username="dispatcher")
    first = dispatcher_items(dispatcher)[0]

    assert first.key == "events.to_dispatch"
    assert first.count >= FRESH_UNDISPATCHED
