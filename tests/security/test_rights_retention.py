"""Retention of the register (PIPL art. 19, 47): past retention a person's identity is gone
(no search finds them) while the rows that statistics and the audit chain need stay."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.core import corrections, crypto
from gridgov.core.audit import AuditAction
from gridgov.core.models import AuditEntry, CorrectionRequest, Person, Role
from gridgov.register import services
from gridgov.register.models import FieldChange, Household, Membership, Relation, ResidenceType
from gridgov.register.retention import anonymised_name, run_retention, years_before
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

TODAY = timezone.localdate()
LONG_AGO = years_before(TODAY, 4)  # past the 3 years kept after moving out
RECENTLY = years_before(TODAY, 1)
MOVED_IN = datetime.date(2010, 1, 1)


@pytest.fixture
def screener(tree):
    return make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)


@pytest.fixture
def building(screener):
    return services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005, use="residential")


def resident_who_left(screener, building, *, on, name="张远走", unit="1单元101"):
    """A person who lived in a household here and moved out `on` that day (the head stays)."""
    head = PersonFactory(name=f"{name}父")
    person = PersonFactory(name=name, phone="13811112222", resident_id=make_resident_id(birth="19900101"))
    household = services.household_create(
        actor=screener, building=building, unit_label=unit,
        members=[services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE, MOVED_IN),
                 services.MemberSpec(person, Relation.CHILD, ResidenceType.REGISTERED_HERE, MOVED_IN)],
    )
    services.person_change_contact(actor=screener, person=person, phone="13833334444")
    services.member_leave(actor=screener, membership=Membership.objects.get(person=person), on=on)
    return Person.objects.get(pk=person.pk), household


def enroll_elderly(person):
    from gridgov.care import services as care_services

    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    enrollment = care_services.enrollment_create(
        actor=officer, person=person, program="elderly", org_code=person.org_code, start_date=RECENTLY,
        consent=True, details={"living_alone": True})
    return officer, enrollment


def found_by_id(resident_id: str) -> bool:
    return Person.objects.filter(resident_id_index=crypto.blind_index("resident_id", resident_id)).exists()


def test_a_person_past_retention_is_anonymised_and_no_longer_found(screener, building, capsys):
    person, household = resident_who_left(screener, building, on=LONG_AGO)
    resident_id = person.resident_id

    counts = run_retention(TODAY)

    assert counts["people"] == 1
    person.refresh_from_db()
    assert person.name == anonymised_name() != "张远走"
    assert (person.resident_id, person.phone, person.address, person.phone_index) == ("", "", "", "")
    assert person.lat is None and person.birth_date is None
    assert not found_by_id(resident_id)
    # exact search by the API (a role that may search by ID) finds nobody
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(screener)
    assert client.get("/api/v1/people/", {"q": resident_id}).json()["results"] == []
    # rows for statistics remain: the person, the gender and area, the membership with its dates
    assert person.gender and person.org_code
    membership = Membership.objects.get(person=person)
    assert (membership.moved_in_on, membership.moved_out_on, membership.relation) == (MOVED_IN, LONG_AGO, "child")
    # the field history keeps who changed which field, not the values
    history = FieldChange.objects.filter(object_type="core.person", object_id=person.pk)
    assert history.exists() and {(c.old_value, c.new_value) for c in history} == {("", "")}
    # the raw columns hold nothing recoverable
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, phone, address, resident_id_index FROM core_person WHERE id = %s",
                       [person.pk])
        assert cursor.fetchone() == ("", "", "", "")
    # the run is audited with counts only, and the chain still verifies
    entry = AuditEntry.objects.get(action=AuditAction.REGISTER_RETENTION)
    assert json.loads(entry.changes)["people"] == 1 and resident_id not in entry.changes
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    # the household and the head who stayed are untouched
    household.refresh_from_db()
    assert household.address and found_by_id(Membership.objects.get(household=household, relation="head").person
                                             .resident_id)


def test_a_person_not_yet_past_retention_is_kept(screener, building):
    person, _household = resident_who_left(screener, building, on=RECENTLY)
    assert run_retention(TODAY)["people"] == 0
    assert found_by_id(person.resident_id) and Person.objects.get(pk=person.pk).name == "张远走"


def test_a_person_still_in_a_care_program_is_kept(screener, building):
    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    enroll_elderly(person)
    assert run_retention(TODAY)["people"] == 0
    assert found_by_id(person.resident_id)


def test_an_ended_enrollment_within_its_own_retention_also_holds_the_person(screener, building):
    from gridgov.care import services as care_services

    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    officer, enrollment = enroll_elderly(person)
    care_services.enrollment_exit(actor=officer, enrollment=enrollment, on=TODAY, reason="迁出")
    assert run_retention(TODAY)["people"] == 0


def test_a_pending_correction_request_holds_the_person(screener, building):
    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    corrections.correction_request_create(actor=screener, person=person, values={"name": "张远行"},
                                          evidence="id_card", reason="证件")
    assert run_retention(TODAY)["people"] == 0
    CorrectionRequest.objects.all().delete()
    assert run_retention(TODAY)["people"] == 1


def test_a_death_is_kept_five_years(screener, building):
    old = PersonFactory(died_on=years_before(TODAY, 6))
    recent = PersonFactory(died_on=years_before(TODAY, 2))
    assert run_retention(TODAY)["people"] == 1
    assert not found_by_id(old.resident_id) and found_by_id(recent.resident_id)
    assert Person.objects.get(pk=old.pk).died_on == years_before(TODAY, 6)  # kept for the statistics


def test_a_dissolved_household_loses_its_address(screener, building):
    person, household = resident_who_left(screener, building, on=LONG_AGO, unit="2单元201")
    head = Membership.objects.get(household=household, is_current=True)
    services.member_leave(actor=screener, membership=head, on=LONG_AGO)
    Household.objects.filter(pk=household.pk).update(dissolved_on=LONG_AGO)
    counts = run_retention(TODAY)
    assert counts == {"people": 2, "households": 1}
    household.refresh_from_db()
    assert household.address == ""
    assert {(c.old_value, c.new_value) for c in FieldChange.objects.filter(
        object_type="register.household", object_id=household.pk)} == {("", "")}
    assert Membership.objects.filter(household=household).count() == 2  # the counts survive


def test_the_command_runs_again_without_doing_anything_twice(screener, building):
    resident_who_left(screener, building, on=LONG_AGO)
    call_command("register_retention", stdout=open("/dev/null", "w"))
    assert run_retention(TODAY) == {"people": 0, "households": 0}
    assert AuditEntry.objects.filter(action=AuditAction.REGISTER_RETENTION).count() == 2


def test_the_nightly_task_runs_the_same_rules(screener, building):
    from gridgov.register.tasks import register_retention

    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    result = register_retention.enqueue()
    assert result.return_value == {"people": 1, "households": 0}
    assert not found_by_id(person.resident_id)
