"""Large exports as background work (issue 12): a file a request could not wait for.

A village with a million households takes longer to write than a web request may last, so
the export runs in a worker and the user downloads the file when it is ready:

1. `export_job_request` checks, as the user, that they may have this export (the kind's
   plan), records the request in the audit log and enqueues `run_export_job` after commit.
   The same request while one is under way is that one; at most `active_limit()` at a time.
2. The worker (`export_job_run`) claims the job (one worker, however often the task is
   delivered), checks access again as the user (a role or an area lost meanwhile stops it),
   writes the file row by row to a temporary file (flat memory), puts it in the file storage
   (`core.storage`: local disk or private S3) and, in one transaction, marks it ready, lets
   the app record the export as it records an inline one, and tells the user.
3. `export_job_download` gives the file to the user who asked, and only while their access
   still holds; each download is logged. Files are kept `GRIDGOV_EXPORT_KEEP_HOURS` (24),
   then `sweep_export_jobs` removes them. The user may remove one earlier.

An app registers each kind of export (`register_export_kind`) with a function that plans it:
`plan(*, actor, params) -> ExportPlan`, raising a `DomainError` when the actor may not. The
plan is cheap: the counting and the writing run only in the worker.

Statuses move as `MOVES` says; every change is a conditional UPDATE on the status it leaves
from, so two workers, or a worker and a user removing the job, never both win.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import User
from gridgov.core.models_exports import ACTIVE_STATUSES, ExportJob, ExportStatus

logger = logging.getLogger("gridgov.exports")

NOTIFY_KIND = "export_ready"
NOTIFY_LABEL = gettext_lazy("My exports are ready (or failed)")

Status = ExportStatus

# Which status each status may move to, and nothing else.
MOVES: dict[str, frozenset[str]] = {
    Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED, Status.REMOVED}),
    Status.RUNNING: frozenset({Status.READY, Status.FAILED, Status.REMOVED}),
    Status.READY: frozenset({Status.REMOVED}),
    Status.FAILED: frozenset({Status.REMOVED}),
    Status.REMOVED: frozenset(),
}


def _from_statuses(to: str) -> list[str]:
    return [status for status, targets in MOVES.items() if to in targets]


def _move(job_id: int, to: str, *, only_from: tuple[str, ...] | None = None, **fields) -> bool:
    """Move the job to `to` if its status allows it (and is one of `only_from`); False when
    another process moved it first."""
    froms = [s for s in _from_statuses(to) if only_from is None or s in only_from]
    return bool(ExportJob.objects.filter(pk=job_id, status__in=froms).update(status=to, **fields))


# --- What an app registers ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportPlan:
    """One export, checked for one user: what the file is called and how it is made.

    `count()` is the number of rows to write (progress); `exceeds(n)` says cheaply whether
    there are more than `n` (the inline limit); `write(progress)` writes the file, calling
    `progress(rows_so_far)` as it goes, and returns it open at its start with the rows
    written; `record(rows)` is the app's own audit of the export, run in the transaction that
    makes the file available. `params` are the request's parameters as the app reads them
    (canonical: the same export is the same dict), which the job keeps and the audit records."""

    params: dict
    title: str
    filename: str
    org_code: str
    count: Callable[[], int]
    exceeds: Callable[[int], bool]
    write: Callable[[Callable[[int], None]], tuple[IO[bytes], int]]
    record: Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: object  # a lazy translation
    plan: Callable[..., ExportPlan]


_KINDS: dict[str, ExportKind] = {}


def register_export_kind(name: str, plan, *, label) -> None:
    """An app's export `name`: `plan(*, actor, params) -> ExportPlan`, raising a DomainError
    (NotFound, Forbidden…) when `actor` may not have it."""
    _KINDS[name] = ExportKind(name=name, label=label, plan=plan)


def export_kind(name: str) -> ExportKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise NotFound(_("No such export."))
    return kind


def plan_export(*, actor, kind: str, params: dict) -> ExportPlan:
    return export_kind(kind).plan(actor=actor, params=params)


def inline_limit() -> int:
    """Up to this many rows an export is written while the user waits; above, in a worker."""
    return int(getattr(settings, "GRIDGOV_EXPORT_INLINE_ROWS", 2000))


def active_limit() -> int:
    return int(getattr(settings, "GRIDGOV_EXPORT_ACTIVE_LIMIT", 3))


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "GRIDGOV_EXPORT_KEEP_HOURS", 24)))


def request_key(kind: str, params: dict) -> str:
    canonical = json.dumps([kind, params], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Asking for one ---------------------------------------------------------------------------


def export_job_request(*, actor, kind: str, params: dict) -> ExportJob:
    """Queue the export `kind` of `params` for `actor` (who may have it now); the job already
    under way for the same request if there is one."""
    plan = plan_export(actor=actor, kind=kind, params=params)
    params = plan.params
    key = request_key(kind, params)
    try:
        with transaction.atomic():
            # One user's requests queue behind each other, so that parallel ones cannot all
            # slip under the limit.
            User.objects.select_for_update().filter(pk=actor.pk).first()
            mine = ExportJob.objects.filter(requested_by=actor, status__in=ACTIVE_STATUSES)
            same = mine.filter(request_key=key).first()
            if same is not None:
                return same
            if mine.count() >= active_limit():
                raise DomainError(
                    _("You already have %(count)d exports being prepared. Wait until one of them is ready.")
                    % {"count": active_limit()},
                    ErrorCode.RATE_LIMITED,
                )
            job = ExportJob.objects.create(
                requested_by=actor, kind=kind, params=params, request_key=key, title=plan.title[:200],
                filename=plan.filename[:120], org_code=plan.org_code, language=translation.get_language() or "",
            )
            audit_record(actor=actor, action=AuditAction.EXPORT_JOB_REQUEST, obj=job, object_repr=job.title,
                         org_code=plan.org_code, changes={"kind": kind, "params": params})
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:
        # The same request won a race on a database without row locks (SQLite): that one.
        same = ExportJob.objects.filter(requested_by=actor, request_key=key, status__in=ACTIVE_STATUSES).first()
        if same is None:
            raise
        return same
    return job


def _enqueue(job_id: int) -> None:
    """Queue the job's task; a queue out of reach (a broker down) leaves the job queued, for
    the sweep to queue again, instead of failing the request that already committed."""
    from gridgov.core.tasks import run_export_job

    try:
        run_export_job.enqueue(job_id)
    except Exception:
        logger.exception("export %s could not be queued; the sweep queues it again", job_id)


# --- The worker ---------------------------------------------------------------------------------

PROGRESS_EVERY = datetime.timedelta(seconds=2)


class _Stopped(Exception):
    """The job left RUNNING while it was written (the user cancelled it, or the sweep gave up)."""


class _Progress:
    """Writes the rows done to the job at most every PROGRESS_EVERY, so that the user's page
    moves without a write per chunk; stops the writing when the job is no longer running."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY.total_seconds():
            self.last = now
            if not ExportJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(rows_done=rows):
                raise _Stopped


