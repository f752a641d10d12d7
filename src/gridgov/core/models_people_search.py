"""The name index of the person registry (people search, issue 12).

A person's name is cut into normalised one- and two-character pieces; each piece is kept only
as a keyed HMAC (`crypto.blind_index`, the key derived from `GRIDGOV_FIELD_KEY`), so that a
name search is an index lookup instead of a scan of every name, and the table says nothing
to whoever reads it without the key. `gridgov.core.person_search` writes and reads it.
"""

from __future__ import annotations

from django.db import models


class PersonNameToken(models.Model):
    # The foreign key's own index serves "every piece of this person" (refresh, clear).
    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # Also the index of the lookup: token first, then the person it leads to.
            models.UniqueConstraint(fields=["token", "person"], name="core_personnametoken_token_person"),
        ]
