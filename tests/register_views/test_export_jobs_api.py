"""The API of background exports (`/api/v1/exports/`): ask, follow, download, remove; the
requester's own only, hostile parameters refused with a 4xx and nothing queued."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gridgov.core.models import AuditEntry, ExportJob, Role
from gridgov.core.models_exports import ExportStatus
from gridgov.register import exports
from tests.factories import Tree, make_user
from tests.register_views.conftest import building, make_households, screener, worker  # noqa: F401
from tests.register_views.test_export_jobs import user_with_jobs
from tests.security.races import assert_error_shape

pytestmark = pytest.mark.django_db

ONE_TABLE = {"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "filters": {}}}


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def three(screener, building):
    return make_households(screener, building, 3)


def test_ask_follow_and_download_through_the_api(worker, three, django_capture_on_commit_callbacks):
    client = api(worker)

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/api/v1/exports/", ONE_TABLE, format="json")

    assert asked.status_code == 202 and asked.json()["status"] == "queued"
    job = client.get(f"/api/v1/exports/{asked.json()['id']}/").json()
    assert job["status"] == "ready" and job["progress"] == 100 and job["rows_done"] == 3 and job["size"] > 0
    assert job["status_label"] == "Ready to download" and job["expires_at"]
    listed = client.get("/api/v1/exports/").json()
    assert [row["id"] for row in listed["results"]] == [job["id"]]

    got = client.get(f"/api/v1/exports/{job['id']}/file/")
    assert got.status_code == 200 and got["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(got.streaming_content))).active
    assert len(list(sheet.iter_rows(min_row=3))) == 6
    assert AuditEntry.objects.filter(action="export.download").count() == 1


def test_another_users_export_is_not_found(worker, screener, three, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api(worker).post("/api/v1/exports/", ONE_TABLE, format="json").json()["id"]
    other = api(screener)

    for method, path in (("get", f"/api/v1/exports/{job_id}/"), ("get", f"/api/v1/exports/{job_id}/file/"),
                         ("delete", f"/api/v1/exports/{job_id}/")):
        assert_error_shape(getattr(other, method)(path), 404, {"not_found"})
    assert other.get("/api/v1/exports/").json()["results"] == []
    assert ExportJob.objects.get().status == ExportStatus.READY


@pytest.mark.parametrize("body, status", [
    ({"kind": exports.ONE_TABLE, "params": "村1"}, 400),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "filters": {"q": "x" * 3000}}}, 400),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "filters": {"cell": Tree.CELL_B1}}}, 400),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_B}}, 404),
    ({"kind": exports.ONE_TABLE, "params": {"village": ["990101001001"]}}, 404),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.CELL_A1}}, 404),  # a grid cell is no village
    ({"kind": "core.everything", "params": {}}, 404),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "rows": 10**9}}, 400),  # unknown key
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "filters": ["cell"]}}, 400),
    ({"kind": exports.ONE_TABLE, "params": {"village": Tree.VILLAGE_A, "filters": {"residence": "x"}}}, 400),
    ({"params": {}}, 400),
])
def test_hostile_requests_are_refused_and_nothing_is_queued(worker, three, body, status):
    response = api(worker).post("/api/v1/exports/", body, format="json")

    assert_error_shape(response, status)
    assert not ExportJob.objects.exists() and not AuditEntry.objects.filter(action="export.request").exists()


def test_a_role_without_the_register_cannot_ask(tree, three):
    auditor = make_user("auditor", Role.AUDITOR, scope=Tree.COUNTY_A)  # reads the audit log, not the register

    assert_error_shape(api(auditor).post("/api/v1/exports/", ONE_TABLE, format="json"), 403)
    assert not ExportJob.objects.exists()


def test_over_the_limit_is_a_429(worker, three, settings):
    settings.GRIDGOV_EXPORT_ACTIVE_LIMIT = 1
    client = api(worker)
    client.post("/api/v1/exports/", ONE_TABLE, format="json")

    again = client.post("/api/v1/exports/", {**ONE_TABLE, "params": {**ONE_TABLE["params"], "filters": {"rental": "1"}}},
                        format="json")

    assert_error_shape(again, 429, {"rate_limited"})
    assert ExportJob.objects.count() == 1


def test_removing_twice_is_a_conflict(worker, three, django_capture_on_commit_callbacks):
    client = api(worker)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post("/api/v1/exports/", ONE_TABLE, format="json").json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/exports/{job_id}/").json()["status"] == "removed"
    assert_error_shape(client.delete(f"/api/v1/exports/{job_id}/"), 409, {"conflict"})
    assert_error_shape(client.get(f"/api/v1/exports/{job_id}/file/"), 409, {"conflict"})


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_query_count(tree, django_assert_num_queries, n):
    client = api(user_with_jobs(n))

    # one page of jobs (force_authenticate hands the user with its roles over: no session or
    # token read)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/exports/")

    assert len(response.json()["results"]) == n