def export_job_run(*, job_id: int) -> str:
    """Prepare the job's file (see the module); returns the status it was left in."""
    if not _move(job_id, Status.RUNNING, started_at=timezone.now()):
        return "skipped"  # another worker has it, or it was removed
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    actor = job.requested_by
    with translation.override(job.language or None):
        try:
            if not actor.is_active:
                raise DomainError(_("Your account is no longer active."), ErrorCode.PERMISSION_DENIED)
            plan = plan_export(actor=actor, kind=job.kind, params=job.params)
            ExportJob.objects.filter(pk=job.pk).update(rows_total=plan.count())
            seen_as = access_key(actor)
            handle, rows = plan.write(_Progress(job.pk))
        except _Stopped:
            return Status.REMOVED
        except DomainError as error:  # access lost meanwhile, or filters no longer valid: say why
            return _fail(job, error.message)
        except Exception:
            logger.exception("export %s (%s) failed", job.pk, job.kind)
            return _fail(job, _("The export could not be prepared. Ask for it again later, or tell your administrator."))
        return _finish(job, plan, handle, rows, seen_as)


def _stored_name(job: ExportJob) -> str:
    suffix = "." + job.filename.rsplit(".", 1)[-1] if "." in job.filename else ""
    # A random name: the stored file says nothing of what it holds, and is never guessed.
    return job.file.field.generate_filename(job, secrets.token_hex(16) + suffix)


