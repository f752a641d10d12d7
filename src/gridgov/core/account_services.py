"""Writes about who may do what: roles, and the grants of sensitive roles that need a
second administrator.

A role that sees or changes sensitive data (`permissions.role_is_sensitive`) is never given
in one step by one person. The administrator asks (`role_grant_request`: for whom, which
roles, why), and another administrator with MANAGE_USERS whose area covers the user approves
or refuses it; nobody decides their own request or a grant to themselves, superusers
included. Roles that see nothing sensitive, and every removal of a role, take effect at
once. Seeding the demo gives roles directly, audited as the system (`roles_seed`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import Role, RoleGrantRequest, RoleGrantStatus, User, UserRole
from gridgov.core.permissions import Capability, has_capability, in_scope, require, role_is_sensitive

MIN_REASON_LENGTH = 4


def split_roles(roles) -> tuple[list[str], list[str]]:
    """(roles that need approval, roles that do not), each sorted."""
    roles = sorted(set(roles))
    return [r for r in roles if role_is_sensitive(r)], [r for r in roles if not role_is_sensitive(r)]


def _check_roles(roles) -> list[str]:
    roles = sorted(set(roles or []))
    if not roles or any(r not in Role.values for r in roles):
        raise DomainError(_("Choose one or more of the known roles."), ErrorCode.INVALID,
                          {"roles": [_("Choose one or more of the known roles.")]})
    return roles


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(
            _("Say why this user needs these roles (at least %(n)d characters).") % {"n": MIN_REASON_LENGTH},
            ErrorCode.INVALID, {"reason": [_("A reason is required.")]},
        )
    return reason[:1000]


def _require_manager_of(actor, user: User) -> None:
    require(actor, Capability.MANAGE_USERS)
    if not in_scope(actor, user.scope_code):
        raise NotFound(_("No such user in your area."))


def role_grant_request(*, actor, user: User, roles: list[str], reason: str) -> RoleGrantRequest:
    """Ask for sensitive roles for `user`; nothing changes until another administrator approves."""
    _require_manager_of(actor, user)
    roles = _check_roles(roles)
    reason = _check_reason(reason)
    if any(not role_is_sensitive(r) for r in roles):
        raise DomainError(_("Only roles that see sensitive data need an approval."), ErrorCode.INVALID,
                          {"roles": [_("Only roles that see sensitive data need an approval.")]})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        held = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
        wanted = [r for r in roles if r not in held]
        if not wanted:
            raise DomainError(_("The user already has these roles."), ErrorCode.CONFLICT)
        if RoleGrantRequest.objects.filter(user=user, status=RoleGrantStatus.PENDING).exists():
            raise DomainError(_("A request for this user is already waiting for approval."), ErrorCode.CONFLICT)
        grant = RoleGrantRequest.objects.create(user=user, roles=wanted, reason=reason, org_code=user.scope_code,
                                                requested_by=actor)
        audit_record(actor=actor, action=AuditAction.ROLE_GRANT_REQUEST, obj=grant, org_code=user.scope_code,
                     object_repr=user.username,
                     changes={"user": user.username, "roles": wanted, "reason": reason})
    return grant


def _check_decider(actor, grant: RoleGrantRequest) -> None:
    require(actor, Capability.MANAGE_USERS)
    if not in_scope(actor, grant.user.scope_code):
        raise NotFound(_("No such request in your area."))
    if grant.requested_by_id == actor.pk:
        raise Forbidden(_("A second administrator must decide: you asked for this grant yourself."))
    if grant.user_id == actor.pk:
        raise Forbidden(_("Nobody decides a grant of roles to themselves."))


def _lock_pending(grant: RoleGrantRequest) -> RoleGrantRequest:
    locked = RoleGrantRequest.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if locked.status != RoleGrantStatus.PENDING:
        raise DomainError(_("This request has already been decided."), ErrorCode.CONFLICT)
    return locked


def role_grant_approve(*, actor, grant: RoleGrantRequest, note: str = "") -> RoleGrantRequest:
    _check_decider(actor, grant)
    with transaction.atomic():
        grant = _lock_pending(grant)
        _check_decider(actor, grant)
        user = grant.user
        held = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in grant.roles if r not in held])
        grant.status = RoleGrantStatus.APPROVED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.decision_note = (note or "").strip()[:1000]
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, action=AuditAction.ROLE_GRANT_APPROVE, obj=grant, org_code=user.scope_code,
                     object_repr=user.username,
                     changes={"user": user.username, "roles": grant.roles,
                              "requested_by": grant.requested_by.username if grant.requested_by else None})
        _audit_roles(actor, user, reason="grant_approved")
    return grant


def role_grant_refuse(*, actor, grant: RoleGrantRequest, note: str = "") -> RoleGrantRequest:
    _check_decider(actor, grant)
    with transaction.atomic():
        grant = _lock_pending(grant)
        grant.status = RoleGrantStatus.REFUSED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.decision_note = (note or "").strip()[:1000]
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, action=AuditAction.ROLE_GRANT_REFUSE, obj=grant, org_code=grant.org_code,
                     object_repr=grant.user.username,
                     changes={"user": grant.user.username, "roles": grant.roles, "note": grant.decision_note})
    return grant


def _audit_roles(actor, user: User, *, reason: str) -> None:
    audit_record(actor=actor, action=AuditAction.USER_ROLES_SET, obj=user, org_code=user.scope_code,
                 changes={"roles": sorted(UserRole.objects.filter(user=user).values_list("role", flat=True)),
                          "reason": reason})


def user_roles_set(*, actor, user: User, roles: list[str], reason: str = "") -> RoleGrantRequest | None:
    """Make `user`'s roles `roles`: removals and roles that see nothing sensitive at once; new
    sensitive roles as a grant request (returned), which needs `reason`."""
    _require_manager_of(actor, user)
    roles = sorted(set(roles or []))
    if any(r not in Role.values for r in roles):
        raise DomainError(_("Choose one or more of the known roles."), ErrorCode.INVALID,
                          {"roles": [_("Choose one or more of the known roles.")]})
    with transaction.atomic():
        held = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
        sensitive_new, plain = split_roles(set(roles) - held)
        removed = held - set(roles)
        if removed:
            UserRole.objects.filter(user=user, role__in=removed).delete()
        if plain:
            UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in plain])
        if removed or plain:
            _audit_roles(actor, user, reason="set")
        grant = role_grant_request(actor=actor, user=user, roles=sensitive_new, reason=reason) if sensitive_new \
            else None
    if hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache.pop("role_rows", None)
    user.__dict__.pop("_gridgov_capabilities", None)
    return grant


def roles_seed(*, actor, rows: list[UserRole], source: str, batch_size: int = 2000) -> None:
    """Give roles directly, without approval: only for system seeding (the demo), whose actor
    is a `tokens.SystemActor`; one audit entry counts the roles given."""
    from collections import Counter

    from gridgov.core.tokens import SystemActor

    if not isinstance(actor, SystemActor):
        raise Forbidden(_("Only the system gives roles without an approval."))
    with transaction.atomic():
        UserRole.objects.bulk_create(rows, batch_size=batch_size)
        audit_record(actor=actor, action=AuditAction.USER_ROLES_SET, object_type="core.user",
                     object_repr=source,
                     changes={"system": actor.name, "source": source,
                              "roles": dict(sorted(Counter(r.role for r in rows).items()))})


def can_decide(actor, grant: RoleGrantRequest) -> bool:
    return (has_capability(actor, Capability.MANAGE_USERS) and in_scope(actor, grant.user.scope_code)
            and grant.status == RoleGrantStatus.PENDING
            and grant.requested_by_id != actor.pk and grant.user_id != actor.pk)
