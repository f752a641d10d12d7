"""Idempotency keys reused with another request (races, issue 10, finding 13).

The same key with the same body replays the first answer (however the JSON is spaced or
ordered); with a different body or on a different endpoint it is a 409
`idempotency_key_reused` and creates nothing. Concurrent retries with one key: see
test_races_postgres.py and test_races_sqlite.py."""

import json

import pytest
from rest_framework.test import APIClient

from gridgov.care.models import Visit
from gridgov.core.models import IdempotencyRecord, Person
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import Tree, make_api_token, make_resident_id
from tests.security.races import assert_error_shape

PEOPLE = "/api/v1/people/"


@pytest.fixture
def officer(staff):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(staff['officer'])}")
    return client


def person(**overrides) -> dict:
    return {"name": "王五", "resident_id": make_resident_id(birth="19750505", seq=5), "org_code": Tree.CELL_A1,
            **overrides}


def test_the_same_key_with_a_different_body_is_409_and_creates_nothing(officer):
    first = officer.post(PEOPLE, person(), format="json", HTTP_IDEMPOTENCY_KEY="k1")

    other = officer.post(PEOPLE, person(name="李四", resident_id=make_resident_id(birth="19750505", seq=6)),
                         format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == 201
    body = assert_error_shape(other, 409, {"idempotency_key_reused"})
    assert "idempotency_key" in body["fields"]
    assert list(Person.objects.values_list("name", flat=True)) == ["王五"]


def test_the_same_body_spaced_and_ordered_differently_replays_the_first_answer(officer):
    body = person(phone="13812345678")
    first = officer.post(PEOPLE, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2")

    again = officer.post(PEOPLE, json.dumps(dict(reversed(list(body.items()))), indent=4),
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2")

    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1


def test_the_key_in_the_body_does_not_count_as_a_difference(officer):
    first = officer.post(PEOPLE, {**person(), "idempotency_key": "k3"}, format="json")

    again = officer.post(PEOPLE, person(), format="json", HTTP_IDEMPOTENCY_KEY="k3")

    assert (again.status_code, again.json()) == (201, first.json())


def test_the_same_key_on_another_endpoint_is_409(officer, staff, patient):
    enrollment = enroll(staff, patient)
    assert officer.post(PEOPLE, person(), format="json", HTTP_IDEMPOTENCY_KEY="k4").status_code == 201

    other = officer.post(f"/api/v1/enrollments/{enrollment.pk}/status/", {"kind": "away"}, format="json",
                         HTTP_IDEMPOTENCY_KEY="k4")

    assert_error_shape(other, 409, {"idempotency_key_reused"})
    assert not enrollment.status_periods.exists()


def test_a_multipart_retry_with_other_fields_is_409(staff, patient):
    enrollment = enroll(staff, patient)
    doctor = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    doctor.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(staff['doctor'])}")
    url = f"/api/v1/enrollments/{enrollment.pk}/visits/"
    visit = {"date": "2026-11-20", "form": "phone", "notes": "电话随访",
             "details": json.dumps({"risk_level": 0, "classification": "stable"})}

    first = doctor.post(url, visit, format="multipart", HTTP_IDEMPOTENCY_KEY="k5")
    same = doctor.post(url, visit, format="multipart", HTTP_IDEMPOTENCY_KEY="k5")
    other = doctor.post(url, {**visit, "notes": "上门随访"}, format="multipart", HTTP_IDEMPOTENCY_KEY="k5")

    assert first.status_code == 201 and (same.status_code, same.json()) == (201, first.json())
    assert_error_shape(other, 409, {"idempotency_key_reused"})
    assert Visit.objects.filter(enrollment=enrollment).count() == 1


def test_records_from_before_the_hash_still_replay(officer, staff):
    first = officer.post(PEOPLE, person(), format="json", HTTP_IDEMPOTENCY_KEY="k6")
    IdempotencyRecord.objects.filter(key="k6").update(request_hash="")

    again = officer.post(PEOPLE, person(), format="json", HTTP_IDEMPOTENCY_KEY="k6")

    assert (again.status_code, again.json()) == (201, first.json())
