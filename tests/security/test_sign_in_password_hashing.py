"""Sign-in (issue 12): argon2id at OWASP's recommended strength in production, PBKDF2 hashes
still accepted and re-made with argon2id at the next sign-in, and no weaker setting starts."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

import gridgov.settings as production
from gridgov.core.hashers import argon2_parameters
from gridgov.core.models import Role
from tests.factories import TEST_PASSWORD, Tree, make_user

PRODUCTION_HASHERS = production.PASSWORD_HASHERS


def test_production_hashes_new_passwords_with_argon2id_at_owasps_parameters():
    assert PRODUCTION_HASHERS[0] == "gridgov.core.hashers.Argon2idPasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        encoded = make_password("a long passphrase")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_signs_in_and_is_upgraded_to_argon2id(tree):
    user = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    user.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = Client().post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(TEST_PASSWORD)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_hash_with_other_argon2_parameters_is_remade_at_sign_in(tree):
    user = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    djangos_own = Argon2PasswordHasher()  # m=102400, t=2, p=8
    user.password = djangos_own.encode(TEST_PASSWORD, djangos_own.salt())
    user.save(update_fields=["password"])
    assert "m=102400" in user.password

    assert Client().post(reverse("login"), {"username": "gw", "password": TEST_PASSWORD}).status_code == 302

    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_wrong_password_does_not_sign_in_with_an_argon2id_hash(tree):
    user = make_user("gw2", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    user.set_password(TEST_PASSWORD)
    user.save()

    response = Client().post(reverse("login"), {"username": "gw2", "password": TEST_PASSWORD + "x"})

    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("env", [
    {"GRIDGOV_ARGON2_MEMORY_KIB": "4096", "GRIDGOV_ARGON2_TIME_COST": "10"},  # below 7 MiB
    {"GRIDGOV_ARGON2_MEMORY_KIB": "19456", "GRIDGOV_ARGON2_TIME_COST": "1"},  # 19 MiB needs 2 passes
    {"GRIDGOV_ARGON2_PARALLELISM": "0"},
    {"GRIDGOV_ARGON2_TIME_COST": "two"},
])
def test_a_setting_weaker_than_owasps_stops_start_up(env):
    with pytest.raises(ImproperlyConfigured):
        argon2_parameters(env)


@pytest.mark.parametrize("env, expected", [
    ({}, (19456, 2, 1)),
    ({"GRIDGOV_ARGON2_MEMORY_KIB": "47104", "GRIDGOV_ARGON2_TIME_COST": "1"}, (47104, 1, 1)),
    ({"GRIDGOV_ARGON2_MEMORY_KIB": "65536", "GRIDGOV_ARGON2_TIME_COST": "3", "GRIDGOV_ARGON2_PARALLELISM": "2"},
     (65536, 3, 2)),
])
def test_owasps_settings_and_stronger_ones_are_accepted(env, expected):
    assert argon2_parameters(env) == expected
