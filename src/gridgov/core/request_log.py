"""Structured request logs that carry no personal data (issue 12).

Production writes JSON lines on stdout (python-json-logger; settings.LOGGING), one line per
request from `RequestLogMiddleware`:

    {"timestamp": "...", "level": "INFO", "logger": "gridgov.request", "message": "request",
     "request_id": "9f1c...", "method": "GET", "path": "/track/<str:token>/",
     "view": "events-track", "status": 200, "duration_ms": 12.4, "user_id": 17}

What a line never holds, because it would be personal data or a secret:
- the raw path: paths carry public tracking tokens and usernames, so `path` is the URL
  pattern that matched (static files keep theirs; a path that matched nothing is
  `<unmatched>`);
- the query string or the body: searches and forms carry residents' names, ID numbers and
  phones;
- names, usernames or addresses of the user: only the numeric `user_id` (null when signed
  out), which the audit log resolves for whoever may read it;
- the client address: nginx's access log keeps it, under its own retention.

Every other record written during the request gets its `request_id` (`RequestIdFilter`), and
Django's own "Not Found: /path" warnings are rewritten to the URL pattern
(`RedactRequestPathFilter`). The id comes from nginx's `X-Request-ID` when it is well formed
(so the proxy's and the app's lines join), otherwise a new one; it is sent back in the
`X-Request-ID` response header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import pythonjsonlogger.json
from django.conf import settings
from django.utils.functional import LazyObject, empty
from pythonjsonlogger.core import RESERVED_ATTRS

from gridgov.core import request_context

logger = logging.getLogger("gridgov.request")

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
UNMATCHED = "<unmatched>"


def incoming_request_id(request) -> str:
    candidate = request.META.get("HTTP_X_REQUEST_ID", "")
    return candidate if _WELL_FORMED_ID.match(candidate) else uuid.uuid4().hex


def route_of(request) -> str:
    """The URL pattern that served the request, never the path the client sent."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route.lstrip("^").rstrip("$")
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = getattr(request, "path", "")
    if path.startswith(static_prefix) and "?" not in path:
        return path  # hashed file names: nothing personal
    return UNMATCHED


def _user_id(request) -> int | None:
    """The user the request was served as, if the request already asked who that is (the
    session or, inside the view, DRF). Never asks itself: that would read the session of a
    request that did not need it (a probe) and fail while the database is down."""
    user = request.__dict__.get("user")
    while isinstance(user, LazyObject):
        wrapped = user._wrapped
        if wrapped is empty:
            return None
        user = wrapped
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestLogMiddleware:
    """Outermost: times the whole stack and logs the answer, whichever layer gave it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request)
        # Django logs a 4xx/5xx answer after the last middleware has returned: the filters
        # read the id from the request then.
        request.request_id = request_id
        token = request_context.set_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": route_of(request),
                    "view": getattr(getattr(request, "resolver_match", None), "view_name", None),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_context.reset_request_id(token)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record written while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_context.current_request_id()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class RedactRequestPathFilter(logging.Filter):
    """Django logs "Not Found: <path>", "Forbidden (CSRF ...): <path>" with the raw path
    (django.request, django.security.csrf): log the pattern instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        args = record.args
        if (request is not None and isinstance(args, tuple) and len(args) == 2
                and args[1] == getattr(request, "path", None)):
            record.args = (args[0], route_of(request))
        if request is not None and not hasattr(record, "request_id") and getattr(request, "request_id", None):
            record.request_id = request.request_id
        return True


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes puts in its log lines about a failed sign-in: the request id only
    (AXES_CLIENT_STR_CALLABLE); never the typed username, which may be a person's name."""
    return f"request {getattr(request, 'request_id', '-')}"


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """python-json-logger's formatter, leaving out the request object Django attaches to its
    records (its repr holds the raw path) and runserver's socket."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)


class GunicornAccessFormatter(JsonFormatter):
    """gunicorn's access line as JSON, from its atoms: the request id (the response header
    set above) joins it to the application's line; no path, query, address or agent."""

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        request_id = atoms.get("{x-request-id}o", "-")
        log_record.update({
            "request_id": None if request_id == "-" else request_id,
            "method": atoms.get("m"),
            "status": _int_or_none(atoms.get("s")),
            "duration_ms": round(int(atoms.get("D", 0)) / 1000, 1),
            "bytes": _int_or_none(atoms.get("B")),
        })


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
