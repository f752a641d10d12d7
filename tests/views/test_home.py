"""The home page shows each person what they have to do, by role."""

from django.urls import reverse

from gridgov.core.models import Role
from gridgov.core.services import person_open_record
from tests.factories import PersonFactory, Tree, make_user


def test_grid_worker_sees_their_cells_and_how_many_people_live_there(login, grid_worker):
    PersonFactory.create_batch(3, org_code=Tree.CELL_A1)
    PersonFactory(org_code=Tree.CELL_A2)  # not their cell

    response = login(grid_worker).get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "网格1" in content and reverse("org-unit-detail", args=[Tree.CELL_A1]) in content
    assert response.context["grid_cells"][0]["people"] == 3
    assert response.context["grid_people_total"] == 3


def test_grid_worker_without_cells_sees_an_empty_state(login, tree):
    user = make_user("newbie", Role.GRID_WORKER, scope=Tree.VILLAGE_A)

    response = login(user).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert "Nothing to do yet" in response.content.decode()


def test_station_staff_sees_their_area_and_departments(login, station_staff, market_department):
    response = login(station_staff).get(reverse("home"))

    content = response.content.decode()
    assert "镇1" in content
    assert "县市场监管局" in content


def test_department_staff_sees_their_own_department(login, department_staff):
    response = login(department_staff).get(reverse("home"))

    assert response.context["own_department"].code == "990101-market"
    assert "县市场监管局" in response.content.decode()


def test_mediator_sees_their_area(login, mediator):
    response = login(mediator).get(reverse("home"))

    assert response.status_code == 200
    assert reverse("org-unit-detail", args=[Tree.TOWNSHIP_A]) in response.content.decode()


def test_auditor_sees_the_audit_link_and_latest_entries_of_their_scope(login, auditor, grid_worker, resident):
    for n in range(12):
        person_open_record(actor=grid_worker, person=resident, purpose="home_visit", note=f"{n}")

    response = login(auditor).get(reverse("home"))

    content = response.content.decode()
    assert reverse("audit-search") in content
    assert len(response.context["audit_entries"]) == 10
    assert "王小明" not in content  # the auditor does not see whose record it was by name


def test_county_auditor_does_not_see_another_countys_entries(login, tree, grid_worker, resident, county_b_worker,
                                                            other_county_resident):
    county_b_auditor = make_user("audb", Role.AUDITOR, scope=Tree.COUNTY_B)
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit")

    response = login(county_b_auditor).get(reverse("home"))

    assert response.context["audit_entries"] == []


def test_city_admin_sees_counts_and_admin_links(login, city_admin, resident, market_department):
    response = login(city_admin).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    counts = response.context["admin_counts"]
    assert dict((str(k), v) for k, v in counts["levels"])["Grid cell"] == 4
    assert counts["departments"] == 2
    assert counts["people"] == 1
    assert counts["users"] == 1
