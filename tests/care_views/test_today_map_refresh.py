"""The daily map refreshes itself from `care-today-people`, draws every person (clustered on
the page) instead of cutting at a fixed number, and says so when an area is too big to draw."""

import pytest
from django.urls import reverse

from gridgov.care.views import today as today_view
from tests.care_views.conftest import Tree, enroll_due
from tests.care_views.test_today import BASE, _people
from tests.factories import PersonFactory


def _refresh(client, **params):
    return client.get(reverse("care-today-people"), params)


def test_the_refresh_gives_the_people_and_counts_of_the_page(login, staff, due_case):
    client = login(staff["doctor"])

    body = _refresh(client, org=Tree.TOWNSHIP_A).json()

    assert {c["status"]: c["n"] for c in body["counts"]}["due"] == 1
    assert [(p["id"], p["status"]) for p in body["people"]] == [(due_case.pk, "due")]
    assert body["people"][0]["url"] == reverse("care-enrollment", args=[due_case.pk])
    assert body["too_many"] == 0


def test_the_page_tells_the_map_where_to_refresh(login, staff, due_case):
    response = login(staff["doctor"]).get(reverse("care-today"), {"org": Tree.TOWNSHIP_A})

    data = response.context["map_data"]
    assert data["refresh_url"] == reverse("care-today-people") + f"?org={Tree.TOWNSHIP_A}"
    assert data["refresh_seconds"] >= 15


def test_above_the_county_the_refresh_has_numbers_and_no_people(login, staff, due_case):
    body = _refresh(login(staff["city_officer"])).json()

    assert body["people"] == [] and {c["status"]: c["n"] for c in body["counts"]}["due"] == "<5"
    assert "陈明" not in str(body)


def test_an_area_of_another_county_is_refused(login, staff, due_case):
    response = _refresh(login(staff["doctor"]), org=Tree.COUNTY_B)

    assert response.status_code in (400, 404)
    assert "陈明" not in response.content.decode() and '"people"' not in response.content.decode()


def test_more_people_than_the_map_draws_are_said_not_cut(login, staff, monkeypatch):
    _people(staff, 6)
    monkeypatch.setattr(today_view, "MAP_PEOPLE_CEILING", 5)
    client = login(staff["doctor"])

    page = client.get(reverse("care-today"), {"org": Tree.TOWNSHIP_A})
    body = _refresh(client, org=Tree.TOWNSHIP_A).json()

    assert page.context["map_data"]["people"] == [] and page.context["map_data"]["too_many"] == 6
    assert "There are 6 people with a home on the map in this area" in page.content.decode()
    assert body["too_many"] == 6 and len(page.context["rows"]) == 6  # the list still has everyone


def test_people_without_a_home_point_are_left_off_the_map_only(login, staff):
    enroll_due(staff, PersonFactory(org_code=Tree.CELL_A1, lat=None, lng=None))
    client = login(staff["doctor"])

    assert _refresh(client, org=Tree.TOWNSHIP_A).json()["people"] == []
    assert len(client.get(reverse("care-today"), {"org": Tree.TOWNSHIP_A}).context["rows"]) == 1


@pytest.mark.parametrize("n", [3, 30])
def test_refresh_query_count(login, staff, django_assert_num_queries, n):
    _people(staff, n)
    client = login(staff["doctor"])

    # the area (its check), the counts, the map's people
    with django_assert_num_queries(BASE - 2 + 3):
        body = _refresh(client, org=Tree.TOWNSHIP_A).json()

    assert len(body["people"]) == n
