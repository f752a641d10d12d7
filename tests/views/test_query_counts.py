"""Lists cost the same number of queries whatever their length."""

import pytest
from django.urls import reverse

from gridgov.core.models import Role
from gridgov.core.services import person_open_record
from tests.factories import PersonFactory, Tree, make_user, org_unit, square

# session, user, the user's roles, the scope's name for the header, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_people_list_query_count(login, station_staff, django_assert_num_queries, n):
    PersonFactory.create_batch(n)
    client = login(station_staff)

    with django_assert_num_queries(BASE + 2):  # the page of people, their org units' names
        response = client.get(reverse("people-list"))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_people_search_partial_query_count(login, grid_worker, django_assert_num_queries, n):
    PersonFactory.create_batch(n, name="张三")
    client = login(grid_worker)

    # no header in a partial: session, user, roles, the people, their org units' names
    with django_assert_num_queries(5):
        response = client.get(reverse("people-list"), {"q": "张三"}, HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="people-results")

    assert response.content.decode().count('class="item person-row"') == n


@pytest.mark.parametrize("n", [3, 30])
def test_audit_list_query_count(login, auditor, grid_worker, django_assert_num_queries, n):
    person = PersonFactory()
    for i in range(n):
        person_open_record(actor=grid_worker, person=person, purpose="home_visit", note=f"{i}")
    client = login(auditor)

    # The auditor's menu has notifications too (bulk exports, issue 10), with the unread count.
    # the page of entries, the actors' names, the org units' name paths
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("audit-search"), {"action": "person.open_record"})

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_org_children_query_count(login, tree, django_assert_num_queries, n):
    viewer = make_user("viewer", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)
    for i in range(3, 3 + n - 2):
        code = f"{Tree.VILLAGE_A}{i:03d}"
        org_unit(code, f"网格{i}", square(120.0 + i * 0.01, 31.1))
        make_user(f"gw{i}", Role.GRID_WORKER, scope=code, cells=[code])
    client = login(viewer)

    # the unit (checked twice: the page, then the children selector), the children, their
    # grid workers and those workers' roles, the path
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("org-unit-detail", args=[Tree.VILLAGE_A]))

    assert len(response.context["children"]) == n
