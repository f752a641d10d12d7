"""Recovery codes (django-otp static tokens) were stored as typed; keep only a keyed hash
(core.otp.recovery_token_hash). Codes already hashed carry its mark and are left alone."""

from django.db import migrations


def hash_tokens(apps, schema_editor):
    from gridgov.core.otp import RECOVERY_HASH_MARK, recovery_token_hash

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.exclude(token__startswith=RECOVERY_HASH_MARK).iterator():
        token.token = recovery_token_hash(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0012_field_labels"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
    ]
