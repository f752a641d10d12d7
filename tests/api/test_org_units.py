"""Org units over the API: scope roots, children, grid-cell geometry, locating a point."""

import pytest

from gridgov.core.models import GridAssignment
from tests.factories import Tree, make_user, org_unit, square

LIST_URL = "/api/v1/org-units/"
LOCATE_URL = "/api/v1/org-units/locate/"


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_without_parent_the_list_is_the_users_scope_root(client_for, station_staff):
    response = client_for(station_staff).get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {"code": Tree.TOWNSHIP_A, "name": "镇1", "level": "township", "parent": Tree.COUNTY_A}
        ],
    }


def test_children_of_a_village_are_grid_cells_with_geometry_and_workers(client_for, station_staff, grid_worker):
    response = client_for(station_staff).get(LIST_URL, {"parent": Tree.VILLAGE_A})

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first == {
        "code": Tree.CELL_A1,
        "name": "网格1",
        "level": "grid",
        "parent": Tree.VILLAGE_A,
        "polygon": square(120.0, 31.0),
        "centroid": {"lat": pytest.approx(31.005), "lng": pytest.approx(120.005)},
        "grid_workers": ["gw"],
    }
    assert second["code"] == Tree.CELL_A2
    assert second["grid_workers"] == []


def test_a_township_user_cannot_list_another_county(client_for, station_staff):
    response = client_for(station_staff).get(LIST_URL, {"parent": Tree.COUNTY_B})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_above_the_scope_only_the_users_own_branch_is_listed(client_for, station_staff):
    response = client_for(station_staff).get(LIST_URL, {"parent": "9901"})

    assert codes(response) == [Tree.COUNTY_A]


def test_a_malformed_parent_code_is_400(client_for, station_staff):
    response = client_for(station_staff).get(LIST_URL, {"parent": "99x"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["parent"]


def test_one_unit_by_code(client_for, station_staff, grid_worker):
    response = client_for(station_staff).get(f"{LIST_URL}{Tree.CELL_A1}/")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == Tree.CELL_A1
    assert body["polygon"]["type"] == "Polygon"
    assert body["grid_workers"] == ["gw"]


def test_a_unit_that_is_not_a_grid_cell_has_no_geometry_keys(client_for, station_staff):
    body = client_for(station_staff).get(f"{LIST_URL}{Tree.VILLAGE_A}/").json()

    assert set(body) == {"code", "name", "level", "parent"}


@pytest.mark.parametrize("code", [Tree.CELL_B1, "990101001001999"])
def test_a_unit_elsewhere_or_missing_is_404_alike(client_for, station_staff, code):
    response = client_for(station_staff).get(f"{LIST_URL}{code}/")

    assert response.status_code == 404
    assert response.json()["message"] == "No such org unit in your area."


# --- locate -------------------------------------------------------------------------


def test_a_point_inside_a_cell_finds_it(client_for, station_staff):
    response = client_for(station_staff).get(LOCATE_URL, {"lat": "31.005", "lng": "120.015"})

    assert response.status_code == 200
    assert response.json()["code"] == Tree.CELL_A2
    assert response.json()["centroid"] == {"lat": pytest.approx(31.005), "lng": pytest.approx(120.015)}


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code(client_for, station_staff):
    response = client_for(station_staff).get(LOCATE_URL, {"lat": "31.005", "lng": "120.01"})

    assert response.status_code == 200
    assert response.json()["code"] == Tree.CELL_A1


def test_a_point_in_no_cell_is_404(client_for, station_staff):
    response = client_for(station_staff).get(LOCATE_URL, {"lat": "31.5", "lng": "121.5"})

    assert response.status_code == 404


def test_a_point_in_a_cell_outside_the_users_area_is_404(client_for, station_staff):
    response = client_for(station_staff).get(LOCATE_URL, {"lat": "31.005", "lng": "120.105"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "params, bad_fields",
    [
        ({"lat": "abc", "lng": "120.0"}, ["lat"]),
        ({"lat": "91", "lng": "120.0"}, ["lat"]),
        ({"lat": "31", "lng": "-181"}, ["lng"]),
        ({"lat": "31"}, ["lng"]),
        ({"lat": "nan", "lng": "inf"}, ["lat", "lng"]),
        ({}, ["lat", "lng"]),
    ],
)
def test_bad_coordinates_are_400_with_the_fields(client_for, station_staff, params, bad_fields):
    response = client_for(station_staff).get(LOCATE_URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted(body["fields"]) == bad_fields


# --- pagination and query counts ------------------------------------------------------


def add_cells(village: str, count: int) -> None:
    """Grid cells 003.. under `village`, each with its own grid worker."""
    for index in range(3, 3 + count):
        code = f"{village}{index:03d}"
        org_unit(code, f"网格{index}", square(120.0 + index * 0.01, 31.0))
        worker = make_user(f"gw{index}", "grid_worker", scope=code)
        GridAssignment.objects.create(user=worker, cell_id=code)


def test_the_list_envelope_pages_by_cursor(client_for, station_staff):
    add_cells(Tree.VILLAGE_A, 3)  # 5 cells in all
    client = client_for(station_staff)

    first = client.get(LIST_URL, {"parent": Tree.VILLAGE_A, "page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    assert [len(page["results"]) for page in (first, second, third)] == [2, 2, 1]
    assert first["previous"] is None and third["next"] is None
    assert second["previous"] is not None
    all_codes = [row["code"] for page in (first, second, third) for row in page["results"]]
    assert all_codes == sorted(all_codes) and len(set(all_codes)) == 5
    assert codes(client.get(second["previous"])) == [r["code"] for r in first["results"]]


def test_page_size_is_capped_and_a_bad_cursor_is_400(client_for, station_staff):
    client = client_for(station_staff)

    capped = client.get(LIST_URL, {"parent": Tree.VILLAGE_A, "page_size": 100000})
    bad = client.get(LIST_URL, {"parent": Tree.VILLAGE_A, "cursor": "not-a-cursor"})

    assert capped.status_code == 200 and len(capped.json()["results"]) == 2
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["cursor"]


@pytest.mark.parametrize("extra_cells", [1, 28])  # 3 and 30 grid cells in the village
def test_listing_cells_costs_the_same_queries_whatever_their_number(
    client_for, station_staff, django_assert_num_queries, extra_cells
):
    add_cells(Tree.VILLAGE_A, extra_cells)
    client = client_for(station_staff)

    # token + parent check + cells + their workers (+ the workers' prefetched roles)
    with django_assert_num_queries(5):
        response = client.get(LIST_URL, {"parent": Tree.VILLAGE_A})

    assert len(response.json()["results"]) == 2 + extra_cells
