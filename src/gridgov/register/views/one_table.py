"""The village's one table (every household with its members) and its Excel download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core import export_jobs, xlsx
from gridgov.core.export_job_views import offer_background_export
from gridgov.core.pagination import query_string
from gridgov.core.permissions import Capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import exports, presenters, selectors
from gridgov.register.forms import OneTableFilterForm
from gridgov.register.models import ResidenceType
from gridgov.register.views.common import access_village, page, render_list, village_cells


def _one_table_form(request, user, village):
    cells = village_cells(user, village)
    form = OneTableFilterForm(request.GET or None, cells=cells, names_allowed=presenters.names_allowed(user),
                              addresses_allowed=selectors.may_see_full_address(user))
    valid = form.is_valid() if form.is_bound else True
    return form, valid, cells


def _village_map(user, village, cells) -> dict | None:
    """The village's grid cells, each labelled with its households and places (two queries)."""
    drawn = [c for c in cells if c.polygon]
    if not drawn:
        return None
    households, places = selectors.counts_by_cell(user, village.code)
    collection = presenters.cells_geojson(drawn)
    for feature in collection["features"]:
        code = feature["properties"]["code"]
        n_households, n_places = households.get(code, 0), places.get(code, 0)
        feature["properties"]["label"] = _("%(name)s: %(households)s, %(places)s") % {
            "name": feature["properties"]["name"],
            "households": ngettext("%(n)d household", "%(n)d households", n_households) % {"n": n_households},
            "places": ngettext("%(n)d place", "%(n)d places", n_places) % {"n": n_places},
        }
    return {"cells": collection, "point": None}


@login_required
@require_GET
@domain_errors_as_http
def one_table(request, code: str):
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    village = access_village(user, code)
    form, valid, cells = _one_table_form(request, user, village)
    rows, next_url, counts = [], None, None
    params = {}
    if valid:
        params = form.filter_params() if form.is_bound else {}
        households_qs = selectors.one_table_households(user, village=village.code, filters=form.filters())
        after = form.cleaned_data.get("after") if form.is_bound else None
        households = page(households_qs, after, ("org_code", "id"))
        next_url = households.next_url(params)
        rows = selectors.one_table_rows(user, households.rows)
        counts = selectors.one_table_counts(households_qs)
        counts["by_type"] = [(label, counts["by_type"].get(value, 0)) for value, label in ResidenceType.choices]
    cell_names = {c.code: c.name for c in cells}
    # issue 12 (profiled): one reverse() for the page, not one per row
    household_url = reverse("register-household", args=[0]).removesuffix("0/") + "%d/"
    partial = bool(request.htmx and request.htmx.target == "one-table-results")
    context = {
        "village": village,
        "map_data": None if partial else _village_map(user, village, cells),
        "form": form,
        "rows": [{"row": r, "cell": cell_names.get(r.org_code, r.org_code), "url": household_url % r.household_id}
                 for r in rows],
        "next_url": next_url,
        "counts": counts,
        "xlsx_url": reverse("register-one-table-xlsx", args=[village.code]) + (
            "?" + query_string(params) if params else ""),
        "filtered": bool(params),
        "xlsx_in_background": bool(counts) and counts["households"] > export_jobs.inline_limit(),
    }
    return render_list(request, "register/one_table.html", context, target="one-table-results",
                       status=200 if valid else 400)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def one_table_xlsx(request, code: str):
    """Every household of the filtered one table (not only one page) as an Excel workbook:
    written now up to the inline limit, else offered (GET) and prepared (POST) by a worker."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    village = access_village(user, code)
    form, valid, cells = _one_table_form(request, user, village)
    if not valid:
        return render(request, "register/one_table.html", {"village": village, "form": form, "rows": []},
                      status=400)
    params = {"village": village.code, "filters": form.filter_params() if form.is_bound else {}}
    plan = exports.one_table_plan(actor=user, params=params, village=village, cells=cells)
    if request.method == "POST" or plan.exceeds(export_jobs.inline_limit()):
        back = reverse("register-one-table", args=[village.code])
        back += "?" + query_string(params["filters"]) if params["filters"] else ""
        return offer_background_export(request, kind=exports.ONE_TABLE, params=params, plan=plan, back_url=back)
    handle, households = plan.write(lambda rows: None)
    try:
        plan.record(households)
    except BaseException:
        handle.close()
        raise
    return xlsx.workbook_response(handle, filename=plan.filename)
