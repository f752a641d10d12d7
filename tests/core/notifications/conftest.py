"""Fixtures of the notification tests: a local SMTP server (aiosmtpd) and a local fake of
Alibaba Cloud's SMS API (http.server in a thread) that checks each request's signature the
way the provider does, both started by the test on a free port."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

KEY_ID, SECRET = "LTAI-test-key", "test-secret-of-the-fake"
ALIYUN_SMS = "gridgov.core.notifications.channels.AliyunSms"
EMAIL_CHANNEL = "gridgov.core.notifications.channels.EmailChannel"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django sends to it through its SMTP backend."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "gridgov@example.org"
    yield inbox
    controller.stop()


def _encode(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


def provider_signature(params: dict, secret: str, method: str) -> str:
    """Alibaba Cloud's RPC signature v1, written here from the provider's documentation."""
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    to_sign = "&".join([method, _encode("/"), _encode(query)])
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


@dataclass
class FakeAliyun:
    url: str
    received: list = field(default_factory=list)  # the accepted SendSms requests' parameters
    refused: list = field(default_factory=list)  # requests whose signature or fields were wrong
    fail_next: int = 0  # answer this many requests with a provider error first


@pytest.fixture
def fake_aliyun(settings):
    """A local SendSms endpoint: checks the signature and the fields, answers as the provider."""
    port = free_port()
    fake = FakeAliyun(url=f"http://127.0.0.1:{port}/")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            signature = params.pop("Signature", "")
            if signature != provider_signature(params, SECRET, "POST") or params.get("AccessKeyId") != KEY_ID:
                fake.refused.append(params)
                return self._answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
            required = {"Action": "SendSms", "Version": "2017-05-25", "SignatureMethod": "HMAC-SHA1",
                        "SignatureVersion": "1.0", "Format": "JSON"}
            if any(params.get(k) != v for k, v in required.items()) or not params.get("PhoneNumbers"):
                fake.refused.append(params)
                return self._answer(400, {"Code": "MissingParameter", "Message": "bad request"})
            if fake.fail_next > 0:
                fake.fail_next -= 1
                return self._answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"})
            fake.received.append(params)
            self._answer(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})

        def _answer(self, status, payload):
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GRIDGOV_NOTIFY_CHANNELS = {**settings.GRIDGOV_NOTIFY_CHANNELS, "sms": ALIYUN_SMS}
    settings.GRIDGOV_SMS = {**settings.GRIDGOV_SMS, "ENDPOINT": fake.url, "ACCESS_KEY_ID": KEY_ID,
                            "ACCESS_KEY_SECRET": SECRET, "SIGN_NAME": "网格治理", "TEMPLATE_CODE": "SMS_000001",
                            "TIMEOUT": 5}
    yield fake
    server.shutdown()
    server.server_close()