def _finish(job: ExportJob, plan: ExportPlan, handle: IO[bytes], rows: int, seen_as: str) -> str:
    try:
        with handle:
            name = default_storage.save(_stored_name(job), File(handle))
        size = default_storage.size(name)
    except Exception:  # the storage out of reach (a bucket down): say so now, not at the sweep
        logger.exception("export %s (%s) could not be stored", job.pk, job.kind)
        return _fail(job, _("The file could not be stored. Ask for the export again later, or tell your administrator."))
    now = timezone.now()
    try:
        with transaction.atomic():
            made_ready = _move(job.pk, Status.READY, file=name, size=size, rows_done=rows, rows_total=rows,
                               access_key=seen_as, finished_at=now, expires_at=now + keep_for())
            if made_ready:
                plan.record(rows)
                _tell(job, _("Your export “%(title)s” is ready to download."))
    except Exception:  # nothing points at the stored file: it goes, and the user is told
        logger.exception("export %s (%s) could not be made ready", job.pk, job.kind)
        _delete_file(name)
        return _fail(job, _("The export could not be prepared. Ask for it again later, or tell your administrator."))
    if not made_ready:  # removed while it was being written
        _delete_file(name)
        return Status.REMOVED
    return Status.READY


def access_key(user) -> str:
    """What `user` can see, as one value: their area, capabilities and grid cells. A file is
    downloaded only while this is what it was when the file was written (a narrower area, or
    a role that sees names masked, must not get a file written for the wider one)."""
    from gridgov.core.models import GridAssignment
    from gridgov.core.permissions import capabilities_of

    cells = sorted(GridAssignment.objects.filter(user_id=user.pk).values_list("cell_id", flat=True))
    seen = [user.scope_code or "", sorted(str(c) for c in capabilities_of(user)), cells]
    return hashlib.sha256(json.dumps(seen, separators=(",", ":")).encode()).hexdigest()


def _delete_file(name: str, *, job_id: int | None = None) -> bool:
    """Delete a stored file (and forget it on the job once gone); False when the storage
    failed, so that the sweep tries again."""
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("exported file %s could not be deleted; the sweep tries again", name)
        return False
    if job_id is not None:
        ExportJob.objects.filter(pk=job_id, file=name).update(file="")
    return True


def _fail(job: ExportJob, reason: str) -> str:
    if not _move(job.pk, Status.FAILED, error=str(reason)[:300], finished_at=timezone.now()):
        return Status.REMOVED
    try:  # the failure stands even when telling fails (it may be why the export failed)
        with transaction.atomic():
            _tell(job, _("Your export “%(title)s” could not be prepared: %(reason)s"), reason=str(reason))
    except Exception:
        logger.exception("export %s failed and its requester could not be told", job.pk)
    return Status.FAILED


def _tell(job: ExportJob, text: str, **params) -> None:
    from gridgov.core.notifications import notify

    notify(recipients=[job.requested_by], kind=NOTIFY_KIND, text=text, params={"title": job.title, **params},
           link=reverse("export-jobs"), org_code=job.org_code)


# --- Downloading and removing ------------------------------------------------------------------


def export_jobs_for(user):
    """The exports `user` asked for (nobody sees another's)."""
    return ExportJob.objects.filter(requested_by_id=user.pk)


def access_export_job(user, job_id: int) -> ExportJob:
    """The user's own job; anyone else's is not found (nobody sees another's exports)."""
    job = ExportJob.objects.filter(pk=job_id, requested_by_id=user.pk).first()
    if job is None:
        raise NotFound(_("No such export."))
    return job


