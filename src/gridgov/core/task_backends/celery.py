"""A django-tasks backend that runs tasks on Celery workers (RabbitMQ or Redis), for a
deployment of several servers. One server keeps django-tasks-db (settings.TASKS).

The thinnest bridge: `enqueue` sends one Celery message, to the Celery task `RUN_TASK`
below, carrying the django-tasks task's module path and its JSON arguments; a worker
(`celery -A gridgov.celery_app worker`) imports that task and calls it. No task is declared
twice, and every `.enqueue()` / `.using(run_after=...).enqueue()` in the code works unchanged:
`run_after` becomes Celery's `eta`, so a failed notification delivery is retried through the
broker at its backoff time, as with the database backend (`supports_defer`).

Delivery is at least once: messages are acknowledged after the task has run (`acks_late`),
so a worker that dies mid-task leaves its message to another; every gridgov task is safe to
run twice (a delivery is locked and skipped once sent). A task that loses its database
connection is retried by Celery (`DB_RETRIES`). There is no result store: `get_result` is
not supported, as no caller reads results.

(django-tasks-celery needs Python 3.12; django-tasks-fennel 0.1, a first release, keeps task
results through a Celery result backend and registers each task with Celery at import.)

A message names what the worker runs, so the worker trusts no name it has not checked (security
review, issue 12): the module path must have the shape of a gridgov task
(`gridgov.<app>.tasks.<name>`, `gridgov.<app>.<package>.tasks.<name>`) before anything is
imported, what it names must be a django-tasks `Task` declared under that very path, and the
backend alias must be one of `settings.TASKS`. Anything else is refused (`SuspiciousOperation`,
logged by Celery; the message is dropped, never retried). Messages are JSON only
(`CELERY_ACCEPT_CONTENT`), so no message can carry a pickled object.
"""

from __future__ import annotations

import re
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, Task, TaskContext, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id, normalize_json

RUN_TASK = "gridgov.run_task"
DB_RETRIES = 3
CELERY_MAX_PRIORITY = 9
# What a message may name: a task in a `tasks` module of a gridgov app (or of one package of it).
TASK_PATH = re.compile(r"gridgov(?:\.[a-z][a-z0-9_]*){1,2}\.tasks\.[a-z][a-z0-9_]*")


def _celery_priority(priority: int) -> int:
    """django-tasks' -100..100 onto Celery's 0..9 (RabbitMQ honours it, Redis roughly)."""
    span = TASK_MAX_PRIORITY - TASK_MIN_PRIORITY
    return round((priority - TASK_MIN_PRIORITY) * CELERY_MAX_PRIORITY / span)


class CeleryBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = False
    supports_get_result = False
    supports_priority = True

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        from gridgov.celery_app import app

        self.validate_task(task)
        result = TaskResult(task=task, id=get_random_id(), status=TaskResultStatus.READY,
                            enqueued_at=timezone.now(), started_at=None, last_attempted_at=None,
                            finished_at=None, args=normalize_json(list(args)),
                            kwargs=normalize_json(dict(kwargs)), backend=self.alias, errors=[],
                            worker_ids=[])
        app.send_task(RUN_TASK, args=[task.module_path, result.args, result.kwargs, self.alias, result.id],
                      task_id=result.id, eta=task.run_after, queue=task.queue_name,
                      priority=_celery_priority(task.priority))
        task_enqueued.send(type(self), task_result=result)
        return result

    def ping(self) -> None:
        """Readiness (core.health): the broker accepts a connection."""
        from gridgov.celery_app import app

        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)


def checked_task(module_path: object, backend: object) -> Task:
    """The django-tasks task a message names, after checking the name's shape (nothing is
    imported otherwise), what it names and the backend alias."""
    if not isinstance(module_path, str) or not TASK_PATH.fullmatch(module_path):
        raise SuspiciousOperation("a task message names no gridgov task")
    if not isinstance(backend, str) or backend not in settings.TASKS:
        raise SuspiciousOperation("a task message names an unknown task backend")
    try:
        task = import_string(module_path)
    except ImportError as error:
        raise SuspiciousOperation(f"{module_path} is not a task") from error
    if not isinstance(task, Task) or task.module_path != module_path:
        raise SuspiciousOperation(f"{module_path} is not a task")
    return task


@shared_task(name=RUN_TASK, bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError),
             max_retries=DB_RETRIES, retry_backoff=True)
def run_task(self, module_path: str, args: list, kwargs: dict, backend: str = "default",
             result_id: str = "") -> Any:
    """Run one django-tasks task on a Celery worker."""
    task = checked_task(module_path, backend)
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise SuspiciousOperation("a task message carries a list of arguments and a dict of keyword arguments")
    task = task.using(backend=backend)
    if task.takes_context:
        now = timezone.now()
        result = TaskResult(task=task, id=result_id or self.request.id, status=TaskResultStatus.RUNNING,
                            enqueued_at=None, started_at=now, last_attempted_at=now, finished_at=None,
                            args=args, kwargs=kwargs, backend=backend, errors=[],
                            worker_ids=[self.request.hostname or ""])
        return normalize_json(task.call(TaskContext(task_result=result), *args, **kwargs))
    return normalize_json(task.call(*args, **kwargs))
