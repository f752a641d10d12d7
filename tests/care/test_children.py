"""Children and youth (issue 11): situations and youth groups as closed choices (needs, never a
label of conduct), the family file of one household linking its children, the mentor register."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import children
from gridgov.care.models import FamilyFile, Mentor
from gridgov.core.exceptions import DomainError, Forbidden, NotFound
from gridgov.core.models import AuditEntry
from gridgov.register import services as register_services
from gridgov.register.models import Relation, ResidenceType
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LEFT_BEHIND = {"key_child": True, "situation": "left_behind"}


def child(seq: int, birth: str = "20150101"):
    return PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth=birth, seq=seq))


def enroll_child(staff, person, details=None, program="child"):
    return enroll(staff, person, program=program, details=details or dict(LEFT_BEHIND),
                  legal_basis="《未成年人保护法》第九十二条", start_date=TODAY - datetime.timedelta(days=10))


@pytest.fixture
def household(tree):
    screener = make_user("scr", "screener", scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    kids = [child(41), child(43, birth="20180303")]
    adult = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19800101", seq=45))
    household = register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(adult, Relation.HEAD, ResidenceType.REGISTERED_HERE),
        *(register_services.MemberSpec(k, Relation.CHILD, ResidenceType.REGISTERED_HERE) for k in kids)])
    household.kids = kids
    return household


@pytest.mark.parametrize("situation", ["left_behind", "in_distress", "without_care"])
def test_a_childs_situation_is_one_of_the_choices(staff, tree, situation):
    enrollment = enroll_child(staff, child(41), details={"key_child": True, "situation": situation})
    assert enrollment.details["situation"] == situation


def test_a_childs_situation_outside_the_choices_is_refused(staff, tree):
    with pytest.raises(DomainError) as error:
        enroll_child(staff, child(41), details={"situation": "troublemaker"})
    assert "details.situation" in error.value.fields


def test_a_young_persons_groups_are_choices_of_needs(staff, tree):
    person = child(47, birth="20050505")
    enrollment = enroll_child(staff, person, program="youth",
                              details={"group": ["parent_in_prison", "out_of_school_work", "parent_in_prison"]})
    assert enrollment.details["group"] == ["out_of_school_work", "parent_in_prison"]
    with pytest.raises(DomainError) as error:
        enroll_child(staff, child(49, birth="20050505"), program="youth", details={"group": ["likely_to_offend"]})
    assert "details.group" in error.value.fields


def test_a_family_file_links_the_children_of_one_household(staff, household):
    first = enroll_child(staff, household.kids[0])

    family_file = children.family_file_update(actor=staff["officer"], household_id=household.pk,
                                              needs=["school", "guardianship"], note="父母外出务工")

    assert [e.pk for e in children.family_file_children(family_file)] == [first.pk]
    assert children.family_file_of(first) == family_file
    assert (family_file.needs, family_file.note) == (["guardianship", "school"], "父母外出务工")

    # The younger child is enrolled later: updating the file links them too, once.
    second = enroll_child(staff, household.kids[1])
    again = children.family_file_update(actor=staff["officer"], household_id=household.pk)
    assert again.pk == family_file.pk and FamilyFile.objects.count() == 1
    assert [e.pk for e in children.family_file_children(again)] == [first.pk, second.pk]
    assert again.needs == ["guardianship", "school"]  # kept when none are given
    assert AuditEntry.objects.filter(action="care.family_file").count() == 2


def test_a_family_file_needs_a_child_in_care_and_known_needs_and_the_officer(staff, household):
    with pytest.raises(DomainError) as error:
        children.family_file_update(actor=staff["officer"], household_id=household.pk)
    assert error.value.code == "conflict"
    enroll_child(staff, household.kids[0])
    with pytest.raises(DomainError):
        children.family_file_update(actor=staff["officer"], household_id=household.pk, needs=["pocket_money"])
    with pytest.raises(Forbidden):
        children.family_file_update(actor=staff["gw"], household_id=household.pk)
    with pytest.raises(NotFound):
        children.family_file_update(actor=staff["officer_b"], household_id=household.pk)


def test_a_family_file_is_read_in_its_area_only(staff, household):
    enroll_child(staff, household.kids[0])
    family_file = children.family_file_update(actor=staff["officer"], household_id=household.pk)
    assert children.access_family_file(staff["doctor"], family_file.pk) == family_file
    for outsider in (staff["officer_b"], staff["city_officer"]):
        with pytest.raises(NotFound):
            children.access_family_file(outsider, family_file.pk)
    with pytest.raises(Forbidden):
        children.access_family_file(staff["gw"], family_file.pk)


def test_family_files_are_scoped_by_their_table_none_above_the_county(staff, household):
    # given a family file of county A
    enroll_child(staff, household.kids[0])
    family_file = children.family_file_update(actor=staff["officer"], household_id=household.pk)
    # then it is listed in its area only (FamilyFile.objects.visible_to), and above the county
    # (statistics only) nobody opens one, even where the household itself is in their area
    assert list(children.family_files_visible_to(staff["doctor"])) == [family_file]
    for outsider in (staff["officer_b"], staff["city_officer"]):
        assert not children.family_files_visible_to(outsider).exists()
    with pytest.raises(NotFound):
        children.family_file_update(actor=staff["city_officer"], household_id=household.pk)
    assert FamilyFile.objects.count() == 1


def test_a_child_has_one_current_mentor(staff, tree):
    enrollment = enroll_child(staff, child(41))
    first = children.mentor_record(actor=staff["officer"], enrollment=enrollment, name="王老师", contact="13900001111",
                                   organisation="中心小学", since=TODAY - datetime.timedelta(days=5))
    second = children.mentor_record(actor=staff["officer"], enrollment=enrollment, name="李阿姨",
                                    organisation="妇联", since=TODAY)
    first.refresh_from_db()
    assert first.until == TODAY - datetime.timedelta(days=1) and second.until is None
    assert children.mentors_of(enrollment) == [second, first]
    # The contact is encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM care_mentor WHERE id = %s", [first.pk])
        assert "13900001111" not in cursor.fetchone()[0]
    assert Mentor.objects.get(pk=first.pk).contact == "13900001111"


def test_mentors_are_for_children_and_named_by_the_officer(staff, patient, tree):
    with pytest.raises(DomainError):
        children.mentor_record(actor=staff["officer"], enrollment=enroll(staff, patient), name="王老师")
    with pytest.raises(Forbidden):
        children.mentor_record(actor=staff["gw"], enrollment=enroll_child(staff, child(41)), name="王老师")


def test_a_mentor_is_in_the_childs_export_and_gone_past_retention(staff, tree):
    from gridgov.care import daily, services
    from gridgov.care.export import person_care_data

    person = child(41)
    enrollment = enroll_child(staff, person)
    children.mentor_record(actor=staff["officer"], enrollment=enrollment, name="王老师", organisation="中心小学")
    [data] = person_care_data(person=person)["enrollments"]
    assert [m["name"] for m in data["mentors"]] == ["王老师"]

    services.enrollment_exit(actor=staff["officer"], enrollment=enrollment, on=TODAY, reason="迁出")
    enrollment.refresh_from_db()
    daily.anonymise_past_retention(enrollment.retention_until + datetime.timedelta(days=1))
    assert Mentor.objects.get(enrollment=enrollment).name == ""
