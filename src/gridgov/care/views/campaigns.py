"""Screening campaigns: the officer's list with the form to open one, a campaign's progress
per grid cell and village, and the grid worker's checklist of households (a small HTMX form
per household)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.care import selectors, services
from gridgov.care.forms import (
    PAGE_SIZE,
    CampaignForm,
    CampaignItemForm,
    CampaignListFilterForm,
    ChecklistFilterForm,
)
from gridgov.care.models import Campaign, CampaignItem
from gridgov.care.views.common import org_names, require
from gridgov.core import services as core_services
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.orgcodes import GRID_LENGTH, VILLAGE_LENGTH
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def campaign_list(request):
    user = request.user
    require(user, Capability.VIEW_CARE)
    may_open = has_capability(user, Capability.MANAGE_ENROLLMENTS)
    status = 200
    form = None
    if may_open:
        form = CampaignForm(request.POST if request.method == "POST" else None,
                            initial={"org_code": user.scope_code})
    if request.method == "POST":
        require(user, Capability.MANAGE_ENROLLMENTS)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_open(actor=user, org_code=data["org_code"], kind=data["kind"],
                                                  title=data["title"], starts_on=data["starts_on"],
                                                  due_on=data["due_on"])
            except DomainError as error:
                add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                messages.success(request, _("The campaign is open: each household is on its grid worker's list."))
                return redirect("care-campaign", pk=campaign.pk)
    filters = CampaignListFilterForm(request.GET or None)
    after = filters.cleaned_data.get("after") if filters.is_bound and filters.is_valid() else None
    found = keyset_page(selectors.campaign_list(user), after=after, order=("-pk",), size=PAGE_SIZE)
    campaigns, next_url = found.rows, found.next_url()
    kinds = dict(Campaign.Kind.choices)
    context = {
        "form": form,
        "rows": [{"campaign": c, "kind": kinds.get(c.kind, c.kind)} for c in campaigns],
        "next_url": next_url,
    }
    return render(request, "care/campaigns.html", context, status=status)


@login_required
@require_GET
@domain_errors_as_http
def campaign_detail(request, pk: int):
    """Progress per grid cell and per village (counts only, at every level)."""
    user = request.user
    require(user, Capability.WORK_CAMPAIGNS)
    campaign = selectors.access_campaign(user, pk)
    cells = selectors.campaign_progress(user, campaign, level_length=GRID_LENGTH)
    villages = selectors.campaign_progress(user, campaign, level_length=VILLAGE_LENGTH)
    names = org_names(user, [r.org_code for r in cells + villages] + [campaign.org_code])
    total = sum(r.total for r in cells)
    context = {
        "campaign": campaign,
        "kind": dict(Campaign.Kind.choices).get(campaign.kind, campaign.kind),
        "area_name": names.get(campaign.org_code, campaign.org_code),
        "cells": [{"row": r, "name": names.get(r.org_code, "")} for r in cells],
        "villages": [{"row": r, "name": names.get(r.org_code, "")} for r in villages],
        "total": total,
        "visited": sum(r.visited for r in cells),
        "may_list": not (has_capability(user, Capability.MANAGE_ENROLLMENTS) and selectors.statistics_only(user)),
    }
    return render(request, "care/campaign.html", context)


def _item_context(item, form=None, *, saved: bool = False) -> dict:
    results = dict(CampaignItem.Result.choices)
    return {
        "item": item,
        "result_label": results.get(item.result, item.result),
        "done": item.result != CampaignItem.Result.PENDING,
        "form": form or CampaignItemForm(prefix=f"item-{item.pk}",
                                         initial={"note": item.note} if item.note else None),
        "saved": saved,
    }


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def campaign_checklist(request, pk: int):
    """The households of the campaign on the user's list (a grid worker's own; an officer's area)."""
    user = request.user
    require(user, Capability.WORK_CAMPAIGNS)
    campaign = selectors.access_campaign(user, pk)
    filters = ChecklistFilterForm(request.GET or None)
    valid = filters.is_valid() if filters.is_bound else True
    data = filters.cleaned_data if filters.is_bound and valid else {}
    result = data.get("result") or ""
    found = keyset_page(selectors.campaign_items_for(user, campaign, result=result), after=data.get("after"),
                        order=("org_code", "id"), size=PAGE_SIZE)
    items, next_url = found.rows, found.next_url({"result": result})
    context = {
        "campaign": campaign,
        "filters": filters,
        "rows": [_item_context(item) for item in items],
        "next_url": next_url,
    }
    return render(request, "care/campaign_checklist.html", context, status=200 if valid else 400)


def _referred_person(user, resident_id: str):
    """The registered person in the user's area with exactly this resident ID, or None."""
    resident_id = (resident_id or "").strip().upper()
    if not resident_id:
        return None
    matches = [p for p in core_services.check_people_search(actor=user, query=resident_id, where="care_campaign")[:2]
               if (p.resident_id or "").upper() == resident_id]
    return matches[0] if len(matches) == 1 else None


@login_required
@require_POST
@domain_errors_as_http
def campaign_item_record(request, item_id: int):
    """Record what a screening visit found: the item's row again for HTMX, else back to the list."""
    user = request.user
    require(user, Capability.WORK_CAMPAIGNS)
    item = selectors.access_campaign_item(user, item_id)
    form = CampaignItemForm(request.POST, prefix=f"item-{item.pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        person = None
        if data["result"] == CampaignItem.Result.REFERRED:
            person = _referred_person(user, data["resident_id"])
            if person is None:
                form.add_error("resident_id", _("No person with this resident ID is registered in your area."))
        if form.is_valid():
            try:
                services.campaign_item_record(actor=user, item=item, result=data["result"], note=data["note"],
                                              referred_person=person)
            except DomainError as error:
                add_domain_error(form, error, raise_codes=REFUSALS)
                status = error.http_status
            else:
                item = selectors.access_campaign_item(user, item.pk)
                if not request.htmx:
                    messages.success(request, _("Saved."))
                    return redirect(reverse("care-campaign-checklist", args=[item.campaign_id]) + f"#item-{item.pk}")
                response = render(request, "care/campaign_checklist.html#item_row",
                                  _item_context(item, saved=True))
                patch_vary_headers(response, ("HX-Request",))
                return response
    context = {"campaign": item.campaign, **_item_context(item, form)}
    template = "care/campaign_checklist.html#item_row" if request.htmx else "care/campaign_item.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
