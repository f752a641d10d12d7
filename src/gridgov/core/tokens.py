"""API tokens: issued at sign-in, stored hashed, limited in time, revocable.

A token reads `gg_<prefix>_<secret>`. The prefix (12 hex digits) is public: it finds the row
and names the token in lists and the audit log. Only the SHA-256 of the secret (32 random
bytes) is stored, so neither a database dump nor the admin can be used to act as a user.
Each sign-in issues a new token (one per device); a token ends when it expires
(`GRIDGOV_API_TOKEN_DAYS`), when its holder revokes it, and when the user's password changes.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from gridgov.core.actors import SystemActor
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.models import ApiToken

TOKEN_KEYWORD = "Token"
_TOKEN_PREFIX = "gg"
# Writing `last_used_at` on every request would turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


_current_actor: contextvars.ContextVar = contextvars.ContextVar("gridgov_current_actor", default=None)


def current_actor():
    """The signed-in user of the current page request (set by `otp.SecondFactorMiddleware`),
    for hooks that Django calls without one, such as `password_changed`."""
    return _current_actor.get()


def set_current_actor(user) -> contextvars.Token:
    return _current_actor.set(user)


def reset_current_actor(token: contextvars.Token) -> None:
    _current_actor.reset(token)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "GRIDGOV_API_TOKEN_DAYS", 30)))


def api_token_issue(*, user, device: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text, which is shown only now."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, prefix=prefix, digest=_digest(secret), device=(device or "")[:100],
            created_at=now, last_used_at=now, expires_at=now + _lifetime(),
        )
        audit_record(actor=user, action=AuditAction.SIGN_IN, obj=user, org_code=user.scope_code,
                     changes={"channel": "api", "token": prefix, "expires_at": token.expires_at.isoformat()})
    return token, f"{_TOKEN_PREFIX}_{prefix}_{secret}"


def _parse(text: str) -> tuple[str, str] | None:
    parts = (text or "").split("_", 2)
    if len(parts) != 3 or parts[0] != _TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def api_token_lookup(text: str) -> ApiToken | None:
    """The live token that `text` proves, with its user; None when unknown, wrong, revoked
    or expired (one answer for all, so that a guess learns nothing)."""
    parsed = _parse(text)
    if parsed is None:
        return None
    prefix, secret = parsed
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    if now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, actor, token: ApiToken, reason: str = "signed_out") -> None:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, obj=token.user,
                         org_code=token.user.scope_code, changes={"token": token.prefix, "reason": reason})


def api_tokens_revoke_all(*, actor, user, reason: str) -> int:
    """Revoke every live token of `user`; returns how many. Audited when there were any."""
    with transaction.atomic():
        prefixes = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("prefix", flat=True))
        if prefixes:
            ApiToken.objects.filter(user=user, prefix__in=prefixes).update(revoked_at=timezone.now())
            audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, obj=user, org_code=user.scope_code,
                         changes={"tokens": sorted(prefixes), "reason": reason})
    return len(prefixes)


def api_tokens_sweep(*, older_than_days: int = 90) -> int:
    """Delete tokens that expired or were revoked more than `older_than_days` ago (their
    issue and revocation stay in the audit log)."""
    limit = timezone.now() - datetime.timedelta(days=older_than_days)
    with transaction.atomic():
        stale = ApiToken.objects.filter(expires_at__lt=limit) | ApiToken.objects.filter(revoked_at__lt=limit)
        count, _ = stale.delete()
        if count:
            audit_record(actor=SystemActor("token_sweep"), action=AuditAction.API_TOKENS_EXPIRED_SWEEP,
                         object_type="core.apitoken", changes={"system": "token_sweep", "deleted": count,
                                  "older_than_days": older_than_days})
    return count


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <token>`, checked against the stored hash and the expiry."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != TOKEN_KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            text = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = api_token_lookup(text)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked. Sign in again."))
        request._gridgov_api_token = token
        return token.user, token

    def authenticate_header(self, request):
        return TOKEN_KEYWORD


class RevokeTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its `password_changed` hook, which Django calls
    after every saved `set_password` (the admin's form, `changepassword`, any service): the
    user's API tokens are revoked. Their other sessions end by themselves, since Django's
    session check includes the password hash (`update_session_auth_hash` keeps the session
    that changed it)."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        actor = current_actor() or SystemActor("password_change")
        with transaction.atomic():
            revoked = api_tokens_revoke_all(actor=actor, user=user, reason="password_changed")
            # A new account's first password is part of its creation, already audited.
            if revoked or user.last_login is not None:
                audit_record(actor=actor, action=AuditAction.PASSWORD_CHANGE, obj=user, org_code=user.scope_code,
                             changes={"tokens_revoked": revoked})

    def get_help_text(self):
        return ""


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # pragma: no cover - the schema is optional for the API itself
    OpenApiAuthenticationExtension = None

if OpenApiAuthenticationExtension is not None:

    class ApiTokenScheme(OpenApiAuthenticationExtension):
        target_class = "gridgov.core.tokens.ApiTokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>`, the token of `POST /api/v1/auth/token/` "
                               "(expires after GRIDGOV_API_TOKEN_DAYS; `DELETE` the same path revokes it).",
            }
