"""Input that used to be a 500 (robustness, issue 10, finding 12), on every endpoint and
page that takes it: dates at the calendar's edge, deeply nested JSON, NUL characters,
bodies over the size limit. Each answers 4xx in the error shape (pages: the HTML 400
page), or 200 where the value is simply far away, and nothing changes."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from gridgov.core.models import Person, Role
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import Tree, make_api_token, make_resident_id, make_user
from tests.security.races import assert_error_shape


@pytest.fixture
def people(staff):
    return {**staff, "auditor": make_user("auditor", Role.AUDITOR, scope="99"),
            "dispatcher": make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A)}


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def new_person(**overrides) -> dict:
    return {"name": "王五", "resident_id": make_resident_id(birth="19750505", seq=5), "org_code": Tree.CELL_A1,
            **overrides}


# --- dates at the edge of the calendar ---------------------------------------------------------

EDGE_DATES = ["9999-12-31", "0001-01-01"]
DATE_LISTS = [  # (account, path, query parameters)
    ("dispatcher", "/api/v1/events/", ("since", "until")),
    ("auditor", "/api/v1/audit/", ("since", "until")),
    ("officer", "/api/v1/care/payments/", ("since", "until")),
]


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize("who, path, params", DATE_LISTS)
def test_api_date_filters_at_the_calendar_edge_answer_200_or_400(people, who, path, params, day):
    client = api(people[who])
    for param in params:
        response = client.get(path, {param: day})

        assert response.status_code in (200, 400), (path, param, response.content[:300])
        if response.status_code == 400:
            assert_error_shape(response, 400)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_audit_moments_that_leave_pythons_range_in_utc_answer_200(people, moment):
    response = api(people["auditor"]).get("/api/v1/audit/", {"since": moment, "until": moment})

    assert response.status_code in (200, 400)


def test_open_ended_bounds_still_include_everything(people):
    assert api(people["officer"]).post("/api/v1/people/", new_person(), format="json").status_code == 201
    client = api(people["auditor"])
    everything = client.get("/api/v1/audit/").json()["results"]

    bounded = client.get("/api/v1/audit/", {"since": "0001-01-01", "until": "9999-12-31"}).json()["results"]

    assert bounded == everything and everything


@pytest.mark.parametrize("day", EDGE_DATES + ["2026-02-30"])
def test_pages_with_date_filters_at_the_calendar_edge_do_not_fail(client, people, day):
    for who, path in [("dispatcher", "/events/"), ("auditor", "/audit/"), ("officer", "/care/handovers/report.xlsx")]:
        client.force_login(people[who])
        response = client.get(path, {"since": day, "until": day})

        assert response.status_code in (200, 400), (path, response.status_code)


@pytest.mark.parametrize("day", EDGE_DATES + ["2026-02-30"])
def test_open311_request_dates_at_the_calendar_edge(anon_api, day):
    response = anon_api.get("/open311/v2/requests.json", {"start_date": day, "end_date": day})

    assert response.status_code in (200, 400)


@pytest.fixture
def anon_api(db, tree):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


# --- deeply nested JSON ---------------------------------------------------------------------------

JSON_POSTS = [  # (account, path)
    ("officer", "/api/v1/people/"),
    ("officer", "/api/v1/enrollments/"),
    ("dispatcher", "/api/v1/events/"),
    ("officer", "/api/v1/handovers/"),
]


@pytest.mark.parametrize("who, path", JSON_POSTS)
def test_100000_levels_of_brackets_are_a_400(people, who, path):
    response = api(people[who]).post(path, "[" * 100_000, content_type="application/json")

    assert_error_shape(response, 400)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("who, path", JSON_POSTS)
def test_json_nested_past_the_limit_is_a_400_and_within_it_is_read(people, who, path):
    deep = {"name": "王五"}
    for _ in range(40):
        deep = {"x": deep}

    response = api(people[who]).post(path, {**new_person(), "details": deep}, format="json")

    body = assert_error_shape(response, 400)
    assert "nested too deeply" in body["message"]


def test_a_visit_form_with_deep_json_details_is_a_400(people, patient):
    enrollment = enroll(people, patient)

    response = api(people["doctor"]).post(f"/api/v1/enrollments/{enrollment.pk}/visits/", {
        "date": "2026-11-20", "form": "phone", "details": "[" * 100_000}, format="multipart")

    assert_error_shape(response, 400)
    assert "details" in response.json()["fields"]


# --- NUL characters --------------------------------------------------------------------------------

@pytest.mark.parametrize("who, path, param", [
    ("officer", "/api/v1/people/", "q"),
    ("dispatcher", "/api/v1/events/", "org"),
    ("auditor", "/api/v1/audit/", "actor"),
    ("officer", "/api/v1/enrollments/", "org"),
    ("officer", "/api/v1/handovers/", "status"),
])
def test_a_nul_in_a_query_parameter_is_a_400(people, who, path, param):
    response = api(people[who]).get(path, {param: "99\x0001"})

    body = assert_error_shape(response, 400, {"invalid"})
    assert body["fields"] == {param: ["Text may not contain NUL characters."]}


@pytest.mark.parametrize("field", ["name", "address", "phone"])
def test_a_nul_in_a_json_text_field_is_a_400_and_registers_nobody(people, field):
    response = api(people["officer"]).post("/api/v1/people/", new_person(**{field: "幸福\x00路"}), format="json")

    body = assert_error_shape(response, 400, {"invalid"})
    assert field in body["fields"]
    assert Person.objects.count() == 0


def test_a_nul_in_a_nested_json_key_or_value_is_a_400(people, patient):
    client = api(people["officer"])
    for details in ({"risk_level": 0, "classification": "stable", "no\x00te": 1},
                    {"risk_level": 0, "classification": "stable", "notes": ["a", "b\x00"]}):
        response = client.post("/api/v1/enrollments/", {
            "person": patient.pk, "program": "smd", "org_code": patient.org_code, "start_date": "2026-11-20",
            "legal_basis": "《精神卫生法》", "details": details}, format="json")

        assert_error_shape(response, 400, {"invalid"})
    assert not patient.enrollments.exists()


def test_a_nul_in_a_page_form_or_query_is_the_html_400_page(client, people):
    client.force_login(people["officer"])

    posted = client.post("/people/new/", {**new_person(name="王\x00五")}, HTTP_ACCEPT_LANGUAGE="en")
    searched = client.get("/people/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")

    for response in (posted, searched):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Text may not contain NUL characters." in response.content.decode()
    assert Person.objects.count() == 0


def test_a_nul_in_a_multipart_field_is_a_400(people, patient):
    enrollment = enroll(people, patient)

    response = api(people["doctor"]).post(f"/api/v1/enrollments/{enrollment.pk}/visits/", {
        "date": "2026-11-20", "form": "phone", "notes": "电话\x00随访"}, format="multipart")

    assert_error_shape(response, 400, {"invalid"})
    assert not enrollment.visits.exists()


def test_open311_answers_a_nul_in_its_own_error_format(anon_api):
    response = anon_api.get("/open311/v2/requests.json", {"service_code": "food\x00"})

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "Text may not contain NUL characters."}]


# --- bodies over the size limit -------------------------------------------------------------------

@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
@pytest.mark.parametrize("who, path", JSON_POSTS)
def test_a_json_body_over_the_limit_is_a_400_in_the_error_shape(people, who, path):
    response = api(people[who]).post(path, json.dumps({**new_person(), "note": "很" * 3_000}),
                                     content_type="application/json")

    assert_error_shape(response, 400, {"too_large"})
    assert Person.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_a_multipart_body_over_the_limit_is_a_400_in_the_error_shape(people, patient):
    enrollment = enroll(people, patient)

    response = api(people["doctor"]).post(f"/api/v1/enrollments/{enrollment.pk}/visits/", {
        "date": "2026-11-20", "form": "phone", "notes": "很" * 3_000}, format="multipart")

    assert_error_shape(response, 400, {"too_large"})
    assert not enrollment.visits.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_a_page_form_over_the_limit_is_the_html_400_page(client, people):
    client.force_login(people["officer"])

    response = client.post("/people/new/", {**new_person(), "address": "很" * 3_000}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "The request is too large" in response.content.decode()
    assert Person.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_a_form_with_too_many_fields_is_a_400(client, people):
    client.force_login(people["officer"])

    response = client.post("/people/new/", {f"f{i}": "x" for i in range(50)}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The form has too many fields." in response.content.decode()


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_moment_outside_pythons_range_in_a_body_is_a_400(people, patient, moment):
    enrollment = enroll(people, patient)

    response = api(people["doctor"]).post(f"/api/v1/enrollments/{enrollment.pk}/crises/", {
        "description": "情绪激动", "reported_by": "family", "occurred_at": moment}, format="json")

    assert_error_shape(response, 400)
    assert not enrollment.crises.exists()
