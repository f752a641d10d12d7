"""Handing a person over to another area."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import (
    alerts,  # notify (issue 11): care's alerts through gridgov.core.notifications
    workflow,
)
from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import Enrollment, Handover, TeamMember, TeamRole, Visit
from gridgov.care.services.common import FIRST_VISIT_AFTER_HANDOVER_DAYS, _raise_if, officers_of
from gridgov.care.workflow import HANDOVER_TRANSITIONS, HandoverAction
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import OrgUnit
from gridgov.core.permissions import Capability, in_scope, require

# --- Handovers -----------------------------------------------------------------------------------


def handover_create(*, actor, enrollment: Enrollment, to_org_code: str, due_date: datetime.date, reason: str,
                    note: str = "") -> Handover:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=to_org_code or "").exists():
        errors["to_org_code"] = [_("No org unit with this code.")]
    elif to_org_code == enrollment.org_code:
        errors["to_org_code"] = [_("The receiving area is the current one.")]
    if reason not in Handover.Reason.values:
        errors["reason"] = [_("Choose the reason for the handover.")]
    if due_date is None or due_date < timezone.localdate():
        errors["due_date"] = [_("The handover date cannot be in the past.")]
    if enrollment.status != Enrollment.Status.ACTIVE:
        errors["enrollment"] = [_("This enrollment has ended.")]
    _raise_if(errors)
    waiting = _("A handover of this person is already waiting.")
    with conflict_on_integrity_error(waiting), transaction.atomic():
        if Handover.objects.filter(enrollment=enrollment, status=Handover.Status.PENDING).exists():
            raise DomainError(waiting, ErrorCode.CONFLICT)
        handover = Handover.objects.create(enrollment=enrollment, from_org_code=enrollment.org_code,
                                           to_org_code=to_org_code, reason=reason, note=(note or "").strip(),
                                           due_date=due_date, created_by=actor)
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=enrollment.org_code,
                     person_id=enrollment.person_id,
                     changes={"to": to_org_code, "due": due_date.isoformat(), "reason": reason})
        alerts.to_users(officers_of(to_org_code), kind="care_handover", text=_(
            "A person in a care program is being handed over to %(area)s by %(date)s: please accept or reject.")
            % {"area": alerts.area(to_org_code), "date": alerts.day(due_date)}, link=reverse("care-officer"), org_code=to_org_code)
    return handover



def handover_accept(*, actor, handover: Handover,
                    first_visit_days: int = FIRST_VISIT_AFTER_HANDOVER_DAYS) -> Handover:
    """The receiving side takes the person on: team, schedule and history move with them."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, handover.to_org_code):
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().select_related("enrollment").get(pk=handover.pk)
        target = workflow.check(HANDOVER_TRANSITIONS, HandoverAction.ACCEPT, actor=actor, status=handover.status,
                                conflict=workflow.CONFLICT_MESSAGES["handover"])
        enrollment = handover.enrollment
        # Staff of the sending side leave the team; family and guardians stay.
        enrollment.team.filter(removed_at__isnull=True, user__isnull=False).exclude(
            role__in=[TeamRole.FAMILY, TeamRole.GUARDIAN]).update(removed_at=now)
        if not enrollment.team.filter(user=actor, removed_at__isnull=True).exists():
            TeamMember.objects.create(enrollment=enrollment, user=actor, role=TeamRole.OFFICER, acknowledged_at=now)
        first_visit = timezone.localdate() + datetime.timedelta(days=first_visit_days)
        enrollment.org_code = handover.to_org_code
        enrollment.next_due_date = min(enrollment.next_due_date or first_visit, first_visit)
        enrollment.save(update_fields=["org_code", "next_due_date", "updated_at"])
        # Past visits move to the new area too, so the new team can read them.
        Visit.objects.filter(enrollment=enrollment).update(org_code=handover.to_org_code)
        handover.status, handover.decided_by, handover.decided_at = target, actor, now
        handover.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=handover.to_org_code,
                     person_id=enrollment.person_id, changes={"accepted": True, "from": handover.from_org_code})
        alerts.to_users(officers_of(handover.from_org_code), kind="care_handover", text=_(
            "The handover to %(area)s was accepted.") % {"area": alerts.area(handover.to_org_code)},
            link=reverse("care-officer"), org_code=handover.from_org_code)
    return handover


def handover_reject(*, actor, handover: Handover, reason: str) -> Handover:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, handover.to_org_code):
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the handover is rejected."), ErrorCode.INVALID,
                          {"reason": [_("Say why the handover is rejected.")]})
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        target = workflow.check(HANDOVER_TRANSITIONS, HandoverAction.REJECT, actor=actor, status=handover.status,
                                conflict=workflow.CONFLICT_MESSAGES["handover"])
        handover.status, handover.decided_by, handover.decided_at = target, actor, timezone.now()
        handover.reject_reason = reason
        handover.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        audit_record(actor=actor, action=CareAudit.HANDOVER, obj=handover, org_code=handover.to_org_code,
                     person_id=handover.enrollment.person_id, changes={"accepted": False})
        alerts.to_users(officers_of(handover.from_org_code), kind="care_handover", text=_(
            "The handover to %(area)s was rejected: %(reason)s") % {"area": alerts.area(handover.to_org_code), "reason": reason},
            enrollment=handover.enrollment)
    return handover
