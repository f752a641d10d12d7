"""Who acts when no person does.

Scheduled work (escalation sweeps, the nightly care jobs, retention), the demo seeder and
intake from machines act as a `SystemActor`, named, never as `actor=None`. A service
given `None` raises instead of skipping its checks; a service that system work may call
says so by accepting a `SystemActor` explicitly (`is_system(actor)`), and the audit entry
reads actor "system".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """Who acts when no person does (seeding the demo, scheduled sweeps): named in the audit
    entry instead of passing `actor=None`."""

    name: str
    is_authenticated = False
    is_active = False
    is_superuser = False
    is_anonymous = False
    scope_code = ""
    pk = None

    def get_username(self) -> str:
        return "system"


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require_actor(actor) -> None:
    """Refuse a missing actor: system work names itself with a `SystemActor`."""
    if actor is None:
        raise TypeError("actor is required: a user, or core.actors.SystemActor for system work")
