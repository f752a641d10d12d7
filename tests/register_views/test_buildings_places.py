"""Buildings and places: lists with filters and keyset pages, detail pages, create forms."""

import pytest
from django.urls import reverse

from gridgov.register import services
from gridgov.register.models import Building, Place
from tests.factories import Tree
from tests.register_views.conftest import person


def test_the_building_list_filters_by_org_unit(login, screener, building):
    east = services.building_create(actor=screener, address="东街 2 号", lat=31.005, lng=120.015, use="shop")
    client = login(screener)

    everything = client.get(reverse("register-buildings"))
    in_a2 = client.get(reverse("register-buildings"), {"org": Tree.CELL_A2})

    assert [r["building"] for r in everything.context["rows"]] == [building, east]
    assert [r["building"] for r in in_a2.context["rows"]] == [east]


def test_building_pages_follow_keyset_pages(login, screener, monkeypatch):
    from gridgov.register.views import common

    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    made = [services.building_create(actor=screener, address=f"路 {i} 号", lat=31.005, lng=120.005, use="shop")
            for i in range(3)]
    client = login(screener)

    first = client.get(reverse("register-buildings"))
    second = client.get(reverse("register-buildings") + first.context["next_url"])

    assert [r["building"] for r in first.context["rows"] + second.context["rows"]] == made
    assert second.context["next_url"] is None


def test_the_building_page_shows_units_households_and_history(login, worker, building, household):
    response = login(worker).get(reverse("register-building", args=[building.pk]))

    body = response.content.decode()
    assert "1单元101" in body and "1单元102" in body
    assert reverse("register-household", args=[household.pk]) in body
    assert 'id="history"' in body and "data-register-map" in body


def test_a_screener_registers_a_rented_building_with_its_landlord(login, screener):
    landlord = person(name="房东王")
    client = login(screener)

    response = client.post(reverse("register-building-create"), {
        "address": "和平路 1 号", "use": "residential", "lat": "31.004", "lng": "120.004",
        "units": "1单元101\n1单元102\n", "is_rental": "on", "landlord_resident_id": landlord.resident_id})

    building = Building.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("register-building", args=[building.pk])
    assert building.landlord == landlord and building.org_code == Tree.CELL_A1
    assert sorted(u.label for u in building.units.all()) == ["1单元101", "1单元102"]


@pytest.mark.parametrize("data,field,message", [
    ({"lat": "40.0", "lng": "110.0"}, "lat", "This point lies in no grid cell."),
    ({"is_rental": "on"}, "landlord_resident_id", "A rented building needs its landlord."),
    ({"is_rental": "on", "landlord_resident_id": "11010519491231002X"}, "landlord_resident_id",
     "Nobody in your area is registered with this resident ID number."),
])
def test_building_errors_re_render_the_form(login, screener, data, field, message):
    base = {"address": "和平路 1 号", "use": "residential", "lat": "31.004", "lng": "120.004"}

    response = login(screener).post(reverse("register-building-create"), {**base, **data})

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not Building.objects.exists()


def test_grid_workers_may_not_register_buildings(login, worker):
    assert login(worker).get(reverse("register-building-create")).status_code == 403


def test_the_create_form_draws_the_cells_of_the_area_for_picking_the_point(login, screener):
    body = login(screener).get(reverse("register-building-create")).content.decode()

    assert "data-pick" in body and "register-map.js" in body and Tree.CELL_A2 in body


def test_a_screener_registers_a_place(login, screener, worker):
    manager = person(name="店主李")

    response = login(screener).post(reverse("register-place-create"), {
        "name": "颐养之家", "kind": "elderly_daycare", "lat": "31.006", "lng": "120.006",
        "responsible_resident_id": manager.resident_id, "contact_phone": "0512-5761234",
        "opening_hours": "8:00-17:00", "capacity": "30"})

    place = Place.objects.get()
    assert response.status_code == 302
    assert (place.responsible_person, place.capacity, place.org_code) == (manager, 30, Tree.CELL_A1)
    detail = login(worker).get(reverse("register-place", args=[place.pk])).content.decode()
    assert "颐养之家" in detail and "店主李" in detail and "8:00-17:00" in detail


def test_the_place_list_filters_by_kind(login, screener, worker):
    shop = services.place_create(actor=screener, name="便民超市", kind="shop", lat=31.006, lng=120.006)
    services.place_create(actor=screener, name="小学", kind="school", lat=31.006, lng=120.006)

    response = login(worker).get(reverse("register-places"), {"kind": "shop"})

    assert [r["place"] for r in response.context["rows"]] == [shop]


def test_station_staff_see_a_places_responsible_person_masked(login, screener, station):
    manager = person(name="店主李")
    place = services.place_create(actor=screener, name="便民超市", kind="shop", lat=31.006, lng=120.006,
                                  responsible_person=manager, contact_phone="13911112222")

    body = login(station).get(reverse("register-place", args=[place.pk])).content.decode()

    assert "店主李" not in body and "店**" in body and "13911112222" not in body


@pytest.mark.parametrize("n", [3, 30])
def test_building_list_query_count(login, screener, django_assert_num_queries, n):
    for i in range(n):
        services.building_create(actor=screener, address=f"路 {i} 号", lat=31.005, lng=120.005, use="shop",
                                 units=[f"{i}-1", f"{i}-2"])
    client = login(screener)

    # the page of buildings, their units, the cells' names
    with django_assert_num_queries(5 + 3):
        response = client.get(reverse("register-buildings"))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_place_list_query_count(login, screener, django_assert_num_queries, n):
    for i in range(n):
        services.place_create(actor=screener, name=f"店 {i}", kind="shop", lat=31.006, lng=120.006)
    client = login(screener)

    # the page of places (with responsible people), the cells' names
    with django_assert_num_queries(5 + 2):
        response = client.get(reverse("register-places"))

    assert len(response.context["rows"]) == n
