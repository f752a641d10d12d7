"""Browsing the org-unit tree: breadcrumbs, children, grid workers, the map, scope."""

import json

from django.urls import reverse

from gridgov.core.models import Role
from tests.factories import Tree, make_user


def test_village_page_lists_cells_with_their_workers_and_maps_them(login, station_staff, grid_worker):
    response = login(station_staff).get(reverse("org-unit-detail", args=[Tree.VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    content = response.content.decode()
    assert [u.code for u in response.context["path"]] == ["99", "9901", Tree.COUNTY_A, Tree.TOWNSHIP_A, Tree.VILLAGE_A]
    assert [c.code for c in response.context["children"]] == [Tree.CELL_A1, Tree.CELL_A2]
    assert "Grid cell" in content  # level label
    assert "gw" in content  # cell A1's grid worker
    data = json.loads(content.split('id="org-map-data" type="application/json">')[1].split("</script>")[0])
    assert [f["properties"]["code"] for f in data["features"]] == [Tree.CELL_A1, Tree.CELL_A2]
    assert 'data-orgmap' in content and "leaflet.js" in content


def test_cell_page_shows_its_boundary_and_grid_workers(login, station_staff, grid_worker):
    response = login(station_staff).get(reverse("org-unit-detail", args=[Tree.CELL_A1]))

    assert response.status_code == 200
    assert [w.username for w in response.context["workers"]] == ["gw"]
    assert response.context["map_data"]["features"][0]["geometry"]["type"] == "Polygon"


def test_township_page_has_no_map(login, station_staff):
    response = login(station_staff).get(reverse("org-unit-detail", args=[Tree.TOWNSHIP_A]))

    assert response.context["map_data"] is None
    assert "leaflet.js" not in response.content.decode()


def test_another_countys_unit_is_not_found(login, station_staff):
    for code in (Tree.COUNTY_B, Tree.VILLAGE_B, Tree.CELL_B1):
        response = login(station_staff).get(reverse("org-unit-detail", args=[code]))

        assert response.status_code == 404


def test_units_root_goes_to_the_users_scope(login, station_staff):
    response = login(station_staff).get(reverse("org-unit-root"))

    assert response.status_code == 302 and response.url == reverse("org-unit-detail", args=[Tree.TOWNSHIP_A])


def test_ancestors_are_shown_only_down_the_users_own_branch(login, station_staff):
    response = login(station_staff).get(reverse("org-unit-detail", args=["9901"]))

    assert response.status_code == 200
    assert [c.code for c in response.context["children"]] == [Tree.COUNTY_A]


def test_a_user_without_scope_sees_no_units(login, tree):
    user = make_user("noscope", Role.DISPATCHER, scope="")

    assert login(user).get(reverse("org-unit-detail", args=["99"])).status_code == 404
    assert login(user).get(reverse("org-unit-root")).status_code == 404
