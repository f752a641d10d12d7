"""The dispatcher's queue and map of open events, and a department's or station's inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.core import orgnames
from gridgov.core import selectors as core_selectors
from gridgov.core.models import DepartmentKind
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.events import selectors
from gridgov.events.forms import PAGE_SIZE, InboxForm, QueueFilterForm
from gridgov.events.models import OPEN_Q, Category
from gridgov.events.views.common import (
    INBOX,
    MAX_MAP_EVENTS,
    QUEUE,
    cells_geojson,
    grid_cells,
    keyset_rows,
    query_string,
    require_capability,
)
from gridgov.events.views.rows import event_rows
from gridgov.events.workflow import SideAction, Status, user_may


def _filter_form(request, user):
    categories = list(Category.objects.filter(is_active=True).order_by("code"))
    departments = list(core_selectors.departments_visible_to(user).filter(is_active=True).order_by("org_code", "code"))
    return QueueFilterForm(request.GET or None, categories=categories, departments=departments)


def _filters(form) -> selectors.EventFilters:
    if not form.is_bound:
        form.cleaned_data = {}
        return selectors.EventFilters(statuses=form.statuses())
    data = form.cleaned_data
    return selectors.EventFilters(
        statuses=form.statuses(), category=data.get("category") or "", org=data.get("org") or "",
        department=data.get("department") or "", overdue=bool(data.get("overdue")),
        supervised=bool(data.get("supervised")), since=data.get("since"), until=data.get("until"),
    )


@login_required
@require_GET
@domain_errors_as_http
def queue(request):
    """Everything reported in the dispatcher's area, filtered, with lights and duplicates."""
    user = request.user
    require_capability(user, QUEUE)
    form = _filter_form(request, user)
    valid = form.is_valid() if form.is_bound else True
    rows, next_url = [], None
    if valid:
        filters = _filters(form)
        events, next_after = keyset_rows(selectors.with_return_notes(selectors.events_filtered(user, filters)),
                                         form.cleaned_data.get("after"), PAGE_SIZE, order=filters.order)
        rows = event_rows(events, hints=selectors.duplicate_hints(events), merging=user_may(user, SideAction.MERGE))
        if next_after:
            params = {k: v for k, v in request.GET.items() if k != "after"}
            next_url = "?" + query_string({**params, "after": next_after})
    context = {"form": form, "rows": rows, "next_url": next_url,
               "is_dispatcher": has_capability(user, Capability.DISPATCH_EVENTS), "map_query": request.GET.urlencode()}
    template = "events/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#results"
    response = render(request, template, context, status=200 if valid else 400)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_GET
@domain_errors_as_http
def events_map(request):
    """Open events of the area on a map, coloured by status, over the grid cells."""
    user = request.user
    require_capability(user, QUEUE)
    form = _filter_form(request, user)
    valid = form.is_valid() if form.is_bound else True
    data = None
    shown = total_capped = 0
    if valid:
        filters = _filters(form)
        events = list(
            selectors.events_filtered(user, filters).filter(lat__isnull=False, lng__isnull=False)
            .order_by("-pk")[:MAX_MAP_EVENTS]
        )
        shown = len(events)
        total_capped = shown >= MAX_MAP_EVENTS
        area = filters.org or user.scope_code
        places = orgnames.org_name_paths({e.org_code for e in events})  # one query for the whole map
        data = {
            "cells": cells_geojson(grid_cells(prefix=area)),
            "events": [
                {
                    "lat": e.lat, "lng": e.lng, "status": e.status, "code": e.code,
                    "label": " · ".join((e.code, e.category.name, str(Status(e.status).label),
                                         places.get(e.org_code, e.org_code))),
                    "url": reverse("events-detail", args=[e.pk]),
                }
                for e in events
            ],
        }
    legend = [(value, label) for value, label in Status.choices if value in selectors.OPEN_STATUSES]
    context = {"form": form, "map_data": data, "shown": shown, "capped": total_capped, "legend": legend}
    return render(request, "events/map.html", context, status=200 if valid else 400)


INBOX_TABS = {
    "to_accept": Q(status=Status.DISPATCHED),
    "handling": Q(status__in=[Status.ACCEPTED, Status.SUSPENDED]),
    "rework": Q(status=Status.ACCEPTED, rework_count__gt=0),
}


@login_required
@require_GET
@domain_errors_as_http
def inbox(request):
    """A department's or station's events: to accept, in hand, sent back for rework, and (for
    a department) those at its stations."""
    user = request.user
    require_capability(user, INBOX)
    if not user.department_id:
        raise PermissionDenied(_("Your account belongs to no department or station."))
    form = InboxForm(request.GET)
    form.is_valid()
    tab = form.cleaned_data.get("tab") or "to_accept"
    is_department = user.department.kind == DepartmentKind.DEPARTMENT
    mine = Q(department_id=user.department_id)
    at_stations = Q(owner_department_id=user.department_id) & ~Q(department_id=user.department_id) & Q(
        status__in=selectors.OPEN_STATUSES)
    tabs = dict(INBOX_TABS)
    if is_department:
        tabs["stations"] = None
    elif tab == "stations":
        tab = "to_accept"
    visible = selectors.events_visible_to(user)
    # Every tab is open work of the unit: the counts read the unit's open events only, never
    # its years of closed ones, one query per partial index (`events_event_open_dept` for its
    # own, `_owner` for its stations'): one query with "department = X OR owner = X" made
    # PostgreSQL walk every open event of the province instead (0.4 s a view).
    counts = visible.filter(OPEN_Q, mine).aggregate(
        to_accept=Count("pk", filter=INBOX_TABS["to_accept"]),
        handling=Count("pk", filter=INBOX_TABS["handling"]),
        rework=Count("pk", filter=INBOX_TABS["rework"]),
    )
    counts["stations"] = visible.filter(OPEN_Q, at_stations).count() if is_department else 0
    condition = at_stations if tab == "stations" else mine & INBOX_TABS[tab]
    due = form.cleaned_data.get("due") or ""
    if due:  # workbench (issue 11): by deadline instead of by tab
        tab = ""
        condition = mine & Q(status__in=selectors.UNIT_STEPS) & selectors.deadline_q(due, timezone.now())
    page = selectors.with_rework_notes(visible.filter(condition).select_related("category", "department")
                                       .defer(*selectors.PRIVATE_LIST_FIELDS))
    events, next_after = keyset_rows(page, form.cleaned_data.get("after"), PAGE_SIZE)
    rows = event_rows(events)
    context = {
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, label in InboxForm.TABS if key in tabs],
        "rows": rows,
        "next_url": "?" + query_string({"tab": tab, "due": due, "after": next_after}) if next_after else None,
        "unit": user.department,
        "due_label": dict(InboxForm.DUE).get(due, ""),
    }
    template = "events/inbox.html"
    if request.htmx and request.htmx.target == "inbox-results":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
