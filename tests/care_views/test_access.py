"""Each care page opens for the roles that need it, refuses the others (403), and hides
what lies outside the user's area (404, the same as a record that does not exist)."""

import pytest
from django.urls import reverse

from tests.care_views.conftest import Tree

PAGES = {
    "today": lambda e: reverse("care-today"),
    "enrollment": lambda e: reverse("care-enrollment", args=[e.pk]),
    "visit": lambda e: reverse("care-visit-new", args=[e.pk]),
    "crisis": lambda e: reverse("care-crisis-new", args=[e.pk]),
    "officer": lambda e: reverse("care-officer"),
    "enroll": lambda e: reverse("care-enroll"),
    "metrics": lambda e: reverse("care-metrics"),
    "payments": lambda e: reverse("care-payments"),
}

# user -> the pages that open (200); every other page answers 403
ALLOWED = {
    "officer": set(PAGES),
    "doctor": {"today", "enrollment", "visit", "crisis", "metrics"},
    "gw": {"today", "enrollment", "visit", "crisis", "metrics"},
    "station": set(),
    "auditor": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_access_by_role(login, staff, due_case, auditor, who, page):
    user = auditor if who == "auditor" else staff[who]

    response = login(user).get(PAGES[page](due_case))

    assert response.status_code == (200 if page in ALLOWED[who] else 403)


@pytest.mark.parametrize("page", ["enrollment", "visit", "crisis"])
def test_another_countys_officer_gets_404(login, staff, due_case, page):
    response = login(staff["officer_b"]).get(PAGES[page](due_case))

    assert response.status_code == 404


def test_another_countys_officer_cannot_open_this_countys_map(login, staff, due_case):
    response = login(staff["officer_b"]).get(reverse("care-today"), {"org": Tree.COUNTY_A})

    assert response.status_code == 404


def test_a_grid_worker_of_another_cell_does_not_find_the_record(login, staff, due_case):
    client = login(staff["gw_other"])

    assert client.get(reverse("care-enrollment", args=[due_case.pk])).status_code == 404
    assert "陈明" not in client.get(reverse("care-today")).content.decode()


def test_a_city_level_officer_sees_no_record(login, staff, due_case):
    response = login(staff["city_officer"]).get(reverse("care-enrollment", args=[due_case.pk]))

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, due_case):
    response = client.get(reverse("care-today"))

    assert response.status_code == 302 and "/login/" in response["Location"]
