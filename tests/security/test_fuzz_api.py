"""Bounded fuzzing of the whole REST API against its own OpenAPI schema (schemathesis).

Every operation of `/api/schema/` is called with generated input — valid and invalid —
as several roles and anonymously. No answer may be a 500, and every answer must match the
schema (status codes, content type, body). The run is bounded (a few examples per operation
and role) so that it fits in CI on both databases; `GRIDGOV_FUZZ_EXAMPLES` raises it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi import checks as openapi_checks

from gridgov.core.models import Role
from tests.factories import TEST_PASSWORD, PersonFactory, Tree, build_tree, make_user

EXAMPLES = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "5"))

# The roles whose tokens drive the run; anonymous calls are made too.
FUZZ_ROLES = {
    "anonymous": None,
    "grid_worker": (Role.GRID_WORKER, Tree.CELL_A1),
    "program_officer": (Role.PROGRAM_OFFICER, Tree.COUNTY_A),
    "dispatcher": (Role.DISPATCHER, Tree.COUNTY_A),
    "auditor": (Role.AUDITOR, "99"),
}


# The (role, mode) runs of CI; GRIDGOV_FUZZ_ALL=1 runs every role in both modes.
RUNS = (
    [(role, mode) for role in sorted(FUZZ_ROLES) for mode in GenerationMode]
    if os.environ.get("GRIDGOV_FUZZ_ALL")
    else [
        ("anonymous", GenerationMode.POSITIVE),
        ("grid_worker", GenerationMode.POSITIVE),
        ("program_officer", GenerationMode.POSITIVE),
        ("program_officer", GenerationMode.NEGATIVE),
    ]
)


def _headers_for(role_name: str) -> dict:
    build_tree()
    PersonFactory.create_batch(3)
    spec = FUZZ_ROLES[role_name]
    if spec is None:
        return {}
    role, scope = spec
    cells = [Tree.CELL_A1] if role == Role.GRID_WORKER else []
    user = make_user(f"fuzz-{role_name}", role, scope=scope, cells=cells)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Token {response.json()['token']}"}


@functools.cache
def _schema_document() -> dict:
    """The OpenAPI document, generated once per run (drf-spectacular takes seconds)."""
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _operations():
    schema = schemathesis.openapi.from_dict(_schema_document())
    schema.app = get_wsgi_application()
    for result in schema.get_all_operations():
        yield result.ok()


CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _fuzz(operation, mode, headers) -> str | None:
    """Run one operation's bounded examples; return the first failure's text, if any."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Negative mode on an operation without parameters or body: nothing can be invalid.
        return None
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is reported, with its operation
        return f"{operation.label} ({mode}): {exc}"[:3000]
    return None


@contextlib.contextmanager
def connection_kept_open():
    """The raw WSGI app closes the database connection at each request's start and end (the
    test client does not): inside the test's transaction that would close it on PostgreSQL.
    Entered after every use of the test client, which connects the receivers again."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "mode"), RUNS, ids=[f"{r}-{m.value}" for r, m in RUNS])
def test_no_operation_answers_500_or_breaks_its_schema(role, mode):
    headers = _headers_for(role)
    _schema_document()
    with connection_kept_open():
        failures = [f for op in _operations() if (f := _fuzz(op, mode, headers))]

    assert failures == [], "\n\n".join(failures)
