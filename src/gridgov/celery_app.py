"""The Celery app of a multi-server deployment (GRIDGOV_TASKS_BACKEND=celery).

    celery -A gridgov.celery_app worker --loglevel INFO

runs a worker against `GRIDGOV_CELERY_BROKER_URL` (RabbitMQ `amqp://…` or Redis
`redis://…`). It executes the django-tasks tasks that `core.task_backends.celery` sends; the
app has no tasks of its own. Celery settings are the Django settings named `CELERY_*`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

app = Celery("gridgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The worker imports the bridge task; each django-tasks task is imported when it first runs.
app.conf.imports = ("gridgov.core.task_backends.celery",)
