"""The daily map of an area: each enrolled person's home coloured by today's status, the
counts at the top, and the same people as a list below. Above the county: numbers only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.care import selectors
from gridgov.care.forms import ONLY_LABELS, PAGE_SIZE, STATUS_LABELS, TodayFilterForm
from gridgov.care.views.common import area, org_names, program_text, query_string, require, status_label, today
from gridgov.core import selectors as core_selectors
from gridgov.core import suppression
from gridgov.core.links import id_url
from gridgov.core.models import OrgLevel
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http

# Past this many people the map asks for a smaller area rather than drawing a county's worth.
MAP_PEOPLE_CEILING = 20_000
MAX_MAP_CELLS = 1500
MAP_REFRESH_SECONDS = 60


def _list_rows(user, unit, status: str, after: tuple | None, on, only: str = "") -> tuple[list[dict], str | None]:
    """One page of the list in order of urgency (keyset on rank, due date and id), filtered
    by status (and by what the home page counts, `only`) in the database."""
    qs = selectors.enrollments_list(user, org=unit.code, status=status or None, today=on, only=only or None)
    visits_everywhere = has_capability(user, Capability.VIEW_CARE_DETAILS)
    if has_capability(user, Capability.RECORD_VISITS) and not visits_everywhere:
        qs = selectors.with_on_team(user, qs)
    # lean rows (issue 12): only the columns shown, no encrypted one; links without reverse()
    qs = selectors.lean_daily(selectors.by_urgency(user, qs, on))
    page = keyset_page(qs, after=after, order=selectors.URGENCY_ORDER, size=PAGE_SIZE)
    enrollments = page.rows
    next_after = selectors.urgency_cursor(page.last) if page.last is not None else None
    names = org_names(user, (e.org_code for e in enrollments))
    may_visit = has_capability(user, Capability.RECORD_VISITS)
    may_report = has_capability(user, Capability.REPORT_CRISIS)
    enrollment_url, visit_url, crisis_url = (id_url(name) for name in ("care-enrollment", "care-visit-new",
                                                                       "care-crisis-new"))
    rows = []
    for e in enrollments:
        state = selectors.day_status(e, on, details_visible=e.details_visible)
        rows.append({
            "id": e.pk,
            "name": selectors.masked_name(user, e),
            "status": state,
            "status_label": status_label(state),
            "program": program_text(selectors.program_label(user, e, details_visible=e.details_visible)),
            "next_due_date": e.next_due_date,
            "overdue": bool(e.next_due_date and e.next_due_date < on and state == "due"),
            "area": names.get(e.org_code, e.org_code),
            "can_visit": may_visit and (visits_everywhere or getattr(e, "on_team", False)),
            "can_report": may_report,
            "url": enrollment_url(e.pk), "visit_url": visit_url(e.pk), "crisis_url": crisis_url(e.pk),
        })
    return rows, next_after


def _map_people(user, unit, on) -> dict:
    """A point per person (their home) with today's status, every one of them: the page
    clusters them. Past MAP_PEOPLE_CEILING a county-wide map would not be read person by
    person, so it says how many there are and asks for a smaller area instead of cutting."""
    if not has_capability(user, Capability.VIEW_PERSON_NAMES):  # precise homes, as core's person_view
        return {"people": [], "too_many": 0}
    qs = selectors.with_details_visible(user, selectors.care_today_queryset(user, org=unit.code))
    qs = qs.filter(person__lat__isnull=False, person__lng__isnull=False)
    rows = list(selectors.lean_daily(qs)[:MAP_PEOPLE_CEILING + 1])  # lean rows (issue 12)
    if len(rows) > MAP_PEOPLE_CEILING:
        return {"people": [], "too_many": qs.count()}
    enrollment_url = id_url("care-enrollment")
    people = []
    for e in rows:
        state = selectors.day_status(e, on, details_visible=e.details_visible)
        people.append({
            "id": e.pk, "lat": e.person.lat, "lng": e.person.lng, "status": state,
            "label": f"{selectors.masked_name(user, e)} · {status_label(state)}",
            "program": program_text(selectors.program_label(user, e, details_visible=e.details_visible)),
            "url": enrollment_url(e.pk),
        })
    return {"people": people, "too_many": 0}


def _map_data(user, unit, on) -> dict:
    """The area's grid polygons, the people and where the page fetches them again."""
    cells = (core_selectors.org_units_visible_to(user)
             .filter(level=OrgLevel.GRID, code__startswith=unit.code, polygon__isnull=False)
             .only("code", "name", "polygon").order_by("code")[:MAX_MAP_CELLS])
    return {
        "cells": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": c.polygon, "properties": {"code": c.code, "name": c.name}}
            for c in cells]},
        **_map_people(user, unit, on),
        "refresh_url": reverse("care-today-people") + "?" + query_string({"org": unit.code}),
        "refresh_seconds": MAP_REFRESH_SECONDS,
    }


