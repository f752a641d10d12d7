"""Enrollments over the API: enrolling (schedule, validation, duplicates, idempotency), the
masked list and its filters, opening the record with a logged purpose, two-way
confirmation and exit."""

import datetime
from urllib.parse import quote

import pytest

from gridgov.care.models import Enrollment, TeamMember
from gridgov.core.models import AuditEntry, IdempotencyRecord
from tests.care_api.conftest import (
    BASICALLY_STABLE,
    ENROLLMENTS,
    STABLE,
    START,
    TODAY,
    UNSTABLE,
    enroll,
    enrollment_url,
)
from tests.factories import PersonFactory, Tree


def enrollment_body(person, **overrides) -> dict:
    return {
        "person": person.pk,
        "program": "smd",
        "org_code": person.org_code,
        "start_date": START.isoformat(),
        "legal_basis": "《精神卫生法》第二十四条",
        "team": [
            {"username": "gw", "role": "grid_worker"},
            {"username": "doctor", "role": "psychiatrist"},
            {"name": "陈母", "contact": "13800001111", "role": "guardian"},
        ],
        "details": STABLE,
        **overrides,
    }


# --- enrolling ------------------------------------------------------------------------------


@pytest.mark.parametrize("details, next_due", [
    (UNSTABLE, START + datetime.timedelta(days=14)),
    (BASICALLY_STABLE, START + datetime.timedelta(days=14)),
    (STABLE, datetime.date(2027, 2, 2)),  # three calendar months
])
def test_enrolling_schedules_the_first_follow_up_by_the_classification(clients, patient, details, next_due):
    # when
    response = clients["officer"].post(ENROLLMENTS, enrollment_body(patient, details=details), format="json")

    # then
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    enrollment = Enrollment.objects.get()
    assert body["id"] == enrollment.pk
    assert body["next_due_date"] == next_due.isoformat()
    assert body["high_risk"] is (details["risk_level"] >= 3)
    assert (body["program"], body["org_code"], body["start_date"]) == ("smd", Tree.CELL_A1, "2026-11-02")
    assert body["person"] == {"id": patient.pk, "name": "陈明"}
    assert body["retention_until"] == "2031-11-02"
    assert body["status"] == ("due" if next_due <= TODAY else "not_due")
    assert [(m["username"], m["name"], m["role"]) for m in body["team"]] == [
        ("gw", "gw", "grid_worker"), ("doctor", "doctor", "psychiatrist"), (None, "陈母", "guardian")]
    assert AuditEntry.objects.filter(action="care.enroll", person_id=patient.pk).count() == 1


def test_consent_alone_is_enough_and_the_retention_date_may_be_given(clients, patient):
    response = clients["officer"].post(ENROLLMENTS, enrollment_body(
        patient, program="elderly", legal_basis="", consent=True, details={"living_alone": True}, team=[],
        retention_until="2029-12-31"), format="json")

    assert response.status_code == 201
    assert (response.json()["consent"], response.json()["retention_until"]) == (True, "2029-12-31")


