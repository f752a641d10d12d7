"""The lean people list and the cached org tree body (issue 12): the same masks as the full
presenter, the identifier search still logged, a constant number of queries, and a cached
body that follows the tree, the language and what the viewer may follow."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from gridgov.core.models import AuditEntry, OrgUnit, Person, Role
from gridgov.core.selectors import person_view
from gridgov.core.services import org_unit_update
from tests.factories import PersonFactory, Tree, make_user

BASE = 5  # session, user, roles, the scope's name for the header, unread notifications


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def shown_people(response) -> list[tuple]:
    return [(r["person"].id, r["person"].name, r["person"].gender, r["person"].birth_date, r["person"].resident_id,
             r["person"].phone, r["person"].org_code, r["url"]) for r in response.context["rows"]]


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.GRID_WORKER, Role.DISPATCHER])
def test_the_lean_people_rows_mask_as_the_full_presenter(login, tree, role):
    # given: people with every identifier, in the viewer's area
    viewer = make_user("viewer", role, scope=Tree.TOWNSHIP_A, cells=[Tree.CELL_A1] if role == Role.GRID_WORKER else ())
    for i in range(4):
        PersonFactory(name=f"王{i}明", resident_id=f"11010519491231{i:03d}X"[:18], phone=f"1391234567{i}",
                      address=f"幸福路 {i} 号", org_code=Tree.CELL_A1)

    response = login(viewer).get(reverse("people-list"))

    # then: each row is what person_view (the full presenter) shows of that person
    assert response.status_code == 200 and len(response.context["rows"]) == 4
    for person_id, name, gender, birth, resident_id, phone, org_code, url in shown_people(response):
        full = person_view(viewer, Person.objects.get(pk=person_id))
        assert (name, gender, birth, resident_id, phone, org_code) == (
            full.name, full.gender, full.birth_date, full.resident_id, full.phone, full.org_code)
        assert url == reverse("person-detail", args=[person_id])
    body = response.content.decode()
    assert "11010519491231" not in body and "幸福路" not in body and "13912345670" not in body


def test_an_identifier_search_on_the_lean_path_is_still_logged(login, tree):
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    person = PersonFactory(resident_id="11010519491231002X", org_code=Tree.CELL_A1)

    response = login(officer).get(reverse("people-list"), {"q": "11010519491231002X"})

    assert [r["person"].id for r in response.context["rows"]] == [person.pk]
    assert response.context["rows"][0]["person"].resident_id == "1101*************X"  # masked in the list
    assert AuditEntry.objects.filter(action="person.identifier_search", actor_username="officer").count() == 1


@pytest.mark.parametrize("n", [5, 50])
def test_the_people_search_costs_the_same_queries_for_5_and_50_rows(login, grid_worker,
                                                                     django_assert_num_queries, n):
    PersonFactory.create_batch(n, name="张三丰", org_code=Tree.CELL_A1)
    client = login(grid_worker)

    with django_assert_num_queries(BASE + 2):  # the page of people (through the name index), their places
        response = client.get(reverse("people-list"), {"q": "张三"})

    assert len(response.context["rows"]) == n


# --- the org tree's body -------------------------------------------------------------------------


def test_the_org_tree_body_is_cached_and_follows_renames_and_languages(login, tree):
    admin = make_user("admin", Role.CITY_ADMIN, scope="99")
    client = login(admin)
    url = reverse("org-unit-detail", args=[Tree.TOWNSHIP_A])
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    org_unit_update(actor=admin, unit=OrgUnit.objects.get(code=Tree.VILLAGE_A), name="改名村")
    renamed = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "改名村" not in first and "改名村" in renamed
    assert "Subdivisions" in renamed and "Subdivisions" not in chinese and "改名村" in chinese


def test_the_cached_org_tree_body_keeps_the_people_link_to_those_who_may_follow_it(login, tree):
    url = reverse("org-unit-detail", args=[Tree.TOWNSHIP_A])
    may = make_user("station", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)
    may_not = make_user("noone", Role.AUDITOR, scope=Tree.TOWNSHIP_A)
    # the same scope: the one who may not see people comes second, from a warm cache
    first = login(may).get(url)
    second = login(may_not).get(url)

    people_link = f'{reverse("people-list")}?org={Tree.TOWNSHIP_A}'
    assert first.context["can_view_people"] and people_link in first.content.decode()
    if second.status_code == 200:
        assert not second.context["can_view_people"] and people_link not in second.content.decode()
