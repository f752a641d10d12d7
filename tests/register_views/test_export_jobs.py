"""Background exports (issue 12, `core.export_jobs`), through the one table: a village too
large to write while the user waits is offered, queued, prepared by a worker as that user,
downloaded by that user only while their access holds, logged at each step, and removed
when its time is up."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from gridgov.core import export_jobs
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import AuditEntry, ExportJob, Notification, OrgUnit, Role, UserRole
from gridgov.core.models_exports import ExportStatus
from gridgov.register import exports
from tests.factories import Tree, make_user
from tests.register_views.conftest import building, login, make_households, screener, worker  # noqa: F401

pytestmark = pytest.mark.django_db

XLSX_URL = reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A])
JOBS_URL = reverse("export-jobs")


@pytest.fixture
def small_limit(settings):
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 2


@pytest.fixture
def five(screener, building):
    return make_households(screener, building, 5)


def params(**filters) -> dict:
    return {"village": Tree.VILLAGE_A, "filters": filters}


def ask(user, **filters) -> ExportJob:
    """A job asked for in English (the worker writes and tells in the language it was asked
    in); its task not run unless the test runs the commit's callbacks."""
    with translation.override("en"):
        return export_jobs.export_job_request(actor=user, kind=exports.ONE_TABLE, params=params(**filters))


def stored_files(path: str = "exports") -> set[str]:
    """Every file under `path` in the storage (the tests' storage outlives a test: compare)."""
    if not default_storage.exists(path):
        return set()
    dirs, files = default_storage.listdir(path)
    return {f"{path}/{f}" for f in files} | {x for d in dirs for x in stored_files(f"{path}/{d}")}


def actions(*codes) -> list[str]:
    return list(AuditEntry.objects.filter(action__in=codes).order_by("id").values_list("action", flat=True))


