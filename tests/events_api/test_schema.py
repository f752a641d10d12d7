"""The OpenAPI document describes the event endpoints, and generates without warnings."""

import json

from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

EVENT_PATHS = {
    "/api/v1/categories/": {"get"},
    "/api/v1/events/": {"get", "post"},
    "/api/v1/events/{event_id}/": {"get"},
    "/api/v1/events/{event_id}/actions/": {"post"},
    "/api/v1/events/{event_id}/merge/": {"post"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/{notification_id}/read/": {"post"},
    "/api/v1/sensors/events/": {"post"},
}


def test_the_schema_lists_the_event_endpoints_and_not_open311(db):
    schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)

    for path, methods in EVENT_PATHS.items():
        assert methods <= set(schema["paths"][path]), path
    assert not [path for path in schema["paths"] if "open311" in path]
    create = schema["paths"]["/api/v1/events/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(create["requestBody"]["content"])
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert schema["paths"]["/api/v1/sensors/events/"]["post"]["security"] == [{"sensorKey": []}]


def test_the_whole_schema_generates_without_warnings_and_validates(db, tmp_path):
    reset_generator_stats()

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
