from rest_framework.test import APIClient

from gridgov.core.models import Role
from gridgov.register import services
from gridgov.register.models import Relation, ResidenceType
from tests.factories import Tree, make_user
from tests.register.conftest import person


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _add_households(screener, building, n):
    for i in range(n):
        services.household_create(actor=screener, building=building, unit_label=f"2单元{i:03d}", members=[
            services.MemberSpec(person(), Relation.HEAD, ResidenceType.REGISTERED_HERE),
            services.MemberSpec(person(), Relation.CHILD, ResidenceType.REGISTERED_HERE)])


def test_households_list_nests_current_members(grid_worker, household):
    body = _client(grid_worker).get("/api/v1/households/").json()

    [row] = body["results"]
    assert set(body) == {"next", "previous", "results"}
    assert row["org_code"] == Tree.CELL_A1 and row["building"] == household.building_id
    assert [(m["name"], m["relation"], m["residence_type"]) for m in row["members"]] == [
        ("张大山", "head", "registered_here"), ("李小花", "spouse", "registered_here")]


def test_households_are_masked_for_station_staff(tree, household):
    staff = make_user("st3", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)

    [row] = _client(staff).get("/api/v1/households/").json()["results"]

    assert [m["name"] for m in row["members"]] == ["张**", "李**"]
    assert row["address"].endswith("****")
    # Neither the unit nor the building (whose address is public) gives the home away.
    assert (row["unit"], row["building"]) == ("***", None)


def test_households_outside_the_org_filter_or_scope_are_not_listed(tree, household):
    other_county = make_user("oc", Role.GRID_WORKER, scope=Tree.COUNTY_B)

    assert _client(other_county).get("/api/v1/households/").json()["results"] == []
    assert _client(make_user("z", Role.CITY_ADMIN, scope="99")).get(
        f"/api/v1/households/?org={Tree.CELL_A2}").json()["results"] == []


def test_auditor_may_not_read_the_register(auditor):
    response = _client(auditor).get("/api/v1/households/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_household_list_is_keyset_paginated_with_constant_queries(grid_worker, screener, building,
                                                                   django_assert_num_queries):
    _add_households(screener, building, 3)
    client = _client(grid_worker)
    with django_assert_num_queries(2):
        client.get("/api/v1/households/")
    _add_households(screener, building, 30)
    with django_assert_num_queries(2):
        first = client.get("/api/v1/households/?page_size=20").json()

    second = client.get(first["next"]).json()
    assert len(first["results"]) == 20 and len(second["results"]) == 13
    assert "cursor=" in first["next"]


def test_buildings_list_with_units(grid_worker, building, django_assert_num_queries):
    client = _client(grid_worker)
    with django_assert_num_queries(2):
        [row] = client.get(f"/api/v1/buildings/?org={Tree.VILLAGE_A}").json()["results"]

    assert row["units"] == ["1单元101", "1单元102"]
    assert (row["lat"], row["lng"], row["use"]) == (31.005, 120.005, "residential")


def test_places_list_filters_by_kind(grid_worker, screener, django_assert_num_queries):
    owner = person(name="王老板")
    services.place_create(actor=screener, name="小吃店", kind="restaurant", lat=31.002, lng=120.002,
                          responsible_person=owner)
    services.place_create(actor=screener, name="颐养之家", kind="elderly_daycare", lat=31.003, lng=120.003,
                          capacity=40)
    client = _client(grid_worker)

    with django_assert_num_queries(1):
        rows = client.get("/api/v1/places/?kind=restaurant").json()["results"]

    assert [(r["name"], r["responsible_person"]["name"]) for r in rows] == [("小吃店", "王老板")]


def test_an_org_filter_outside_the_area_is_not_found(grid_worker, household):
    response = _client(grid_worker).get(f"/api/v1/households/?org={Tree.COUNTY_B}")

    assert response.status_code == 404
