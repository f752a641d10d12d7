"""The grid worker's phone page: report (with photos, the phone's location and an
idempotency key), my reports, and the events waiting for verification in my cells."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core import selectors as core_selectors
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http
from gridgov.events import selectors, services
from gridgov.events.forms import MOBILE_PAGE_SIZE, AfterForm, ReportForm, VerifyForm
from gridgov.events.models import Channel
from gridgov.events.views.common import (
    cells_geojson,
    grid_cells,
    keyset_rows,
    photo_links,
    query_string,
    require_capability,
    submit_once,
)
from gridgov.events.views.rows import event_rows
from gridgov.events.workflow import Action, Status

TABS = ("report", "mine", "verify")


def _tab_url(tab: str, **params) -> str:
    """The page's own address for a tab (never relative: a rejected verification renders the
    page at the verify URL, which answers POST only)."""
    return reverse("events-mobile") + "?" + query_string({"tab": tab, **params})


def _verify_events(user, cells: list[str]):
    return (selectors.events_visible_to(user)
            .filter(status=Status.HANDLED, org_code__in=cells)
            .select_related("category", "department")
            .prefetch_related("photos"))


def _report_context(user, form, cells) -> dict:
    return {"form": form, "map_data": {"cells": cells_geojson(grid_cells(codes=cells))} if cells else None}


def _mine_context(request, user) -> dict:
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    events, next_after = keyset_rows(
        selectors.events_visible_to(user).filter(reporter=user).select_related("category", "department")
        .defer(*selectors.PRIVATE_LIST_FIELDS),
        after, MOBILE_PAGE_SIZE)
    return {
        "rows": event_rows(events),
        "next_url": _tab_url("mine", after=next_after) if next_after else None,
    }


def _verify_context(request, user, cells, *, bound=None) -> dict:
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    events, next_after = keyset_rows(_verify_events(user, cells), after, MOBILE_PAGE_SIZE) if cells else ([], None)
    rows = event_rows(events)
    for row in rows:
        prefix = f"v{row.event.pk}"
        row["form"] = bound if bound is not None and bound.prefix == prefix else VerifyForm(prefix=prefix)
        row["photos"] = photo_links(row.event, list(row.event.photos.all()))
    return {
        "rows": rows,
        "next_url": _tab_url("verify", after=next_after) if next_after else None,
    }


def _page(request, *, tab: str, cells: list[str], form=None, bound_verify=None, status=200, message=""):
    user = request.user
    context = {"tab": tab, "message": message,
               "verify_count": _verify_events(user, cells).count() if cells else 0}
    if tab == "report":
        # A link may fill the form in (the register's inspection: "report as an event").
        form = form or ReportForm(leaves=selectors.leaf_categories(), initial=ReportForm.prefill(request.GET))
        context.update(_report_context(user, form, cells))
    elif tab == "mine":
        context.update(_mine_context(request, user))
    else:
        context.update(_verify_context(request, user, cells, bound=bound_verify))
    template = "events/mobile.html"
    if request.htmx and request.htmx.target == f"{tab}-results":
        template += "#results"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def mobile(request):
    user = request.user
    require_capability(user, Capability.REPORT_FROM_GRID)
    cells = core_selectors.grid_cells_of(user)
    if request.method == "GET":
        tab = request.GET.get("tab", "report")
        return _page(request, tab=tab if tab in TABS else "report", cells=cells)

    form = ReportForm(request.POST, request.FILES, leaves=selectors.leaf_categories())
    if not form.is_valid():
        return _page(request, tab="report", cells=cells, form=form, status=400)
    data = form.cleaned_data

    def submit():
        event = services.event_submit(actor=user, submission=services.Submission(
            category_code=data["category"], description=data["description"], channel=Channel.GRID_WORKER,
            lat=data["lat"], lng=data["lng"], address=data["address"], urgency=data["urgency"],
            photos=data["photos"], fixed_on_site_note=data["fix_note"] if data["fixed_on_site"] else "",
            place_id=data.get("place"),
        ))
        return event

    try:
        event, replayed = submit_once(request, data["idempotency_key"], submit)
    except DomainError as error:
        return _page(request, tab="report", cells=cells, form=form, status=add_domain_error(form, error))
    if event is None:
        form.add_error(None, _("This form was already sent. Reload the page to report something new."))
        return _page(request, tab="report", cells=cells, form=form, status=409)
    if replayed:
        messages.info(request, _("Report %(code)s was already received; nothing was sent twice.") % {
            "code": event.code})
    else:
        messages.success(request, _("Report %(code)s was sent.") % {"code": event.code})
    # `sent=1` tells the page's script to forget the form's idempotency key.
    return redirect(reverse("events-mobile") + "?tab=mine&sent=1")


@login_required
@require_POST
@domain_errors_as_http
def mobile_verify(request, pk: int):
    """The grid worker verifies a handled event from the queue on the phone page."""
    user = request.user
    require_capability(user, Capability.REPORT_FROM_GRID)  # the grid worker's phone page
    cells = core_selectors.grid_cells_of(user)
    event = selectors.access_event(user, pk)
    form = VerifyForm(request.POST, request.FILES, prefix=f"v{event.pk}", event=event)
    status = 400
    if form.is_valid():
        try:
            event = services.event_act(actor=user, event=event,
                                       request=services.ActionRequest(action=Action.VERIFY, **form.request_kwargs()))
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            if event.status == Status.VERIFIED:
                messages.success(request, _("%(code)s: verification passed.") % {"code": event.code})
            else:
                messages.success(request, _("%(code)s: sent back for rework.") % {"code": event.code})
            return redirect(_tab_url("verify"))
    # A conflict (verified meanwhile by someone else) has no row left to show it on.
    message = form.non_field_errors()[0] if status == 409 and form.non_field_errors() else ""
    return _page(request, tab="verify", cells=cells, bound_verify=form, status=status, message=message)
