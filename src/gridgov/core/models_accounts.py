"""Tables of accounts and API use: API tokens, role grants that need a second administrator,
and the first response to a retried submission (Idempotency-Key).

Imported by `core/models.py`, so the tables belong to the `core` app and
`from gridgov.core.models import ...` finds them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.indexes import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class IdempotencyRecord(models.Model):
    """The first response to a submission retried with the same Idempotency-Key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    # SHA-256 of method, path and body of the first request (races issue 10): the same key
    # with another body is a client bug, answered 409 rather than with the first result.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]


# --- accounts (issue 10): API tokens and role grants that need a second administrator ----


class ApiToken(models.Model):
    """An API token, stored as the SHA-256 of its secret: the database never holds a token
    that could be replayed. `prefix` is public (shown in lists and the audit log) and finds
    the row; one user may hold several, one per device."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("token id"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    device = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="core_apitoken_user_live")]

    def __str__(self) -> str:
        return self.prefix


class RoleGrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class RoleGrantRequest(models.Model):
    """A request to give `user` roles that see sensitive data. It takes effect only when a
    second administrator, neither the requester nor the user, approves it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grant_requests",
                             verbose_name=_("user"))
    roles = models.JSONField(_("roles"), default=list)
    reason = models.TextField(_("reason"))
    org_code = models.CharField(_("scope"), max_length=15)
    status = models.CharField(_("status"), max_length=10, choices=RoleGrantStatus.choices,
                              default=RoleGrantStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant request")
        verbose_name_plural = _("role grant requests")
        ordering = ["requested_at", "id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="core_rolegrant_org_prefix"),
            models.Index(fields=["status", "requested_at", "id"], name="core_rolegrant_queue"),
        ]
        constraints = [
            # The second pair of eyes, held by the database too.
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="core_rolegrant_not_own_request",
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("user")),
                name="core_rolegrant_not_own_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="core_rolegrant_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