def test_a_large_village_is_offered_prepared_and_downloaded(login, worker, five, small_limit,
                                                            django_capture_on_commit_callbacks):
    client = login(worker)

    page = client.get(reverse("register-one-table", args=[Tree.VILLAGE_A]))
    assert b"Prepare an Excel file" in page.content and b"Download Excel" not in page.content

    offer = client.get(XLSX_URL)  # a plain link to the download: nothing written, nothing queued
    assert offer.status_code == 200 and b"prepared in the background" in offer.content
    assert not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(XLSX_URL)
    assert asked.status_code == 302 and asked["Location"] == JOBS_URL

    job = ExportJob.objects.get()
    assert job.status == ExportStatus.READY and job.rows_done == 5 and job.requested_by == worker
    listing = client.get(JOBS_URL)
    assert "Ready to download" in listing.content.decode() and job.title in listing.content.decode()
    assert b"hx-trigger=\"every 3s\"" not in listing.content  # nothing under way: the page stops asking
    told = Notification.objects.get(user=worker, kind=export_jobs.NOTIFY_KIND)
    assert "is ready to download" in told.text and told.link == JOBS_URL

    download = client.get(reverse("export-job-file", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert job.filename in download["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(
        min_row=3, values_only=True))
    assert len(rows) == 10 and sorted({r[0] for r in rows}) == sorted(h.pk for h in five)
    cell_name = OrgUnit.objects.get(code=Tree.CELL_A1).name
    assert {r[1] for r in rows} == {cell_name}  # the grid cell by its name, not its code
    assert actions("export.request", "register.one_table_export", "export.download") == [
        "export.request", "register.one_table_export", "export.download"]
    assert '"households":5' in AuditEntry.objects.get(action="register.one_table_export").changes


def test_a_small_village_is_still_written_while_the_user_waits(login, worker, five):
    client = login(worker)

    assert b"Download Excel" in client.get(reverse("register-one-table", args=[Tree.VILLAGE_A])).content
    response = client.get(XLSX_URL)

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert not ExportJob.objects.exists()


def test_the_filters_travel_with_the_job_and_bad_ones_are_refused(login, worker, five, small_limit,
                                                                  django_capture_on_commit_callbacks):
    client = login(worker)

    refused = client.post(XLSX_URL + f"?cell={Tree.CELL_B1}")  # a cell of another village
    assert refused.status_code == 400 and not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(XLSX_URL + f"?cell={Tree.CELL_A1}&rental=1")
    job = ExportJob.objects.get()
    assert job.params == params(cell=Tree.CELL_A1, rental="1")
    assert job.status == ExportStatus.READY and job.rows_done == 0  # no household of that building is rented


def test_nobody_else_sees_downloads_or_removes_a_users_export(login, worker, screener, five, small_limit,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(worker)
    other = login(screener)  # may see the same village, and still not this user's file

    assert job.title not in other.get(JOBS_URL).content.decode()
    assert other.get(reverse("export-job-file", args=[job.pk])).status_code == 404
    assert other.post(reverse("export-job-remove", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ExportStatus.READY and job.downloads == 0
    assert not actions("export.download", "export.remove")


def test_access_lost_before_the_worker_runs_stops_the_export(worker, five, small_limit):
    job = ask(worker)
    UserRole.objects.filter(user=worker).delete()  # the grid worker left the role meanwhile

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.FAILED

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error and not job.file
    assert not actions("register.one_table_export")
    assert "could not be prepared" in Notification.objects.get(user=worker, kind=export_jobs.NOTIFY_KIND).text


def test_an_account_closed_before_the_worker_runs_gets_nothing(worker, five, small_limit):
    job = ask(worker)
    type(worker).objects.filter(pk=worker.pk).update(is_active=False)
    before = stored_files()

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.FAILED

    job.refresh_from_db()
    assert "no longer active" in job.error and not job.file and stored_files() == before


def test_access_lost_after_the_file_is_ready_refuses_the_download(login, worker, five, small_limit,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(worker)
    client = login(worker)
    type(worker).objects.filter(pk=worker.pk).update(scope_code=Tree.VILLAGE_B)  # moved to another village

    assert client.get(reverse("export-job-file", args=[job.pk])).status_code == 404
    assert not actions("export.download")


def test_the_same_request_is_one_job_and_each_user_has_at_most_three_under_way(worker, five, small_limit):
    first = ask(worker)

    assert ask(worker).pk == first.pk
    ask(worker, rental="1")
    ask(worker, no_head="1")
    with pytest.raises(DomainError) as raised:
        ask(worker, elderly_alone="1")
    assert raised.value.code == ErrorCode.RATE_LIMITED and "3 exports" in raised.value.message
    assert ExportJob.objects.count() == 3 and len(actions("export.request")) == 3


def test_over_the_limit_the_offer_says_so_instead_of_failing(login, worker, five, small_limit, settings):
    settings.GRIDGOV_EXPORT_ACTIVE_LIMIT = 1
    ask(worker, rental="1")

    response = login(worker).post(XLSX_URL, follow=True)

    assert response.redirect_chain[-1][0] == JOBS_URL
    assert "1 exports being prepared" in response.content.decode()
    assert ExportJob.objects.count() == 1


def test_a_village_outside_the_users_area_cannot_be_asked_for(worker, small_limit):
    with pytest.raises(NotFound):
        export_jobs.export_job_request(actor=worker, kind=exports.ONE_TABLE, params={"village": Tree.VILLAGE_B})
    with pytest.raises(NotFound):
        export_jobs.export_job_request(actor=worker, kind="register.everything", params={})
    assert not ExportJob.objects.exists()


def test_a_task_delivered_twice_prepares_the_file_once(worker, five, small_limit):
    job = ask(worker)

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.READY
    assert export_jobs.export_job_run(job_id=job.pk) == "skipped"
    assert len(actions("register.one_table_export")) == 1


def test_an_export_removed_while_it_is_written_keeps_no_file(worker, five, small_limit, monkeypatch):
    job = ask(worker)
    before = stored_files()
    real_plan = exports.one_table_plan

    def plan_then_removed(**kwargs):
        plan = real_plan(**kwargs)

        def write(progress):
            written = plan.write(progress)
            export_jobs.export_job_remove(actor=worker, job_id=job.pk)  # the user cancels meanwhile
            return written

        return export_jobs.ExportPlan(**{**plan.__dict__, "write": write})

    monkeypatch.setitem(export_jobs._KINDS, exports.ONE_TABLE,
                        export_jobs.ExportKind(exports.ONE_TABLE, "one table", plan_then_removed))

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.REMOVED

    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not job.file and stored_files() == before
    assert not actions("register.one_table_export")


def test_a_ready_file_is_removed_when_its_time_is_up(login, worker, five, small_limit,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(worker)
    job.refresh_from_db()
    stored = job.file.name
    assert default_storage.exists(stored)

    assert export_jobs.sweep_export_jobs(now=job.expires_at - datetime.timedelta(minutes=1))["removed"] == 0
    assert export_jobs.sweep_export_jobs(now=job.expires_at + datetime.timedelta(minutes=1))["removed"] == 1

    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not default_storage.exists(stored)
    gone = login(worker).get(reverse("export-job-file", args=[job.pk]), follow=True)
    assert "no longer kept" in gone.content.decode()


def test_the_user_removes_a_file_before_its_time(login, worker, five, small_limit,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(worker)
    job.refresh_from_db()
    stored = job.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = login(worker).post(reverse("export-job-remove", args=[job.pk]), follow=True)

    assert "was removed" in response.content.decode() and not default_storage.exists(stored)
    assert ExportJob.objects.get().status == ExportStatus.REMOVED and actions("export.remove") == ["export.remove"]


def test_the_sweep_fails_a_job_whose_worker_died_and_runs_one_whose_task_was_lost(worker, five, small_limit):
    died = ask(worker)
    ExportJob.objects.filter(pk=died.pk).update(status=ExportStatus.RUNNING,
                                                started_at=timezone.now() - datetime.timedelta(hours=3))
    lost = ask(worker, rental="1")
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    done = export_jobs.sweep_export_jobs()

    assert done == {"removed": 0, "failed": 1, "requeued": 1}
    assert ExportJob.objects.get(pk=died.pk).status == ExportStatus.FAILED
    assert ExportJob.objects.get(pk=lost.pk).status == ExportStatus.READY  # the tests' queue runs it at once
    assert "stopped" in Notification.objects.get(user=worker, kind=export_jobs.NOTIFY_KIND,
                                                 text__contains="could not").text


def test_the_list_shows_progress_and_asks_again_while_one_is_under_way(login, worker, five, small_limit):
    job = ask(worker)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_total=200, rows_done=50)

    page = login(worker).get(JOBS_URL).content.decode()

    assert "Being prepared" in page and 'value="25"' in page and 'hx-trigger="every 3s"' in page
    assert "Cancel" in page and "Download" not in page


def user_with_jobs(n: int):
    """A grid worker with `n` failed exports (for the lists' query counts)."""
    user = make_user("many", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    ExportJob.objects.bulk_create([
        ExportJob(requested_by=user, kind=exports.ONE_TABLE, params={}, request_key=str(i), title=f"村 {i}",
                  filename="x.xlsx", status=ExportStatus.FAILED) for i in range(n)])
    return user


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_query_count(login, tree, django_assert_num_queries, n):
    client = login(user_with_jobs(n))

    # session, user, roles; one page of jobs; the layout's area name and unread notifications
    with django_assert_num_queries(6):
        response = client.get(JOBS_URL)

    assert response.content.decode().count('class="item export-job"') == n


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_make_one_job_and_hold_the_limit(tree, building, screener, settings):
    from tests.security.races import run_together

    # The production queue, whose worker is not running here: the jobs stay under way (the
    # tests' immediate queue would finish each one at its commit, and free its place).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}
    make_households(screener, building, 3)
    worker = make_user("gw-race", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    limit = export_jobs.active_limit()

    same = run_together(8, lambda i: ask(worker).pk)
    assert len(set(same)) == 1 and not any(isinstance(r, Exception) for r in same)

    filters = [{"q": f"户{i}"} for i in range(8)]
    different = run_together(8, lambda i: ask(worker, **filters[i]).pk)
    refused = [r for r in different if isinstance(r, DomainError)]
    assert ExportJob.objects.filter(requested_by=worker).count() == limit
    assert len(refused) == 8 - (limit - 1) and all(r.code == ErrorCode.RATE_LIMITED for r in refused)


def test_a_job_no_worker_takes_up_is_given_up_and_the_user_told(worker, five, small_limit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}
    job = ask(worker)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))

    assert export_jobs.sweep_export_jobs()["failed"] == 1

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "No worker" in job.error
    assert "No worker" in Notification.objects.get(user=worker, kind=export_jobs.NOTIFY_KIND).text


def test_exports_run_on_their_own_queue():
    from gridgov.core.tasks import run_export_job

    # A long export must not hold back the notifications of the default queue's worker.
    assert run_export_job.queue_name == "exports" and "exports" in settings_queues()


def settings_queues() -> list[str]:
    from django.conf import settings

    return settings.TASKS["default"]["QUEUES"]


def test_a_storage_out_of_reach_fails_the_job_at_once(worker, five, small_limit, monkeypatch):
    job = ask(worker)

    def unreachable(*args, **kwargs):
        raise ConnectionError("the bucket is down")

    monkeypatch.setattr(type(default_storage._wrapped), "save", unreachable)

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert "could not be stored" in job.error and not actions("register.one_table_export")


def test_a_download_after_a_change_of_role_or_cells_is_refused(login, worker, screener, five, small_limit,
                                                               django_capture_on_commit_callbacks):
    # (security review: the village still in scope is not enough; the file was written for
    # what the user could see then)
    with django_capture_on_commit_callbacks(execute=True):
        by_screener, by_worker = ask(screener), ask(worker)
    UserRole.objects.filter(user=screener).update(role=Role.DISPATCHER)  # same area, names now masked
    worker.grid_assignments.all().delete()  # no longer the grid worker of that cell

    for user, job in ((screener, by_screener), (worker, by_worker)):
        refused = login(type(user).objects.get(pk=user.pk)).get(reverse("export-job-file", args=[job.pk]),
                                                                follow=True)
        assert "has changed since this file was prepared" in refused.content.decode(), user
    assert not actions("export.download")


def test_cancelling_stops_the_worker_at_its_next_chunk(worker, five, small_limit, monkeypatch):
    job = ask(worker)
    before = stored_files()
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", datetime.timedelta(0))
    real_plan = exports.one_table_plan

    def cancelled_at_once(**kwargs):
        plan = real_plan(**kwargs)

        def write(progress):
            export_jobs.export_job_remove(actor=worker, job_id=job.pk)
            return plan.write(progress)

        return export_jobs.ExportPlan(**{**plan.__dict__, "write": write})

    monkeypatch.setitem(export_jobs._KINDS, exports.ONE_TABLE,
                        export_jobs.ExportKind(exports.ONE_TABLE, "one table", cancelled_at_once))

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.REMOVED
    job.refresh_from_db()
    assert job.rows_done == 0 and stored_files() == before and not actions("register.one_table_export")


def test_a_failure_after_the_file_is_stored_leaves_no_file(worker, five, small_limit, monkeypatch):
    job = ask(worker)
    before = stored_files()

    def broken_audit(**kwargs):
        raise RuntimeError("the audit chain is locked")

    monkeypatch.setattr("gridgov.register.services.one_table_export_record", broken_audit)

    assert export_jobs.export_job_run(job_id=job.pk) == ExportStatus.FAILED
    assert stored_files() == before and not actions("register.one_table_export")


def test_a_failed_deletion_is_tried_again_by_the_sweep(login, worker, five, small_limit, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(worker)
    job.refresh_from_db()
    stored = job.file.name
    storage = type(default_storage._wrapped)
    real_delete, down = storage.delete, [True]

    def flaky(self, name):
        if down[0]:
            raise ConnectionError("the bucket is down")
        return real_delete(self, name)

    monkeypatch.setattr(storage, "delete", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        export_jobs.export_job_remove(actor=worker, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and job.file.name == stored  # kept until it is gone

    down[0] = False
    export_jobs.sweep_export_jobs()
    job.refresh_from_db()
    assert not job.file and not default_storage.exists(stored)


def test_a_queue_out_of_reach_leaves_the_job_for_the_sweep(login, worker, five, small_limit, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    from gridgov.core import tasks

    task_class, real_enqueue = type(tasks.run_export_job), type(tasks.run_export_job).enqueue

    def broker_down(self, *args, **kwargs):
        if self.func is tasks.run_export_job.func:
            raise ConnectionError("the broker is down")
        return real_enqueue(self, *args, **kwargs)

    monkeypatch.setattr(task_class, "enqueue", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(worker).post(XLSX_URL)

    assert response.status_code == 302 and ExportJob.objects.get().status == ExportStatus.QUEUED


def test_the_same_export_asked_in_two_spellings_is_one_job(worker, five, small_limit):
    first = export_jobs.export_job_request(actor=worker, kind=exports.ONE_TABLE, params={"village": Tree.VILLAGE_A})
    second = ask(worker)

    assert first.pk == second.pk and first.params == {"village": Tree.VILLAGE_A, "filters": {}}
