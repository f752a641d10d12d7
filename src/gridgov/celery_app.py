"""The Celery app of a multi-server deployment (GRIDGOV_TASKS_BACKEND=celery).

    celery -A gridgov.celery_app worker --loglevel INFO

runs a worker against `GRIDGOV_CELERY_BROKER_URL` (RabbitMQ `amqp://…` or Redis
`redis://…`). It executes the django-tasks tasks that `core.task_backends.celery` sends; the
app has no tasks of its own. Celery settings are the Django settings named `CELERY_*`.
"""

import os

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

app = Celery("gridgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The worker imports the bridge task; each django-tasks task is imported when it first runs.
app.conf.imports = ("gridgov.core.task_backends.celery",)


@celeryd_init.connect
def _refuse_an_unnamed_broker(**kwargs):
    """A worker never falls back to a guest account on localhost (security review, issue 12).
    SystemExit, since Celery logs and ignores any Exception a signal's receiver raises."""
    from django.conf import settings

    if not getattr(settings, "GRIDGOV_CELERY_BROKER_CONFIGURED", False):
        raise SystemExit("ImproperlyConfigured: a Celery worker needs GRIDGOV_CELERY_BROKER_URL "
                         "(amqp://user:password@host:5672/vhost or redis://host:6379/0).")
