"""HTML pages of the register (thin: a form parses, a selector or service runs, a template renders).

The village's one table (and its Excel download), a household with its members and field
history, update rounds with the grid worker's phone checklist and the screener's sign-off
queue, buildings and places, and spreadsheet imports.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import operator
import secrets

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q, Subquery
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import masking
from gridgov.core import selectors as core_selectors
from gridgov.core import services as core_services
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.forms import add_domain_error
from gridgov.core.models import OrgLevel
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.tabular import read_table
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import exports, imports, rounds, selectors, services
from gridgov.register.forms import (
    IMPORT_KINDS,
    PAGE_SIZE,
    PROPOSAL_FORMS,
    AfterForm,
    BuildingCreateForm,
    ChecklistFilterForm,
    ConfirmUnchangedForm,
    DeathForm,
    DecideForm,
    ImportCommitForm,
    MemberAddForm,
    MemberLeaveForm,
    MemberUpdateForm,
    OneTableFilterForm,
    OrgFilterForm,
    PlaceCreateForm,
    PlaceFilterForm,
    ProposalForm,
    RegisterImportForm,
    RoundOpenForm,
)
from gridgov.register.models import (
    BuildingUse,
    ChangeSource,
    ChecklistItem,
    LeaveReason,
    Membership,
    PlaceKind,
    ProposedEdit,
    Relation,
    ResidenceType,
    UpdateRound,
)
from gridgov.register.workflow import DONE_STATES, can_move

HISTORY_LIMIT = 100
VILLAGE_PAGE_SIZE = 100
MAX_MAP_CELLS = 400
BUILDING_HOUSEHOLDS_LIMIT = 200

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_SESSION_KEY = "register_import_pending"
PENDING_DIR = "private/register-imports"
PENDING_MAX_AGE = datetime.timedelta(days=1)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Shared helpers --------------------------------------------------------------------------


def _query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


def _keyset_after(qs, after: int | None, order: tuple[str, ...]):
    """The rows after the row whose primary key is `after`, in `order` (which ends with the
    primary key). The pivot row's values are read by subqueries in the same query."""
    if not after:
        return qs
    pivot = qs.model._base_manager.filter(pk=after)
    conditions, equal = [], {}
    for name in order:
        field = name.lstrip("-")
        value = Subquery(pivot.values(field)[:1])
        conditions.append(Q(**equal, **{f"{field}__{'lt' if name.startswith('-') else 'gt'}": value}))
        equal[field] = value
    return qs.filter(functools.reduce(operator.or_, conditions))


def _page(qs, after: int | None, order: tuple[str, ...], size: int | None = None) -> tuple[list, int | None]:
    """One keyset page and the `after` value of the next one (None on the last page)."""
    size = size or PAGE_SIZE
    rows = list(_keyset_after(qs, after, order).order_by(*order)[: size + 1])
    if len(rows) > size:
        rows = rows[:size]
        return rows, rows[-1].pk
    return rows, None


def _render_list(request, template: str, context: dict, *, target: str, status: int = 200):
    """The whole page, or only its results partial when HTMX asks for that target."""
    if request.htmx and request.htmx.target == target:
        template += "#results"
    response = render(request, template, context, status=status)
    # The same URL answers with a whole page or a partial: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _org_names(user, codes) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(core_selectors.org_units_visible_to(user).filter(code__in=codes).values_list("code", "name"))


def _cells_geojson(cells) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": c.polygon, "properties": {"code": c.code, "name": c.name,
                                                                      "label": c.name}}
            for c in cells if c.polygon
        ],
    }


def _scope_cells(user) -> list:
    """Grid cells of the user's area with a boundary, for a map (at most MAX_MAP_CELLS)."""
    scope = user.scope_code or ""
    if not scope:
        return []
    return list(
        core_selectors.org_units_visible_to(user)
        .filter(level=OrgLevel.GRID, code__startswith=scope)
        .exclude(polygon__isnull=True)
        .order_by("code")[:MAX_MAP_CELLS]
    )


def _domain_error_to_form(form, error: DomainError) -> int:
    """Put a service's refusal on the form; NotFound still becomes a 404 page."""
    if error.code == ErrorCode.NOT_FOUND:
        raise error
    add_domain_error(form, error)
    return error.http_status


def _person_in_area(user, resident_id: str):
    """The registered person in the user's area with this exact resident ID (blind index).
    An exact lookup: logged and rate-limited, and nobody for roles that see IDs masked."""
    if not resident_id:
        return None
    return core_services.check_people_search(actor=user, query=resident_id, where="register").order_by("id").first()


def _names_allowed(user) -> bool:
    return has_capability(user, Capability.VIEW_PERSON_NAMES)


# --- Field history and proposed edits as readable text -------------------------------------------

CHOICES = {"relation": Relation, "residence_type": ResidenceType, "leave_reason": LeaveReason,
           "use": BuildingUse, "kind": PlaceKind}
BOOLEAN_FIELDS = {"is_rental", "is_current"}
RECORD_FIELDS = {"person", "landlord", "responsible_person", "building", "household", "unit"}
PERSONAL_OBJECTS = {"core.person", "register.household", "register.membership"}


def _field_labels() -> dict[str, str]:
    return {
        "is_current": _("Current member"), "person": _("Person record"), "household": _("Household"),
        "org_code": _("Org unit"), "died_on": _("Date of death"), "phone": _("Mobile phone"),
        "address": _("Address"), "name": _("Name"), "on": _("Moved out on"), "reason": _("Reason"),
    }


def _field_label(object_type: str, field: str) -> str:
    fixed = _field_labels()
    if field in fixed:
        return fixed[field]
    try:
        return str(capfirst(apps.get_model(object_type)._meta.get_field(field).verbose_name))
    except (LookupError, ValueError, FieldDoesNotExist):
        return field


