"""The OpenAPI schema and its docs page are public and describe the core endpoints."""

import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

CORE_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/me/": {"get"},
    "/api/v1/org-units/": {"get"},
    "/api/v1/org-units/{code}/": {"get"},
    "/api/v1/org-units/locate/": {"get"},
    "/api/v1/departments/": {"get"},
    "/api/v1/departments/{code}/": {"get"},
    "/api/v1/people/": {"get", "post"},
    "/api/v1/people/{person_id}/": {"get"},
    "/api/v1/people/{person_id}/open/": {"post"},
    "/api/v1/audit/": {"get"},
}


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_openapi_3_json_without_signing_in(schema):
    assert schema["openapi"].startswith("3.")
    for path, methods in CORE_PATHS.items():
        assert methods <= set(schema["paths"][path]), path


def test_the_schema_is_yaml_by_default(db):
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    assert "openapi" in response["Content-Type"] or "yaml" in response["Content-Type"]
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_request_and_response_bodies_are_described(schema):
    paths = schema["paths"]
    create = paths["/api/v1/people/"]["post"]
    token = paths["/api/v1/auth/token/"]["post"]

    assert "application/json" in create["requestBody"]["content"]
    assert {"201", "400", "403", "409"} <= set(create["responses"])
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert token.get("security", []) in ([], [{}])  # no sign-in needed to sign in
    assert "application/json" in token["requestBody"]["content"]
    envelope = paths["/api/v1/people/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["$ref"].endswith("PaginatedPersonList")
    listed = schema["components"]["schemas"]["PaginatedPersonList"]["properties"]
    assert set(listed) == {"next", "previous", "results"}
    assert {"code", "message", "fields"} == set(schema["components"]["schemas"]["Error"]["properties"])


def test_the_core_api_schema_generates_without_warnings_and_validates(tmp_path):
    reset_generator_stats()

    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--urlconf", "tests.api.core_only_urls",
        "--file", str(tmp_path / "schema.yaml"),
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_the_docs_page_renders_without_signing_in(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.urls("tests.api.core_only_urls")
def test_an_unknown_api_path_is_a_json_404(client_for, grid_worker):
    response = client_for(grid_worker).get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "There is no such address in the API.", "fields": {}}
