"""What a mediator account can do, as docs/operator-guide.md and README.md say: the people of
its area by name (to name a party), the cases of its committees (mediation, issue 13), no
person-record powers that no mediation feature uses, and 403 on the register, the care
programs and the event lists."""

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


def test_a_mediator_finds_people_and_works_disputes_without_opening_records(mediator):
    assert capabilities_of(mediator) == {C.VIEW_PEOPLE, C.VIEW_PERSON_NAMES, C.MEDIATE_DISPUTES}


@pytest.mark.parametrize("page", ["register-home", "care-officer", "care-today", "events-queue", "events-inbox"])
def test_a_mediator_has_no_register_care_or_event_pages(mediator, page):
    client = Client()
    client.force_login(mediator)
    assert client.get(reverse(page)).status_code == 403


def test_a_mediator_reads_the_people_list(mediator):
    client = Client()
    client.force_login(mediator)
    assert client.get(reverse("people-list")).status_code == 200
