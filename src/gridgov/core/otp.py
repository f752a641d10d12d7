"""The second factor: TOTP codes from an authenticator app, and one-time recovery codes.

Who must use one is decided by `GRIDGOV_OTP` (settings.py): with `required`, every user whose
roles see sensitive data (`permissions.SENSITIVE_CAPABILITIES`) and every superuser; with
`optional`, whoever has set one up; with `off`, nobody. It is asked on the sign-in page and
by `POST /api/v1/auth/token/` (`"otp"`). A signed-in user who must use one and has none is
sent to the setup page before anything else; a session signed in without the code (for
example before the device was set up) is sent back to sign in.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.core import crypto, tokens
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.permissions import sees_sensitive_data

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def otp_mode() -> str:
    return getattr(settings, "GRIDGOV_OTP", "off")


def warn_if_second_factor_off() -> None:
    if not getattr(settings, "GRIDGOV_DEVELOPMENT", settings.DEBUG) and otp_mode() == "off":
        log.warning(
            "GRIDGOV_OTP=off: the second factor is switched off in production; "
            "accounts that see sensitive data sign in with a password alone."
        )


def must_use_second_factor(user) -> bool:
    """True when `user` may not sign in (or stay signed in) without a second factor."""
    mode = otp_mode()
    if mode == "off" or user is None or not user.is_authenticated:
        return False
    if mode == "required" and (user.is_superuser or sees_sensitive_data(user)):
        return True
    return has_second_factor(user)


def has_second_factor(user) -> bool:
    # Asked by the middleware on every page: remembered on the user object of the request.
    cached = getattr(user, "_gridgov_has_otp", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        try:
            user._gridgov_has_otp = cached
        except AttributeError:  # pragma: no cover - a lazy wrapper that refuses attributes
            pass
    return cached


def verify_code(*, user, code: str):
    """The device that accepts `code` (a 6-digit TOTP code or a recovery code), or None.
    A recovery code works once; its use is audited."""
    code = (code or "").strip().replace(" ", "").replace("-", "")
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            for device in TOTPDevice.objects.filter(user=user, confirmed=True):
                if device.verify_token(code):
                    return device
            return None
        # Recovery codes only ever tried against the recovery device, so that a mistyped
        # recovery code does not throttle the authenticator (and the other way round).
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(recovery_token_hash(code)):
                audit_record(actor=user, action=AuditAction.OTP_RECOVERY_CODE_USED, obj=user,
                             org_code=user.scope_code,
                             changes={"recovery_codes_left": device.token_set.count()})
                return device
    return None


def otp_pending_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up for `user` (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def otp_enrol_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with its first code. Returns the new recovery codes (shown
    once), or None when the code is wrong. Earlier devices of the user are replaced."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token((code or "").strip()):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        if hasattr(user, "_gridgov_has_otp"):
            del user._gridgov_has_otp
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [_recovery_code() for _i in range(RECOVERY_CODE_COUNT)]
        # Only a keyed hash is stored: a copy of the database does not sign anyone in.
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=recovery_token_hash(c)) for c in codes])
        audit_record(actor=user, action=AuditAction.OTP_ENROL, obj=user, org_code=user.scope_code,
                     changes={"recovery_codes": RECOVERY_CODE_COUNT})
    return codes


def otp_reset(*, actor, user, reason: str) -> int:
    """Remove every second-factor device of `user` (a lost phone and lost recovery codes): at
    the next sign-in they set up a new one. Run from the server (`gridgov otp_reset`)."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        audit_record(actor=actor, action=AuditAction.OTP_RESET, obj=user, org_code=user.scope_code,
                     changes={"system": getattr(actor, "name", ""), "reason": reason, "devices_removed": removed})
    return removed


RECOVERY_HASH_MARK = "$"  # base32 plaintext never holds it: tells a stored hash from a legacy code


def recovery_token_hash(code: str) -> str:
    """What `StaticToken.token` holds for a recovery code (its 16 characters at most): a keyed
    HMAC (`crypto.blind_index`, whose key lives outside the database and survives key
    rotation), 60 bits of it. The codes carry 50 random bits, so neither a guess online
    (throttled) nor a stolen table offline (no key) finds one."""
    normalized = (code or "").strip().replace(" ", "").replace("-", "").lower()
    return RECOVERY_HASH_MARK + crypto.blind_index("otp_recovery", normalized)[:15]


def _recovery_code() -> str:
    # 10 characters of base32 (50 bits), written in two groups for reading aloud.
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _i in range(10))


def qr_svg_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, as authenticator apps take it when typed in, in groups of 4."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


# --- Enforcement on pages ------------------------------------------------------------------

_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz", "/readyz", "/track/", "/open311/", "/api/schema/",
                  "/api/docs/")


class SecondFactorMiddleware:
    """Sends a signed-in user who must use a second factor to set one up (none yet) or back
    to sign in (the session was not verified with it). Also makes the signed-in user known
    to hooks that Django calls without a request (`tokens.current_actor`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = tokens.set_current_actor(user if user is not None and user.is_authenticated else None)
        try:
            blocked = self._blocked(request, user)
            if blocked is not None:
                return blocked
            return self.get_response(request)
        finally:
            tokens.reset_current_actor(token)

    def _blocked(self, request, user):
        if user is None or not user.is_authenticated or otp_mode() == "off":
            return None
        path = request.path
        if path.startswith(_OPEN_PREFIXES) or path in {reverse("logout"), reverse("login")}:
            return None
        if getattr(user, "is_verified", lambda: False)() or not must_use_second_factor(user):
            return None
        enrolled = has_second_factor(user)
        if path.startswith("/api/"):
            return JsonResponse({"code": "otp_required", "message": _(
                "This account signs in with a second factor. Sign in again with the code."
            ), "fields": {}}, status=401)
        if not enrolled:
            setup = reverse("otp-setup")
            if path == setup:
                return None
            return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
        # Signed in without the code (a device set up since, or an old session): sign in again.
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        logout(request)
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
