"""The current request's client address, for audit rows written deep inside services, and its id,
for the log lines it writes."""

from __future__ import annotations

import contextvars

_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_client_ip", default="")


def current_ip() -> str:
    return _client_ip.get()


def set_ip(ip: str) -> contextvars.Token:
    return _client_ip.set(ip)


def reset_ip(token: contextvars.Token) -> None:
    _client_ip.reset(token)


# serving (issue 12): the id of the request being served, put on every log line it writes
# (gridgov.core.request_log).
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(request_id: str) -> contextvars.Token:
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
