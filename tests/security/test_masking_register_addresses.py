"""Finding 5 (issue 10): register addresses are encrypted at rest and masked by role.

The attack: anyone with database access read every building's, household's and place's
address in plain text, and the city administrator (like the dispatcher and station staff)
saw them in full city-wide. Now the columns hold Fernet ciphertext with a blind index for
exact lookup, and only roles that may open a person's full record see them in full, in
their own area; everyone else gets the address masked, on the pages, in the API, in the
one-table workbook and in the audit log.
"""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gridgov.core import crypto
from gridgov.core.models import AuditEntry, Role
from gridgov.register import services
from gridgov.register.models import Building, Household, Place, PlaceKind, Relation, ResidenceType, address_index
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

BUILDING = "和平路 8 号"
HOME = "和平路 8 号 2单元301室"
PLACE = "和平路 8 号 底商"


@pytest.fixture
def screener(tree):
    return make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)


@pytest.fixture
def register(screener):
    building = services.building_create(actor=screener, address=BUILDING, lat=31.005, lng=120.005,
                                        use="residential", units=["2单元301室"])
    head = PersonFactory(name="张大山", resident_id=make_resident_id(birth="19600101", seq=51), org_code=Tree.CELL_A1)
    household = services.household_create(actor=screener, building=building, unit_label="2单元301室", address=HOME,
                                           members=[services.MemberSpec(head, Relation.HEAD,
                                                                        ResidenceType.REGISTERED_HERE,
                                                                        datetime.date(2010, 1, 1))])
    place = services.place_create(actor=screener, name="便民店", kind=PlaceKind.SHOP, lat=31.005, lng=120.005,
                                  address=PLACE, building=building)
    return building, household, place


def raw(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {table} WHERE id = %s", [pk])  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def page(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_database_holds_no_address_in_clear(register):
    building, household, place = register

    for table, obj, plain in (("register_building", building, BUILDING), ("register_household", household, HOME),
                              ("register_place", place, PLACE)):
        stored = raw(table, obj.pk)
        assert "和平路" not in stored and crypto.decrypt(stored) == plain
    assert Building.objects.get(address_index=address_index("和平路８号")) == building  # full-width, no spaces
    assert Household.objects.get(address_index=address_index(HOME)) == household
    # the audit log does not keep them in clear either
    assert not any(plain in e.object_repr + e.changes for e in AuditEntry.objects.all() for plain in (BUILDING, HOME))


def test_the_blind_index_follows_an_address_change(register, screener):
    _building, household, _place = register

    services.household_update(actor=screener, household=household, address="和平路 10 号")

    assert Household.objects.get(address_index=address_index("和平路10号")) == household
    assert not Household.objects.filter(address_index=address_index(HOME)).exists()


@pytest.mark.parametrize("role,scope", [(Role.CITY_ADMIN, "99"), (Role.DISPATCHER, Tree.COUNTY_A),
                                        (Role.STATION_STAFF, Tree.TOWNSHIP_A)])
def test_roles_that_may_not_open_records_see_every_register_address_masked(register, role, scope):
    user = make_user("u", role, scope=scope)
    client = api(user)

    building = client.get("/api/v1/buildings/").json()["results"][0]
    household = client.get("/api/v1/households/").json()["results"][0]
    place = client.get("/api/v1/places/").json()["results"][0]

    for row in (building, household, place):
        assert row["address"].endswith("****") and "8 号" not in row["address"]
    assert (household["building"], household["unit"]) == (None, "***") and building["units"] == ["***"]
    building_obj, household_obj, place_obj = register
    for url in (reverse("register-building", args=[building_obj.pk]), reverse("register-place", args=[place_obj.pk]),
                reverse("register-household", args=[household_obj.pk]), reverse("register-buildings"),
                reverse("register-places"), reverse("register-one-table", args=[Tree.VILLAGE_A])):
        body = page(user).get(url).content.decode()
        assert "和平路 8 号" not in body and "2单元301室" not in body, url


def test_the_grid_worker_of_the_cell_sees_them_in_full(register):
    worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])

    assert api(worker).get("/api/v1/households/").json()["results"][0]["address"] == HOME
    assert api(worker).get("/api/v1/buildings/").json()["results"][0]["address"] == BUILDING
    assert api(worker).get("/api/v1/places/").json()["results"][0]["address"] == PLACE
    assert HOME in page(worker).get(reverse("register-one-table", args=[Tree.VILLAGE_A])).content.decode()


def test_the_one_table_workbook_masks_addresses_for_the_administrator(register):
    admin = make_user("cityadmin", Role.CITY_ADMIN, scope="99")

    response = page(admin).get(reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A]))

    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(min_row=3, values_only=True))
    assert rows and all(r[2].endswith("****") and "8 号" not in r[2] for r in rows)


def test_the_auditor_sees_building_and_household_labels_masked(register):
    from gridgov.core.audit import display_label

    labels = [display_label(e) for e in AuditEntry.objects.filter(object_type__startswith="register.")]

    assert labels and all("8 号" not in label for label in labels)


def test_an_address_read_through_a_subquery_is_decrypted(register):
    # as care's campaign checklist reads a household's address (care.selectors._with_address)
    from django.db.models import OuterRef, Subquery

    _building, household, _place = register
    value = Household.objects.annotate(
        again=Subquery(Household.objects.filter(pk=OuterRef("pk")).values("address")[:1])
    ).get(pk=household.pk).again

    assert value == HOME


def test_bulk_create_encrypts_and_the_demo_indexes(tree):
    import random

    from gridgov.demo.generator import PersonRow
    from gridgov.demo.register_data import RegisterState, write_households

    person = PersonFactory(resident_id=make_resident_id(birth="19600202", seq=52))
    row = PersonRow(name=person.name, gender="M", birth_date=datetime.date(1960, 2, 2), resident_id=person.resident_id,
                    phone="", address="示范村幸福路3号", org_code=Tree.CELL_A1, lat=31.005, lng=120.005,
                    household=1, relation="head", building="示范村幸福路3号", unit="")

    write_households([(row, person)], RegisterState(rng=random.Random(1)))

    building = Building.objects.get()
    assert "幸福路" not in raw("register_building", building.pk)
    assert Building.objects.get(address_index=address_index("示范村幸福路3号")) == building
    assert Household.objects.get(address_index=address_index("示范村幸福路3号")).address == "示范村幸福路3号"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows():
    from django.db.migrations.executor import MigrationExecutor

    before = [("register", "0002_proposed_edit_status_label")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        building = old.get_model("register", "Building").objects.create(
            org_code=Tree.CELL_A1, address=BUILDING, lat=31.0, lng=120.0, use="residential")
        household = old.get_model("register", "Household").objects.create(org_code=Tree.CELL_A1, address=HOME)
        place = old.get_model("register", "Place").objects.create(org_code=Tree.CELL_A1, name="店", kind="shop",
                                                                   address=PLACE, lat=31.0, lng=120.0)
        assert raw("register_building", building.pk) == BUILDING
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "和平路" not in raw("register_building", building.pk) + raw("register_household", household.pk)
    assert "和平路" not in raw("register_place", place.pk)
    assert Building.objects.get(address_index=address_index(BUILDING)).address == BUILDING
    assert Household.objects.get(pk=household.pk).address == HOME
    assert Place.objects.get(pk=place.pk).address == PLACE
