"""HTML pages of the core app (thin: parse, call a selector or service, render)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import corrections, selectors, services
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import (
    PAGE_SIZE,
    AuditSearchForm,
    PeopleSearchForm,
    PersonCreateForm,
    PurposeForm,
    add_domain_error,
    audit_cursor,
)
from gridgov.core.links import id_url
from gridgov.core.models import DepartmentKind, OrgLevel, Role
from gridgov.core.org_cache import org_tree_cached
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability, has_capability, require_page
from gridgov.core.person_search import PERSON_ROW_FIELDS, people_list_rows
from gridgov.core.templatetags.gridgov_ui import scope_unit
from gridgov.core.workbench import workbench_for

CHILDREN_PAGE_SIZE = 200
HOME_DEPARTMENTS = 20
HOME_AUDIT_ENTRIES = 10


def domain_errors_as_http(view):
    """NotFound becomes a 404 page and Forbidden a 403 page; other DomainErrors stay with
    the view, which re-renders its form with the message."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise Http404(error.message) from error
            if error.code == ErrorCode.PERMISSION_DENIED:
                raise PermissionDenied(error.message) from error
            if error.code == ErrorCode.RATE_LIMITED:  # masking (issue 10): say so, never a 500
                return render(request, "429.html", {"message": error.message}, status=429)
            raise

    return wrapper


_require = require_page  # the register's and events' views import it by this name (core.permissions)


# --- Home ---------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    """What this person has to do, one section per role they hold: the workbench (what
    waits now, counted and linked, from every app's `core.workbench` section), then their
    area."""
    user = request.user
    roles = user.roles
    context: dict = {"scope": scope_unit(user), "roles": roles, "workbench": workbench_for(user)}

    if Role.GRID_WORKER in roles:
        codes = selectors.grid_cells_of(user)
        cells = list(selectors.org_units_visible_to(user).filter(code__in=codes).order_by("code"))
        counts = {}
        if cells and has_capability(user, Capability.VIEW_PEOPLE):
            counts = dict(
                selectors.people_visible_to(user)
                .filter(org_code__in=[c.code for c in cells])
                .values_list("org_code")
                .annotate(n=Count("id"))
                .order_by()
            )
        context["grid_cells"] = [{"unit": c, "people": counts.get(c.code, 0)} for c in cells]
        context["grid_people_total"] = sum(counts.values())

    if roles & {Role.DISPATCHER, Role.DEPARTMENT_STAFF, Role.STATION_STAFF}:
        departments = list(
            selectors.departments_visible_to(user).filter(kind=DepartmentKind.DEPARTMENT)[: HOME_DEPARTMENTS + 1]
        )
        context["departments"] = departments[:HOME_DEPARTMENTS]
        context["more_departments"] = len(departments) > HOME_DEPARTMENTS
        context["own_department"] = user.department

    if Role.AUDITOR in roles:
        context["audit_entries"] = _audit_rows(selectors.audit_entries_for(user)[:HOME_AUDIT_ENTRIES])

    if Role.CITY_ADMIN in roles and user.scope_code:
        scope = user.scope_code
        by_level = dict(
            selectors.org_units_visible_to(user)
            .in_subtree(scope)
            .values_list("level")
            .annotate(n=Count("id"))
            .order_by()
        )
        context["admin_counts"] = {
            "levels": [(label, by_level.get(value, 0)) for value, label in OrgLevel.choices if value in by_level],
            "departments": selectors.departments_visible_to(user).in_subtree(scope).count(),
            "users": selectors.users_visible_to(user).count(),
            "people": selectors.people_visible_to(user).count(),
        }
    return render(request, "core/home.html", context)


# --- Org units ----------------------------------------------------------------------


@login_required
@require_GET
def org_unit_root(request):
    if not request.user.scope_code:
        raise Http404(_("Your account has no area yet."))
    return redirect("org-unit-detail", code=request.user.scope_code)


@dataclass(frozen=True)
class OrgWorker:
    username: str
    label: str


@dataclass(frozen=True)
class OrgChild:
    """A child unit as the org-unit page lists it (kept in the org tree cache)."""

    code: str
    name: str
    level: str
    is_grid: bool
    polygon: dict | None
    workers: tuple[OrgWorker, ...]


def _cell_feature(cell) -> dict:
    return {
        "type": "Feature",
        "geometry": cell.polygon,
        "properties": {
            "code": cell.code,
            "name": cell.name,
            "url": reverse("org-unit-detail", args=[cell.code]),
        },
    }


@login_required
@require_GET
@domain_errors_as_http
def org_unit_detail(request, code: str):
    user = request.user
    after = request.GET.get("after", "")
    after = after if after.isdigit() else None

    def tree_part() -> dict:
        unit = selectors.access_org_unit(user, code)
        found = keyset_page(selectors.org_unit_children(user, unit.code), after=after,
                            order=("code",), size=CHILDREN_PAGE_SIZE)
        # Plain rows, not model instances with their workers' accounts, go into the cache.
        children = [OrgChild(code=c.code, name=c.name, level=c.level, is_grid=c.is_grid, polygon=c.polygon,
                             workers=tuple(OrgWorker(w.username, w.label) for w in c.grid_workers.all()))
                    for c in found.rows]
        return {"unit": unit, "path": selectors.org_unit_path(unit), "children": children,
                "next_url": found.next_url(),
                "workers": [OrgWorker(w.username, w.label) for w in unit.grid_workers.all()] if unit.is_grid else []}

    # org tree cache (issue 12): the unit, its path and its children while the tree is unchanged
    tree = org_tree_cached(user.scope_code, f"page-unit:{code}:{after or ''}", tree_part)
    unit, children, next_url = tree["unit"], tree["children"], tree["next_url"]

    map_cells = [unit] if unit.is_grid else [c for c in children if c.is_grid]
    map_data = None
    if any(c.polygon for c in map_cells):
        map_data = {"type": "FeatureCollection", "features": [_cell_feature(c) for c in map_cells if c.polygon]}
    context = {
        "unit": unit,
        "path": tree["path"],
        "children": children,
        "next_url": next_url,
        "map_data": map_data,
        "workers": tree["workers"],
        "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
    }
    # org tree cache (issue 12): the page's body rendered once per scope, unit, page, language
    # and what the viewer may follow (the people link), until the tree changes. Nothing in it
    # belongs to one user: no form, no token.
    language = get_language() or ""
    context["body"] = org_tree_cached(
        user.scope_code,
        f"page-unit-html:{code}:{after or ''}:{language}:{int(context['can_view_people'])}",
        lambda: render_to_string("core/partials/org_unit_body.html", context))
    return render(request, "core/org_unit_detail.html", context)


# --- People -------------------------------------------------------------------------


def _org_names(user, codes) -> dict[str, str]:
    """Each code of the user's area as its name path (县 › 镇 › 村 › 网格), in one query."""
    from gridgov.core.orgnames import org_name_paths_for

    return org_name_paths_for(user, codes)


