"""What a mediator account can do today, as docs/operator-guide.md and README.md say: the
people of its area and a record opened with a purpose; no dispute cases (the mediation app is
a later issue), and 403 on the register, the care programs and the event lists."""

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.models import Role
from gridgov.core.permissions import Capability as C
from gridgov.core.permissions import capabilities_of
from tests.factories import Tree, make_user


@pytest.fixture
def mediator(tree):
    return make_user("mediator", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)


def test_a_mediator_finds_people_and_opens_a_record_with_a_purpose(mediator):
    assert capabilities_of(mediator) == {C.VIEW_PEOPLE, C.VIEW_PERSON_NAMES, C.OPEN_PERSON_RECORD}


@pytest.mark.parametrize("page", ["register-home", "care-officer", "care-today", "events-queue", "events-inbox"])
def test_a_mediator_has_no_register_care_or_event_pages(mediator, page):
    client = Client()
    client.force_login(mediator)
    assert client.get(reverse(page)).status_code == 403


def test_a_mediator_reads_the_people_list(mediator):
    client = Client()
    client.force_login(mediator)
    assert client.get(reverse("people-list")).status_code == 200
