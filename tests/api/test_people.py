"""People over the API: masking per role, opening a record with a purpose, registering,
idempotent resubmission."""

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings

from gridgov.core.models import AuditEntry, IdempotencyRecord, Person
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

LIST_URL = "/api/v1/people/"
RESIDENT_ID = make_resident_id("990101", "19800101", 123)  # a man born on 1 January 1980


@pytest.fixture
def zhang(tree):
    return PersonFactory(
        name="张三", resident_id=RESIDENT_ID, phone="13812345678",
        address="示范市县1镇1村1 幸福路 8 号", org_code=Tree.CELL_A1, lat=31.005, lng=120.005,
    )


def masked_id(value: str) -> str:
    """City and check digit only: no birth or sequence digit (masking, issue 10)."""
    return value[:4] + "*" * 13 + value[-1:]


# --- reading, masked per role ---------------------------------------------------------


def test_station_staff_see_every_sensitive_field_masked(client_for, station_staff, zhang):
    response = client_for(station_staff).get(LIST_URL)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json()["results"] == [
        {
            "id": zhang.pk,
            "name": "张*",
            "gender": "M",
            "birth_date": "1980-**-**",
            "resident_id": masked_id(RESIDENT_ID),
            "phone": "138******78",
            "address": "示范市县1****",
            "org_code": Tree.CELL_A1,
            "lat": None,
            "lng": None,
            "masked": True,
        }
    ]
    assert masked_id(RESIDENT_ID).startswith("9901*************")


def test_a_grid_worker_sees_names_and_places_but_masked_numbers(client_for, grid_worker, zhang):
    row = client_for(grid_worker).get(LIST_URL).json()["results"][0]

    assert row["name"] == "张三"
    assert (row["lat"], row["lng"]) == (31.005, 120.005)
    assert row["resident_id"] == masked_id(RESIDENT_ID)
    assert row["phone"] == "138******78"
    assert row["masked"] is True


def test_roles_without_access_to_people_get_403(client_for, auditor, zhang):
    client = client_for(auditor)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(f"{LIST_URL}{zhang.pk}/").json()["code"] == "permission_denied"


def test_people_outside_the_area_are_not_listed_and_are_404(client_for, station_staff, zhang):
    elsewhere = PersonFactory(org_code=Tree.CELL_B1)
    client = client_for(station_staff)

    assert [row["id"] for row in client.get(LIST_URL).json()["results"]] == [zhang.pk]
    assert client.get(f"{LIST_URL}{elsewhere.pk}/").status_code == 404
    assert client.get(LIST_URL, {"org": Tree.COUNTY_B}).status_code == 404


def test_search_by_exact_resident_id_or_name(client_for, grid_worker, zhang):
    PersonFactory(name="李四")
    client = client_for(grid_worker)

    by_id = client.get(LIST_URL, {"q": RESIDENT_ID.lower()}).json()["results"]
    by_name = client.get(LIST_URL, {"q": "三"}).json()["results"]

    assert [row["id"] for row in by_id] == [zhang.pk]
    assert [row["id"] for row in by_name] == [zhang.pk]


