"""The routing-rule editor: a rule is never edited in place, the one it replaces is ended
and kept as its history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import Department, OrgUnit
from gridgov.core.permissions import in_scope
from gridgov.events.audit_actions import EventAudit
from gridgov.events.models import (
    Category,
    RoutingRule,
)

# --- Routing rules (editor with history) ------------------------------------------------------


def routing_rule_save(*, actor, category: Category, org_prefix: str, department: Department,
                      to_local_station: bool = True) -> "RoutingRule":
    """Set the rule for (category, area): the active one, if any, is ended, never edited."""
    from gridgov.core.permissions import Capability, require
    from gridgov.events.models import RoutingRule

    require(actor, Capability.MANAGE_EVENT_CONFIG)
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=org_prefix).exists():
        errors["org_prefix"] = [_("No org unit with this code.")]
    elif not in_scope(actor, org_prefix):
        raise Forbidden(_("This lies outside your area."))
    if not department.is_active:
        errors["department"] = [_("This department is not active.")]
    elif not (org_prefix.startswith(department.org_code) or department.org_code.startswith(org_prefix)):
        errors["department"] = [_("This department does not serve this area.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    now = timezone.now()
    with transaction.atomic():
        current = RoutingRule.objects.select_for_update().filter(
            category=category, org_prefix=org_prefix, is_active=True).first()
        if current is not None:
            current.is_active, current.ended_at = False, now
            current.save(update_fields=["is_active", "ended_at"])
        rule = RoutingRule.objects.create(category=category, org_prefix=org_prefix, department=department,
                                          to_local_station=to_local_station, created_by=actor, replaces=current)
        audit_record(actor=actor, action=EventAudit.ROUTING_RULE, obj=rule, org_code=org_prefix,
                     changes={"category": category.code, "department": department.code,
                              "replaces": current.pk if current else None, "to_local_station": to_local_station})
    return rule


def routing_rule_end(*, actor, rule) -> None:
    from gridgov.core.permissions import Capability, require

    require(actor, Capability.MANAGE_EVENT_CONFIG)
    if not in_scope(actor, rule.org_prefix):
        raise NotFound()
    with transaction.atomic():
        if not rule.is_active:
            raise DomainError(_("This rule has already ended."), ErrorCode.CONFLICT)
        rule.is_active, rule.ended_at = False, timezone.now()
        rule.save(update_fields=["is_active", "ended_at"])
        audit_record(actor=actor, action=EventAudit.ROUTING_RULE_END, obj=rule, org_code=rule.org_prefix)
