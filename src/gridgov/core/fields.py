from django.db import models

from gridgov.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted with Fernet before it reaches the database.

    It cannot be filtered or ordered on; look values up through a blind-index column.
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)