@login_required
@require_GET
@domain_errors_as_http
def people_list(request):
    user = request.user
    _require(user, Capability.VIEW_PEOPLE)
    names_allowed = has_capability(user, Capability.VIEW_PERSON_NAMES)
    form = PeopleSearchForm(
        request.GET or None, names_allowed=names_allowed, identifiers_allowed=selectors.may_search_identifiers(user)
    )
    rows, next_url = [], None
    valid = form.is_valid() if form.is_bound else True
    status = 200 if valid else 400
    if valid:
        data = form.cleaned_data if form.is_bound else {}
        try:
            qs = services.check_people_search(
                actor=user, query=data.get("q", ""), org=data.get("org") or None, where="people_page"
            ).order_by("pk")
        except DomainError as error:
            if error.code != ErrorCode.RATE_LIMITED:
                raise
            add_domain_error(form, error)
            qs, status = selectors.people_visible_to(user).none(), error.http_status
        # lean rows (issue 12): only the listed columns (no address decrypted), masked as
        # person_view masks them, links without a reverse() per row
        found = keyset_page(qs.only(*PERSON_ROW_FIELDS), after=data.get("after"), order=("pk",), size=PAGE_SIZE)
        people, next_url = found.rows, found.next_url({"q": data.get("q"), "org": data.get("org")})
        org_names = _org_names(user, (p.org_code for p in people))
        person_url = id_url("person-detail")
        rows = [
            {"person": view, "org_name": org_names.get(view.org_code, ""), "url": person_url(view.id)}
            for view in people_list_rows(user, people)
        ]
    context = {
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "searched": bool(form.is_bound and (form.data.get("q") or form.data.get("org"))),
        "can_create": has_capability(user, Capability.EDIT_PEOPLE),
    }
    template = "core/people_list.html"
    if request.htmx and request.htmx.target == "people-results":
        template += "#results"
    response = render(request, template, context, status=status)
    # The same URL answers with a whole page or a partial: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _person_context(request, person, *, full_view=None, purpose_form=None, purpose=""):
    user = request.user
    org_names = _org_names(user, [person.org_code])
    return {
        "person": selectors.person_view(user, person),
        "full": full_view,
        "purpose": purpose,
        "org_name": org_names.get(person.org_code, ""),
        "can_open": selectors.can_open_person_record(user, person),
        "purpose_form": purpose_form or PurposeForm(),
        "can_request_correction": corrections.may_request(user, person),  # rights (issue 10)
        # emergency (issue 10): read through an emergency grant; the officer's access log
        "emergency_grant": getattr(person, "emergency_grant", None),
        "can_read_access_log": _may_read_access_log(user, person),
    }


def _may_read_access_log(user, person) -> bool:
    from gridgov.core.access_log import is_persons_officer

    return is_persons_officer(user, person)


@login_required
@require_GET
@domain_errors_as_http
def person_detail(request, pk: int):
    person = selectors.access_person(request.user, pk)
    return render(request, "core/person_detail.html", _person_context(request, person))