def test_one_person_is_masked_like_the_list(client_for, station_staff, zhang):
    response = client_for(station_staff).get(f"{LIST_URL}{zhang.pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "张*"
    assert response.json()["masked"] is True


# --- opening the full record ------------------------------------------------------------


def test_opening_a_record_shows_it_in_full_and_logs_the_purpose_once(client_for, grid_worker, auditor, zhang):
    before = AuditEntry.objects.count()

    response = client_for(grid_worker).post(
        f"{LIST_URL}{zhang.pk}/open/", {"purpose": "home_visit", "note": "核实联系方式"}, format="json"
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["resident_id"], body["phone"], body["birth_date"]) == (RESIDENT_ID, "13812345678", "1980-01-01")
    assert body["address"] == "示范市县1镇1村1 幸福路 8 号"
    assert body["masked"] is False
    assert AuditEntry.objects.count() == before + 1
    # and the auditor finds it by the person's resident ID
    found = client_for(auditor).get("/api/v1/audit/", {"person_resident_id": RESIDENT_ID}).json()["results"]
    assert [(row["action"], row["actor"], row["purpose"], row["object_id"]) for row in found] == [
        ("person.open_record", "gw", "home_visit: 核实联系方式", str(zhang.pk))
    ]
    assert found[0]["purpose_label"] == "Home visit — 核实联系方式"
    assert "13812345678" not in str(found) and RESIDENT_ID not in str(found)


@pytest.mark.parametrize("body", [{}, {"purpose": ""}, {"purpose": "  看 "}])
def test_opening_without_a_purpose_is_400_purpose_required_and_logs_nothing(client_for, grid_worker, zhang, body):
    before = AuditEntry.objects.count()

    response = client_for(grid_worker).post(f"{LIST_URL}{zhang.pk}/open/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "purpose_required"
    assert "purpose" in response.json()["fields"]
    assert AuditEntry.objects.count() == before


def test_a_role_that_may_not_open_records_gets_403(client_for, station_staff, zhang):
    response = client_for(station_staff).post(f"{LIST_URL}{zhang.pk}/open/", {"purpose": "home_visit"}, format="json")

    assert response.status_code == 403
    assert AuditEntry.objects.count() == 0


def test_opening_a_record_outside_the_area_is_404(client_for, grid_worker, tree):
    elsewhere = PersonFactory(org_code=Tree.CELL_B1)

    response = client_for(grid_worker).post(f"{LIST_URL}{elsewhere.pk}/open/", {"purpose": "home_visit"}, format="json")

    assert response.status_code == 404


# --- registering ----------------------------------------------------------------------


def new_person(**overrides) -> dict:
    return {
        "name": "王五",
        "resident_id": make_resident_id(Tree.COUNTY_A, "19900215", 456),
        "phone": "13900001111",
        "address": "示范市县1镇1村1 和平路 2 号",
        "org_code": Tree.CELL_A1,
        "lat": 31.004,
        "lng": 120.004,
        **overrides,
    }


def test_registering_a_person_returns_201_with_the_row_as_the_creator_sees_it(client_for, grid_worker):
    data = new_person()

    response = client_for(grid_worker).post(LIST_URL, data, format="json")

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert body["id"] == person.pk
    assert body["name"] == "王五"
    assert body["resident_id"] == masked_id(data["resident_id"])
    assert body["gender"] == "F"  # the 17th digit, 6, is even
    assert body["birth_date"] == "1990-**-**" and person.birth_date.isoformat() == "1990-02-15"
    assert person.resident_id == data["resident_id"]
    assert AuditEntry.objects.filter(action="person.create", object_id=str(person.pk)).count() == 1


def test_only_name_resident_id_and_org_code_are_needed(client_for, grid_worker):
    data = {k: v for k, v in new_person().items() if k in {"name", "resident_id", "org_code"}}

    response = client_for(grid_worker).post(LIST_URL, data, format="json")

    assert response.status_code == 201
    assert response.json()["phone"] == "" and response.json()["lat"] is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"resident_id": "990101199002154560"}, "resident_id"),  # wrong check digit (it is 7)
        ({"resident_id": "99010119900230" + "1234"}, "resident_id"),  # 30 February
        ({"resident_id": "12345"}, "resident_id"),
        ({"phone": "12345678901"}, "phone"),
        ({"org_code": "990101001001999"}, "org_code"),
        ({"lat": 95.0}, "lat"),
        ({"lat": None}, "lat"),
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"birth_date": "1991-02-15"}, "birth_date"),
        ({"gender": "M"}, "gender"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_input_is_400_with_the_field_and_changes_nothing(client_for, grid_worker, overrides, field):
    audit_before = AuditEntry.objects.count()

    response = client_for(grid_worker).post(LIST_URL, new_person(**overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert body["message"]
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_the_resident_id_errors_say_what_is_wrong(client_for, grid_worker):
    client = client_for(grid_worker)
    good = make_resident_id(Tree.COUNTY_A, "19900215", 456)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")

    check = client.post(LIST_URL, new_person(resident_id=wrong_check), format="json").json()
    date = client.post(LIST_URL, new_person(resident_id="990101199002301234"), format="json").json()

    assert check["fields"]["resident_id"] == ["The check digit of this resident ID number is wrong."]
    assert date["fields"]["resident_id"] == ["The birth date in this resident ID number is not a real date."]


def test_a_duplicate_resident_id_is_409(client_for, grid_worker, zhang):
    response = client_for(grid_worker).post(LIST_URL, new_person(resident_id=RESIDENT_ID), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert Person.objects.count() == 1


def test_a_role_that_may_not_register_people_gets_403_before_validation(client_for, station_staff):
    response = client_for(station_staff).post(LIST_URL, {"name": ""}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_registering_outside_the_area_is_refused(client_for, grid_worker):
    response = client_for(grid_worker).post(LIST_URL, new_person(org_code=Tree.CELL_A2), format="json")

    assert response.status_code == 403
    assert Person.objects.count() == 0


# --- idempotency --------------------------------------------------------------------------


STORES = [
    "gridgov.core.api.idempotency.DatabaseIdempotencyStore",
    "gridgov.core.api.idempotency.CacheIdempotencyStore",
]


@pytest.mark.parametrize("store", STORES)
def test_resubmitting_with_the_same_key_returns_the_first_answer_and_creates_nothing(client_for, grid_worker, store):
    client = client_for(grid_worker)
    with override_settings(GRIDGOV_IDEMPOTENCY_STORE=store):
        first = client.post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        again = client.post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action="person.create").count() == 1


def test_the_key_may_come_in_the_body(client_for, grid_worker):
    client = client_for(grid_worker)

    first = client.post(LIST_URL, new_person(idempotency_key="body-key"), format="json")
    again = client.post(LIST_URL, new_person(idempotency_key="body-key"), format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert "idempotency_key" not in first.json()
    assert IdempotencyRecord.objects.filter(user=grid_worker, key="body-key").count() == 1


def test_a_failed_attempt_is_not_remembered_so_the_corrected_retry_goes_through(client_for, grid_worker):
    client = client_for(grid_worker)

    failed = client.post(LIST_URL, new_person(phone="123"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    fixed = client.post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert (failed.status_code, fixed.status_code) == (400, 201)
    assert Person.objects.count() == 1


def test_keys_belong_to_their_user(client_for, grid_worker, tree):
    other = make_user("gw2", "grid_worker", scope=Tree.CELL_A1, cells=[Tree.CELL_A1])

    mine = client_for(grid_worker).post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="same")
    theirs = client_for(other).post(
        LIST_URL, new_person(name="赵六", resident_id=make_resident_id(seq=789)), format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"]
    assert Person.objects.count() == 2


def test_a_key_used_for_another_request_is_409(client_for, grid_worker):
    IdempotencyRecord.objects.create(
        user=grid_worker, key="reused", method="POST", path="/api/v1/events/", status_code=201, body={"id": 1}
    )

    response = client_for(grid_worker).post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="reused")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Person.objects.count() == 0


def test_an_overlong_key_is_400(client_for, grid_worker):
    response = client_for(grid_worker).post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 201)

    assert response.status_code == 400
    assert "idempotency_key" in response.json()["fields"]
    assert Person.objects.count() == 0


# --- pagination and query counts --------------------------------------------------------------


def test_people_pages_hold_page_size_rows(client_for, grid_worker, tree):
    PersonFactory.create_batch(5)
    client = client_for(grid_worker)

    first = client.get(LIST_URL, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert (len(first["results"]), len(second["results"])) == (3, 2)
    assert second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(ids)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role_fixture", ["grid_worker", "station_staff"])
def test_listing_people_costs_the_same_queries_whatever_their_number(
    request, client_for, tree, django_assert_num_queries, count, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    PersonFactory.create_batch(count)
    client = client_for(user)

    with django_assert_num_queries(3):  # token, the user's roles, one page of people
        response = client.get(LIST_URL)

    assert len(response.json()["results"]) == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_the_first_attempt_is_rolled_back_and_replays_it(client_for, grid_worker):
    # given a first attempt that has stored its answer but not yet committed
    first_body = {"id": 999, "name": "王五"}
    client = client_for(grid_worker)
    stored, release = threading.Event(), threading.Event()

    def first_attempt():
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=grid_worker, key="race", method="POST", path=LIST_URL, status_code=201, body=first_body
                )
                stored.set()
                release.wait(5)
        finally:
            connection.close()

    thread = threading.Thread(target=first_attempt)
    thread.start()
    stored.wait(5)
    threading.Timer(1.0, release.set).start()

    # when the retry arrives meanwhile (it waits on the key's unique index)
    response = client.post(LIST_URL, new_person(), format="json", HTTP_IDEMPOTENCY_KEY="race")
    thread.join()

    # then it answers with the first attempt's result and its own writes are rolled back
    assert (response.status_code, response.json()) == (201, first_body)
    assert Person.objects.count() == 0
    assert AuditEntry.objects.filter(action="person.create").count() == 0
