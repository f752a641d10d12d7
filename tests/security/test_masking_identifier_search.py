"""Finding 1 (issue 10): a masked identifier cannot be recovered by searching for it.

The attack: the old mask (`9901**********123X`) with the birth year of the birth-date mask
and the county of `org_code` left about 30 resident ID numbers to try, and
`/api/v1/people/?q=` confirmed the right one; a phone (`138****5678`) took 10,000 tries.
Now the masks leave thousands of candidates, a role that sees numbers masked finds nobody
by number, and a role that may see them is logged and stopped after the hourly limit.
"""

import datetime
import json

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from gridgov.core import masking
from gridgov.core.models import AuditEntry, Role
from gridgov.core.services import person_identifier_search_record
from gridgov.core.validators import resident_id_check_char
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

URL = "/api/v1/people/"
BIRTH = datetime.date(1980, 3, 15)
VICTIM_ID = make_resident_id(Tree.COUNTY_A, BIRTH.strftime("%Y%m%d"), 123)  # a man (odd sequence)
VICTIM_PHONE = "13812345678"


@pytest.fixture
def victim(tree):
    return PersonFactory(name="张三", resident_id=VICTIM_ID, phone=VICTIM_PHONE, org_code=Tree.CELL_A1)


@pytest.fixture
def dispatcher(tree):
    return make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A)


@pytest.fixture
def worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def old_mask_candidates(masked_tail: str, year: int, county: str) -> list[str]:
    """Every number the old mask left open: county and year known, sequence and check digit
    shown, so only the month and day are missing (the published attack)."""
    candidates = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        first17 = county + day.strftime("%Y%m%d") + masked_tail[:3]
        if resident_id_check_char(first17) == masked_tail[3]:
            candidates.append(first17 + masked_tail[3])
        day += datetime.timedelta(days=1)
    return candidates


def searches_logged(username: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor_username=username, action="person.identifier_search"))


# --- the masks leave too much to try ----------------------------------------------------------


def test_what_a_masked_row_shows_leaves_thousands_of_resident_ids_to_try(victim, dispatcher):
    row = api(dispatcher).get(URL).json()["results"][0]
    masked, birth, gender, county = row["resident_id"], row["birth_date"], row["gender"], row["org_code"][:6]

    # the attacker knows everything the row shows, and assumes the number was issued in this county
    year = int(birth[:4])
    shown = {i: ch for i, ch in enumerate(masked) if ch != "*"}
    assert not any(6 <= i < 17 for i in shown), "no birth or sequence digit may be shown"
    candidates = 0
    day = datetime.date(year, 1, 1)
    while day.year == year:
        for seq in range(1 if gender == "M" else 0, 1000, 2):
            first17 = county + day.strftime("%Y%m%d") + f"{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if all(number[i] == ch for i, ch in shown.items()):
                candidates += 1
        day += datetime.timedelta(days=1)

    assert candidates > 10_000  # the old mask left len(old_mask_candidates(...)) ≈ 33
    assert len(old_mask_candidates(VICTIM_ID[-4:], year, county)) < 40


def test_a_masked_phone_leaves_a_million_numbers(victim, dispatcher):
    phone = api(dispatcher).get(URL).json()["results"][0]["phone"]

    assert len(phone) == len(VICTIM_PHONE) and phone.count("*") >= 6  # 10**6 candidates, was 10**4


# --- roles that see numbers masked find nobody by number --------------------------------------


def test_a_dispatcher_trying_the_thirty_candidates_of_the_old_attack_gets_nothing(victim, dispatcher):
    candidates = old_mask_candidates(VICTIM_ID[-4:], BIRTH.year, Tree.COUNTY_A)
    assert VICTIM_ID in candidates
    client = api(dispatcher)

    answers = [client.get(URL, {"q": number}) for number in candidates]

    assert {a.status_code for a in answers} == {200}
    assert all(a.json()["results"] == [] for a in answers)  # the right one looks like every other
    assert client.get(URL, {"q": VICTIM_PHONE}).json()["results"] == []
    assert client.get(URL, {"q": "138 1234 5678"}).json()["results"] == []


def test_the_people_page_confirms_nothing_to_a_role_that_sees_numbers_masked(victim, dispatcher, tree):
    admin = make_user("cityadmin", Role.CITY_ADMIN, scope="99")  # sees names, never full numbers

    for user in (dispatcher, admin):
        right = page(user).get("/people/", {"q": VICTIM_ID})
        wrong = page(user).get("/people/", {"q": make_resident_id(Tree.COUNTY_A, "19800316", 123)})
        assert right.status_code == wrong.status_code == 200
        assert right.context["rows"] == wrong.context["rows"] == []
    assert not AuditEntry.objects.filter(action="person.identifier_search").exists()


# --- roles that may see numbers: logged, and limited per hour ---------------------------------


def test_a_grid_workers_search_by_number_is_logged_without_the_number(victim, worker):
    response = api(worker).get(URL, {"q": VICTIM_ID})

    assert [r["id"] for r in response.json()["results"]] == [victim.pk]
    [entry] = searches_logged("gw")
    assert entry.object_repr == masking.mask_resident_id(VICTIM_ID)
    stored = json.dumps([entry.object_repr, entry.object_id, entry.changes, entry.purpose], ensure_ascii=False)
    assert VICTIM_ID not in stored and VICTIM_ID[6:14] not in stored
    assert json.loads(entry.changes)["matched"] == 1

    api(worker).get(URL, {"q": VICTIM_PHONE})
    assert VICTIM_PHONE not in json.dumps([e.object_repr + e.changes for e in searches_logged("gw")])


def test_name_searches_are_not_counted(victim, worker):
    with override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=1):
        answers = [api(worker).get(URL, {"q": "张"}) for _ in range(3)]

    assert {a.status_code for a in answers} == {200} and searches_logged("gw") == []


@override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=3)
def test_a_grid_worker_over_the_hourly_limit_gets_429_rate_limited(victim, worker):
    client = api(worker)
    candidates = old_mask_candidates(VICTIM_ID[-4:], BIRTH.year, Tree.COUNTY_A)

    answers = [client.get(URL, {"q": number}) for number in candidates[:5]]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    body = answers[3].json()
    assert body["code"] == "rate_limited" and body["fields"] == {} and "last hour" in body["message"]
    assert len(searches_logged("gw")) == 3  # refused searches leave no entry and find nothing


@override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=3)
def test_the_limit_is_counted_from_the_audit_log_so_it_holds_across_servers(victim, worker):
    # given: three searches logged by another server process (no shared cache, only the database)
    for _ in range(3):
        person_identifier_search_record(actor=worker, kind="phone", value="13900000000", where="people_api",
                                        matched=0)

    # then this server refuses the next one, on the page as in the API
    assert api(worker).get(URL, {"q": VICTIM_ID}).status_code == 429
    response = page(worker).get("/people/", {"q": VICTIM_ID})
    assert response.status_code == 429 and response.context["rows"] == []
    assert "searches by resident ID or phone number in the last hour" in response.content.decode()


@override_settings(GRIDGOV_IDENTIFIER_SEARCH_LIMIT=3)
def test_searches_older_than_an_hour_no_longer_count(victim, worker):
    from django.utils import timezone

    for _ in range(3):
        person_identifier_search_record(actor=worker, kind="phone", value="13900000000", where="people_api",
                                        matched=0)
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        response = api(worker).get(URL, {"q": VICTIM_ID})

    assert response.status_code == 200 and len(response.json()["results"]) == 1
