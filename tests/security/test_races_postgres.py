"""Races on PostgreSQL (races, issue 10, finding 4): 20 requests started together, each on
its own connection, as the attack sent them. Caps hold, one live person per resident ID,
and every request that lost answers 409 in the error shape, never 500.

SQLite cannot run these in the test process (its test database lives in memory, shared
between threads by table locks that do not wait); tests/security/test_races_sqlite.py runs
the same races on a file database, and test_races_conflicts.py the 409 path on both.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care.models import Enrollment, GuardianAgreement, Handover, Payment, StatusPeriod
from gridgov.core.models import IdempotencyRecord, Person
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import PersonFactory, Tree, make_api_token, make_resident_id
from tests.security.races import N, assert_error_shape, run_together

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def post_together(user, url: str, body) -> list:
    """Each thread signs in with its own client and posts at the same moment."""
    token = make_api_token(user)

    def attempt(i):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(url, body(i) if callable(body) else body, format="json")

    return run_together(N, attempt)


def statuses(responses) -> list:
    return sorted(r.status_code if hasattr(r, "status_code") else repr(r) for r in responses)


def test_concurrent_subsidies_never_pay_more_than_the_60_day_cap(staff, patient):
    # given an enrollment with no subsidy yet (nothing to lock but the enrollment itself)
    enrollment = enroll(staff, patient)

    # when 20 subsidies of 9 days each (180 days) arrive at once
    responses = post_together(staff["officer"], f"/api/v1/enrollments/{enrollment.pk}/subsidies/",
                              {"kind": "with_guardian", "period_start": "2026-10-01", "period_end": "2026-10-09"})

    # then 6 are paid (54 days) and the other 14 are refused with 409
    assert statuses(responses) == [201] * 6 + [409] * 14
    for response in responses:
        if response.status_code == 409:
            assert_error_shape(response, 409, {"conflict"})
    days = sum(p.days for p in Payment.objects.filter(enrollment=enrollment))
    assert days == 54 <= 60


def test_concurrent_guardian_payments_never_exceed_the_annual_amount(staff, patient):
    enrollment = enroll(staff, patient)
    agreement = GuardianAgreement.objects.create(enrollment=enrollment, guardian_name="陈母", year=2026,
                                                 annual_amount=Decimal("1200"), signed_on=datetime.date(2026, 1, 5))

    responses = post_together(staff["officer"], f"/api/v1/agreements/{agreement.pk}/payments/",
                              {"amount": "150", "period_start": "2026-07-01", "period_end": "2026-09-30",
                               "conditions_met": True})

    assert statuses(responses) == [201] * 8 + [409] * 12
    assert all(assert_error_shape(r, 409, {"conflict"}) for r in responses if r.status_code == 409)
    assert sum(p.amount for p in Payment.objects.filter(agreement=agreement)) == Decimal("1200")


def test_concurrent_registrations_of_one_resident_id_make_one_person(staff):
    resident_id = make_resident_id(birth="19750505", seq=77)

    responses = post_together(staff["officer"], "/api/v1/people/",
                              lambda i: {"name": f"王{i}", "resident_id": resident_id, "org_code": Tree.CELL_A1})

    assert statuses(responses) == [201] + [409] * 19
    for response in responses:
        if response.status_code == 409:
            body = assert_error_shape(response, 409, {"duplicate"})
            assert "resident_id" in body["fields"]
    assert Person.objects.filter(merged_into__isnull=True).count() == 1


def test_concurrent_enrollments_in_one_program_make_one(staff, patient):
    body = {"person": patient.pk, "program": "elderly", "org_code": patient.org_code,
            "start_date": timezone.localdate().isoformat(), "consent": True, "details": {}}

    responses = post_together(staff["officer"], "/api/v1/enrollments/", body)

    assert statuses(responses).count(201) == 1
    assert all(assert_error_shape(r, 409, {"duplicate"}) for r in responses if r.status_code != 201)
    assert Enrollment.objects.filter(person=patient, program="elderly", status="active").count() == 1


def test_concurrent_handovers_of_one_enrollment_make_one(staff, patient):
    enrollment = enroll(staff, patient)
    body = {"enrollment": enrollment.pk, "to_org_code": Tree.CELL_A2, "reason": "move",
            "due_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()}

    responses = post_together(staff["officer"], "/api/v1/handovers/", body)

    assert statuses(responses) == [201] + [409] * 19
    assert all(assert_error_shape(r, 409, {"conflict"}) for r in responses if r.status_code == 409)
    assert Handover.objects.filter(enrollment=enrollment, status="pending").count() == 1


def test_concurrent_hospital_admissions_open_one_stay(staff, patient):
    enrollment = enroll(staff, patient)

    responses = post_together(staff["doctor"], f"/api/v1/enrollments/{enrollment.pk}/status/", {"kind": "hospital"})

    assert statuses(responses) == [201] + [409] * 19
    assert all(assert_error_shape(r, 409, {"conflict"}) for r in responses if r.status_code == 409)
    assert StatusPeriod.objects.filter(enrollment=enrollment, end__isnull=True).count() == 1


def test_twenty_retries_with_one_key_create_one_person_and_all_get_its_answer(staff):
    body = {"name": "李四", "resident_id": make_resident_id(birth="19760606", seq=88), "org_code": Tree.CELL_A1}
    token = make_api_token(staff["officer"])

    def attempt(i):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post("/api/v1/people/", body, format="json", HTTP_IDEMPOTENCY_KEY="one-key")

    responses = run_together(N, attempt)

    assert statuses(responses) == [201] * N
    assert len({r.json()["id"] for r in responses}) == 1
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="one-key").count() == 1


def test_twenty_registrations_of_different_people_all_succeed(staff):
    # no false conflicts: the lock and the constraint only stop what really collides
    responses = post_together(staff["officer"], "/api/v1/people/", lambda i: {
        "name": f"赵{i}", "resident_id": make_resident_id(birth="19770707", seq=100 + i), "org_code": Tree.CELL_A1})

    assert statuses(responses) == [201] * N
    assert Person.objects.count() == N


def test_a_lone_person_of_another_id_is_not_blocked_by_the_cap_lock(staff, patient):
    other = PersonFactory(org_code=Tree.CELL_A1)
    first, second = enroll(staff, patient), enroll(staff, other)
    urls = [f"/api/v1/enrollments/{e.pk}/subsidies/" for e in (first, second)]
    token = make_api_token(staff["officer"])

    def attempt(i):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(urls[i % 2], {"kind": "with_guardian", "period_start": "2026-10-01",
                                         "period_end": "2026-10-06"}, format="json")

    responses = run_together(N, attempt)

    # 6-day subsidies: 10 fit each enrollment's 60 days, so every one is paid
    assert statuses(responses) == [201] * N
    assert [sum(p.days for p in Payment.objects.filter(enrollment=e)) for e in (first, second)] == [60, 60]
