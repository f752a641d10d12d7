import pytest

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import AuditEntry, Person, Role
from gridgov.core.selectors import access_person, people_search, people_visible_to, person_view
from gridgov.core.services import check_people_search, person_create, person_open_record, person_update
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

VALID_ID = "11010519491231002X"


def _create(actor, **overrides):
    fields = {"name": "李四", "resident_id": VALID_ID, "org_code": Tree.CELL_A1, "phone": "13800138000",
              "address": "幸福路 8 号", "lat": 31.005, "lng": 120.005}
    return person_create(actor=actor, **{**fields, **overrides})


def test_grid_worker_registers_a_person_with_birth_date_and_gender_from_the_id(grid_worker):
    person = _create(grid_worker)

    assert (person.birth_date.isoformat(), person.gender) == ("1949-12-31", "F")
    entry = AuditEntry.objects.get(action="person.create")
    assert entry.person_id == person.pk and entry.actor_username == "gw"
    assert VALID_ID not in entry.changes and "13800138000" not in entry.changes


@pytest.mark.parametrize("overrides,field", [
    ({"resident_id": "110105194912310021"}, "resident_id"),
    ({"resident_id": make_resident_id(birth="19900230", seq=5)}, "resident_id"),
    ({"phone": "12345"}, "phone"),
    ({"name": "  "}, "name"),
    ({"org_code": "990101001001999"}, "org_code"),
    ({"lat": 95.0}, "lat"),
    ({"lat": None}, "lat"),
])
def test_invalid_input_changes_nothing_and_names_the_field(grid_worker, overrides, field):
    with pytest.raises(DomainError) as error:
        _create(grid_worker, **overrides)

    assert field in error.value.fields
    assert error.value.code == ErrorCode.INVALID
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_all_problems_are_reported_at_once(grid_worker):
    with pytest.raises(DomainError) as error:
        _create(grid_worker, name="", resident_id="123", phone="1")

    assert {"name", "resident_id", "phone"} <= set(error.value.fields)


def test_duplicate_resident_id_is_a_conflict(grid_worker):
    _create(grid_worker)

    with pytest.raises(DomainError) as error:
        _create(grid_worker, name="重复")

    assert error.value.code == ErrorCode.DUPLICATE
    assert Person.objects.count() == 1


def test_no_one_registers_people_outside_their_area(grid_worker):
    with pytest.raises(Forbidden):
        _create(grid_worker, org_code=Tree.CELL_B1)


def test_roles_without_edit_rights_cannot_register(station_staff):
    with pytest.raises(Forbidden):
        _create(station_staff)


def test_scope_filters_people_to_the_users_subtree(tree):
    mine = PersonFactory(org_code=Tree.CELL_A1)
    PersonFactory(org_code=Tree.CELL_B1)
    township_user = make_user("t", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)
    city_user = make_user("c", Role.CITY_ADMIN, scope="9901")

    assert list(people_visible_to(township_user)) == [mine]
    assert people_visible_to(city_user).count() == 2


def test_person_outside_scope_looks_missing(care_worker):
    other = PersonFactory(org_code=Tree.CELL_B1)

    with pytest.raises(DomainError) as error:
        access_person(care_worker, other.pk)

    assert error.value.code == ErrorCode.NOT_FOUND


def test_auditor_cannot_list_people(auditor):
    with pytest.raises(Forbidden):
        people_visible_to(auditor)


def test_station_staff_see_masked_names_ids_and_no_precise_location(station_staff):
    person = PersonFactory(name="王小明", resident_id="11010519491231002X", phone="13800138000")

    view = person_view(station_staff, person)

    assert (view.name, view.resident_id, view.phone) == ("王**", "1101*************X", "138******00")
    assert view.birth_date == "1949-**-**"
    assert view.lat is None and view.masked


def test_grid_worker_sees_names_but_masked_ids_until_opening_with_a_purpose(grid_worker):
    person = PersonFactory(name="王小明", resident_id="11010519491231002X")

    listed = person_view(grid_worker, person)
    opened = person_open_record(actor=grid_worker, person=person, purpose="home_visit", note="核实信息")

    assert (listed.name, listed.resident_id) == ("王小明", "1101*************X")
    assert opened.resident_id == "11010519491231002X" and not opened.masked
    entry = AuditEntry.objects.get(action="person.open_record")
    assert (entry.person_id, entry.purpose, entry.actor_username) == (person.pk, "home_visit: 核实信息", "gw")


def test_opening_a_record_without_a_purpose_is_refused_and_not_logged(grid_worker):
    person = PersonFactory()

    with pytest.raises(DomainError) as error:
        person_open_record(actor=grid_worker, person=person, purpose=" ")

    assert error.value.code == ErrorCode.PURPOSE_REQUIRED
    assert not AuditEntry.objects.filter(action="person.open_record").exists()


def test_roles_that_may_not_open_records_are_refused(station_staff):
    with pytest.raises(Forbidden):
        person_open_record(actor=station_staff, person=PersonFactory(), purpose="home_visit")


def test_search_by_exact_resident_id_uses_the_blind_index_for_roles_that_may_see_it(station_staff, grid_worker):
    target = PersonFactory(resident_id="11010519491231002X")
    PersonFactory()

    assert list(check_people_search(actor=grid_worker, query="11010519491231002x")) == [target]
    # a role that sees the number masked is never told that it matches
    assert list(check_people_search(actor=station_staff, query="11010519491231002x")) == []
    assert list(people_search(grid_worker, query="11010519491231002x")) == []  # exact lookups only when logged


def test_search_by_name_only_for_roles_that_see_names(station_staff, care_worker):
    target = PersonFactory(name="赵六一")

    assert list(people_search(care_worker, query="赵六")) == [target]
    assert list(people_search(station_staff, query="赵六")) == []


def test_update_records_which_fields_changed_without_their_sensitive_values(grid_worker):
    person = _create(grid_worker)

    person_update(actor=grid_worker, person=person, phone="13900139000", name="李四四")

    person.refresh_from_db()
    entry = AuditEntry.objects.get(action="person.update")
    assert person.phone == "13900139000" and person.name == "李四四"
    assert '"fields":["name","phone"]' in entry.changes
    assert "13900139000" not in entry.changes and "李四四" in entry.changes


def test_update_with_invalid_phone_changes_nothing(grid_worker):
    person = _create(grid_worker)

    with pytest.raises(DomainError):
        person_update(actor=grid_worker, person=person, phone="999", name="新名字")

    person.refresh_from_db()
    assert (person.name, person.phone) == ("李四", "13800138000")
