"""The lost race's answer, on SQLite and PostgreSQL alike (races, issue 10, finding 4).

Each test replays the moment a race is lost: the service's own check finds no existing
row (the winner has not committed yet), so the insert meets the database constraint. The
`IntegrityError` must become 409 in the error shape, roll the request back, and leave the
connection usable, never a 500."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care.models import Enrollment, Handover, StatusPeriod
from gridgov.core.models import AuditEntry, Person
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import PersonFactory, Tree, make_resident_id
from tests.security.races import assert_error_shape, check_misses


@pytest.fixture
def officer_api(staff, client_for):
    return client_for(staff["officer"])


@pytest.fixture
def client_for(db):
    from rest_framework.test import APIClient

    from tests.factories import make_api_token

    def make(user):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
        return client

    return make


def test_a_second_person_with_the_same_resident_id_is_refused_by_the_database(officer_api):
    resident_id = make_resident_id(birth="19750505", seq=7)
    PersonFactory(resident_id=resident_id)
    audit_before = AuditEntry.objects.count()

    with check_misses(Person):
        response = officer_api.post("/api/v1/people/", {"name": "王五", "resident_id": resident_id,
                                                        "org_code": Tree.CELL_A1}, format="json")

    body = assert_error_shape(response, 409, {"duplicate"})
    assert body["fields"] == {"resident_id": ["Cannot be registered here."]}
    assert Person.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before
    # the connection is usable afterwards (PostgreSQL would refuse if the transaction were left aborted)
    assert officer_api.get("/api/v1/people/").status_code == 200


def test_the_constraint_allows_the_id_again_once_the_record_is_merged(db, tree):
    resident_id = make_resident_id(birth="19750505", seq=8)
    kept = PersonFactory(resident_id=resident_id)
    # a merged record keeps its row and its ID, for history
    PersonFactory(resident_id=resident_id, merged_into=kept)

    assert Person.objects.filter(resident_id_index=kept.resident_id_index).count() == 2


def test_two_live_records_with_one_resident_id_cannot_be_stored_at_all(db, tree):
    from django.db import IntegrityError, transaction

    resident_id = make_resident_id(birth="19750505", seq=9)
    PersonFactory(resident_id=resident_id)

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(resident_id=resident_id)


def test_a_second_active_enrollment_in_the_program_is_409(officer_api, staff, patient):
    enroll(staff, patient, program="elderly", details={}, legal_basis="", consent=True)
    body = {"person": patient.pk, "program": "elderly", "org_code": patient.org_code,
            "start_date": timezone.localdate().isoformat(), "consent": True, "details": {}}

    with check_misses(Enrollment):
        response = officer_api.post("/api/v1/enrollments/", body, format="json")

    assert_error_shape(response, 409, {"duplicate"})
    assert Enrollment.objects.filter(person=patient, program="elderly").count() == 1


def test_a_second_pending_handover_is_409(officer_api, staff, patient):
    enrollment = enroll(staff, patient)
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    body = {"enrollment": enrollment.pk, "to_org_code": Tree.CELL_A2, "reason": "move", "due_date": due}
    assert officer_api.post("/api/v1/handovers/", body, format="json").status_code == 201

    with check_misses(Handover):
        response = officer_api.post("/api/v1/handovers/", body, format="json")

    assert_error_shape(response, 409, {"conflict"})
    assert Handover.objects.filter(enrollment=enrollment).count() == 1


def test_a_second_open_hospital_stay_is_409(client_for, staff, patient):
    enrollment = enroll(staff, patient)
    doctor = client_for(staff["doctor"])
    url = f"/api/v1/enrollments/{enrollment.pk}/status/"
    assert doctor.post(url, {"kind": "hospital"}, format="json").status_code == 201

    with check_misses(StatusPeriod):
        response = doctor.post(url, {"kind": "hospital"}, format="json")

    assert_error_shape(response, 409, {"conflict"})
    assert StatusPeriod.objects.filter(enrollment=enrollment).count() == 1


def test_the_person_form_shows_the_lost_race_as_a_form_error(client, staff):
    resident_id = make_resident_id(birth="19750505", seq=10)
    PersonFactory(resident_id=resident_id)
    client.force_login(staff["officer"])

    with check_misses(Person):
        response = client.post("/people/new/", {"name": "王五", "resident_id": resident_id,
                                                 "org_code": Tree.CELL_A1}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert "Cannot be registered here." in response.content.decode()
    assert Person.objects.count() == 1
