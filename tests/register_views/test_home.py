"""The register's start page: villages of the user's area with household counts; a grid
worker's own village and open checklist; a screener's queue."""

import pytest
from django.urls import reverse

from gridgov.core.models import Role
from gridgov.register import rounds
from tests.factories import Tree, make_user, org_unit
from tests.register_views.conftest import make_households

URL = reverse("register-home")


def test_villages_are_listed_with_their_household_counts(login, station, screener, building):
    make_households(screener, building, 2)

    response = login(station).get(URL)

    assert [(v["unit"].code, v["households"]) for v in response.context["villages"]] == [(Tree.VILLAGE_A, 2)]
    assert reverse("register-one-table", args=[Tree.VILLAGE_A]) in response.content.decode()


def test_a_grid_worker_gets_a_link_to_their_village_and_open_checklist(login, worker, update_round):
    body = login(worker).get(URL).content.decode()

    assert reverse("register-one-table", args=[Tree.VILLAGE_A]) in body
    assert reverse("register-checklist", args=[update_round.pk]) in body and "1 to check" in body


def test_a_screener_sees_how_many_changes_await_sign_off(login, worker, screener, item):
    rounds.item_propose_edits(actor=worker, item=item, edits=[{"kind": "household", "values": {"address": "新"}}])

    response = login(screener).get(URL)

    assert response.context["awaiting_sign_off"] == 1


def test_an_auditor_may_not_open_the_register(login, tree):
    assert login(make_user("aud", Role.AUDITOR, scope="99")).get(URL).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_village_list_query_count(login, station, django_assert_num_queries, n):
    for i in range(2, n + 1):
        org_unit(f"{Tree.TOWNSHIP_A}{i:03d}", f"村{i}")
    client = login(station)

    # session, user, roles, the header's scope; the villages, their household counts
    with django_assert_num_queries(5 + 2):
        response = client.get(URL)

    assert len(response.context["villages"]) == n
