"""The village's one table: masking per role, filters, keyset pages, Excel, query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.register import services
from gridgov.register.models import Relation, ResidenceType
from tests.factories import Tree
from tests.register_views.conftest import make_households, person

URL = reverse("register-one-table", args=[Tree.VILLAGE_A])
XLSX_URL = reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A])


@pytest.fixture
def elderly_alone(screener, building):
    return services.household_create(actor=screener, building=building, unit_label="1单元102", members=[
        services.MemberSpec(person(name="孤老人", birth="19400101"), Relation.HEAD, ResidenceType.REGISTERED_HERE)])


def test_grid_worker_sees_names_and_masked_phones(login, worker, household):
    response = login(worker).get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "张大山" in body and "李小花" in body and "幸福路 8 号 1单元101" in body
    assert "139******78" in body and "13912345678" not in body


def test_station_staff_see_masked_names_and_addresses(login, station, household):
    response = login(station).get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "张**" in body and "李**" in body
    assert "张大山" not in body and "1单元101" not in body


def test_counts_are_shown_at_the_top(login, worker, household, elderly_alone):
    response = login(worker).get(URL)

    assert response.context["counts"]["households"] == 2
    assert response.context["counts"]["members"] == 3
    assert 'id="one-table-counts"' in response.content.decode()


@pytest.mark.parametrize("params,expected", [
    ({"elderly_alone": "on"}, ["elderly"]),
    ({"no_head": "on"}, []),
    ({"q": "张大山"}, ["household"]),
    ({"q": "1单元102"}, ["elderly"]),
    ({"residence_type": "moved_in"}, []),
    ({"cell": Tree.CELL_A1}, ["household", "elderly"]),
])
def test_filters(login, worker, household, elderly_alone, params, expected):
    ids = {"household": household.pk, "elderly": elderly_alone.pk}

    response = login(worker).get(URL, params)

    assert [e["row"].household_id for e in response.context["rows"]] == [ids[k] for k in expected]


def test_a_cell_outside_the_village_is_refused_as_a_filter(login, worker, household):
    response = login(worker).get(URL, {"cell": Tree.CELL_B1})

    assert response.status_code == 400 and response.context["rows"] == []


def test_the_rented_filter_and_flag(login, screener, worker, household):
    landlord = person(name="房东")
    rented = services.building_create(actor=screener, address="和平路 1 号", lat=31.004, lng=120.004,
                                      use="residential", is_rental=True, landlord=landlord)
    tenants = services.household_create(actor=screener, building=rented, members=[
        services.MemberSpec(person(name="租户甲"), Relation.HEAD, ResidenceType.MOVED_IN)])

    response = login(worker).get(URL, {"rental": "on"})

    [entry] = response.context["rows"]
    assert entry["row"].household_id == tenants.pk and "Rented" in entry["row"].flags


def test_keyset_pages_follow_the_cell_then_id_order(login, screener, building, monkeypatch):
    from gridgov.register.views import common

    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    east = services.building_create(actor=screener, address="东街 2 号", lat=31.005, lng=120.015, use="residential")
    in_a2 = make_households(screener, east, 3, prefix="e")  # created first, but in the second cell
    in_a1 = make_households(screener, building, 2)
    client = login(screener)

    seen, pages, url = [], 0, URL
    while url:
        response = client.get(url if url.startswith("/") else URL + url)
        seen += [e["row"].household_id for e in response.context["rows"]]
        url = response.context["next_url"]
        pages += 1

    assert seen == [h.pk for h in in_a1 + in_a2] and pages == 3


def test_households_of_another_village_are_not_found(login, worker):
    assert login(worker).get(reverse("register-one-table", args=[Tree.VILLAGE_B])).status_code == 404
    assert login(worker).get(reverse("register-one-table", args=[Tree.CELL_A1])).status_code == 404


def test_excel_download_holds_every_filtered_household_not_only_one_page(login, screener, worker, building,
                                                                         household, monkeypatch):
    from gridgov.register.views import common

    monkeypatch.setattr(common, "PAGE_SIZE", 1)
    make_households(screener, building, 2)

    response = login(worker).get(XLSX_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 6  # three households of two members each
    assert ("张大山" in [r[3] for r in rows]) and all("****" in (r[8] or "") for r in rows)


def test_excel_download_applies_the_filters_and_the_masking(login, station, household, elderly_alone):
    response = login(station).get(XLSX_URL, {"elderly_alone": "on"})

    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[3] for r in rows] == ["孤**"]
    assert rows[0][2].endswith("****")


def test_the_village_map_labels_each_cell_with_its_households_and_places(login, screener, household):
    services.place_create(actor=screener, name="便民超市", kind="shop", lat=31.006, lng=120.006)

    response = login(screener).get(URL)

    labels = {f["properties"]["code"]: f["properties"]["label"] for f in response.context["map_data"]["cells"]["features"]}
    assert labels == {Tree.CELL_A1: "网格1: 1 household, 1 place", Tree.CELL_A2: "网格2: 0 households, 0 places"}


def test_program_badges_are_shown(login, worker, household, monkeypatch):
    from gridgov.register import selectors

    head_id = household.memberships.get(relation=Relation.HEAD).person_id
    monkeypatch.setattr(selectors, "PERSON_BADGE_PROVIDERS", [lambda user, ids: {head_id: ["关爱对象"]}])

    body = login(worker).get(URL).content.decode()

    assert '<span class="badge">关爱对象</span>' in body


# session, user, the user's roles, the scope's name for the header, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_one_table_query_count(login, screener, worker, building, django_assert_num_queries, n):
    make_households(screener, building, n)
    client = login(worker)

    # the village, its cells, the page of households, their members with people, the care
    # badges, the counts of households and of members, the map's households and places per cell
    with django_assert_num_queries(BASE + 9):
        response = client.get(URL)

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_one_table_partial_query_count_for_station_staff(login, screener, station, building,
                                                         django_assert_num_queries, n):
    make_households(screener, building, n)
    client = login(station)

    # no header, and no care badges for a role that may not see them (and no search by a
    # part of the address, which this role sees masked: masking, issue 10)
    with django_assert_num_queries(3 + 6):
        response = client.get(URL, {"residence_type": "registered_here"}, HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="one-table-results")

    assert response.content.decode().count('class="household-row"') == n


def test_a_household_matched_by_two_members_is_listed_once(login, worker, screener, building):
    # (issue 12: the member filters are EXISTS subqueries, with no DISTINCT to fold a join's repeats)
    services.household_create(actor=screener, building=building, unit_label="2单元201", members=[
        services.MemberSpec(person(name="张一"), Relation.HEAD, ResidenceType.REGISTERED_HERE),
        services.MemberSpec(person(name="张二"), Relation.SPOUSE, ResidenceType.REGISTERED_HERE),
    ])
    client = login(worker)
    url = reverse("register-one-table", args=[Tree.VILLAGE_A])

    for query in ({"q": "张"}, {"residence_type": ResidenceType.REGISTERED_HERE}):
        page = client.get(url, query).content.decode()
        assert page.count("2单元201") == 1, query


def test_a_household_whose_head_moved_out_counts_as_without_a_head(login, worker, screener, household):
    # (the old join excluded a household that ever had a head; the page flags it "No head")
    import datetime

    head = household.memberships.get(relation=Relation.HEAD)
    services.member_leave(actor=screener, membership=head, on=datetime.date.today())

    page = login(worker).get(reverse("register-one-table", args=[Tree.VILLAGE_A]), {"no_head": "1"})

    assert household.unit.label in page.content.decode()
