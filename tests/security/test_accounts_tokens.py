"""Finding 3 (tokens): the admin listed and minted every API token. Tokens are now stored
hashed, expire, are revoked by their holder and by any password change, and never appear in
the admin."""

import datetime
import hashlib

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.core.audit import AuditAction
from gridgov.core.models import ApiToken, AuditEntry, Role
from gridgov.core.tokens import api_tokens_sweep
from tests.factories import TEST_PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def sign_in(username="gw", password=TEST_PASSWORD, **extra):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def me(token):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")


def test_the_database_holds_only_a_hash_of_the_token(grid_worker):
    token = sign_in(device="王的手机").json()["token"]

    row = ApiToken.objects.get(user=grid_worker)
    secret = token.split("_", 2)[2]
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    # nothing stored equals the token or its secret: a database dump signs nobody in
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert token not in stored and secret not in stored
    assert row.device == "王的手机"


def test_a_token_whose_hash_is_known_still_cannot_be_used(grid_worker):
    sign_in()
    row = ApiToken.objects.get(user=grid_worker)

    # an insider with the database builds a token from what is stored
    forged = f"gg_{row.prefix}_{row.digest}"

    assert me(forged).status_code == 401


def test_an_expired_token_is_401_not_authenticated(grid_worker):
    token = sign_in().json()["token"]
    ApiToken.objects.filter(user=grid_worker).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = me(token)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@override_settings(GRIDGOV_API_TOKEN_DAYS=7)
def test_tokens_expire_after_the_configured_days(grid_worker):
    sign_in()

    row = ApiToken.objects.get(user=grid_worker)
    assert (row.expires_at - row.created_at) == datetime.timedelta(days=7)


def test_delete_revokes_the_callers_token_only(grid_worker):
    phone = sign_in().json()["token"]
    tablet = sign_in().json()["token"]

    response = APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {phone}")

    assert response.status_code == 204
    assert me(phone).status_code == 401
    assert me(tablet).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.API_TOKEN_REVOKE)
    assert entry.actor_username == "gw" and '"reason":"signed_out"' in entry.changes


def test_delete_without_a_token_is_401(db):
    assert APIClient().delete(TOKEN_URL).status_code == 401


def test_a_password_change_through_a_service_revokes_every_token(grid_worker):
    tokens = [sign_in().json()["token"] for _ in range(2)]

    grid_worker.set_password("a-brand-new-password-9")
    grid_worker.save()

    assert [me(t).status_code for t in tokens] == [401, 401]
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert '"tokens_revoked":2' in entry.changes


def test_changepassword_command_revokes_tokens(grid_worker, monkeypatch):
    token = sign_in().json()["token"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-brand-new-password-9")

    call_command("changepassword", "gw")

    assert me(token).status_code == 401


def test_the_admins_password_form_revokes_tokens_and_ends_other_sessions(tree):
    admin = make_user("boss", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True)
    victim = make_user("victim", Role.DISPATCHER, scope="9901")
    token = sign_in("victim").json()["token"]
    victims_browser = Client()
    assert victims_browser.post(reverse("login"), {"username": "victim", "password": TEST_PASSWORD}).status_code == 302
    assert victims_browser.get(reverse("home")).status_code == 200
    admin_browser = Client()
    admin_browser.force_login(admin)

    response = admin_browser.post(reverse("admin:auth_user_password_change", args=[victim.pk]), {"password1": "a-brand-new-password-9", "password2": "a-brand-new-password-9",
        "usable_password": "true"})

    assert response.status_code == 302
    assert me(token).status_code == 401
    # the victim's browser session ended too
    assert victims_browser.get(reverse("home")).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert entry.actor_username == "boss"


def test_the_admin_has_no_token_pages(tree):
    admin = make_user("boss", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)

    for path in ("/admin/authtoken/", "/admin/authtoken/tokenproxy/", "/admin/core/apitoken/",
                 "/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert browser.get(path).status_code == 404, path
    index = browser.get("/admin/").content.decode()
    assert "authtoken" not in index and "totpdevice" not in index


def test_signing_in_is_audited_with_the_public_token_id_only(grid_worker):
    token = sign_in().json()["token"]

    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN)
    prefix = ApiToken.objects.get().prefix
    assert f'"token":"{prefix}"' in entry.changes and token.split("_", 2)[2] not in entry.changes


def test_the_sweep_deletes_long_dead_tokens_and_is_audited_as_the_system(grid_worker):
    sign_in()
    live = sign_in().json()["token"]
    ApiToken.objects.filter(pk=ApiToken.objects.order_by("id").first().pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=100))

    assert api_tokens_sweep(older_than_days=90) == 1

    assert me(live).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.API_TOKENS_EXPIRED_SWEEP)
    assert entry.actor_username == "system" and '"system":"token_sweep"' in entry.changes