def export_job_download(*, actor, job_id: int) -> tuple[ExportJob, IO[bytes]]:
    """The file of `actor`'s ready job, opened, while `actor` still may have it; logged."""
    job = access_export_job(actor, job_id)
    if job.status != Status.READY or job.expires_at is None or job.expires_at <= timezone.now():
        raise DomainError(_("This file is no longer kept. Ask for the export again."), ErrorCode.CONFLICT)
    plan_export(actor=actor, kind=job.kind, params=job.params)  # a role or an area lost since: refused
    if job.access_key != access_key(actor):
        raise DomainError(_("Your role or area has changed since this file was prepared. Ask for the export again."),
                          ErrorCode.PERMISSION_DENIED)
    try:
        handle = default_storage.open(job.file.name, "rb")
    except OSError as error:  # removed between the check and the read (the sweep, a removal)
        raise DomainError(_("This file is no longer kept. Ask for the export again."), ErrorCode.CONFLICT) from error
    try:
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(downloads=F("downloads") + 1)
            audit_record(actor=actor, action=AuditAction.EXPORT_JOB_DOWNLOAD, obj=job, object_repr=job.title,
                         org_code=job.org_code, changes={"kind": job.kind, "rows": job.rows_done})
    except BaseException:
        handle.close()
        raise
    return job, handle


def export_job_remove(*, actor, job_id: int) -> ExportJob:
    """Remove `actor`'s job and its file; a job being written stops at its next progress mark."""
    access_export_job(actor, job_id)
    with transaction.atomic():
        # Locked: a worker making it ready at this moment waits, and its file is the one seen here.
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if not _move(job.pk, Status.REMOVED, expires_at=None):
            raise DomainError(_("This export was already removed."), ErrorCode.CONFLICT)
        audit_record(actor=actor, action=AuditAction.EXPORT_JOB_REMOVE, obj=job, object_repr=job.title,
                     org_code=job.org_code, changes={"kind": job.kind, "status": job.status})
        if job.file.name:
            name = job.file.name
            transaction.on_commit(lambda: _delete_file(name, job_id=job.pk))
    job.refresh_from_db()
    return job


# --- The sweep ------------------------------------------------------------------------------------

# A queued job older than this had its task lost (the process died after the commit): enqueued again.
REQUEUE_AFTER = datetime.timedelta(minutes=15)


def stale_after() -> datetime.timedelta:
    """A job running this long lost its worker (killed, or the server restarted); one queued
    this long found no worker."""
    return datetime.timedelta(minutes=float(getattr(settings, "GRIDGOV_EXPORT_STALE_MINUTES", 120)))


def sweep_export_jobs(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remove the files past their time; fail the jobs whose worker died, and those no worker
    took up in time (no worker runs the `exports` queue); enqueue again the jobs whose task
    was lost. Returns how many of each."""
    now = now or timezone.now()
    done = {"removed": 0, "failed": 0, "requeued": 0}
    expired = ExportJob.objects.filter(status=Status.READY, expires_at__lte=now).only("id", "file")
    for job in expired.order_by("id").iterator():
        if _move(job.pk, Status.REMOVED, expires_at=None):
            done["removed"] += 1
    # the files of removed exports, including those whose deletion failed before
    left = ExportJob.objects.filter(status=Status.REMOVED).exclude(file="").values_list("id", "file")
    for job_id, name in left.order_by("id"):
        _delete_file(name, job_id=job_id)
    given_up = (
        # lazy: each job is told in the language it was asked in
        (Status.RUNNING, "started_at", gettext_lazy("The worker preparing it stopped. Ask for the export again.")),
        (Status.QUEUED, "created_at", gettext_lazy("No worker took it up in time. Ask for the export again later.")),
    )
    for status, since, reason in given_up:
        stale = ExportJob.objects.filter(status=status, **{f"{since}__lte": now - stale_after()})
        for job in stale.select_related("requested_by").order_by("id"):
            logger.error("export %s (%s) given up: %s since %s", job.pk, job.kind, status, getattr(job, since))
            with translation.override(job.language or None):
                if _fail(job, str(reason)) == Status.FAILED:
                    done["failed"] += 1
    lost = ExportJob.objects.filter(status=Status.QUEUED, created_at__lte=now - REQUEUE_AFTER)
    for job_id in lost.order_by("id").values_list("id", flat=True):
        _enqueue(job_id)  # a second delivery of a task that was not lost finds it claimed
        done["requeued"] += 1
    return done
