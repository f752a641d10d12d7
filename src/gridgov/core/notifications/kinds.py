"""The kinds of notification, registered by the app that sends them, with a label for the
preferences page and the channels (besides the app) that are on until the user says otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.core.models_notifications import Channel


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str  # a lazy translation
    default_channels: frozenset[str] = frozenset()
    # Roles that may receive it: the preferences page lists only these (empty: every role).
    roles: frozenset[str] = frozenset()


_KINDS: dict[str, NotificationKind] = {}


def register_kind(code: str, label, *, channels=(), roles=()) -> NotificationKind:
    """Declare a kind of notification (once, from the sending app's module or `ready`)."""
    unknown = set(channels) - {Channel.EMAIL, Channel.SMS}
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    kind = NotificationKind(code, label, frozenset(str(c) for c in channels), frozenset(roles))
    _KINDS[code] = kind
    return kind


def kind_of(code: str) -> NotificationKind:
    """The registered kind, or an in-app-only kind labelled by its code."""
    return _KINDS.get(code) or NotificationKind(code, code)


def is_registered(code: str) -> bool:
    return code in _KINDS


def kinds_for(user) -> list[NotificationKind]:
    roles = set(user.roles)
    return sorted((k for k in _KINDS.values() if not k.roles or k.roles & roles), key=lambda k: str(k.label))
