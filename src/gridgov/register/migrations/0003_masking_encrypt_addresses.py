# masking (issue 10): register addresses encrypted at rest, with a blind index for exact lookup.

import re
import unicodedata

from django.db import migrations, models

import gridgov.core.fields

BATCH = 500
MODELS = ("building", "household", "place")


def _index(crypto, model_name, value):
    if model_name == "place":
        return None
    return crypto.blind_index("address", re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")))


def _rewrite(apps, transform):
    """Rewrite every address with `transform(model_name, value) -> (address, index)`, reading
    and writing the raw column (plain text here, between the two AlterFields)."""
    for model_name in MODELS:
        model = apps.get_model("register", model_name)
        fields = ["address"] + ([] if model_name == "place" else ["address_index"])
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH])
            if not rows:
                break
            for row in rows:
                address, index = transform(model_name, row.address)
                row.address = address
                if index is not None:
                    row.address_index = index
            model.objects.bulk_update(rows, fields)
            last = rows[-1].pk


def encrypt_addresses(apps, schema_editor):
    from gridgov.core import crypto

    _rewrite(apps, lambda name, value: (crypto.encrypt(value or ""), _index(crypto, name, value)))


def decrypt_addresses(apps, schema_editor):
    from gridgov.core import crypto

    _rewrite(apps, lambda name, value: (crypto.decrypt(value or ""), "" if name != "place" else None))


class Migration(migrations.Migration):

    dependencies = [
        ("register", "0002_proposed_edit_status_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="building",
            name="address_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="household",
            name="address_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        # First widen the columns to plain text (ciphertext is longer than 200 characters)…
        migrations.AlterField(model_name="building", name="address", field=models.TextField(verbose_name="address")),
        migrations.AlterField(model_name="household", name="address", field=models.TextField(verbose_name="address")),
        migrations.AlterField(
            model_name="place", name="address", field=models.TextField(blank=True, verbose_name="address")
        ),
        # …then encrypt the existing rows through the plain field, so nothing decrypts plain text…
        migrations.RunPython(encrypt_addresses, decrypt_addresses, elidable=False),
        # …and only then declare the fields encrypted (text to text: no change in the database).
        migrations.AlterField(
            model_name="building",
            name="address",
            field=gridgov.core.fields.EncryptedTextField(verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="household",
            name="address",
            field=gridgov.core.fields.EncryptedTextField(verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="place",
            name="address",
            field=gridgov.core.fields.EncryptedTextField(blank=True, verbose_name="address"),
        ),
    ]
