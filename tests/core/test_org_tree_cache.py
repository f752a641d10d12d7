"""The org tree from a cache (issue 12): a second look costs no org-unit query, a change of
the tree (create, rename, import, a cell's workers) is seen at once, each scope its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core import org_io, pickers
from gridgov.core.actors import SystemActor
from gridgov.core.models import OrgUnit, Role
from gridgov.core.org_io_services import org_units_import
from gridgov.core.services import org_unit_create, org_unit_update, user_create
from tests.factories import Tree, make_api_token, make_user
from tests.org_io.files import feature, geojson_bytes


def org_unit_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "core_orgunit" in q["sql"]]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


@pytest.fixture
def admin(tree):
    return make_user("cityadmin", Role.CITY_ADMIN, scope="99")


def children_names(client, parent) -> list[str]:
    response = client.get("/api/v1/org-units/", {"parent": parent})
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


def test_a_second_request_for_the_children_makes_no_org_unit_query(admin):
    client = api(admin)
    first = client.get("/api/v1/org-units/", {"parent": Tree.VILLAGE_A})

    with CaptureQueriesContext(connection) as ctx:
        second = client.get("/api/v1/org-units/", {"parent": Tree.VILLAGE_A})

    assert second.json() == first.json() and len(second.json()["results"]) == 2
    assert org_unit_queries(ctx) == []


def test_a_second_request_for_one_unit_makes_no_org_unit_query_and_a_404_stays_a_404(admin):
    client = api(admin)
    first = client.get(f"/api/v1/org-units/{Tree.CELL_A1}/")

    with CaptureQueriesContext(connection) as ctx:
        second = client.get(f"/api/v1/org-units/{Tree.CELL_A1}/")

    assert second.json() == first.json() and second.json()["code"] == Tree.CELL_A1
    assert org_unit_queries(ctx) == []
    assert client.get("/api/v1/org-units/990101009/").status_code == 404


def test_a_rename_and_a_new_unit_are_visible_at_once(admin):
    client = api(admin)
    before = children_names(client, Tree.VILLAGE_A)

    org_unit_update(actor=admin, unit=OrgUnit.objects.get(code=Tree.CELL_A1), name="幸福网格")
    org_unit_create(actor=admin, code=Tree.VILLAGE_A + "003", name="新网格")

    after = children_names(client, Tree.VILLAGE_A)
    assert "幸福网格" in after and "新网格" in after and len(after) == len(before) + 1
    assert client.get(f"/api/v1/org-units/{Tree.CELL_A1}/").json()["name"] == "幸福网格"


def test_an_import_is_visible_at_once(admin):
    client = api(admin)
    children_names(client, Tree.VILLAGE_A)
    source = org_io.read_import_file(geojson_bytes([feature(Tree.CELL_A2, "导入后的名字")]), fmt="geojson",
                                     mapping=None, name="units.geojson")

    org_units_import(actor=SystemActor("orgunits"), plan=org_io.ImportPlan.unchecked(source))

    assert "导入后的名字" in children_names(client, Tree.VILLAGE_A)


def test_a_cells_new_grid_worker_is_visible_at_once(admin):
    client = api(admin)
    assert client.get("/api/v1/org-units/", {"parent": Tree.VILLAGE_A}).json()["results"][0]["grid_workers"] == []

    user_create(actor=admin, username="newworker", display_name="新人", scope_code=Tree.CELL_A1,
                roles=[Role.GRID_WORKER], grid_cells=[Tree.CELL_A1], password=None)

    rows = client.get("/api/v1/org-units/", {"parent": Tree.VILLAGE_A}).json()["results"]
    assert rows[0]["grid_workers"] == ["newworker"]


def test_each_scope_gets_its_own_tree(tree):
    a = api(make_user("sa", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A))
    b = api(make_user("sb", Role.STATION_STAFF, scope=Tree.TOWNSHIP_B))

    assert [r["code"] for r in a.get("/api/v1/org-units/").json()["results"]] == [Tree.TOWNSHIP_A]
    assert [r["code"] for r in b.get("/api/v1/org-units/").json()["results"]] == [Tree.TOWNSHIP_B]
    assert b.get("/api/v1/org-units/", {"parent": Tree.VILLAGE_A}).status_code == 404  # A's, cached for A


def test_the_org_unit_page_and_the_pickers_are_served_from_the_cache(admin, client):
    client.force_login(admin)
    url = reverse("org-unit-detail", args=[Tree.VILLAGE_A])
    client.get(url)
    pickers.unit_children(admin, Tree.VILLAGE_A)
    pickers.units_matching(admin, "网格")

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
        parent, children = pickers.unit_children(admin, Tree.VILLAGE_A)
        found = pickers.units_matching(admin, "网格")

    assert page.status_code == 200 and [c.code for c in page.context["children"]] == [Tree.CELL_A1, Tree.CELL_A2]
    assert parent.code == Tree.VILLAGE_A and len(children) == 2 and len(found) >= 2
    assert org_unit_queries(ctx) == []

    org_unit_update(actor=admin, unit=OrgUnit.objects.get(code=Tree.CELL_A2), name="改名网格")

    assert "改名网格" in client.get(url).content.decode()
    assert [c.name for c in pickers.unit_children(admin, Tree.VILLAGE_A)[1]][1] == "改名网格"
    assert any(c.name == "改名网格" for c in pickers.units_matching(admin, "改名"))
