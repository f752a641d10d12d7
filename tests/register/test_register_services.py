import datetime

import pytest

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import AuditEntry, Person
from gridgov.core.services import people_merge
from gridgov.register import services
from gridgov.register.models import (
    ChangeSource,
    FieldChange,
    Household,
    LeaveReason,
    Membership,
    Relation,
    ResidenceType,
)
from tests.factories import PersonFactory, Tree
from tests.register.conftest import person

TODAY = datetime.date.today()


def test_a_building_is_placed_in_the_grid_cell_of_its_point(building):
    assert building.org_code == Tree.CELL_A1
    assert sorted(building.units.values_list("label", flat=True)) == ["1单元101", "1单元102"]


def test_a_building_outside_every_cell_is_refused(screener):
    with pytest.raises(DomainError) as error:
        services.building_create(actor=screener, address="x", lat=35.0, lng=118.0, use="residential")

    assert "lat" in error.value.fields


def test_rented_building_needs_a_landlord(screener):
    with pytest.raises(DomainError) as error:
        services.building_create(actor=screener, address="x", lat=31.005, lng=120.005, use="residential",
                                 is_rental=True)

    assert "landlord" in error.value.fields


def test_grid_worker_cannot_edit_directly(grid_worker):
    with pytest.raises(Forbidden):
        services.building_create(actor=grid_worker, address="x", lat=31.005, lng=120.005, use="shop")


def test_household_takes_its_address_and_cell_from_the_building(household):
    assert household.address == "幸福路 8 号 1单元101"
    assert household.org_code == Tree.CELL_A1
    assert household.memberships.filter(is_current=True).count() == 2


def test_household_needs_exactly_one_head(screener, building):
    with pytest.raises(DomainError) as error:
        services.household_create(actor=screener, building=building, members=[
            services.MemberSpec(person(), Relation.SPOUSE, ResidenceType.REGISTERED_HERE)])

    assert "members" in error.value.fields
    assert Household.objects.count() == 0


def test_a_person_belongs_to_at_most_one_current_household(screener, building, household):
    head = household.memberships.get(relation=Relation.HEAD).person

    with pytest.raises(DomainError) as error:
        services.household_create(actor=screener, building=building, unit_label="1单元102", members=[
            services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE)])

    assert error.value.code == ErrorCode.CONFLICT
    assert Household.objects.count() == 1


def test_moving_between_households_ends_the_old_membership_on_the_move_in_date(screener, building, household):
    spouse = household.memberships.get(relation=Relation.SPOUSE).person
    other = services.household_create(actor=screener, building=building, unit_label="1单元102", members=[
        services.MemberSpec(person(), Relation.HEAD, ResidenceType.MOVED_IN)])
    moved_on = TODAY - datetime.timedelta(days=3)

    services.member_add(actor=screener, household=other, move_from_current=True,
                        spec=services.MemberSpec(spouse, Relation.SPOUSE, ResidenceType.REGISTERED_HERE, moved_on))

    old = Membership.objects.get(person=spouse, household=household)
    assert (old.is_current, old.moved_out_on, old.leave_reason) == (False, moved_on, LeaveReason.MOVED_OUT)
    assert Membership.objects.get(person=spouse, is_current=True).household == other


def test_move_out_keeps_the_membership_in_history(screener, household):
    membership = household.memberships.get(relation=Relation.SPOUSE)

    services.member_leave(actor=screener, membership=membership, on=TODAY)

    membership.refresh_from_db()
    assert not membership.is_current and membership.moved_out_on == TODAY
    changes = FieldChange.objects.filter(object_type="register.membership", object_id=membership.pk)
    assert {c.field for c in changes} == {"moved_out_on", "leave_reason", "is_current"}
    with pytest.raises(DomainError) as error:
        services.member_leave(actor=screener, membership=membership, on=TODAY)
    assert error.value.code == ErrorCode.CONFLICT


def test_a_future_move_out_is_refused(screener, household):
    with pytest.raises(DomainError):
        services.member_leave(actor=screener, membership=household.memberships.first(),
                              on=TODAY + datetime.timedelta(days=1))


def test_death_ends_the_membership_and_flags_a_household_without_head(screener, household):
    head = household.memberships.get(relation=Relation.HEAD).person

    services.person_record_death(actor=screener, person=head, died_on=TODAY)

    head.refresh_from_db()
    membership = Membership.objects.get(person=head)
    assert head.died_on == TODAY
    assert (membership.is_current, membership.leave_reason) == (False, LeaveReason.DIED)
    assert AuditEntry.objects.filter(action="register.person_death", person_id=head.pk).exists()


def test_every_field_change_is_kept_with_old_and_new_values(screener, building):
    services.building_update(actor=screener, building=building, name="3栋", floors=6)
    services.building_update(actor=screener, building=building, floors=7)

    floors = FieldChange.objects.filter(object_type="register.building", object_id=building.pk, field="floors")
    assert [(c.old_value, c.new_value) for c in floors.order_by("id")] == [("", "6"), ("6", "7")]
    assert services.building_update(actor=screener, building=building, floors=7) == []


def test_history_values_are_encrypted_at_rest(screener, household):
    member = household.memberships.get(relation=Relation.HEAD).person
    services.person_change_contact(actor=screener, person=member, phone="13912345678")

    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT new_value FROM register_fieldchange WHERE field = 'phone'")
        (raw,) = cursor.fetchone()
    assert "13912345678" not in raw
    assert FieldChange.objects.get(field="phone").new_value == "13912345678"


def test_merging_duplicates_moves_memberships_and_keeps_history(screener, household, legacy_duplicate_people):
    head = household.memberships.get(relation=Relation.HEAD).person
    duplicate = PersonFactory(resident_id=head.resident_id, phone="", address="旧地址 1 号")

    result = people_merge(actor=screener, keep=duplicate, duplicate=head)

    head.refresh_from_db()
    assert head.merged_into == duplicate
    assert Membership.objects.get(is_current=True, relation=Relation.HEAD).person == duplicate
    assert result["moved"]["gridgov.register.services"]["memberships"] == 1
    assert FieldChange.objects.filter(object_type="register.membership", field="person",
                                      source=ChangeSource.MERGE).exists()
    assert not Person.objects.filter(pk=head.pk, merged_into__isnull=True).exists()


def test_only_records_with_the_same_id_can_be_merged(screener):
    with pytest.raises(DomainError):
        people_merge(actor=screener, keep=person(), duplicate=person())


def test_grid_worker_cannot_merge(grid_worker, legacy_duplicate_people):
    a = person()
    with pytest.raises(Forbidden):
        people_merge(actor=grid_worker, keep=a, duplicate=PersonFactory(resident_id=a.resident_id))


def test_place_with_responsible_person(screener):
    owner = person(name="王老板")

    place = services.place_create(actor=screener, name="幸福小吃店", kind="restaurant", lat=31.002, lng=120.002,
                                  responsible_person=owner, contact_phone="13800001111", opening_hours="07:00-21:00",
                                  capacity=30)

    assert place.org_code == Tree.CELL_A1 and place.responsible_person == owner


def test_place_with_bad_phone_is_refused(screener):
    with pytest.raises(DomainError) as error:
        services.place_create(actor=screener, name="店", kind="shop", lat=31.002, lng=120.002, contact_phone="12")

    assert "contact_phone" in error.value.fields
