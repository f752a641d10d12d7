"""Finding 6: the second factor was only on /admin/ (and off by default). Now, with
GRIDGOV_OTP=required (production's default), every role that sees sensitive data and every
superuser signs in with a TOTP code, on the sign-in page and at the token endpoint; codes are
computed here with django-otp's own TOTP, as an authenticator app would."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from gridgov.core.audit import AuditAction
from gridgov.core.models import AuditEntry, Role
from gridgov.core.otp import recovery_token_hash
from tests.factories import TEST_PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"
# (Never combined with pytest-django's `settings` fixture: disabling them in the wrong order
# would leave GRIDGOV_OTP=required for the tests that follow.)
REQUIRED = override_settings(GRIDGOV_OTP="required")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token=recovery_token_hash("recoverycode1"))
    return device


def api_sign_in(username="gw", password=TEST_PASSWORD, **extra):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


# --- The token endpoint ------------------------------------------------------------------------


@REQUIRED
def test_api_without_the_code_is_401_otp_required(grid_worker):
    enrolled(grid_worker)

    response = api_sign_in()

    assert response.status_code == 401 and response.json()["code"] == "otp_required"


@override_settings(GRIDGOV_OTP="required", AXES_FAILURE_LIMIT=2)
def test_api_with_a_wrong_code_is_401_otp_invalid_and_counts_as_a_failure(grid_worker):
    device = enrolled(grid_worker)

    first = api_sign_in(otp=wrong_code(device))
    assert first.status_code == 401 and first.json()["code"] == "otp_invalid"

    # a second wrong code reaches the lockout limit: the stolen password alone is not enough
    second = api_sign_in(otp=wrong_code(device))
    assert second.status_code == 429 and second.json()["code"] == "locked_out"


@REQUIRED
def test_api_with_the_right_code_gives_a_token(grid_worker):
    device = enrolled(grid_worker)

    response = api_sign_in(otp=code_for(device))

    assert response.status_code == 200
    token = response.json()["token"]
    assert APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


@REQUIRED
def test_a_code_cannot_be_replayed(grid_worker):
    device = enrolled(grid_worker)
    code = code_for(device)
    assert api_sign_in(otp=code).status_code == 200

    again = api_sign_in(otp=code)

    assert again.status_code == 401 and again.json()["code"] == "otp_invalid"


@REQUIRED
def test_a_recovery_code_works_once_and_is_audited(grid_worker):
    enrolled(grid_worker)

    assert api_sign_in(otp="recoverycode1").status_code == 200
    assert api_sign_in(otp="recoverycode1").status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.OTP_RECOVERY_CODE_USED, actor_username="gw").count() == 1


@REQUIRED
def test_api_for_a_sensitive_role_without_a_device_is_refused(grid_worker):
    response = api_sign_in()

    assert response.status_code == 401 and response.json()["code"] == "otp_required"


@REQUIRED
def test_a_role_without_sensitive_data_signs_in_with_a_password(tree):
    make_user("disp", Role.DISPATCHER, scope="9901")

    assert api_sign_in("disp").status_code == 200


@REQUIRED
def test_a_superuser_without_roles_needs_the_code_too(tree):
    make_user("root", scope="99", is_superuser=True, is_staff=True)

    assert api_sign_in("root").json()["code"] == "otp_required"


@override_settings(GRIDGOV_OTP="off")
def test_switched_off_no_code_is_asked(grid_worker):
    enrolled(grid_worker)

    assert api_sign_in().status_code == 200


@override_settings(GRIDGOV_OTP="optional")
def test_optional_asks_only_those_who_set_one_up(grid_worker, care_worker):
    enrolled(grid_worker)

    assert api_sign_in("gw").json()["code"] == "otp_required"
    assert api_sign_in("doc").status_code == 200


# --- The sign-in page --------------------------------------------------------------------------


@REQUIRED
def test_page_without_the_code_shows_the_form_again(grid_worker):
    enrolled(grid_worker)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "Enter the verification code" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@override_settings(GRIDGOV_OTP="required", AXES_FAILURE_LIMIT=2)
def test_page_with_a_wrong_code_counts_towards_the_lockout(grid_worker):
    device = enrolled(grid_worker)
    client = Client()

    client.post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD, "otp": wrong_code(device)})
    response = client.post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD, "otp": wrong_code(device)})

    assert response.status_code == 429


@REQUIRED
def test_page_with_the_right_code_signs_in_and_the_session_is_verified(grid_worker):
    device = enrolled(grid_worker)
    client = Client()

    response = client.post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD,
                                              "otp": code_for(device)})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@REQUIRED
def test_a_session_without_the_code_is_sent_back_to_sign_in(grid_worker):
    # e.g. a session from before the device was set up
    enrolled(grid_worker)
    client = Client()
    client.force_login(grid_worker)

    response = client.get(reverse("people-list"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # signed out


@REQUIRED
def test_api_through_an_unverified_session_is_401_otp_required(grid_worker):
    client = Client()
    client.force_login(grid_worker)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401 and response.json()["code"] == "otp_required"


# --- Enrolment ---------------------------------------------------------------------------------


@REQUIRED
def test_enrolment_from_first_sign_in_to_recovery_codes(grid_worker):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # given a grid worker who signs in with a password and has no second factor yet
    response = client.post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD})
    assert response.status_code == 302

    # then every page sends them to the setup page first
    page = client.get(reverse("people-list"))
    assert page.status_code == 302 and page.url.startswith(reverse("otp-setup"))
    setup = client.get(page.url)
    content = setup.content.decode()
    assert setup.status_code == 200
    assert 'src="data:image/svg+xml' in content  # the QR code, made on the server
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', content).group(1)
    device = TOTPDevice.objects.get(user=grid_worker, confirmed=False)
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8)) == device.bin_key

    # a wrong first code is refused
    assert client.post(reverse("otp-setup"), {"code": wrong_code(device)}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()

    # the right one confirms it and shows recovery codes, once
    done = client.post(reverse("otp-setup"), {"code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{10})</code></li>", done.content.decode())
    assert len(codes) == 10
    # the database holds only keyed hashes of them, never a code itself
    stored = set(StaticToken.objects.filter(device__user=grid_worker).values_list("token", flat=True))
    assert stored == {recovery_token_hash(c) for c in codes}
    assert not stored & set(codes)
    assert client.get(reverse("people-list")).status_code == 200
    again = client.get(reverse("otp-setup")).content.decode()
    assert not any(c in again for c in codes)
    assert AuditEntry.objects.filter(action=AuditAction.OTP_ENROL, actor_username="gw").exists()

    # and from now on the API wants the code, and takes a recovery code
    assert api_sign_in().json()["code"] == "otp_required"
    assert api_sign_in(otp=codes[0]).status_code == 200


@REQUIRED
def test_the_admin_site_signs_in_through_the_sign_in_page(tree):
    root = make_user("root", Role.CITY_ADMIN, scope="99", is_superuser=True, is_staff=True)
    client = Client()

    response = client.get("/admin/")
    assert response.status_code == 302
    login_page = client.get(response.url, follow=True)
    assert login_page.templates[0].name == "registration/login.html"

    device = enrolled(root)
    client.post(reverse("login"), {"username": "root", "password": TEST_PASSWORD, "otp": code_for(device)})
    assert client.get("/admin/").status_code == 200


@override_settings(GRIDGOV_OTP="off", GRIDGOV_ADMIN_OTP=True)
def test_gridgov_admin_otp_still_demands_the_code_for_the_admin(tree):
    root = make_user("root", Role.DISPATCHER, scope="99", is_staff=True)
    client = Client()
    client.force_login(root)

    assert client.get("/admin/").status_code == 302


# --- The setting ---------------------------------------------------------------------------------


def _settings_in_subprocess(env: dict) -> subprocess.CompletedProcess:
    # The test run's keys (set by gridgov.test_settings), production settings, our two variables.
    base = {k: v for k, v in os.environ.items() if k not in {"GRIDGOV_OTP", "GRIDGOV_DEBUG"}}
    base.update({"DJANGO_SETTINGS_MODULE": "gridgov.settings", "GRIDGOV_LOG_LEVEL": "WARNING", **env})
    code = ("import django; django.setup(); from django.conf import settings; "
            "print('MODE', settings.GRIDGOV_OTP)")
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("env, mode, warned", [
    ({}, "required", False),
    ({"GRIDGOV_DEBUG": "1"}, "off", False),
    ({"GRIDGOV_DEBUG": "1", "GRIDGOV_OTP": "required"}, "required", False),
    ({"GRIDGOV_OTP": "off"}, "off", True),
])
def test_production_requires_the_second_factor_unless_explicitly_off(env, mode, warned):
    result = _settings_in_subprocess(env)

    assert f"MODE {mode}" in result.stdout, result.stderr
    assert ("GRIDGOV_OTP=off" in result.stderr) is warned


def test_an_unknown_mode_stops_start_up():
    result = _settings_in_subprocess({"GRIDGOV_OTP": "maybe"})

    assert result.returncode != 0 and "GRIDGOV_OTP must be one of" in result.stderr


@REQUIRED
def test_otp_reset_removes_the_devices_and_is_audited(grid_worker):
    from django.core.management import call_command

    enrolled(grid_worker)

    call_command("otp_reset", "gw", "--reason", "工单 123：手机丢失")

    assert not TOTPDevice.objects.filter(user=grid_worker).exists()
    assert not StaticDevice.objects.filter(user=grid_worker).exists()
    entry = AuditEntry.objects.get(action=AuditAction.OTP_RESET)
    assert entry.actor_username == "system" and '"system":"otp_reset"' in entry.changes
    # the next sign-in leads to setting up a new device
    assert api_sign_in().json()["code"] == "otp_required"
