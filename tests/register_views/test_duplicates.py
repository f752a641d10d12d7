"""Duplicate people found by the resident-ID blind index, merged after a confirmation step."""

import pytest
from django.urls import reverse

from gridgov.core.models import Person
from gridgov.register.models import Membership
from tests.factories import make_resident_id
from tests.register_views.conftest import head_of, person

SHARED_ID = "11010519491231002X"


@pytest.fixture
def twins(household):
    """The household's head, registered a second time under the same resident ID."""
    head = head_of(household).person
    head.resident_id = SHARED_ID
    from gridgov.core import crypto

    head.resident_id_index = crypto.blind_index("resident_id", SHARED_ID)
    head.save()
    again = person(name="张大山", resident_id=SHARED_ID, phone="")
    return head, again


def test_the_page_groups_records_sharing_a_resident_id_with_masked_ids(login, screener, twins):
    head, again = twins
    person(name="单独", resident_id=make_resident_id())

    response = login(screener).get(reverse("register-duplicates"))

    body = response.content.decode()
    [group] = response.context["groups"]
    assert [c["person"] for c in group["people"]] == [head, again]
    assert "1101**********002X" in body and SHARED_ID not in body
    assert "单独" not in body
    assert "幸福路 8 号 1单元101" in body  # the first record's household


def test_merge_asks_for_confirmation_first(login, screener, twins):
    head, again = twins
    url = reverse("register-duplicates-merge") + f"?keep={head.pk}&duplicate={again.pk}"

    response = login(screener).get(url)

    again.refresh_from_db()
    assert response.status_code == 200 and "Merge #%d into #%d" % (again.pk, head.pk) in response.content.decode()
    assert again.merged_into is None


def test_merging_b_into_a_moves_its_household_membership(login, screener, twins):
    head, again = twins
    # the duplicate is the one in the household: merge it into the other record
    client = login(screener)

    response = client.post(reverse("register-duplicates-merge"),
                           {"keep": again.pk, "duplicate": head.pk, "confirm": "1"})

    head.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("register-duplicates")
    assert head.merged_into == again
    assert Membership.objects.get(is_current=True, relation="head").person == again
    assert client.get(reverse("register-duplicates")).context["groups"] == []


def test_grid_workers_and_station_staff_may_not_merge(login, worker, station, twins):
    head, again = twins
    for user in (worker, station):
        client = login(user)
        assert client.get(reverse("register-duplicates")).status_code == 403
        response = client.post(reverse("register-duplicates-merge"),
                               {"keep": head.pk, "duplicate": again.pk, "confirm": "1"})
        assert response.status_code == 403
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_records_with_different_ids_cannot_be_merged(login, screener, household):
    a, b = person(), person()

    response = login(screener).post(reverse("register-duplicates-merge"),
                                    {"keep": a.pk, "duplicate": b.pk, "confirm": "1"})

    assert response.status_code == 400
    assert "Only records with the same resident ID number can be merged." in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_duplicates_query_count(login, screener, django_assert_num_queries, n):
    for _ in range(n):
        resident_id = make_resident_id()
        person(resident_id=resident_id)
        person(resident_id=resident_id)
    client = login(screener)

    # session, user, roles, the header's scope; the page of people, their current memberships
    # with households, the org units' names
    with django_assert_num_queries(5 + 3):
        response = client.get(reverse("register-duplicates"))

    assert len(response.context["groups"]) == n
