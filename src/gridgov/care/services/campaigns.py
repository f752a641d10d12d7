"""Screening campaigns: every household of an area on its grid worker's checklist."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care import (
    alerts,  # notify (issue 11): care's alerts through gridgov.core.notifications
)
from gridgov.care.audit_actions import CareAudit
from gridgov.care.services.common import _raise_if, officers_of
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import OrgUnit, Person
from gridgov.core.permissions import Capability, has_capability, in_scope, require

# --- Screening campaigns ----------------------------------------------------------------------------


def campaign_open(*, actor, org_code: str, kind: str, title: str, starts_on: datetime.date,
                  due_on: datetime.date):
    """Every current household of the area goes on its grid worker's checklist."""
    from gridgov.care.models import Campaign, CampaignItem
    from gridgov.core.models import GridAssignment
    from gridgov.register.selectors import households_in_area

    require(actor, Capability.MANAGE_ENROLLMENTS)
    errors: dict[str, list[str]] = {}
    if kind not in Campaign.Kind.values:
        errors["kind"] = [_("Choose the kind of campaign.")]
    if not (title or "").strip():
        errors["title"] = [_("A title is required.")]
    if due_on < starts_on:
        errors["due_on"] = [_("The due date is before the start date.")]
    if not OrgUnit.objects.filter(code=org_code or "").exists():
        errors["org_code"] = [_("No org unit with this code.")]
    _raise_if(errors)
    if not in_scope(actor, org_code):
        raise Forbidden(_("This lies outside your area."))
    with transaction.atomic():
        campaign = Campaign.objects.create(org_code=org_code, kind=kind, title=title.strip(), starts_on=starts_on,
                                           due_on=due_on, created_by=actor)
        workers: dict[str, int] = {}
        for cell, user_id in GridAssignment.objects.filter(cell__code__startswith=org_code).order_by(
                "cell_id", "id").values_list("cell_id", "user_id"):
            workers.setdefault(cell, user_id)
        CampaignItem.objects.bulk_create(
            (CampaignItem(campaign=campaign, household_id=pk, org_code=code, assignee_id=workers.get(code))
             for pk, code in households_in_area(org_code)),
            batch_size=1000,
        )
        audit_record(actor=actor, action=CareAudit.CAMPAIGN_OPEN, obj=campaign, org_code=org_code,
                     changes={"kind": kind, "items": campaign.items.count()})
    return campaign


def campaign_item_record(*, actor, item, result: str, note: str = "", referred_person: Person | None = None):
    from gridgov.care.models import CampaignItem

    if not (item.assignee_id == actor.pk or (has_capability(actor, Capability.MANAGE_ENROLLMENTS)
                                             and in_scope(actor, item.org_code))):
        raise NotFound()
    if result not in CampaignItem.Result.values or result == CampaignItem.Result.PENDING:
        raise DomainError(_("Record what the visit found."), ErrorCode.INVALID, {"result": [_("Record what the visit found.")]})
    if result == CampaignItem.Result.REFERRED and referred_person is None:
        raise DomainError(_("Say who is referred for enrollment."), ErrorCode.INVALID,
                          {"referred_person": [_("Say who is referred for enrollment.")]})
    with transaction.atomic():
        item.result, item.note, item.visited_on = result, (note or "").strip(), timezone.localdate()
        item.referred_person = referred_person
        item.save(update_fields=["result", "note", "visited_on", "referred_person"])
        audit_record(actor=actor, action=CareAudit.CAMPAIGN_ITEM, obj=item.campaign, org_code=item.org_code,
                     person_id=referred_person.pk if referred_person else None, changes={"result": result})
        if result == CampaignItem.Result.REFERRED:
            alerts.to_users(officers_of(item.org_code), kind="care_referral", text=_(
                "A screening visit referred a person for a care program in %(area)s.") % {"area": alerts.area(item.org_code)},
                link=reverse("care-campaign", args=[item.campaign_id]), org_code=item.org_code)
    return item
