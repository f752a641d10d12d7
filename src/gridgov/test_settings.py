"""Settings for the test suite: the production settings with fixed keys and fast hashing."""

import os
import tempfile

os.environ.setdefault("GRIDGOV_SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-check-0123456789")
# A fixed Fernet key so that encrypted test fixtures are reproducible; never used outside tests.
os.environ.setdefault("GRIDGOV_FIELD_KEY", "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc=")
os.environ.setdefault("GRIDGOV_SECURE_COOKIES", "0")
# A fixed audit-chain key, and checkpoints in a directory of this run only: a checkpoint
# left from an earlier run's (since flushed) database would fail every later verify.
os.environ.setdefault("GRIDGOV_AUDIT_KEY", "test-audit-key-that-is-long-enough-for-the-check-0123456789")
os.environ.setdefault("GRIDGOV_AUDIT_CHECKPOINT_DIR", tempfile.mkdtemp(prefix="gridgov-test-checkpoints-"))
# The test client speaks plain HTTP; tests/security/test_hostile_settings.py checks the redirect.
os.environ.setdefault("GRIDGOV_SSL_REDIRECT", "0")
# As with GRIDGOV_DEBUG=1 (CONTRACTS "Demo accounts"): tests of the second factor turn it on.
os.environ.setdefault("GRIDGOV_OTP", "off")
# The console SMS, as in development (production has no SMS channel until a gateway is set).
os.environ.setdefault("GRIDGOV_NOTIFY_SMS", "gridgov.core.notifications.channels.ConsoleSms")

from gridgov.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process its own cache (the org tree cache, issue 12), emptied before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic before the tests: whitenoise serves the source directories, as in
# development (tests/serving/test_gunicorn.py proves the production storage).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True
