"""Recovery codes are stored as keyed hashes; the migration hashes codes stored before."""

import importlib

from django.apps import apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from gridgov.core.otp import RECOVERY_HASH_MARK, recovery_token_hash, verify_code

migration = importlib.import_module("gridgov.core.migrations.0013_hash_recovery_codes")


def test_the_migration_hashes_plain_codes_once_and_they_still_work(grid_worker):
    device = StaticDevice.objects.create(user=grid_worker, name="recovery", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefghjk")
    StaticToken.objects.create(device=device, token=recovery_token_hash("already2hashed"))

    migration.hash_tokens(apps, None)
    migration.hash_tokens(apps, None)  # a second run changes nothing

    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == {recovery_token_hash("abcdefghjk"), recovery_token_hash("already2hashed")}
    assert all(t.startswith(RECOVERY_HASH_MARK) and len(t) == 16 for t in stored)
    assert verify_code(user=grid_worker, code="abcde-fghjk") is not None  # as typed, with a dash
    assert verify_code(user=grid_worker, code="abcdefghjk") is None  # used once
