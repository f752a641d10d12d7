"""Bulk-use flag under parallel requests (purposes, issue 10): one user firing many exports
at once cannot slip them all under the limit, because one user's exports queue behind a
lock on their account row. PostgreSQL only (SQLite serialises writers anyway)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from gridgov.core.models import AuditEntry
from tests.factories import PersonFactory, Tree, make_api_token
from tests.security.purposes_fixtures import staff  # noqa: F401
from tests.security.races import N, assert_error_shape, run_together

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_exports_of_many_people_are_flagged_once_and_the_rest_held(staff, settings):
    settings.GRIDGOV_EXPORT_BULK_LIMIT = 3
    people = [PersonFactory(org_code=Tree.CELL_A1) for _ in range(N)]
    token = make_api_token(staff["officer"])

    def attempt(i):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(f"/api/v1/people/{people[i].pk}/export/", {"purpose": "own_request"}, format="json")

    responses = run_together(N, attempt)

    codes = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    # three under the limit, the fourth served and flagged, every other one held
    assert codes == [200] * 4 + [429] * (N - 4)
    for response in responses:
        if response.status_code == 429:
            assert_error_shape(response, 429, {"export_on_hold"})
    assert AuditEntry.objects.filter(action="person.export").count() == 4
    assert AuditEntry.objects.filter(action="person.export_bulk_flag").count() == 1
