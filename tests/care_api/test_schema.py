"""The care endpoints are in the OpenAPI schema, which generates without warnings."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

CARE_PATHS = {
    "/api/v1/enrollments/": {"get", "post"},
    "/api/v1/enrollments/{enrollment_id}/": {"get"},
    "/api/v1/enrollments/{enrollment_id}/acknowledge/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/exit/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/visits/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/status/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/status/end/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/crises/": {"post"},
    "/api/v1/crises/{crisis_id}/actions/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/subsidies/": {"post"},
    "/api/v1/enrollments/{enrollment_id}/agreements/": {"post"},
    "/api/v1/agreements/{agreement_id}/payments/": {"post"},
    "/api/v1/care/payments/": {"get"},
    "/api/v1/care/today/": {"get"},
    "/api/v1/care/metrics/": {"get"},
    "/api/v1/handovers/": {"get", "post"},
    "/api/v1/handovers/{handover_id}/accept/": {"post"},
    "/api/v1/handovers/{handover_id}/reject/": {"post"},
}


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_care_endpoint_is_described(schema):
    for path, methods in CARE_PATHS.items():
        assert methods <= set(schema["paths"][path]), path


def test_the_shapes_of_the_contract(schema):
    components = schema["components"]["schemas"]
    today = schema["paths"]["/api/v1/care/today/"]["get"]["responses"]["200"]["content"]["application/json"]
    create = schema["paths"]["/api/v1/enrollments/"]["post"]
    visits = schema["paths"]["/api/v1/enrollments/{enrollment_id}/visits/"]["post"]

    assert today["schema"]["$ref"].endswith("/CareTodayPage")
    assert set(components["CareTodayPage"]["properties"]) == {"next", "previous", "results", "date", "counts",
                                                               "suppressed"}  # issue 10
    assert set(components["CareTodayRow"]["properties"]) == {"enrollment", "person", "program", "status", "lat", "lng"}
    assert components["CareDayStatus"]["enum"] == ["hospitalized", "away", "visited", "due", "not_due"]
    assert {"id", "next_due_date"} <= set(components["Enrollment"]["properties"])
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert {"201", "400", "403", "404", "409"} <= set(create["responses"])
    assert {"application/json", "multipart/form-data"} <= set(visits["requestBody"]["content"])
    assert set(components["CareCrisis"]["properties"]) >= {"id", "alerted"}


@pytest.mark.urls("tests.care_api.care_only_urls")
def test_the_care_api_schema_generates_without_warnings_and_validates(tmp_path):
    reset_generator_stats()

    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--urlconf", "tests.care_api.care_only_urls",
        "--file", str(tmp_path / "schema.yaml"),
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
