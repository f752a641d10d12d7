"""The channels a notification is sent through besides the app, each an adapter with
`send(*, address, subject, text)` that returns on success and raises `ChannelError` (or any
exception) on failure. Settings choose them (`GRIDGOV_NOTIFY_CHANNELS`):

- `EmailChannel`: Django's configured mail backend (`EMAIL_BACKEND`, SMTP in production).
- `AliyunSms`: Alibaba Cloud SMS (dysmsapi `SendSms`, RPC signature v1, HMAC-SHA1), with the
  endpoint, keys, sign name and template from the environment (README "Configuration").
- `ConsoleSms`: the demo's SMS, printed to standard output and the log; it keeps nothing.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("gridgov.notify")


class ChannelError(Exception):
    """The channel refused or could not take the message (the text is kept as the last error)."""


class EmailChannel:
    def send(self, *, address: str, subject: str, text: str) -> None:
        send_mail(subject=subject, message=text, from_email=None, recipient_list=[address], fail_silently=False)


class ConsoleSms:
    """Prints each SMS where the demo's operator sees it; nothing is kept in memory."""

    def send(self, *, address: str, subject: str, text: str) -> None:
        from gridgov.core.masking import mask_phone

        line = f"[SMS to {mask_phone(address)}] {text}"
        print(line, file=sys.stdout, flush=True)
        log.info("%s", line)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature wants it (space %20, `*` %2A, `~` kept)."""
    return urllib.parse.quote(str(value), safe="~")


def aliyun_rpc_signature(params: dict[str, str], *, secret: str, method: str = "POST") -> str:
    """Signature v1 of an Alibaba Cloud RPC request: HMAC-SHA1 with `secret + "&"` over
    `METHOD&%2F&<encoded sorted query>`, base64-encoded."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Alibaba Cloud SMS `SendSms` (API version 2017-05-25). The approved template carries the
    notification's words in one variable (`GRIDGOV_SMS_TEMPLATE_PARAM`, default `content`)."""

    action = "SendSms"
    version = "2017-05-25"

    def __init__(self):
        self.endpoint = settings.GRIDGOV_SMS["ENDPOINT"]
        self.key_id = settings.GRIDGOV_SMS["ACCESS_KEY_ID"]
        self.secret = settings.GRIDGOV_SMS["ACCESS_KEY_SECRET"]
        self.sign_name = settings.GRIDGOV_SMS["SIGN_NAME"]
        self.template_code = settings.GRIDGOV_SMS["TEMPLATE_CODE"]
        self.template_param = settings.GRIDGOV_SMS["TEMPLATE_PARAM"]
        self.region = settings.GRIDGOV_SMS["REGION"]
        self.timeout = settings.GRIDGOV_SMS["TIMEOUT"]

    def request_params(self, *, phone: str, text: str, now: datetime.datetime | None = None,
                       nonce: str | None = None) -> dict[str, str]:
        now = now or datetime.datetime.now(datetime.UTC)
        params = {
            "AccessKeyId": self.key_id,
            "Action": self.action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.version,
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps({self.template_param: text}, ensure_ascii=False),
        }
        params["Signature"] = aliyun_rpc_signature(params, secret=self.secret, method="POST")
        return params

    def send(self, *, address: str, subject: str, text: str) -> None:
        if not (self.key_id and self.secret and self.sign_name and self.template_code):
            raise ChannelError("SMS gateway not configured (GRIDGOV_SMS_* settings)")
        body = urllib.parse.urlencode(self.request_params(phone=address, text=text),
                                      quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            raise ChannelError(f"HTTP {error.code}: {_provider_message(error)}") from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise ChannelError(f"gateway unreachable: {error}") from error
        if answer.get("Code") != "OK":
            raise ChannelError(f"{answer.get('Code', '?')}: {answer.get('Message', '')}"[:300])


def _provider_message(error: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(error.read().decode() or "{}")
    except ValueError:
        return error.reason or ""
    return f"{answer.get('Code', '')} {answer.get('Message', '')}".strip()


def channel(name: str):
    """The configured adapter for `email` or `sms`, or None when that channel is off."""
    path = (getattr(settings, "GRIDGOV_NOTIFY_CHANNELS", {}) or {}).get(name)
    return import_string(path)() if path else None
