"""Reads about accounts: the role grants an administrator may see and decide."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.models import Role, RoleGrantRequest, RoleGrantStatus
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.querysets import area_q, filter_q


def role_grants_visible_to(user, *, status: str | None = RoleGrantStatus.PENDING):
    """Grant requests for users inside the administrator's area (none for other roles)."""
    if not has_capability(user, Capability.MANAGE_USERS):
        return RoleGrantRequest.objects.none()
    grants = filter_q(RoleGrantRequest.objects.all(), area_q(user, "user__scope_code"))  # the user's area now
    if status:
        grants = grants.filter(status=status)
    return grants.select_related("user", "requested_by", "decided_by").order_by("requested_at", "id")


def access_role_grant(user, grant_id: int) -> RoleGrantRequest:
    grant = role_grants_visible_to(user, status=None).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound(_("No such request in your area."))
    return grant


def role_labels(roles) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels.get(r, r)) for r in roles]
