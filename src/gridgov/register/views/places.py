"""Buildings and places: lists, a record with its map and history, the forms that register one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core import masking
from gridgov.core import selectors as core_selectors
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import presenters, selectors, services
from gridgov.register.forms import BuildingCreateForm, OrgFilterForm, PlaceCreateForm, PlaceFilterForm
from gridgov.register.views.common import org_names, page, render_list, scope_cells

BUILDING_HOUSEHOLDS_LIMIT = 200


def _record_list(request, *, form_class, queryset, name: str, filters: tuple[str, ...]):
    """A list of buildings or places: filtered by the form, one keyset page, each row with its
    address as the reader may see it and its grid cell's name."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    form = form_class(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    records, next_url = [], None
    if valid:
        found = page(queryset(user, **{f: data.get(f) or None for f in filters}), data.get("after"), ("id",))
        records, next_url = found.rows, found.next_url({f: data.get(f) for f in filters})
    names = org_names(user, (r.org_code for r in records))
    context = {
        "form": form,
        "rows": [{name: r, "address": selectors.display_address(user, r.address),
                  "cell": names.get(r.org_code, r.org_code)} for r in records],
        "next_url": next_url,
        "can_create": has_capability(user, Capability.EDIT_REGISTER),
    }
    return render_list(request, f"register/{name}s.html", context, target=f"{name}s-results",
                       status=200 if valid else 400)


@login_required
@require_GET
@domain_errors_as_http
def buildings_list(request):
    return _record_list(request, form_class=OrgFilterForm, queryset=selectors.buildings_visible_to, name="building",
                        filters=("org",))


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
        "history": presenters.history_rows(user, [building]),
        "map_data": presenters.point_map(cells, lat=building.lat, lng=building.lng),
    }
    return render(request, "register/building.html", context)


def _create_page(request, template: str, form, status: int = 200):
    cells = scope_cells(request.user)
    data = form.data if form.is_bound else {}
    lat, lng = data.get("lat") or None, data.get("lng") or None
    context = {"form": form, "map_data": presenters.point_map(cells, lat=lat, lng=lng) if cells else None}
    return render(request, template, context, status=status)


def _registered_person(user, form, field: str):
    """The person a resident-ID field names (None when empty); a form error when nobody in
    the area has that ID."""
    resident_id = form.cleaned_data[field]
    person = services.check_person_in_area(actor=user, resident_id=resident_id)
    if resident_id and person is None:
        form.add_error(field, _("Nobody in your area is registered with this resident ID number."))
    return person


def _create(request, *, form_class, name: str, person_field: str, create, message: str):
    """The form that registers a building or a place: the page (GET), or the service with the
    person a resident-ID field names (POST), then the new record's page or the form again."""
    user = request.user
    _require(user, Capability.EDIT_REGISTER)
    form = form_class(request.POST or None)
    template = f"register/{name}_form.html"
    if request.method != "POST":
        return _create_page(request, template, form)
    status = 400
    if form.is_valid():
        person = _registered_person(user, form, person_field)
        if not form.errors:
            try:
                record = create(user, form.cleaned_data, person, form)
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                messages.success(request, message)
                return redirect(f"register-{name}", pk=record.pk)
    return _create_page(request, template, form, status=status)


def _building_create(user, data, landlord, form):
    return services.building_create(
        actor=user, address=data["address"], lat=data["lat"], lng=data["lng"], use=data["use"], name=data["name"],
        floors=data["floors"], is_rental=data["is_rental"], landlord=landlord, units=form.unit_labels(),
    )


def _place_create(user, data, responsible, form):
    return services.place_create(
        actor=user, name=data["name"], kind=data["kind"], lat=data["lat"], lng=data["lng"], address=data["address"],
        responsible_person=responsible, contact_phone=data["contact_phone"], opening_hours=data["opening_hours"],
        capacity=data["capacity"],
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def building_create(request):
    return _create(request, form_class=BuildingCreateForm, name="building", person_field="landlord_resident_id",
                   create=_building_create, message=_("The building was registered."))


@login_required
@require_GET
@domain_errors_as_http
def places_list(request):
    return _record_list(request, form_class=PlaceFilterForm, queryset=selectors.places_visible_to, name="place",
                        filters=("org", "kind"))


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
        if not presenters.names_allowed(user) else place.contact_phone,
        "history": presenters.history_rows(user, [place]),
        "map_data": presenters.point_map(cells, lat=place.lat, lng=place.lng),
    }
    return render(request, "register/place.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def place_create(request):
    return _create(request, form_class=PlaceCreateForm, name="place", person_field="responsible_resident_id",
                   create=_place_create, message=_("The place was registered."))
