"""The current request's client address, for audit rows written deep inside services."""

from __future__ import annotations

import contextvars

_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_client_ip", default="")


def current_ip() -> str:
    return _client_ip.get()


def set_ip(ip: str) -> contextvars.Token:
    return _client_ip.set(ip)


def reset_ip(token: contextvars.Token) -> None:
    _client_ip.reset(token)
