"""Run as a program by test_races_sqlite.py: concurrent writers on a file SQLite database.

    DATABASE_URL=sqlite:////path/db.sqlite3 python -m tests.security.sqlite_writers

The database must already hold the schema (the test copies its own with VACUUM INTO).
Prints one JSON object: for each scenario the sorted status codes, the error codes and
the rows that exist afterwards.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.test_settings")
os.environ.setdefault("GRIDGOV_DEBUG", "1")


def main() -> dict:
    import django

    django.setup()
    from django.db import connection
    from rest_framework.test import APIClient

    from gridgov.care.models import Payment
    from gridgov.core.models import Person, Role
    from tests.care.conftest import enroll
    from tests.factories import PersonFactory, Tree, build_tree, make_api_token, make_resident_id, make_user
    from tests.security.races import N, run_together

    assert connection.vendor == "sqlite" and not connection.is_in_memory_db()
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    staff = {"officer": officer,
             "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
             "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])}
    token = make_api_token(officer)
    enrollment = enroll(staff, PersonFactory(org_code=Tree.CELL_A1))
    connection.close()

    def post_together(url, body, **headers):
        def attempt(i):
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            return client.post(url, body(i) if callable(body) else body, format="json", **headers)

        responses = run_together(N, attempt)
        out = {"statuses": sorted(getattr(r, "status_code", 0) for r in responses),
               "errors": sorted({r.json().get("code") for r in responses
                                 if getattr(r, "status_code", 0) >= 400}),
               "unexpected": [repr(r) for r in responses if not hasattr(r, "status_code")],
               "ids": sorted({r.json().get("id") for r in responses if getattr(r, "status_code", 0) == 201})}
        return out

    result = {}
    result["distinct_people"] = post_together("/api/v1/people/", lambda i: {
        "name": f"赵{i}", "resident_id": make_resident_id(birth="19770707", seq=100 + i), "org_code": Tree.CELL_A1})
    one_id = make_resident_id(birth="19750505", seq=77)
    result["one_resident_id"] = post_together("/api/v1/people/", lambda i: {
        "name": f"王{i}", "resident_id": one_id, "org_code": Tree.CELL_A1})
    result["one_resident_id"]["people"] = Person.objects.filter(resident_id_index=Person.objects.filter(
        name__startswith="王").first().resident_id_index).count()
    result["subsidies"] = post_together(f"/api/v1/enrollments/{enrollment.pk}/subsidies/", {
        "kind": "with_guardian", "period_start": "2026-10-01", "period_end": "2026-10-09"})
    result["subsidies"]["days"] = sum(p.days for p in Payment.objects.filter(enrollment=enrollment))
    result["one_key"] = post_together("/api/v1/people/", {
        "name": "李四", "resident_id": make_resident_id(birth="19760606", seq=88), "org_code": Tree.CELL_A1},
        HTTP_IDEMPOTENCY_KEY="one-key")
    result["one_key"]["people"] = Person.objects.filter(name="李四").count()
    return result


if __name__ == "__main__":
    sys.stdout.write("RESULT " + json.dumps(main()) + "\n")
