"""Settings for the test suite: the production settings with fixed keys and fast hashing."""

import os

os.environ.setdefault("GRIDGOV_SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-check-0123456789")
# A fixed Fernet key so that encrypted test fixtures are reproducible; never used outside tests.
os.environ.setdefault("GRIDGOV_FIELD_KEY", "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc=")
os.environ.setdefault("GRIDGOV_SECURE_COOKIES", "0")

from gridgov.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
