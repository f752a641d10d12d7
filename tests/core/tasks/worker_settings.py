"""Settings of the Celery worker that tests/core/tasks starts in a subprocess: the test
settings (same keys, so encrypted fields read the same), on the test's database, with the
Celery backend (so a failed delivery's retry goes back through the broker) and e-mail sent by
SMTP to the test's local server."""

import os

from gridgov.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "gridgov.core.task_backends.celery.CeleryBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT = "127.0.0.1", int(os.environ["GRIDGOV_TEST_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
DEFAULT_FROM_EMAIL = "gridgov@example.org"