def _value_text(user, field: str, value, *, personal: bool = True, reveal_phone: bool = False) -> str:
    """A stored value as a reader may see it: labels for codes, phones masked (unless revealed
    to a screener deciding on it), names and home addresses masked for roles without names."""
    value = "" if value is None else str(value)
    if not value:
        return ""
    if field in CHOICES:
        try:
            return str(CHOICES[field](value).label)
        except ValueError:
            return value
    if field in BOOLEAN_FIELDS:
        return _("Yes") if value in ("1", "True", "true") else _("No")
    if field in ("phone", "contact_phone"):
        return value if reveal_phone else masking.mask_phone(value)
    if field == "resident_id":
        return masking.mask_resident_id(value)
    if field == "address" and not selectors.may_see_full_address(user):
        return masking.mask_address(value)  # every register address, not only a home's
    if personal and not _names_allowed(user) and field == "name":
        return masking.mask_name(value)
    if field in RECORD_FIELDS:
        return f"#{value}"
    return value


def _object_labels() -> dict[str, str]:
    return {"register.household": _("Household"), "register.membership": _("Membership"),
            "core.person": _("Person"), "register.building": _("Building"), "register.place": _("Place")}


def _history_rows(user, objects, *, subjects: dict | None = None) -> list[dict]:
    """The latest field changes of several records, newest first, in one query."""
    querysets = [selectors.history_of(user, obj) for obj in objects]
    if not querysets:
        return []
    changes = functools.reduce(operator.or_, querysets).select_related("changed_by", "approved_by")
    labels = _object_labels()
    rows = []
    for change in changes[:HISTORY_LIMIT]:
        personal = change.object_type in PERSONAL_OBJECTS
        rows.append({
            "change": change,
            "object": labels.get(change.object_type, change.object_type),
            "subject": (subjects or {}).get((change.object_type, change.object_id), ""),
            "field": _field_label(change.object_type, change.field),
            "old": _value_text(user, change.field, change.old_value, personal=personal),
            "new": _value_text(user, change.field, change.new_value, personal=personal),
            "source": ChangeSource(change.source).label if change.source in ChangeSource.values else change.source,
            "by": change.changed_by.label if change.changed_by else _("System"),
            "approved_by": change.approved_by.label if change.approved_by else "",
        })
    return rows


def _line(user, object_type: str, field: str, new, old=None, *, reveal_phone: bool = False) -> dict:
    return {
        "field": _field_label(object_type, field),
        # The old phone number is not what the screener decides on: it stays masked.
        "old": _value_text(user, field, old) if old not in (None, "") else "",
        "new": _value_text(user, field, new, reveal_phone=reveal_phone),
    }


def _describe_edit(user, edit: ProposedEdit, values: dict, people: dict, memberships: dict, *,
                   reveal_phone: bool) -> tuple[str, list[dict]]:
    """The subject (whose record) and the "field: old → new" lines of one proposed edit. Old
    values are shown while the edit waits: afterwards the record holds the new ones."""
    pending = edit.status == ProposedEdit.Status.PROPOSED

    def line(object_type, field, new, old=None):
        return _line(user, object_type, field, new, old if pending else None, reveal_phone=reveal_phone)

    if edit.kind in ("person_contact", "death"):
        person = people.get(edit.target_id)
        subject = selectors.display_name(user, person) if person else f"#{edit.target_id}"
        if edit.kind == "death":
            return subject, [line("core.person", "died_on", values.get("died_on"))]
        return subject, [line("core.person", f, values[f], getattr(person, f, None))
                         for f in ("name", "phone", "address") if f in values]
    if edit.kind in ("member_leave", "member_update"):
        membership = memberships.get(edit.target_id)
        subject = selectors.display_name(user, membership.person) if membership else f"#{edit.target_id}"
        if edit.kind == "member_leave":
            return subject, [line("register.membership", "moved_out_on", values.get("on")),
                             line("register.membership", "leave_reason", values.get("reason"))]
        return subject, [line("register.membership", f, values[f], getattr(membership, f, None))
                         for f in ("relation", "residence_type") if f in values]
    if edit.kind == "member_add":
        lines = []
        if values.get("person"):
            person = people.get(values["person"])
            subject = selectors.display_name(user, person) if person else f"#{values['person']}"
        else:
            new = values.get("new_person") or {}
            subject = new.get("name", "") if _names_allowed(user) else masking.mask_name(new.get("name", ""))
            lines.append(line("core.person", "resident_id", new.get("resident_id")))
            if new.get("phone"):
                lines.append(line("core.person", "phone", new["phone"]))
        lines += [line("register.membership", f, values[f]) for f in ("relation", "residence_type", "moved_in_on")
                  if values.get(f)]
        return subject, lines
    if edit.kind == "household":
        return _("Household"), [line("register.household", "address", values.get("address"),
                                     edit.item.household.address)]
    return "", []


def _describe_edits(user, edits: list[ProposedEdit], *, reveal_phone: bool = False) -> list[dict]:
    """Each proposed edit as a subject and readable lines (two queries for any number of edits)."""
    payloads = {edit.pk: _payload(edit) for edit in edits}
    person_ids = {e.target_id for e in edits if e.kind in ("person_contact", "death") and e.target_id}
    person_ids |= {payloads[e.pk].get("person") for e in edits if e.kind == "member_add"} - {None, ""}
    membership_ids = {e.target_id for e in edits if e.kind in ("member_leave", "member_update") and e.target_id}
    people, memberships = selectors.proposed_edit_targets(person_ids=person_ids, membership_ids=membership_ids)
    rows = []
    for edit in edits:
        subject, lines = _describe_edit(user, edit, payloads[edit.pk], people, memberships,
                                        reveal_phone=reveal_phone)
        rows.append({"edit": edit, "kind": _edit_kind_label(edit.kind), "subject": subject, "lines": lines})
    return rows