def _today_counts(user, unit, on, *, stats_only: bool) -> list[dict]:
    counted = (selectors.enrollments_in_scope(user, org=unit.code) if stats_only
               else selectors.enrollments_visible_to(user, org=unit.code))
    counts, _suppressed = selectors.today_counts_for(user, counted, on)
    return [{"status": key, "label": str(STATUS_LABELS[key]), "n": suppression.shown(counts[key])}
            for key in selectors.day_statuses_for(user)]


@login_required
@require_GET
@domain_errors_as_http
def today_people(request):
    """The map's people and the counts again, for the page that refreshes itself."""
    user = request.user
    require(user, Capability.VIEW_CARE_STATISTICS)
    form = TodayFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"code": "invalid", "message": str(_("Choose an area you may see.")),
                             "fields": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    unit = area(user, form.cleaned_data.get("org") if form.is_bound else None)
    on = today()
    stats_only = selectors.statistics_only(user) or not has_capability(user, Capability.VIEW_CARE)
    body = {"date": on.isoformat(), "counts": _today_counts(user, unit, on, stats_only=stats_only)}
    body.update({"people": [], "too_many": 0} if stats_only else _map_people(user, unit, on))
    return JsonResponse(body)


@login_required
@require_GET
@domain_errors_as_http
def today_map(request):
    user = request.user
    # Counts only for the city administrator (statistics, no care work), as the API answers.
    require(user, Capability.VIEW_CARE_STATISTICS)
    form = TodayFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    unit = area(user, data.get("org"))
    on = today()
    status = data.get("status") or ""
    only = data.get("only") or ""
    stats_only = selectors.statistics_only(user) or not has_capability(user, Capability.VIEW_CARE)
    context = {
        "form": form, "unit": unit, "today": on, "status": status, "statistics_only": stats_only,
        "only": only, "only_label": ONLY_LABELS.get(only, ""),
        "status_choices": [(s, STATUS_LABELS[s]) for s in selectors.day_statuses_for(user)],
        "rows": [], "next_url": None,
        "can_manage": has_capability(user, Capability.MANAGE_ENROLLMENTS),
    }
    partial = bool(request.htmx and request.htmx.target == "care-rows")
    if not stats_only and valid:
        rows, next_after = _list_rows(user, unit, status, data.get("after"), on, only)
        context["rows"] = rows
        if next_after:
            context["next_url"] = "?" + query_string({"org": unit.code, "status": status, "only": only,
                                                      "after": next_after})
    if not partial:
        context["counts"] = _today_counts(user, unit, on, stats_only=stats_only)
        context["total"] = sum(c["n"] for c in context["counts"] if isinstance(c["n"], int))
        if not stats_only:
            context["map_data"] = _map_data(user, unit, on)
    template = "care/today.html" + ("#rows" if partial else "")
    response = render(request, template, context, status=200 if valid else 400)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
