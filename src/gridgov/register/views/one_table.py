"""The village's one table (every household with its members) and its Excel download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gridgov.core.pagination import query_string
from gridgov.core.permissions import Capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import exports, presenters, selectors, services
from gridgov.register.forms import OneTableFilterForm
from gridgov.register.models import ResidenceType
from gridgov.register.views.common import access_village, page, render_list, village_cells

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    partial = bool(request.htmx and request.htmx.target == "one-table-results")
    context = {
        "village": village,
        "map_data": None if partial else _village_map(user, village, cells),
        "form": form,
        "rows": [{"row": r, "cell": cell_names.get(r.org_code, r.org_code)} for r in rows],
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
    rows, chunk = [], []
    for household in households_qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(household)
        if len(chunk) == EXPORT_CHUNK:
            rows.extend(selectors.one_table_rows(user, chunk))
            chunk = []
    rows.extend(selectors.one_table_rows(user, chunk))
    today = timezone.localdate()
    title = _("%(village)s — households, %(date)s") % {"village": village.name, "date": today.isoformat()}
    services.one_table_export_record(actor=user, village_code=village.code, households=len(rows),
                                     filters=form.filter_params() if form.is_bound else {})
    response = HttpResponse(exports.one_table_workbook(rows, title=title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="one-table-{village.code}-{today:%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
