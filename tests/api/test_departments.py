"""Departments and their stations over the API."""

import pytest

from gridgov.core.models import DepartmentKind
from tests.factories import DepartmentFactory, Tree

LIST_URL = "/api/v1/departments/"


@pytest.fixture
def market(tree):
    """County A's market regulation, its station in township A, and county B's."""
    county = DepartmentFactory(code="990101-market", name="县1市场监管局", org_code=Tree.COUNTY_A)
    station = DepartmentFactory(
        code="990101001-market", name="镇1市场监管所", org_code=Tree.TOWNSHIP_A,
        kind=DepartmentKind.STATION, parent=county,
    )
    other = DepartmentFactory(code="990102-market", name="县2市场监管局", org_code=Tree.COUNTY_B)
    return county, station, other


def test_a_township_user_sees_its_county_department_and_its_station(client_for, station_staff, market):
    response = client_for(station_staff).get(LIST_URL)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"code": "990101-market", "name": "县1市场监管局", "kind": "department", "parent": None,
         "org_code": Tree.COUNTY_A},
        {"code": "990101001-market", "name": "镇1市场监管所", "kind": "station", "parent": "990101-market",
         "org_code": Tree.TOWNSHIP_A},
    ]


def test_filter_by_org_keeps_the_departments_serving_that_subtree(client_for, city_admin, market):
    response = client_for(city_admin).get(LIST_URL, {"org": Tree.TOWNSHIP_A})

    assert [row["code"] for row in response.json()["results"]] == ["990101001-market"]


def test_filter_by_an_org_outside_the_area_is_404(client_for, station_staff, market):
    response = client_for(station_staff).get(LIST_URL, {"org": Tree.COUNTY_B})

    assert response.status_code == 404


def test_one_department_by_code(client_for, station_staff, market):
    response = client_for(station_staff).get(f"{LIST_URL}990101001-market/")

    assert response.status_code == 200
    assert response.json()["parent"] == "990101-market"


def test_a_department_elsewhere_is_404(client_for, station_staff, market):
    response = client_for(station_staff).get(f"{LIST_URL}990102-market/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("stations", [2, 29])  # 3 and 30 rows
def test_listing_departments_costs_the_same_queries_whatever_their_number(
    client_for, city_admin, tree, django_assert_num_queries, stations
):
    county = DepartmentFactory(code="990101-market", org_code=Tree.COUNTY_A)
    for index in range(stations):
        DepartmentFactory(
            code=f"990101001-s{index:02d}", org_code=Tree.TOWNSHIP_A, kind=DepartmentKind.STATION, parent=county
        )
    client = client_for(city_admin)

    with django_assert_num_queries(2):  # token, departments with their parents
        response = client.get(LIST_URL)

    assert len(response.json()["results"]) == stations + 1
