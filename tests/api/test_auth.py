"""Signing in for a token, lockout after repeated failures, who-am-I, and the error shape."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from gridgov.core.models import ApiToken
from tests.factories import TEST_PASSWORD, Tree

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def sign_in(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_right_password_gives_a_token_that_signs_in(anon, grid_worker):
    # given a grid worker with a password
    # when they ask for a token
    response = sign_in(anon, "gw", TEST_PASSWORD)

    # then they get one that works for the API
    assert response.status_code == 200
    token = response.json()["token"]
    # and only a hash of it is stored
    stored = ApiToken.objects.get(user=grid_worker)
    assert token.startswith(f"gg_{stored.prefix}_") and token.split("_", 2)[2] not in stored.digest
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get(ME_URL).status_code == 200


def test_signing_in_again_issues_another_token_and_both_work(anon, grid_worker):
    # one token per device: a second sign-in does not end the first device's token
    first = sign_in(anon, "gw", TEST_PASSWORD).json()["token"]
    second = sign_in(anon, "gw", TEST_PASSWORD).json()["token"]

    assert first != second
    for token in (first, second):
        assert APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_wrong_password_is_400_in_the_error_shape(anon, grid_worker):
    response = sign_in(anon, "gw", "not-the-password")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "The username or password is wrong.",
        "fields": {},
    }
    assert not ApiToken.objects.filter(user=grid_worker).exists()


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(anon, grid_worker):
    response = sign_in(anon, "nobody", "whatever")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_named(anon, db):
    response = anon.post(TOKEN_URL, {"username": "gw"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["password"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out_even_for_the_right_password(anon, grid_worker):
    # given two failed attempts
    assert sign_in(anon, "gw", "wrong-1").status_code == 400
    assert sign_in(anon, "gw", "wrong-2").status_code == 400

    # when the third fails too
    third = sign_in(anon, "gw", "wrong-3")

    # then the account is locked out, in the API's JSON shape
    assert third.status_code == 429
    assert third["Content-Type"] == "application/json"
    assert third.json()["code"] == "locked_out"
    # and even the right password is refused, and no token is issued
    right = sign_in(anon, "gw", TEST_PASSWORD)
    assert right.status_code == 429
    assert right.json()["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=grid_worker).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_sign_in_resets_the_failure_count(anon, grid_worker):
    sign_in(anon, "gw", "wrong-1")
    sign_in(anon, "gw", "wrong-2")
    assert sign_in(anon, "gw", TEST_PASSWORD).status_code == 200

    assert sign_in(anon, "gw", "wrong-3").status_code == 400
    assert sign_in(anon, "gw", "wrong-4").status_code == 400


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_of_one_user_does_not_lock_another(anon, grid_worker, station_staff):
    for attempt in range(3):
        sign_in(anon, "gw", f"wrong-{attempt}")

    assert sign_in(anon, "st", TEST_PASSWORD).status_code == 200


def test_me_describes_a_grid_worker(client_for, grid_worker):
    grid_worker.display_name = "王网格"
    grid_worker.save()

    response = client_for(grid_worker).get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "username": "gw",
        "display_name": "王网格",
        "roles": ["grid_worker"],
        "scope": Tree.CELL_A1,
        "grid_cells": [Tree.CELL_A1],
    }


def test_me_has_no_grid_cells_for_other_roles(client_for, station_staff):
    body = client_for(station_staff).get(ME_URL).json()

    assert body["roles"] == ["station_staff"]
    assert body["scope"] == Tree.TOWNSHIP_A
    assert body["grid_cells"] == []


def test_not_signed_in_is_401_in_the_error_shape(anon, db):
    response = anon.get(ME_URL)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_a_bad_token_is_401(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anon.get(ME_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_wrong_method_is_405_in_the_error_shape(client_for, grid_worker):
    response = client_for(grid_worker).delete(ME_URL)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_messages_follow_the_request_language_and_default_to_chinese(db):
    # given no Accept-Language: the configured LANGUAGE_CODE (zh-hans)
    default = APIClient().get(ME_URL).json()["message"]
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(ME_URL).json()["message"]

    assert english == "Authentication credentials were not provided."
    assert default != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in default)


@pytest.mark.parametrize("header", ["zh-hans", "zh-CN,zh;q=0.9"])
def test_chinese_accept_language_gives_chinese(db, header):
    message = APIClient(HTTP_ACCEPT_LANGUAGE=header).get(ME_URL).json()["message"]

    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_signing_in_to_the_api_is_audited(db):
    from rest_framework.test import APIClient

    from gridgov.core.models import AuditEntry, Role
    from tests.factories import TEST_PASSWORD, build_tree, make_user

    build_tree()
    make_user("apiuser", Role.GRID_WORKER, scope="990101001001001")

    response = APIClient().post("/api/v1/auth/token/", {"username": "apiuser", "password": TEST_PASSWORD},
                                format="json")

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="auth.sign_in")
    assert entry.actor_username == "apiuser" and '"channel":"api"' in entry.changes
