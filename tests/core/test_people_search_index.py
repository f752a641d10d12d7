"""People search through the keyed name index (issue 12): found by a name fragment through an
index lookup, kept current on every write, nothing readable in the index, same answers."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core import crypto
from gridgov.core.models import Person, PersonNameToken, Role
from gridgov.core.person_search import name_pieces, person_name_index_rows
from gridgov.core.selectors import people_search
from gridgov.core.services import people_merge, person_create, person_update
from tests.factories import PersonFactory, Tree, make_api_token, make_resident_id, make_user


def found(user, query, **kw) -> list[int]:
    return list(people_search(user, query=query, **kw).values_list("pk", flat=True))


@pytest.fixture
def worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


def test_a_registered_person_is_found_by_any_fragment_of_the_name(worker):
    # given
    person = person_create(actor=worker, name="欧阳小明", resident_id=make_resident_id(), org_code=Tree.CELL_A1)
    PersonFactory(name="李四")

    # then
    for fragment in ("欧", "欧阳", "小明", "阳小", "欧阳小明", "阳小明"):
        assert found(worker, fragment) == [person.pk], fragment
    assert found(worker, "小明欧") == []
    assert found(worker, "王") == []


def test_a_long_name_is_found_by_a_long_fragment_and_only_where_it_occurs(worker):
    long_name = "阿依古丽买买提江"
    person = PersonFactory(name=long_name)
    other = PersonFactory(name="买提江阿依古丽")  # the same characters in another order

    assert found(worker, "依古丽买买提") == [person.pk]
    assert found(worker, long_name) == [person.pk]
    assert found(worker, "古丽") == [person.pk, other.pk]


def test_a_new_name_replaces_the_old_one_in_the_index(worker):
    person = person_create(actor=worker, name="王小明", resident_id=make_resident_id(), org_code=Tree.CELL_A1)

    person_update(actor=worker, person=person, name="王晓敏")

    assert found(worker, "小明") == []
    assert found(worker, "晓敏") == [person.pk]


def test_a_merged_duplicate_leaves_the_index_and_the_kept_record_is_found(tree, legacy_duplicate_people):
    screener = make_user("sc", Role.SCREENER, scope=Tree.VILLAGE_A)
    keep = PersonFactory(name="赵六")
    duplicate = PersonFactory(name="赵六", resident_id=keep.resident_id)

    people_merge(actor=screener, keep=keep, duplicate=duplicate)

    assert found(screener, "赵六") == [keep.pk]
    assert not PersonNameToken.objects.filter(person=duplicate).exists()


def test_anonymisation_clears_the_index(worker):
    from gridgov.register.retention import anonymise_people

    person = PersonFactory(name="孙七")

    anonymise_people([person.pk])

    assert not PersonNameToken.objects.filter(person=person).exists()
    assert found(worker, "孙七") == []


def test_the_index_holds_keyed_hashes_only(worker):
    person = person_create(actor=worker, name="周八", resident_id=make_resident_id(), org_code=Tree.CELL_A1)

    tokens = set(PersonNameToken.objects.filter(person=person).values_list("token", flat=True))

    assert tokens == {crypto.blind_index("person_name", p) for p in ("周", "八", "周八")}
    assert len(tokens) == len(name_pieces("周八")) == 3
    unkeyed = {hashlib.sha256(p.encode()).hexdigest() for p in ("周", "八", "周八", "person_name:周")}
    assert not tokens & unkeyed
    assert all("周" not in t and "八" not in t for t in tokens)


def test_the_pieces_are_normalised_so_case_width_and_spaces_do_not_matter():
    assert name_pieces("ＡＢ c") == name_pieces("ab C") == ["a", "b", "c", "ab", "bc", "abc"]


def test_scope_and_roles_still_apply_through_the_index(worker, station_staff):
    inside = PersonFactory(name="吴九", org_code=Tree.CELL_A1)
    PersonFactory(name="吴九", org_code=Tree.CELL_A2)  # another cell: not the worker's

    assert found(worker, "吴九") == [inside.pk]
    assert found(station_staff, "吴九") == []  # a role that sees names masked finds nobody by name


@pytest.mark.parametrize("n", [3, 30])
def test_the_people_api_search_makes_the_same_queries_for_any_number_of_matches(
        worker, django_assert_num_queries, n):
    PersonFactory.create_batch(n, name="郑十")
    PersonFactory.create_batch(5, name="冯一")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(worker)}")

    # the token with its user, the roles, the page of people (through the index)
    with django_assert_num_queries(3) as ctx:
        response = client.get("/api/v1/people/", {"q": "郑十"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == n
    search = [q["sql"] for q in ctx.captured_queries if "core_person" in q["sql"]]
    assert search and all("core_personnametoken" in sql for sql in search)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner (EXPLAIN)")
def test_with_many_people_postgres_finds_a_name_through_the_index_not_a_scan(worker):
    # given twenty thousand people in the worker's cell, three of them named 钱多多
    people = [Person(name=f"{'赵钱孙李周吴郑王'[i % 8]}{'一二三四五六七八九十'[i // 8 % 10]}{i}",
                     resident_id=f"r{i}", resident_id_index=f"idx{i}", org_code=Tree.CELL_A1)
              for i in range(20_000)]
    people += [Person(name="钱多多", resident_id=f"q{i}", resident_id_index=f"q{i}", org_code=Tree.CELL_A1)
               for i in range(3)]
    Person.objects.bulk_create(people, batch_size=2000)
    PersonNameToken.objects.bulk_create(person_name_index_rows(people), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_person")
        cursor.execute("ANALYZE core_personnametoken")

    # when
    qs = people_search(worker, query="钱多多").order_by("id")[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert len(list(qs)) == 3
    assert "core_personnametoken_token_person" in plan, plan
    assert "Seq Scan on core_person " not in plan and "Seq Scan on core_personnametoken" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_index_for_live_people_only():
    from django.db.migrations.executor import MigrationExecutor

    before = [("core", "0014_notification_labels_without_record_numbers")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldPerson = old.get_model("core", "Person")
        live = OldPerson.objects.create(name="陈红", resident_id="", resident_id_index="a", org_code="99")
        merged = OldPerson.objects.create(name="陈红", resident_id="", resident_id_index="a2", org_code="99",
                                          merged_into=live)
        gone = OldPerson.objects.create(name="陈红", resident_id="", resident_id_index="", org_code="99")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(PersonNameToken.objects.filter(person_id=live.pk).values_list("token", flat=True)) == {
        crypto.blind_index("person_name", p) for p in ("陈", "红", "陈红")}
    assert not PersonNameToken.objects.filter(person_id__in=[merged.pk, gone.pk]).exists()
    Person.objects.filter(pk__in=[merged.pk, gone.pk]).update(merged_into=None)
    Person.objects.all().delete()


def test_the_people_page_search_still_answers_from_the_index(worker, client):
    person = PersonFactory(name="褚卫")
    client.force_login(worker)

    response = client.get(reverse("people-list"), {"q": "卫"})

    assert [r["person"].id for r in response.context["rows"]] == [person.pk]