@never_cache
@login_required
@require_POST
@domain_errors_as_http
def person_open_record(request, pk: int):
    """Ask for a purpose, log it, and show the full record (a partial for HTMX)."""
    user = request.user
    person = selectors.access_person(user, pk)
    if not selectors.can_open_person_record(user, person):
        raise PermissionDenied(_("Your role may not open full personal records."))
    form = PurposeForm(request.POST)
    status, full_view = 400, None
    if form.is_valid():
        try:
            full_view = services.person_open_record(actor=user, person=person, purpose=form.code, note=form.note)
            status = 200
        except DomainError as error:
            if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                raise
            form.add_domain_error(error)
            status = error.http_status
    context = _person_context(
        request, person, full_view=full_view, purpose_form=form, purpose=form.purpose if full_view else ""
    )
    if request.htmx:
        template = "core/person_detail.html#" + ("full_record" if full_view else "purpose_form")
    else:
        template = "core/person_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def person_create(request):
    user = request.user
    _require(user, Capability.EDIT_PEOPLE)
    codes = selectors.grid_cells_of(user)
    cells = list(selectors.org_units_visible_to(user).filter(code__in=codes).order_by("code")) if codes else []
    form = PersonCreateForm(request.POST or None, cells=cells)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.person_create(
                    actor=user,
                    name=data["name"],
                    resident_id=data["resident_id"],
                    org_code=data["org_code"],
                    phone=data["phone"],
                    address=data["address"],
                    lat=data["lat"],
                    lng=data["lng"],
                    birth_date=data["birth_date"],
                    gender=data["gender"],
                )
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                messages.success(request, _("The person was registered."))
                return redirect("person-detail", pk=person.pk)
    elif not cells and user.scope_code:
        form.initial["org_code"] = user.scope_code
    return render(request, "core/person_create.html", {"form": form}, status=status)


# --- Audit --------------------------------------------------------------------------


def _audit_rows(entries) -> list[dict]:
    """Audit entries for display, in names (core.audit_presenters): a person's name masked,
    the auditor sees no one's data; two queries for the page, whatever its length."""
    from gridgov.core.audit_presenters import audit_rows

    return audit_rows(entries)


@login_required
@require_GET
@domain_errors_as_http
def audit_search(request):
    user = request.user
    _require(user, Capability.VIEW_AUDIT)
    form = AuditSearchForm(request.GET or None)
    rows, next_url = [], None
    valid = form.is_valid() if form.is_bound else True
    status = 200 if valid else 400
    if valid:
        filters = selectors.AuditFilters(**form.filters_kwargs()) if form.is_bound else None
        cursor = form.cursor() if form.is_bound else None
        try:
            qs = selectors.audit_entries_for(user, filters)
            if filters is not None and filters.person_resident_id and not cursor:
                services.audit_person_search_record(actor=user, filters=filters)
        except DomainError as error:
            # A search by resident ID is an identifier search: past the hourly limit, a 429
            # with the message on the form (emergency, issue 10).
            if error.code != ErrorCode.RATE_LIMITED:
                raise
            add_domain_error(form, error)
            qs, status = None, error.http_status
        if qs is not None:
            found = keyset_page(qs, after=cursor, order=("-at", "-pk"), size=PAGE_SIZE)
            params = {k: v for k, v in request.GET.items() if k != "after"}
            next_url = found.next_url(params, cursor=audit_cursor)
            rows = _audit_rows(found.rows)
    context = {"form": form, "rows": rows, "next_url": next_url,
               "person_filter": form.cleaned_data.get("person") if valid and form.is_bound else None}
    return render(request, "core/audit_search.html", context, status=status)


# --- emergency (issue 10): a person's access log, for their program officer ---------------


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def person_access_log(request, pk: int):
    """Who read or changed this person's record, by user, action and period."""
    from gridgov.core import access_log
    from gridgov.core.emergency_forms import AccessLogForm

    user = request.user
    person = selectors.access_person(user, pk)
    form = AccessLogForm(request.GET or None)
    rows, next_url = [], None
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if valid else access_log.AccessLogFilters()
    qs = access_log.person_access_log(user, person, filters)  # 403 for anyone but the person's officer
    if valid:
        cursor = form.cursor() if form.is_bound else None
        if not cursor:
            access_log.person_access_log_record(actor=user, person=person, filters=filters)
        found = keyset_page(qs, after=cursor, order=("-at", "-pk"), size=PAGE_SIZE)
        params = {k: v for k, v in request.GET.items() if k != "after"}
        next_url = found.next_url(params, cursor=audit_cursor)
        rows = _audit_rows(found.rows)
    context = {"form": form, "rows": rows, "next_url": next_url, "person": selectors.person_view(user, person),
               "filtered": bool(form.is_bound and any(v for k, v in request.GET.items() if k != "after"))}
    return render(request, "core/person_access_log.html", context, status=200 if valid else 400)


def public_map_context() -> dict:
    """The data of a public form's map (a resident's report, request or suggestion): no cells
    at first, then those around where it looks, from the events' public cell endpoint
    (limited per address there)."""
    from django.urls import reverse

    from gridgov.core.selectors import grid_centre

    centre = grid_centre()
    return {"cells": {"type": "FeatureCollection", "features": []}, "cells_url": reverse("events-public-cells"),
            "centre": list(centre) if centre else None}