def _payload(edit: ProposedEdit) -> dict:
    try:
        values = json.loads(edit.payload or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _edit_kind_label(kind: str) -> str:
    form = PROPOSAL_FORMS.get(kind)
    return str(form.title) if form else kind


# --- The register's start page ----------------------------------------------------------------


@login_required
@require_GET
@domain_errors_as_http
def register_home(request):
    """The villages of the user's area with their household counts; a grid worker's own
    village and open checklists; a screener's sign-off queue."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    scope = user.scope_code or ""
    after = request.GET.get("after", "")
    villages_qs = (
        core_selectors.org_units_visible_to(user)
        .filter(level=OrgLevel.VILLAGE)
        .filter(Q(code__startswith=scope) | Q(code=scope[:12]))
        .order_by("code")
    )
    if after.isdigit():
        villages_qs = villages_qs.filter(code__gt=after)
    villages = list(villages_qs[: VILLAGE_PAGE_SIZE + 1])
    next_url = None
    if len(villages) > VILLAGE_PAGE_SIZE:
        villages = villages[:VILLAGE_PAGE_SIZE]
        next_url = "?" + _query_string({"after": villages[-1].code})
    counts = {}
    if villages:
        counts = dict(
            selectors.households_visible_to(user)
            .prefetch_related(None)
            .filter(functools.reduce(operator.or_, (Q(org_code__startswith=v.code) for v in villages)))
            .annotate(village=Substr("org_code", 1, 12))
            .values_list("village")
            .annotate(n=Count("id"))
            .order_by()
        )
    context = {
        "villages": [{"unit": v, "households": counts.get(v.code, 0)} for v in villages],
        "next_url": next_url,
        "can_sign_off": has_capability(user, Capability.SIGN_OFF_REGISTER),
        "can_import": bool(_import_kinds(user)),
    }
    cells = core_selectors.grid_cells_of(user) if has_capability(user, Capability.PROPOSE_REGISTER_EDITS) else []
    if cells:
        context["my_villages"] = sorted({c[:12] for c in cells})
        context["open_rounds"] = list(
            selectors.rounds_visible_to(user)
            .filter(status=UpdateRound.Status.OPEN)
            .annotate(todo=Count("items", filter=Q(
                items__org_code__in=cells,
                items__status__in=[ChecklistItem.Status.PENDING, ChecklistItem.Status.RETURNED],
            )))
            .order_by("due_on", "id")
        )
    if context["can_sign_off"]:
        context["awaiting_sign_off"] = selectors.sign_off_queue(user).count()
    return render(request, "register/home.html", context)


# --- The one table ---------------------------------------------------------------------------------


def _access_village(user, code: str):
    unit = core_selectors.access_org_unit(user, code)
    if unit.level != OrgLevel.VILLAGE:
        raise NotFound(_("No such village in your area."))
    return unit


def _village_cells(user, village) -> list:
    return list(
        core_selectors.org_units_visible_to(user).filter(parent_id=village.code, level=OrgLevel.GRID).order_by("code")
    )


def _one_table_form(request, user, village):
    cells = _village_cells(user, village)
    form = OneTableFilterForm(request.GET or None, cells=cells, names_allowed=_names_allowed(user),
                              addresses_allowed=selectors.may_see_full_address(user))
    valid = form.is_valid() if form.is_bound else True
    return form, valid, cells


def _village_map(user, village, cells) -> dict | None:
    """The village's grid cells, each labelled with its households and places (two queries)."""
    drawn = [c for c in cells if c.polygon]
    if not drawn:
        return None
    households = dict(
        selectors.households_visible_to(user, org=village.code).prefetch_related(None)
        .values_list("org_code").annotate(n=Count("id")).order_by()
    )
    places = dict(
        selectors.places_visible_to(user, org=village.code).filter(closed_on__isnull=True)
        .values_list("org_code").annotate(n=Count("id")).order_by()
    )
    collection = _cells_geojson(drawn)
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
    village = _access_village(user, code)
    form, valid, cells = _one_table_form(request, user, village)
    rows, next_url, counts = [], None, None
    params = {}
    if valid:
        params = form.filter_params() if form.is_bound else {}
        households_qs = selectors.one_table_households(user, village=village.code, filters=form.filters())
        after = form.cleaned_data.get("after") if form.is_bound else None
        households, next_after = _page(households_qs, after, ("org_code", "id"))
        if next_after:
            next_url = "?" + _query_string({**params, "after": next_after})
        rows = selectors.one_table_rows(user, households)
        by_type = selectors.residence_type_counts(households_qs)
        counts = {
            "households": households_qs.order_by().count(),
            "members": sum(by_type.values()),
            "by_type": [(label, by_type.get(value, 0)) for value, label in ResidenceType.choices],
        }
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
            "?" + _query_string(params) if params else ""),
        "filtered": bool(params),
    }
    return _render_list(request, "register/one_table.html", context, target="one-table-results",
                        status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def one_table_xlsx(request, code: str):
    """Every household of the filtered one table (not only one page) as an Excel workbook."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    village = _access_village(user, code)
    form, valid, _cells = _one_table_form(request, user, village)
    if not valid:
        return render(request, "register/one_table.html", {"village": village, "form": form, "rows": []},
                      status=400)
    households_qs = selectors.one_table_households(user, village=village.code, filters=form.filters())
    rows, chunk = [], []
    for household in households_qs.iterator(chunk_size=500):
        chunk.append(household)
        if len(chunk) == 500:
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


# --- A household ----------------------------------------------------------------------------------


def _members(user, memberships) -> list[tuple]:
    """(membership, display name) of the current members, for the forms' choices."""
    return [(m, selectors.display_name(user, m.person)) for m in memberships if m.is_current]


def _household_context(request, household, *, bound: dict | None = None, problem: str = "") -> dict:
    user = request.user
    memberships = list(household.memberships.select_related("person").order_by("-is_current", "id"))
    members = _members(user, memberships)
    people = {m.person_id: m.person for m in memberships}
    subjects = {("core.person", p.pk): selectors.display_name(user, p) for p in people.values()}
    subjects |= {("register.membership", m.pk): selectors.display_name(user, m.person) for m in memberships}
    can_edit = has_capability(user, Capability.EDIT_REGISTER)
    cards = []
    if can_edit:
        bound = bound or {}
        for name, form_class, url_name, title, button in (
            ("leave", MemberLeaveForm, "register-member-leave", _("A member moved out"), _("Record the move-out")),
            ("death", DeathForm, "register-death", _("A member died"), _("Record the death")),
            ("add", MemberAddForm, "register-member-add", _("Add a member"), _("Add the member")),
            ("update", MemberUpdateForm, "register-member-update",
             _("Change a member's relation or residence type"), _("Save")),
        ):
            kwargs = {} if form_class is MemberAddForm else {"members": members}
            cards.append({
                "name": name, "form": bound.get(name) or form_class(prefix=name, **kwargs),
                "action": reverse(url_name, args=[household.pk]), "title": title, "button": button,
                "open": name in bound,
            })
    return {
        "household": household,
        "address": selectors.display_address(user, household.address),
        "building_address": selectors.display_address(user, household.building.address) if household.building else "",
        "unit_allowed": selectors.may_see_full_address(user),
        "current": [{"m": m, "name": name} for m, name in members],
        "former": [{"m": m, "name": selectors.display_name(user, m.person)} for m in memberships if not m.is_current],
        "history": _history_rows(user, [household, *memberships, *people.values()], subjects=subjects),
        "can_edit": can_edit,
        "names_allowed": _names_allowed(user),
        "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
        "form_cards": cards,
        "problem": problem,
    }


@login_required
@require_GET
@domain_errors_as_http
def household_detail(request, pk: int):
    household = selectors.access_household(request.user, pk)
    return render(request, "register/household.html", _household_context(request, household))


def _household_edit(request, pk: int, name: str, form_class, action):
    """Run one edit form of the household page: the service on success (then back to the
    page), or the page again with the form's errors and the service's message."""
    user = request.user
    household = selectors.access_household(user, pk)
    _require(user, Capability.EDIT_REGISTER)
    memberships = household.current_members
    kwargs = {} if form_class is MemberAddForm else {"members": _members(user, memberships)}
    form = form_class(request.POST, prefix=name, **kwargs)
    status = 400
    if form.is_valid():
        try:
            message = action(user, household, {m.pk: m for m in memberships}, form)
        except DomainError as error:
            status = _domain_error_to_form(form, error)
        else:
            if message:
                messages.success(request, message)
                return redirect("register-household", pk=household.pk)
    context = _household_context(request, household, bound={name: form})
    return render(request, "register/household.html", context, status=status)


def _leave(user, household, current, form):
    data = form.cleaned_data
    services.member_leave(actor=user, membership=current[data["membership"]], on=data["on"], reason=data["reason"])
    return _("The move-out was recorded.")


def _death(user, household, current, form):
    person = next(m.person for m in current.values() if m.person_id == form.cleaned_data["person"])
    services.person_record_death(actor=user, person=person, died_on=form.cleaned_data["died_on"])
    return _("The death was recorded.")


def _update(user, household, current, form):
    data = form.cleaned_data
    changed = services.member_update(actor=user, membership=current[data["membership"]], relation=data["relation"],
                                     residence_type=data["residence_type"])
    if not changed:
        form.add_error(None, _("Nothing changed."))
        return None
    return _("The member's details were changed.")


def _add(user, household, current, form):
    data = form.cleaned_data
    with transaction.atomic():
        person = _person_in_area(user, data["resident_id"])
        if person is None:
            if not data["name"].strip():
                form.add_error("name", _("Nobody in your area is registered with this resident ID number; give "
                                         "the name to register them."))
                return None
            person = core_services.person_create(actor=user, org_code=household.org_code, **form.new_person())
        spec = services.MemberSpec(person=person, relation=data["relation"], residence_type=data["residence_type"],
                                   moved_in_on=data["moved_in_on"])
        services.member_add(actor=user, household=household, spec=spec,
                            move_from_current=data["move_from_current"])
    return _("The member was added.")


def _member_edit_view(name, form_class, action):
    @login_required
    @require_POST
    @domain_errors_as_http
    def view(request, pk: int):
        return _household_edit(request, pk, name, form_class, action)

    view.__name__ = f"household_{name}"
    return view


household_member_leave = _member_edit_view("leave", MemberLeaveForm, _leave)
household_death = _member_edit_view("death", DeathForm, _death)
household_member_add = _member_edit_view("add", MemberAddForm, _add)
household_member_update = _member_edit_view("update", MemberUpdateForm, _update)


# --- Update rounds ----------------------------------------------------------------------------------


def _round_progress_queryset(user):
    scope = user.scope_code or ""
    return selectors.rounds_visible_to(user).annotate(
        total=Count("items", filter=Q(items__org_code__startswith=scope)),
        done=Count("items", filter=Q(items__org_code__startswith=scope, items__status__in=DONE_STATES)),
    )


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def rounds_list(request):
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    can_manage = has_capability(user, Capability.MANAGE_ROUNDS)
    open_form, status = None, 200
    if can_manage:
        today = timezone.localdate()
        open_form = RoundOpenForm(initial={
            "org_code": user.scope_code, "starts_on": today, "due_on": today + datetime.timedelta(days=10),
            "title": _("Register update %(date)s") % {"date": today.isoformat()},
        })
    if request.method == "POST":
        _require(user, Capability.MANAGE_ROUNDS)
        open_form = RoundOpenForm(request.POST)
        status = 400
        if open_form.is_valid():
            data = open_form.cleaned_data
            try:
                update_round = rounds.round_open(actor=user, org_code=data["org_code"], title=data["title"],
                                                 starts_on=data["starts_on"], due_on=data["due_on"])
            except DomainError as error:
                status = _domain_error_to_form(open_form, error)
            else:
                messages.success(request, _("The round was opened."))
                return redirect("register-round", pk=update_round.pk)
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    page, next_after = _page(_round_progress_queryset(user), after, ("-starts_on", "-id"))
    names = _org_names(user, (r.org_code for r in page))
    context = {
        "rounds": [{"round": r, "area": names.get(r.org_code, r.org_code), "percent": _percent(r.done, r.total)}
                   for r in page],
        "next_url": "?" + _query_string({"after": next_after}) if next_after else None,
        "open_form": open_form,
    }
    return render(request, "register/rounds.html", context, status=status)


def _round_context(request, update_round, *, problem: str = "") -> dict:
    user = request.user
    by_cell = selectors.round_progress(user, update_round, level_length=15)
    by_village = selectors.round_progress(user, update_round, level_length=12)
    names = _org_names(user, [p.org_code for p in by_cell + by_village] + [update_round.org_code])
    total = sum(p.total for p in by_cell)
    done = sum(p.done for p in by_cell)
    return {
        "round": update_round,
        "area": names.get(update_round.org_code, update_round.org_code),
        "by_cell": [{"p": p, "name": names.get(p.org_code, p.org_code)} for p in by_cell],
        "by_village": [{"p": p, "name": names.get(p.org_code, p.org_code)} for p in by_village],
        "total": total,
        "done": done,
        "percent": _percent(done, total),
        "can_close": has_capability(user, Capability.MANAGE_ROUNDS) and update_round.status == UpdateRound.Status.OPEN,
        "problem": problem,
    }


@login_required
@require_GET
@domain_errors_as_http
def round_detail(request, pk: int):
    update_round = selectors.access_round(request.user, pk)
    return render(request, "register/round.html", _round_context(request, update_round))


@login_required
@require_POST
@domain_errors_as_http
def round_close(request, pk: int):
    user = request.user
    update_round = selectors.access_round(user, pk)
    _require(user, Capability.MANAGE_ROUNDS)
    try:
        rounds.round_close(actor=user, update_round=update_round)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        context = _round_context(request, update_round, problem=error.message)
        return render(request, "register/round.html", context, status=error.http_status)
    messages.success(request, _("The round was closed."))
    return redirect("register-round", pk=update_round.pk)


# --- The grid worker's checklist --------------------------------------------------------------------


def _can_propose(user, update_round) -> bool:
    return has_capability(user, Capability.PROPOSE_REGISTER_EDITS) and update_round.status == UpdateRound.Status.OPEN


def _item_row(user, item) -> dict:
    return {"item": item, "address": selectors.display_address(user, item.household.address)}


@login_required
@require_GET
@domain_errors_as_http
def checklist(request, pk: int):
    user = request.user
    update_round = selectors.access_round(user, pk)
    form = ChecklistFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    items, next_after = _page(
        selectors.checklist_for(user, update_round, status=data.get("status", "")), data.get("after"), ("id",)
    )
    counts = dict(
        selectors.checklist_for(user, update_round).values_list("status").annotate(n=Count("id")).order_by()
    )
    context = {
        "round": update_round,
        "form": form,
        "rows": [_item_row(user, item) for item in items],
        "next_url": "?" + _query_string({"status": data.get("status"), "after": next_after}) if next_after else None,
        "status_counts": [
            {"value": value, "label": label, "n": counts.get(value, 0), "current": value == data.get("status")}
            for value, label in ChecklistItem.Status.choices
        ],
        "total": sum(counts.values()),
        "can_propose": _can_propose(user, update_round),
    }
    return _render_list(request, "register/checklist.html", context, target="checklist-results",
                        status=200 if valid else 400)


def _item_context(request, item, *, bound: ProposalForm | None = None, problem: str = "",
                  notice: str = "", expanded: bool = True) -> dict:
    user = request.user
    household = selectors.access_household(user, item.household_id)
    members = [(m, selectors.display_name(user, m.person)) for m in household.current_members]
    can_propose = _can_propose(user, item.round)
    forms = []
    if can_propose and expanded:
        for kind, form_class in PROPOSAL_FORMS.items():
            form = bound if bound is not None and bound.kind == kind else form_class(
                prefix=f"{kind}-{item.pk}", members=members)
            forms.append(form)
    edits = list(item.edits.select_related("proposed_by", "decided_by").order_by("id"))
    return {
        "row": _item_row(user, item),
        "item": item,
        "round": item.round,
        "household": household,
        "members": [
            {"name": name, "relation": m.get_relation_display(), "phone": masking.mask_phone(m.person.phone)}
            for m, name in members
        ],
        "edits": _describe_edits(user, edits),
        "forms": forms,
        "open_kind": bound.kind if bound is not None else "",
        "can_propose": can_propose,
        "can_confirm": can_propose and can_move(item.status, ChecklistItem.Status.UNCHANGED),
        "unchanged_form": ConfirmUnchangedForm(prefix=f"unchanged-{item.pk}"),
        "expanded": expanded,
        "problem": problem,
        "notice": notice,
    }


def _render_item(request, item, *, status: int = 200, **kwargs):
    """The item for HTMX (its row, opened or closed), else the checklist again (after a success)
    or the item's own page (with errors)."""
    context = _item_context(request, item, **kwargs)
    if request.htmx:
        return render(request, "register/checklist.html#item_row", context, status=status)
    if status < 400:
        if kwargs.get("notice"):
            messages.success(request, kwargs["notice"])
        return redirect(reverse("register-checklist", args=[item.round_id]) + f"#item-{item.pk}")
    return render(request, "register/item.html", context, status=status)


@login_required
@require_GET
@domain_errors_as_http
def item_detail(request, pk: int):
    """A checklist item opened: the household, its members, the proposals and the forms."""
    item = selectors.access_item(request.user, pk)
    context = _item_context(request, item)
    template = "register/checklist.html#item_body" if request.htmx else "register/item.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
@domain_errors_as_http
def item_unchanged(request, pk: int):
    user = request.user
    item = selectors.access_item(user, pk)
    _require(user, Capability.PROPOSE_REGISTER_EDITS)
    form = ConfirmUnchangedForm(request.POST, prefix=f"unchanged-{item.pk}")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        item = rounds.item_confirm_unchanged(actor=user, item=item, note=note)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _render_item(request, item, status=error.http_status, problem=error.message)
    item = selectors.access_item(user, pk)
    return _render_item(request, item, expanded=False, notice=_("Checked: no change."))


@login_required
@require_POST
@domain_errors_as_http
def item_propose(request, pk: int):
    user = request.user
    item = selectors.access_item(user, pk)
    _require(user, Capability.PROPOSE_REGISTER_EDITS)
    form_class = PROPOSAL_FORMS.get(request.POST.get("kind", ""))
    if form_class is None:
        return _render_item(request, item, status=400, problem=_("Unknown kind of change."))
    household = selectors.access_household(user, item.household_id)
    members = [(m, selectors.display_name(user, m.person)) for m in household.current_members]
    form = form_class(request.POST, prefix=f"{form_class.kind}-{item.pk}", members=members)
    status = 400
    if form.is_valid():
        try:
            edit = _proposal(user, form)
            if edit is not None:
                rounds.item_propose_edits(actor=user, item=item, edits=[edit])
        except DomainError as error:
            if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                raise
            add_domain_error(form, error)
            status = error.http_status
        else:
            if edit is not None:
                item = selectors.access_item(user, pk)
                return _render_item(request, item, notice=_("Proposed: a screener will sign it off."))
    return _render_item(request, item, status=status, bound=form)


def _proposal(user, form) -> dict | None:
    """The edit a valid proposal form stands for; None (with a form error) when a new
    member is neither registered in the area nor named."""
    if form.kind != "member_add":
        return form.edit()
    person = _person_in_area(user, form.cleaned_data["resident_id"])
    if person is None and not form.cleaned_data["name"].strip():
        form.add_error("name", _("Nobody in your area is registered with this resident ID number; give the name "
                                 "to register them."))
        return None
    return form.edit(person_id=person.pk if person else None)


# --- The screener's sign-off queue -------------------------------------------------------------


def _access_edit(user, pk: int) -> ProposedEdit:
    return selectors.access_proposed_edit(user, pk)


def _signoff_rows(user, edits, *, forms: dict | None = None, problems: dict | None = None) -> list[dict]:
    rows = _describe_edits(user, edits, reveal_phone=True)
    for row in rows:
        edit = row["edit"]
        row["address"] = selectors.display_address(user, edit.item.household.address)
        row["own"] = edit.proposed_by_id == user.pk
        row["form"] = (forms or {}).get(edit.pk) or DecideForm(prefix=f"decide-{edit.pk}")
        row["problem"] = (problems or {}).get(edit.pk, "")
    return rows


@login_required
@require_GET
@domain_errors_as_http
def signoff(request):
    user = request.user
    _require(user, Capability.SIGN_OFF_REGISTER)
    form = AfterForm(request.GET)
    after = form.cleaned_data.get("after") if form.is_valid() else None
    edits, next_after = _page(selectors.sign_off_queue(user), after, ("proposed_at", "id"))
    context = {
        "rows": _signoff_rows(user, edits),
        "next_url": "?" + _query_string({"after": next_after}) if next_after else None,
    }
    return _render_list(request, "register/signoff.html", context, target="signoff-results")


@login_required
@require_POST
@domain_errors_as_http
def edit_decide(request, pk: int):
    """Approve (and so apply) or return one proposed edit; the row is swapped in place."""
    user = request.user
    edit = _access_edit(user, pk)
    form = DecideForm(request.POST, prefix=f"decide-{edit.pk}")
    status, problem = 400, ""
    if form.is_valid():
        try:
            edit = rounds.edit_decide(actor=user, edit=edit, approve=form.approve, note=form.cleaned_data["note"])
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise
            status, problem = error.http_status, error.message
            if error.fields.get("note"):
                form.add_error("note", error.fields["note"][0])
        else:
            status = 200
            edit = _access_edit(user, pk)
    if not request.htmx:
        if status == 200:
            messages.success(request, _("Approved.") if edit.status == ProposedEdit.Status.APPROVED else _("Returned."))
            return redirect("register-signoff")
        rows = _signoff_rows(user, [edit], forms={edit.pk: form}, problems={edit.pk: problem})
        return render(request, "register/signoff.html", {"rows": rows, "next_url": None}, status=status)
    [row] = _signoff_rows(user, [edit], forms={edit.pk: form}, problems={edit.pk: problem})
    return render(request, "register/signoff.html#edit_row", {"row": row}, status=status)


# --- Buildings and places ---------------------------------------------------------------------------


def _point_map(cells, *, lat=None, lng=None) -> dict:
    return {"cells": _cells_geojson(cells), "point": [lat, lng] if lat is not None and lng is not None else None}


@login_required
@require_GET
@domain_errors_as_http
def buildings_list(request):
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    form = OrgFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    buildings, next_after = [], None
    if valid:
        buildings, next_after = _page(selectors.buildings_visible_to(user, org=data.get("org") or None),
                                      data.get("after"), ("id",))
    names = _org_names(user, (b.org_code for b in buildings))
    context = {
        "form": form,
        "rows": [{"building": b, "address": selectors.display_address(user, b.address),
                  "cell": names.get(b.org_code, b.org_code)} for b in buildings],
        "next_url": "?" + _query_string({"org": data.get("org"), "after": next_after}) if next_after else None,
        "can_create": has_capability(user, Capability.EDIT_REGISTER),
    }
    return _render_list(request, "register/buildings.html", context, target="buildings-results",
                        status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def building_detail(request, pk: int):
    user = request.user
    building = selectors.access_building(user, pk)
    households = list(
        selectors.households_visible_to(user).filter(building=building).order_by("id")[:BUILDING_HOUSEHOLDS_LIMIT]
    )
    places = list(selectors.places_visible_to(user).filter(building=building).order_by("id"))
    cells = list(core_selectors.org_units_visible_to(user).filter(code=building.org_code))
    context = {
        "building": building,
        "address": selectors.display_address(user, building.address),
        # a unit label completes a home address: masked with it
        "units": [u.label if selectors.may_see_full_address(user) else "***" for u in building.units.all()],
        "cell": cells[0] if cells else None,
        "landlord": selectors.display_name(user, building.landlord) if building.landlord_id else "",
        "households": [{"household": h, "address": selectors.display_address(user, h.address),
                        "members": len(h.current_members)} for h in households],
        "places": places,
        "history": _history_rows(user, [building]),
        "map_data": _point_map(cells, lat=building.lat, lng=building.lng),
    }
    return render(request, "register/building.html", context)


def _create_page(request, template: str, form, status: int = 200):
    cells = _scope_cells(request.user)
    data = form.data if form.is_bound else {}
    lat, lng = data.get("lat") or None, data.get("lng") or None
    context = {"form": form, "map_data": _point_map(cells, lat=lat, lng=lng) if cells else None}
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def building_create(request):
    user = request.user
    _require(user, Capability.EDIT_REGISTER)
    form = BuildingCreateForm(request.POST or None)
    if request.method != "POST":
        return _create_page(request, "register/building_form.html", form)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        landlord = _person_in_area(user, data["landlord_resident_id"])
        if data["landlord_resident_id"] and landlord is None:
            form.add_error("landlord_resident_id", _("Nobody in your area is registered with this resident ID number."))
        else:
            try:
                building = services.building_create(
                    actor=user, address=data["address"], lat=data["lat"], lng=data["lng"], use=data["use"],
                    name=data["name"], floors=data["floors"], is_rental=data["is_rental"], landlord=landlord,
                    units=form.unit_labels(),
                )
            except DomainError as error:
                status = _domain_error_to_form(form, error)
            else:
                messages.success(request, _("The building was registered."))
                return redirect("register-building", pk=building.pk)
    return _create_page(request, "register/building_form.html", form, status=status)


@login_required
@require_GET
@domain_errors_as_http
def places_list(request):
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    form = PlaceFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    places, next_after = [], None
    if valid:
        places, next_after = _page(
            selectors.places_visible_to(user, org=data.get("org") or None, kind=data.get("kind") or None),
            data.get("after"), ("id",),
        )
    names = _org_names(user, (p.org_code for p in places))
    context = {
        "form": form,
        "rows": [{"place": p, "address": selectors.display_address(user, p.address),
                  "cell": names.get(p.org_code, p.org_code)} for p in places],
        "next_url": "?" + _query_string({"org": data.get("org"), "kind": data.get("kind"), "after": next_after})
        if next_after else None,
        "can_create": has_capability(user, Capability.EDIT_REGISTER),
    }
    return _render_list(request, "register/places.html", context, target="places-results",
                        status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def place_detail(request, pk: int):
    user = request.user
    place = selectors.access_place(user, pk)
    cells = list(core_selectors.org_units_visible_to(user).filter(code=place.org_code))
    context = {
        "place": place,
        "address": selectors.display_address(user, place.address),
        "building_address": selectors.display_address(user, place.building.address) if place.building else "",
        "cell": cells[0] if cells else None,
        "responsible": selectors.display_name(user, place.responsible_person) if place.responsible_person_id else "",
        "contact_phone": masking.mask_phone(place.contact_phone)
        if not _names_allowed(user) else place.contact_phone,
        "history": _history_rows(user, [place]),
        "map_data": _point_map(cells, lat=place.lat, lng=place.lng),
    }
    return render(request, "register/place.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def place_create(request):
    user = request.user
    _require(user, Capability.EDIT_REGISTER)
    form = PlaceCreateForm(request.POST or None)
    if request.method != "POST":
        return _create_page(request, "register/place_form.html", form)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        responsible = _person_in_area(user, data["responsible_resident_id"])
        if data["responsible_resident_id"] and responsible is None:
            form.add_error("responsible_resident_id",
                           _("Nobody in your area is registered with this resident ID number."))
        else:
            try:
                place = services.place_create(
                    actor=user, name=data["name"], kind=data["kind"], lat=data["lat"], lng=data["lng"],
                    address=data["address"], responsible_person=responsible, contact_phone=data["contact_phone"],
                    opening_hours=data["opening_hours"], capacity=data["capacity"],
                )
            except DomainError as error:
                status = _domain_error_to_form(form, error)
            else:
                messages.success(request, _("The place was registered."))
                return redirect("register-place", pk=place.pk)
    return _create_page(request, "register/place_form.html", form, status=status)


# --- Imports -------------------------------------------------------------------------------------


def _import_kinds(user) -> list[str]:
    kinds = []
    if has_capability(user, Capability.EDIT_REGISTER):
        kinds += ["households", "buildings", "places"]
    if has_capability(user, Capability.MANAGE_USERS):
        kinds.append("grid_workers")
    return kinds


def _require_importer(user) -> list[str]:
    kinds = _import_kinds(user)
    if not kinds:
        raise PermissionDenied(_("You do not have permission to do this."))
    return kinds


def _discard_pending(request) -> None:
    pending = request.session.pop(PENDING_SESSION_KEY, None)
    if pending:
        default_storage.delete(pending["path"])


def _remove_stale_pending() -> None:
    """Uploads previewed but never committed are removed after a day."""
    cutoff = timezone.now() - PENDING_MAX_AGE
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
        for name in files:
            path = f"{PENDING_DIR}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    except (FileNotFoundError, NotImplementedError, OSError):
        pass


def _store_pending(request, *, data: bytes, name: str, fmt: str, kind: str, mapping: dict) -> str:
    _discard_pending(request)
    _remove_stale_pending()
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(data))
    request.session[PENDING_SESSION_KEY] = {
        "token": token, "path": path, "name": name, "fmt": fmt, "kind": kind, "mapping": mapping,
        "user": request.user.pk,
    }
    return token


def _load_pending(request, token: str) -> dict | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or pending.get("user") != request.user.pk or not secrets.compare_digest(pending["token"], token):
        return None
    if not default_storage.exists(pending["path"]):
        return None
    return pending


def _run_import(user, *, data: bytes, fmt: str, kind: str, mapping: dict, dry_run: bool) -> imports.ImportReport:
    """Read the file and run the import; DomainError for an unreadable file or missing columns."""

    def is_header(headers: list[str]) -> bool:
        try:
            imports.map_headers(kind, headers, mapping)
        except DomainError:
            return False
        return True

    table = read_table(data, fmt, is_header=is_header)
    return imports.register_import(actor=user, kind=kind, headers=table.headers, rows=table.rows, mapping=mapping,
                                   dry_run=dry_run, first_row_number=table.first_row_number)


def _import_page(request, kinds, form=None, *, problem: str = "", status: int = 200):
    form = form or RegisterImportForm(kinds=kinds, max_bytes=MAX_UPLOAD_BYTES)
    columns = [
        {"kind": kind, "label": label, "columns": [
            {"key": key, "headers": " / ".join(headers), "required": key in imports.REQUIRED[kind]}
            for key, headers in imports.COLUMNS[kind].items()
        ]}
        for kind, label in form.fields["kind"].choices
    ]
    return render(request, "register/import.html", {"form": form, "columns": columns, "problem": problem},
                  status=status)


def _import_preview(request, report, *, name: str, token: str | None, status: int):
    context = {
        "report": report,
        "name": name,
        "kind_label": dict(IMPORT_KINDS).get(report.kind, report.kind),
        "commit_form": ImportCommitForm(initial={"token": token}) if token else None,
    }
    return render(request, "register/import_preview.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def register_import(request):
    """Upload, dry run with every row error, then commit (the file is kept under a token)."""
    user = request.user
    kinds = _require_importer(user)
    if request.method == "POST" and "token" in request.POST:
        return _register_import_commit(request, kinds)
    if request.method != "POST":
        return _import_page(request, kinds)
    form = RegisterImportForm(request.POST, request.FILES, kinds=kinds, max_bytes=MAX_UPLOAD_BYTES)
    if not form.is_valid():
        return _import_page(request, kinds, form, status=400)
    upload, data = form.cleaned_data["file"], form.cleaned_data["file"].read()
    kind, fmt, mapping = form.cleaned_data["kind"], form.cleaned_data["fmt"], form.cleaned_data["mapping_dict"]
    try:
        report = _run_import(user, data=data, fmt=fmt, kind=kind, mapping=mapping, dry_run=True)
    except DomainError as error:
        status = _domain_error_to_form(form, error)
        return _import_page(request, kinds, form, status=status)
    token = None
    if report.ok:
        token = _store_pending(request, data=data, name=upload.name, fmt=fmt, kind=kind, mapping=mapping)
    else:
        _discard_pending(request)
    return _import_preview(request, report, name=upload.name, token=token, status=200 if report.ok else 400)


def _register_import_commit(request, kinds):
    form = ImportCommitForm(request.POST)
    pending = _load_pending(request, form.cleaned_data["token"]) if form.is_valid() else None
    if pending is None or pending["kind"] not in kinds:
        return _import_page(request, kinds, problem=_("This upload is no longer available; upload the file again."),
                            status=400)
    with default_storage.open(pending["path"], "rb") as stored:
        data = stored.read()
    try:
        report = _run_import(request.user, data=data, fmt=pending["fmt"], kind=pending["kind"],
                             mapping=pending["mapping"], dry_run=False)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _import_page(request, kinds, problem=error.message, status=error.http_status)
    _discard_pending(request)
    if not report.committed:
        return _import_preview(request, report, name=pending["name"], token=None, status=400)
    messages.success(request, _("Imported %(file)s: %(rows)d rows, %(created)d records created.")
                     % {"file": pending["name"], "rows": report.rows, "created": report.created})
    return redirect("register-import")


@login_required
@require_GET
@domain_errors_as_http
def import_template(request, kind: str):
    """An empty CSV (UTF-8 with BOM, so that Excel opens it) with the Chinese headers of a kind."""
    kinds = _require_importer(request.user)
    if kind not in kinds:
        raise Http404(_("Unknown kind of import."))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(headers[1] for headers in imports.COLUMNS[kind].values())
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{kind}.csv"'
    return response
