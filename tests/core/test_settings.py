import os
import subprocess
import sys

import pytest

_ENV_KEYS = ("GRIDGOV_SECRET_KEY", "GRIDGOV_FIELD_KEY", "GRIDGOV_AUDIT_KEY", "GRIDGOV_DEBUG", "DJANGO_SETTINGS_MODULE")
AUDIT_KEY = "a" * 48
FIELD_KEY = "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="


def _load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in _ENV_KEYS}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import gridgov.settings as s; print(s.DEBUG)"],
        env=clean, capture_output=True, text=True,
    )


@pytest.mark.parametrize("env,missing", [
    ({}, "GRIDGOV_SECRET_KEY"),
    ({"GRIDGOV_SECRET_KEY": "short"}, "GRIDGOV_SECRET_KEY"),
    ({"GRIDGOV_SECRET_KEY": "x" * 50}, "GRIDGOV_FIELD_KEY"),
    ({"GRIDGOV_SECRET_KEY": "x" * 50, "GRIDGOV_FIELD_KEY": "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdGk="},
     "GRIDGOV_FIELD_KEY"),
    ({"GRIDGOV_SECRET_KEY": "x" * 50, "GRIDGOV_FIELD_KEY": FIELD_KEY}, "GRIDGOV_AUDIT_KEY"),
    ({"GRIDGOV_SECRET_KEY": "x" * 50, "GRIDGOV_FIELD_KEY": FIELD_KEY, "GRIDGOV_AUDIT_KEY": "short"},
     "GRIDGOV_AUDIT_KEY"),
    ({"GRIDGOV_SECRET_KEY": "x" * 50, "GRIDGOV_FIELD_KEY": FIELD_KEY,
      "GRIDGOV_AUDIT_KEY": "gridgov-development-audit-key-never-use-in-production"}, "GRIDGOV_AUDIT_KEY"),
])
def test_production_refuses_to_start_without_real_keys(env, missing):
    result = _load_settings(**env)

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_starts_with_real_keys():
    result = _load_settings(GRIDGOV_SECRET_KEY="x" * 50, GRIDGOV_FIELD_KEY=FIELD_KEY, GRIDGOV_AUDIT_KEY=AUDIT_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_mode_starts_without_keys():
    assert _load_settings(GRIDGOV_DEBUG="1").returncode == 0