@pytest.mark.parametrize("overrides, field", [
    ({"details": {"risk_level": 7, "classification": "stable"}}, "details.risk_level"),
    ({"details": {"risk_level": 4, "classification": "stable"}}, "details.classification"),
    ({"details": {"risk_level": 0, "classification": "stable", "favourite_colour": "x"}}, "details"),
    ({"details": "not an object"}, "details"),
    ({"legal_basis": "", "consent": False}, "legal_basis"),
    ({"program": "astronauts"}, "program"),
    ({"org_code": "990101001001999"}, "org_code"),
    ({"start_date": "2026-02-30"}, "start_date"),
    ({"team": [{"username": "nobody", "role": "doctor"}]}, "team.0.username"),
    ({"team": [{"role": "family"}]}, "team.0.username"),
    ({"team": [{"name": "陈母", "role": "aunt"}]}, "team.0.role"),
    ({"team": [{"username": "officer_b", "role": "officer"}]}, "team.0"),  # works in another county
])
def test_invalid_input_is_400_with_the_field_and_changes_nothing(clients, patient, overrides, field):
    audit_before = AuditEntry.objects.count()

    response = clients["officer"].post(ENROLLMENTS, enrollment_body(patient, **overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"]
    assert field in body["fields"], body["fields"]
    assert Enrollment.objects.count() == 0 and TeamMember.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_enrolling_the_same_person_twice_in_a_program_is_409(clients, patient):
    first = clients["officer"].post(ENROLLMENTS, enrollment_body(patient), format="json")
    again = clients["officer"].post(ENROLLMENTS, enrollment_body(patient), format="json")

    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["code"] == "duplicate"
    assert Enrollment.objects.count() == 1


def test_a_person_outside_the_area_is_404(clients, tree):
    elsewhere = PersonFactory(org_code=Tree.CELL_B1)

    response = clients["officer"].post(ENROLLMENTS, enrollment_body(elsewhere), format="json")

    assert response.status_code == 404
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("who", ["gw", "doctor", "station"])
def test_roles_that_may_not_enroll_get_403_before_validation(clients, patient, who):
    response = clients[who].post(ENROLLMENTS, {"program": ""}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_resubmitting_with_the_same_idempotency_key_returns_the_first_answer(clients, staff, patient):
    client = clients["officer"]

    first = client.post(ENROLLMENTS, enrollment_body(patient), format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")
    again = client.post(ENROLLMENTS, enrollment_body(patient), format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Enrollment.objects.count() == 1
    assert AuditEntry.objects.filter(action="care.enroll").count() == 1
    assert IdempotencyRecord.objects.filter(user=staff["officer"], key="enrol-1").count() == 1


def test_the_idempotency_key_may_come_in_the_body(clients, patient):
    body = enrollment_body(patient, idempotency_key="enrol-body")

    first = clients["officer"].post(ENROLLMENTS, body, format="json")
    again = clients["officer"].post(ENROLLMENTS, body, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert "idempotency_key" not in first.json()
    assert Enrollment.objects.count() == 1


# --- the list -------------------------------------------------------------------------------


def test_the_officer_sees_programs_and_risk(clients, staff, patient):
    enrollment = enroll(staff, patient, details=UNSTABLE)

    response = clients["officer"].get(ENROLLMENTS)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"next": None, "previous": None, "results": [{
        "id": enrollment.pk, "person": {"id": patient.pk, "name": "陈明"}, "program": "smd",
        "org_code": Tree.CELL_A1, "start_date": "2026-11-02", "status": "due", "next_due_date": "2026-11-16",
        "last_visit_date": None, "high_risk": True,
    }]}


def test_a_grid_worker_on_the_team_sees_that_a_visit_is_needed_not_why(clients, staff, patient, tree):
    enroll(staff, patient, details=UNSTABLE)
    elder = PersonFactory(org_code=Tree.CELL_A1)
    enroll(staff, elder, program="elderly", details={"living_alone": True})

    rows = clients["gw"].get(ENROLLMENTS).json()["results"]

    assert [(r["person"]["id"], r["program"], r["high_risk"]) for r in rows] == [
        (patient.pk, "***", None), (elder.pk, "elderly", None)]
    assert rows[0]["status"] == "due"


def test_a_grid_worker_cannot_probe_a_sensitive_program(clients, staff, patient, tree):
    enroll(staff, patient)
    elder = PersonFactory(org_code=Tree.CELL_A1)
    enroll(staff, elder, program="elderly", details={"living_alone": True})

    probe = clients["gw"].get(ENROLLMENTS, {"program": "smd"})
    allowed = clients["gw"].get(ENROLLMENTS, {"program": "elderly"})

    assert probe.status_code == 403
    assert [r["person"]["id"] for r in allowed.json()["results"]] == [elder.pk]
    assert [r["program"] for r in clients["doctor"].get(ENROLLMENTS, {"program": "smd"}).json()["results"]] == ["smd"]


def test_the_list_filters_by_status_and_due_date(clients, staff, patient, tree):
    due = enroll(staff, patient, details=BASICALLY_STABLE)  # due 16 November
    later = enroll(staff, PersonFactory(org_code=Tree.CELL_A1), details=STABLE)  # due 2 February
    client = clients["officer"]

    def ids(**params):
        return [r["id"] for r in client.get(ENROLLMENTS, params).json()["results"]]

    assert ids(status="due") == [due.pk]
    assert ids(status="not_due") == [later.pk]
    assert ids(due_before="2026-11-16") == [due.pk]
    assert ids(due_before="2027-02-02") == [due.pk, later.pk]
    assert ids(org=Tree.CELL_A2) == []
    assert client.get(ENROLLMENTS, {"status": "sleeping"}).status_code == 400
    assert client.get(ENROLLMENTS, {"org": Tree.CELL_B1}).status_code == 404


def test_other_areas_and_above_the_county_see_no_rows(clients, staff, patient):
    enroll(staff, patient)

    assert clients["officer_b"].get(ENROLLMENTS).json()["results"] == []
    assert clients["gw_other"].get(ENROLLMENTS).json()["results"] == []
    assert clients["city_officer"].get(ENROLLMENTS).json()["results"] == []


@pytest.mark.parametrize("who", ["station"])
def test_station_staff_get_403_on_the_care_endpoints(clients, staff, patient, who):
    enrollment = enroll(staff, patient)
    client = clients[who]

    responses = [
        client.get(ENROLLMENTS), client.get(enrollment_url(enrollment), {"purpose": "care_follow_up"}),
        client.get("/api/v1/care/today/"), client.get("/api/v1/care/metrics/"), client.get("/api/v1/handovers/"),
        client.get("/api/v1/care/payments/"),
        client.post(enrollment_url(enrollment, "visits/"), {"date": "2026-11-24", "form": "home"}, format="json"),
        client.post(enrollment_url(enrollment, "crises/"), {"description": "x", "reported_by": "other"},
                    format="json"),
        client.post(enrollment_url(enrollment, "acknowledge/")),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("who, queries", [
    ("officer", 3),  # token, roles, one page
    ("gw", 4),  # token, roles, the grid worker's cells, one page
])
def test_listing_enrollments_costs_the_same_queries_whatever_their_number(
    clients, staff, tree, django_assert_num_queries, count, who, queries
):
    for index in range(count):
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1), details=UNSTABLE if index % 2 else STABLE)
    client = clients[who]

    with django_assert_num_queries(queries):
        response = client.get(ENROLLMENTS)

    assert len(response.json()["results"]) == count


def test_pages_follow_the_cursor(clients, staff, tree):
    for _ in range(5):
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1))
    client = clients["officer"]

    first = client.get(ENROLLMENTS, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert (len(first["results"]), len(second["results"]), second["next"]) == (3, 2, None)


# --- one enrollment: the full record asks a purpose ------------------------------------------------


def test_opening_the_full_record_requires_a_purpose_and_logs_nothing_without(clients, staff, patient):
    enrollment = enroll(staff, patient)
    before = AuditEntry.objects.count()

    for params in ({}, {"purpose": "看"}, {"purpose": "季度随访前复核病情"}, {"purpose": "other"}):
        response = clients["officer"].get(enrollment_url(enrollment), params)
        assert response.status_code == 400
        assert response.json()["code"] == "purpose_required"
        assert {"purpose", "note"} & set(response.json()["fields"])
    assert AuditEntry.objects.count() == before


def test_opening_the_full_record_with_a_purpose_shows_it_and_logs_the_purpose(clients, staff, patient):
    # given an enrollment with a follow-up and a hospital stay
    from gridgov.care import services

    enrollment = enroll(staff, patient, details=UNSTABLE | {"diagnosis": "精神分裂症"})
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home", notes="睡眠差",
                          details=UNSTABLE, needs=["treatment"])
    services.status_begin(actor=staff["doctor"], enrollment=enrollment, kind="hospital", start=TODAY)

    # when
    response = clients["doctor"].get(enrollment_url(enrollment), {"purpose": "care_follow_up", "note": "季度随访前复核病情"})

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["masked"] is False
    assert (body["program"], body["details"]["diagnosis"], body["high_risk"]) == ("smd", "精神分裂症", True)
    assert body["legal_basis"] == "《精神卫生法》第二十四条"
    [visit] = body["visits"]
    assert (visit["date"], visit["form"], visit["visited_by"], visit["notes"]) == ("2026-11-24", "home", "doctor", "睡眠差")
    assert (visit["needs"], visit["details"]["risk_level"]) == (["treatment"], 4)
    assert [(p["kind"], p["start"], p["end"]) for p in body["status_periods"]] == [("hospital", "2026-11-24", None)]
    assert body["status"] == "hospitalized"
    assert {m["name"] for m in body["team"]} == {"gw", "doctor", "陈母"}
    [entry] = AuditEntry.objects.filter(action="care.open_record")
    assert (entry.actor_username, entry.purpose, entry.person_id, entry.object_id) == (
        "doctor", "care_follow_up: 季度随访前复核病情", patient.pk, str(enrollment.pk))
    assert "精神分裂症" not in entry.changes


def test_the_purpose_may_come_in_a_header(clients, staff, patient):
    enrollment = enroll(staff, patient)

    response = clients["officer"].get(enrollment_url(enrollment), HTTP_X_PURPOSE=quote("other: 办理监护补贴审核"))

    assert response.status_code == 200
    assert AuditEntry.objects.get(action="care.open_record").purpose == "other: 办理监护补贴审核"


def test_a_grid_worker_gets_the_masked_record_without_a_purpose(clients, staff, patient):
    from gridgov.care import services

    enrollment = enroll(staff, patient, details=UNSTABLE)
    services.visit_record(actor=staff["gw"], enrollment=enrollment, date=TODAY, form="home", notes="情绪稳定",
                          needs=["income"])

    response = clients["gw"].get(enrollment_url(enrollment))

    assert response.status_code == 200
    body = response.json()
    assert body["masked"] is True
    assert (body["program"], body["details"], body["high_risk"], body["legal_basis"]) == ("***", None, None, "***")
    [visit] = body["visits"]
    assert (visit["date"], visit["visited_by"], visit["notes"], visit["details"], visit["needs"]) == (
        "2026-11-24", "gw", "***", None, None)
    roles = {m["username"] or m["name"]: m["role"] for m in body["team"]}
    # issue 10: the doctor's username and name would say what the masked role hides
    assert roles == {"gw": "grid_worker", "***": "***", "陈*": "family"}
    from gridgov.core.masking import mask_phone

    assert [m["contact"] for m in body["team"] if m["role"] == "family"] == [mask_phone("13800001111")]
    assert not AuditEntry.objects.filter(action="care.open_record").exists()


@pytest.mark.parametrize("who", ["gw_other", "officer_b", "city_officer"])
def test_an_enrollment_out_of_reach_is_404(clients, staff, patient, who):
    enrollment = enroll(staff, patient)

    response = clients[who].get(enrollment_url(enrollment), {"purpose": "care_follow_up"})

    assert response.status_code == 404
    assert clients["officer"].get(f"{ENROLLMENTS}999999/", {"purpose": "care_follow_up"}).status_code == 404


# --- two-way confirmation and exit -------------------------------------------------------------


def test_each_team_member_acknowledges_the_case(clients, staff, patient):
    enrollment = enroll(staff, patient, details=UNSTABLE)

    mine = clients["gw"].post(enrollment_url(enrollment, "acknowledge/"))
    not_on_team = clients["officer"].post(enrollment_url(enrollment, "acknowledge/"))

    assert mine.status_code == 200
    assert (mine.json()["enrollment"], mine.json()["username"]) == (enrollment.pk, "gw")
    assert not_on_team.status_code == 403
    assert TeamMember.objects.get(enrollment=enrollment, user=staff["gw"]).acknowledged_at is not None
    assert AuditEntry.objects.filter(action="care.acknowledge").count() == 1


def test_exit_ends_the_enrollment_once(clients, staff, patient):
    enrollment = enroll(staff, patient)
    url = enrollment_url(enrollment, "exit/")

    first = clients["officer"].post(url, {"on": "2026-11-20", "reason": "迁出本市"}, format="json")
    again = clients["officer"].post(url, {"reason": "迁出本市"}, format="json")

    assert first.status_code == 200
    body = first.json()
    assert (body["status"], body["end_date"], body["exit_reason"], body["next_due_date"]) == (
        "exited", "2026-11-20", "迁出本市", None)
    assert again.status_code == 409
    assert clients["officer"].get(ENROLLMENTS).json()["results"] == []


@pytest.mark.parametrize("body, field", [
    ({"on": "2026-11-25", "reason": "迁出本市"}, "on"),
    ({"on": "2026-11-01", "reason": "迁出本市"}, "on"),
    ({"reason": ""}, "reason"),
])
def test_an_invalid_exit_is_400_and_changes_nothing(clients, staff, patient, body, field):
    enrollment = enroll(staff, patient)

    response = clients["officer"].post(enrollment_url(enrollment, "exit/"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_only_officers_end_enrollments(clients, staff, patient):
    enrollment = enroll(staff, patient)

    assert clients["doctor"].post(enrollment_url(enrollment, "exit/"), {"reason": "x"}, format="json").status_code == 403
