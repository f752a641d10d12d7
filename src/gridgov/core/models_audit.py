"""Tables of the audit log (`gridgov.core.audit`): the hash-chained entries and each chain's head.

Imported by `core/models.py`, so the tables belong to the `core` app and
`from gridgov.core.models import ...` finds them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.indexes import PrefixIndex
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.querysets import ScopedQuerySet, area_q, scope_of


class AuditEntryQuerySet(ScopedQuerySet):
    def visibility(self, user):
        """The entries of the user's subtree; a city-level auditor (scope of 4 digits or
        fewer) also sees the city-wide and system entries, which carry no county."""
        visible = area_q(user)
        scope = scope_of(user)
        if visible is not None and len(scope) <= 4:
            visible |= models.Q(org_code="") | models.Q(org_code__in=ancestor_codes(scope, include_self=True))
        return visible

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One link of an append-only, hash-chained audit log (one chain per county)."""

    chain = models.CharField(_("chain"), max_length=12)
    seq = models.BigIntegerField(_("sequence"))
    prev_hash = models.CharField(_("previous entry's seal"), max_length=64)
    hash = models.CharField(_("seal"), max_length=64, unique=True)
    at = models.DateTimeField(_("time"))
    # audit (issue 10): actor_id is hashed, so a user who has acted is deactivated, never
    # deleted (SET_NULL would rewrite their entries and break the chain).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True)
    org_code = models.CharField(_("org unit"), max_length=15, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    # Canonical JSON text (sorted keys), kept as text so that the hashed bytes survive
    # any database's JSON normalisation.
    changes = models.TextField(_("changes"), blank=True, default="{}")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="core_auditentry_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["at"], name="core_audit_at"),
            models.Index(fields=["actor_username", "at"], name="core_audit_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            models.Index(fields=["person_id", "at"], name="core_audit_person_at"),
            PrefixIndex(fields=["org_code"], name="core_audit_org_prefix"),
        ]

    def __str__(self) -> str:
        # The action in words (core.audit_labels): an auditor never reads its code.
        from gridgov.core.audit import chain_label
        from gridgov.core.audit_labels import action_label

        chain = chain_label(self.chain)
        return f"{chain}#{self.seq} {action_label(self.action)}"

    @property
    def purpose_label(self) -> str:
        """The purpose as an auditor reads it: the listed purpose's label and the note
        (`core.purposes`), never its code; older free text as it was written."""
        from gridgov.core.purposes import label_of

        return label_of(self.purpose)

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """The last link of each chain; locked while a new entry is appended."""

    chain = models.CharField(max_length=12, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
