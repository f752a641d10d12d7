"""Registering a person whose resident ID is already on record must not become an oracle
for numbers outside the registering user's area (core.person_duplicates)."""

import pytest
from django.test import override_settings

from gridgov.core.audit_actions import AuditAction
from gridgov.core.models import AuditEntry, Person, Role
from gridgov.core.models_notifications import Notification
from tests.factories import PersonFactory, Tree, make_api_token, make_resident_id, make_user


@pytest.fixture
def worker_api(tree):
    from rest_framework.test import APIClient

    worker = make_user("gw_b", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(worker)}")
    client.user = worker
    return client


def _register(client, resident_id, org_code=Tree.CELL_B1):
    return client.post("/api/v1/people/", {"name": "王五", "resident_id": resident_id, "org_code": org_code},
                       format="json")


def test_a_number_on_record_in_another_area_gets_an_answer_that_names_nothing(worker_api):
    # given a person registered in county A, and a screener there
    existing = PersonFactory(name="张三丰", resident_id=make_resident_id(birth="19600101", seq=3),
                             org_code=Tree.CELL_A1, address="幸福路 8 号")
    screener = make_user("scr_a", Role.SCREENER, scope=Tree.VILLAGE_A)
    other_screener = make_user("scr_b", Role.SCREENER, scope=Tree.VILLAGE_B)

    # when a grid worker of county B registers the same number
    response = _register(worker_api, existing.resident_id)

    # then: 409, no second record, and nothing about the existing one in the answer
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert body["fields"] == {"resident_id": ["Cannot be registered here."]}
    text = response.content.decode()
    for leak in (existing.org_code, Tree.COUNTY_A, str(existing.pk), "张", "幸福路", existing.resident_id):
        assert leak not in text
    assert Person.objects.filter(resident_id_index=existing.resident_id_index).count() == 1
    # the attempt is an identifier lookup: logged (masked) and counted
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_IDENTIFIER_SEARCH, actor_username="gw_b")
    assert "person_create" in str(entry.changes)
    assert existing.resident_id not in entry.object_repr
    # and the screener of the person's area (only) is asked to check it
    assert Notification.objects.filter(user=screener, kind="person_duplicate_attempt").count() == 1
    assert not Notification.objects.filter(user=other_screener).exists()


def test_the_same_answer_as_a_lost_race(worker_api):
    """The out-of-area answer is the one a lost race gives: it cannot tell the two apart."""
    existing = PersonFactory(resident_id=make_resident_id(birth="19600101", seq=4), org_code=Tree.CELL_A1)
    response = _register(worker_api, existing.resident_id)
    from gridgov.core.person_duplicates import generic_refusal

    assert response.json()["message"] == generic_refusal().message


def test_a_number_on_record_in_the_users_own_area_says_so(worker_api):
    existing = PersonFactory(resident_id=make_resident_id(birth="19600101", seq=5), org_code=Tree.CELL_B1)

    response = _register(worker_api, existing.resident_id)

    assert response.status_code == 409
    assert response.json()["fields"] == {"resident_id": ["Already registered."]}
    assert not Notification.objects.filter(kind="person_duplicate_attempt").exists()


@override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=2)
def test_probing_numbers_is_limited_like_an_identifier_search(worker_api):
    people = [PersonFactory(resident_id=make_resident_id(birth="19600101", seq=10 + i), org_code=Tree.CELL_A1)
              for i in range(3)]

    answers = [_register(worker_api, p.resident_id).status_code for p in people]

    assert answers == [409, 409, 429]


def test_a_fresh_number_is_registered_without_a_lookup_entry(worker_api):
    response = _register(worker_api, make_resident_id(birth="19600101", seq=20))

    assert response.status_code == 201
    assert not AuditEntry.objects.filter(action=AuditAction.PERSON_IDENTIFIER_SEARCH).exists()
