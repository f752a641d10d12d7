"""Issue 10, finding 13: production settings force HTTPS (redirect + HSTS, /healthz exempt),
and a malformed field-encryption key stops start-up instead of the first decryption."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

GOOD_KEY = "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="
_ENV_PREFIXES = ("GRIDGOV_", "DJANGO_SETTINGS_MODULE")


def _clean_env(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
    clean.update(env)
    return clean


def _production_settings(**env) -> dict:
    code = ("import json, gridgov.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
            "['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
            "'SECURE_PROXY_SSL_HEADER', 'SECURE_REDIRECT_EXEMPT']}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_clean_env(GRIDGOV_SECRET_KEY="x" * 50, GRIDGOV_FIELD_KEY=GOOD_KEY,
                                           GRIDGOV_AUDIT_KEY="a" * 48, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_redirects_to_https_and_sends_hsts():
    values = _production_settings()

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_proxy_and_subdomains_are_switchable_by_environment():
    values = _production_settings(GRIDGOV_SSL_REDIRECT="0", GRIDGOV_SECURE_PROXY_HEADER="1",
                                  GRIDGOV_HSTS_INCLUDE_SUBDOMAINS="1")

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_development_does_not_redirect():
    values = _production_settings(GRIDGOV_DEBUG="1")

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.django_db
def test_plain_http_is_redirected_but_healthz_is_not(client):
    values = _production_settings()
    with override_settings(SECURE_SSL_REDIRECT=values["SECURE_SSL_REDIRECT"],
                           SECURE_REDIRECT_EXEMPT=values["SECURE_REDIRECT_EXEMPT"],
                           SECURE_HSTS_SECONDS=values["SECURE_HSTS_SECONDS"]):
        page = client.get("/accounts/login/")
        health = client.get("/healthz")
        secure = client.get("/healthz", secure=True)

    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert health.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_behind_a_proxy_forwarded_https_is_not_redirected(client):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                           SECURE_HSTS_SECONDS=31536000):
        response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        plain = client.get("/accounts/login/")

    assert response["Strict-Transport-Security"].startswith("max-age=")
    assert plain.status_code == 301


def _gridgov_check(**env):
    gridgov = os.path.join(os.path.dirname(sys.executable), "gridgov")
    return subprocess.run([gridgov, "check"], capture_output=True, text=True, timeout=120,
                          env=_clean_env(GRIDGOV_SECRET_KEY="x" * 50, GRIDGOV_AUDIT_KEY="a" * 48, **env))


@pytest.mark.parametrize("keys", [
    "not-a-fernet-key",
    f"{GOOD_KEY},c2hvcnQ=",  # a good key first, a malformed one behind it
    "x" * 44,
])
def test_a_malformed_field_key_stops_start_up(keys):
    result = _gridgov_check(GRIDGOV_FIELD_KEY=keys)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "GRIDGOV_FIELD_KEY" in result.stderr
    assert "not a valid Fernet key" in result.stderr


def test_a_malformed_key_stops_development_start_up_too():
    result = _gridgov_check(GRIDGOV_DEBUG="1", GRIDGOV_FIELD_KEY="oops")

    assert result.returncode != 0
    assert "not a valid Fernet key" in result.stderr


def test_valid_keys_pass_the_check():
    result = _gridgov_check(GRIDGOV_FIELD_KEY=f"{GOOD_KEY},{GOOD_KEY}", GRIDGOV_ALLOWED_HOSTS="localhost")

    assert result.returncode == 0, result.stderr
