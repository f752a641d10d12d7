"""The village's one table (every household with its members) and its Excel download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gridgov.core import xlsx
from gridgov.core.pagination import query_string
from gridgov.core.permissions import Capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import exports, presenters, selectors, services
from gridgov.register.forms import OneTableFilterForm
from gridgov.register.models import ResidenceType
from gridgov.register.views.common import access_village, page, render_list, village_cells

EXPORT_CHUNK = 500


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
    }
    return render_list(request, "register/one_table.html", context, target="one-table-results",
                       status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def one_table_xlsx(request, code: str):
    """Every household of the filtered one table (not only one page) as an Excel workbook."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    village = access_village(user, code)
    form, valid, _cells = _one_table_form(request, user, village)
    if not valid:
        return render(request, "register/one_table.html", {"village": village, "form": form, "rows": []},
                      status=400)
    households_qs = selectors.one_table_households(user, village=village.code, filters=form.filters())
    written = 0

    def rows():  # issue 12: one chunk of households in memory at a time, never the whole table
        nonlocal written
        for chunk in selectors.one_table_chunks(households_qs, size=EXPORT_CHUNK):
            written += len(chunk)
            yield from selectors.one_table_rows(user, chunk)

    today = timezone.localdate()
    title = _("%(village)s — households, %(date)s") % {"village": village.name, "date": today.isoformat()}
    workbook = exports.one_table_workbook(rows(), title=title)
    try:
        services.one_table_export_record(actor=user, village_code=village.code, households=written,
                                         filters=form.filter_params() if form.is_bound else {})
    except BaseException:
        workbook.close()
        raise
    return xlsx.workbook_response(workbook, filename=f"one-table-{village.code}-{today:%Y%m%d}.xlsx")
