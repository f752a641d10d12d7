"""Screening campaigns: the campaigns, their checklists and progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.care.querysets import statistics_only
from gridgov.core import suppression
from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, has_capability, require
from gridgov.core.querysets import area_q

# --- Campaigns -------------------------------------------------------------------------------------


def _manages_campaigns(user) -> bool:
    return has_capability(user, Capability.MANAGE_ENROLLMENTS)


def campaigns_visible_to(user) -> QuerySet:
    """Officers: campaigns over (or covering) their area; grid workers: campaigns with
    households on their list."""
    from gridgov.care.models import Campaign

    require(user, Capability.VIEW_CARE)
    return Campaign.objects.visible_to(user)  # care.querysets.CampaignQuerySet


def _own_items(user, qs: QuerySet) -> QuerySet:
    """The items of `qs` a user works on: all in scope for officers (none above the county),
    their own for grid workers (care.querysets.CampaignItemQuerySet)."""
    return qs.visible_to(user)


def _counted_items(user) -> Q:
    """The items a campaign's counts in a list cover for the user (statistics at every level)."""
    if _manages_campaigns(user):
        return area_q(user, "items__org_code") or Q(items__pk__in=[])
    return Q(items__assignee=user)


def campaign_list(user) -> QuerySet:
    """The visible campaigns, newest first, each with `total` and `visited` of the user's items."""
    from gridgov.care.models import CampaignItem

    mine = _counted_items(user)
    return campaigns_visible_to(user).annotate(
        total=Count("items", filter=mine),
        visited=Count("items", filter=mine & ~Q(items__result=CampaignItem.Result.PENDING)),
    ).order_by("-pk")


def access_campaign(user, campaign_id):
    require(user, Capability.WORK_CAMPAIGNS)
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        pk = -1
    campaign = campaigns_visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign in your area."))
    return campaign


def _with_address(qs: QuerySet) -> QuerySet:
    from django.db.models import Subquery

    from gridgov.register.models import Household

    address = Household.objects.filter(pk=OuterRef("household_id")).values("address")[:1]
    return qs.annotate(address=Subquery(address)).select_related("referred_person", "assignee")


def campaign_items_for(user, campaign, *, result: str = "") -> QuerySet:
    """A grid worker's own items of the campaign, or all in scope for officers, each with the
    household's `address` (one query)."""
    from gridgov.care.models import CampaignItem

    qs = _own_items(user, CampaignItem.objects.filter(campaign=campaign))
    if result:
        qs = qs.filter(result=result)
    return _with_address(qs).order_by("org_code", "id")


def access_campaign_item(user, item_id):
    """An item the user may record (their own, or in an officer's area); 404 otherwise."""
    from gridgov.care.models import CampaignItem

    require(user, Capability.WORK_CAMPAIGNS)
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        pk = -1
    item = _with_address(_own_items(user, CampaignItem.objects.filter(pk=pk))).select_related("campaign").first()
    if item is None:
        raise NotFound(_("No such household on your list."))
    return item


@dataclass(frozen=True)
class CampaignProgress:
    org_code: str
    total: int
    visited: int
    needs_found: int | None  # None: suppressed (1–4 above the county, issue 10)
    referred: int | None
    suppressed: tuple[str, ...] = ()


def campaign_progress(user, campaign, *, level_length: int) -> list[CampaignProgress]:
    """Per grid cell (level_length 15) or village (12), in one query: counts only, so at
    every level (an officer's area, a grid worker's own households)."""
    from django.db.models.functions import Substr

    from gridgov.care.models import CampaignItem

    items = CampaignItem.objects.filter(campaign=campaign).counted_for(user)
    Result = CampaignItem.Result
    rows = (
        items.annotate(unit=Substr("org_code", 1, level_length))
        .values("unit")
        .annotate(
            total=Count("id"),
            visited=Count("id", filter=~Q(result=Result.PENDING)),
            needs_found=Count("id", filter=Q(result=Result.NEEDS_FOUND)),
            referred=Count("id", filter=Q(result=Result.REFERRED)),
        )
        .order_by("unit")
    )
    progress = [CampaignProgress(r["unit"], r["total"], r["visited"], r["needs_found"], r["referred"]) for r in rows]
    return _progress_suppressed(progress) if statistics_only(user) else progress


def _progress_suppressed(rows: list[CampaignProgress]) -> list[CampaignProgress]:
    """Above the county, households found in need or referred to a program, counted 1–4,
    are not shown. The cells of a village add up to the village's count, so within each
    village a single small one takes the next smallest with it."""
    hidden: dict[str, set[str]] = {r.org_code: set() for r in rows}
    for key in ("needs_found", "referred"):
        by_parent: dict[str, dict[str, int]] = {}
        for r in rows:
            by_parent.setdefault(r.org_code[:12] if len(r.org_code) > 12 else "", {})[r.org_code] = getattr(r, key)
        for values in by_parent.values():
            _shown, small = suppression.suppress_group(values)
            for code in small:
                hidden[code].add(key)
    return [CampaignProgress(r.org_code, r.total, r.visited,
                             None if "needs_found" in hidden[r.org_code] else r.needs_found,
                             None if "referred" in hidden[r.org_code] else r.referred,
                             tuple(sorted(hidden[r.org_code]))) for r in rows]
