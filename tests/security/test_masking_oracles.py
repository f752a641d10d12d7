"""Finding 1 (issue 10), every other oracle: no search, filter, export or import confirms a
value that the searching role sees masked; where a role may see it, the lookup is logged
and limited per hour like the people search.

Each test plays the attack on one oracle: the right value and a wrong one must give the
same answer to a role that sees the value masked.
"""

import datetime
import io
import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gridgov.core.models import AuditEntry, Role
from gridgov.register import services
from gridgov.register.imports import register_import
from gridgov.register.models import Building, Relation, ResidenceType
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

LANDLORD_ID = make_resident_id(Tree.COUNTY_A, "19700101", 31)
WRONG_ID = make_resident_id(Tree.COUNTY_A, "19700102", 31)
ADDRESS = "幸福路 8 号 1单元101"


@pytest.fixture
def screener(tree):
    return make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)


@pytest.fixture
def admin(tree):
    return make_user("cityadmin", Role.CITY_ADMIN, scope="99")


@pytest.fixture
def station(tree):
    return make_user("st", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


@pytest.fixture
def landlord(tree):
    return PersonFactory(name="房东王", resident_id=LANDLORD_ID, org_code=Tree.CELL_A1)


@pytest.fixture
def household(screener, landlord):
    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential", units=["1单元101"])
    return services.household_create(actor=screener, building=building, unit_label="1单元101", members=[
        services.MemberSpec(landlord, Relation.HEAD, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1))])


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def identifier_searches(username: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor_username=username, action="person.identifier_search"))


# --- the one table: its filter and its workbook ---------------------------------------------


def one_table(user, q: str):
    return page(user).get(reverse("register-one-table", args=[Tree.VILLAGE_A]), {"q": q})


def test_the_one_table_does_not_confirm_an_address_to_roles_that_see_it_masked(household, station, admin, worker):
    for user in (station, admin):
        right, wrong = one_table(user, ADDRESS), one_table(user, "幸福路 9 号 1单元101")
        assert right.status_code == wrong.status_code == 200
        assert right.context["rows"] == wrong.context["rows"] == []
        assert one_table(user, "幸福路").context["rows"] == []  # nor a part of it
        assert one_table(user, LANDLORD_ID).context["rows"] == []  # nor a member's ID

    # the grid worker, who sees addresses in full, finds it by its exact wording (spaces ignored)
    assert [r["row"].household_id for r in one_table(worker, "幸福路8号1单元101").context["rows"]] == [household.pk]
    assert one_table(worker, LANDLORD_ID).context["rows"] == []  # the one table is no ID search


def test_the_one_table_workbook_applies_the_same_filter(household, station):
    url = reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A])

    right = page(station).get(url, {"q": ADDRESS})
    wrong = page(station).get(url, {"q": "幸福路 9 号 1单元101"})

    def data_rows(response):
        return list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(min_row=3, values_only=True))

    assert right.status_code == wrong.status_code == 200
    assert data_rows(right) == data_rows(wrong) == []


# --- linking a person by resident ID on the register's forms ---------------------------------


def test_a_landlord_lookup_confirms_nothing_to_an_administrator(landlord, admin):
    base = {"address": "和平路 1 号", "use": "residential", "lat": "31.004", "lng": "120.004", "is_rental": "on"}
    client = page(admin)

    right = client.post(reverse("register-building-create"), {**base, "landlord_resident_id": LANDLORD_ID})
    wrong = client.post(reverse("register-building-create"), {**base, "landlord_resident_id": WRONG_ID})

    assert right.status_code == wrong.status_code == 400
    assert right.context["form"].errors == wrong.context["form"].errors
    assert not Building.objects.filter(is_rental=True).exists()


def test_a_screeners_landlord_lookup_is_logged_and_limited(landlord, screener):
    base = {"address": "和平路 1 号", "use": "residential", "lat": "31.004", "lng": "120.004", "is_rental": "on"}
    client = page(screener)

    with override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=1):
        first = client.post(reverse("register-building-create"), {**base, "landlord_resident_id": LANDLORD_ID})
        second = client.post(reverse("register-building-create"), {**base, "landlord_resident_id": WRONG_ID})

    assert first.status_code == 302
    assert second.status_code == 429 and "Try again later." in second.content.decode()
    [entry] = identifier_searches("screener")
    assert json.loads(entry.changes)["where"] == "register" and LANDLORD_ID not in entry.object_repr + entry.changes


# --- imports and their dry runs --------------------------------------------------------------


BUILDING_HEADERS = ["地址", "纬度", "经度", "用途", "出租", "房东身份证号"]


def _import(actor, ids: list[str]):
    rows = [[f"和平路 {n} 号", 31.004, 120.004, "住宅", "是", number] for n, number in enumerate(ids, start=1)]
    return register_import(actor=actor, kind="buildings", headers=BUILDING_HEADERS, rows=rows, dry_run=True)


def test_an_import_dry_run_confirms_no_resident_id_to_an_administrator(landlord, admin):
    report = _import(admin, [LANDLORD_ID, WRONG_ID])

    by_row = {e.row: (e.field, e.message) for e in report.errors}
    assert by_row[2] == by_row[3]  # the registered number and the made-up one get the same answer
    assert not identifier_searches("cityadmin")


def test_a_screeners_dry_run_is_one_logged_search_limited_to_their_area(landlord, screener):
    elsewhere = PersonFactory(resident_id=make_resident_id(Tree.COUNTY_B, "19700101", 33), org_code=Tree.CELL_B1)

    report = _import(screener, [LANDLORD_ID, elsewhere.resident_id])

    assert [(e.row, e.field) for e in report.errors] == [(3, "landlord_resident_id")]  # not found outside the area
    [entry] = identifier_searches("screener")  # logged although the dry run rolled back
    assert json.loads(entry.changes)["lookups"] == 2
    assert LANDLORD_ID not in entry.object_repr + entry.changes

    with override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=1):
        from gridgov.core.exceptions import DomainError

        with pytest.raises(DomainError) as refused:
            _import(screener, [LANDLORD_ID])
    assert refused.value.code == "rate_limited" and refused.value.http_status == 429


# --- care: finding a person to enroll or refer ------------------------------------------------


def test_the_officers_enrollment_lookup_is_logged_and_the_station_may_not_use_it(landlord, tree):
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)

    found = page(officer).get(reverse("care-enroll"), {"resident_id": LANDLORD_ID})

    assert found.status_code == 200
    [entry] = identifier_searches("officer")
    assert json.loads(entry.changes)["where"] == "care_enroll" and LANDLORD_ID not in entry.object_repr
    with override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=1):
        assert page(officer).get(reverse("care-enroll"), {"resident_id": WRONG_ID}).status_code == 429


# --- the auditor's search by resident ID -----------------------------------------------------


def test_the_auditors_search_by_resident_id_is_limited_per_hour(landlord, tree):
    auditor = make_user("aud", Role.AUDITOR, scope="99")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(auditor)

    with override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=2):
        answers = [client.get("/api/v1/audit/", {"person_resident_id": n}) for n in (LANDLORD_ID, WRONG_ID, WRONG_ID)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "rate_limited"
    logged = AuditEntry.objects.filter(actor_username="aud", action="audit.search")
    assert logged.count() == 2 and not any(LANDLORD_ID in e.object_repr + e.changes for e in logged)
