"""Audit for people (Primero's access log): auditors, and a person's own program officer,
ask who read or changed a record, by record, user and period, with labels, never codes."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care.services import TeamSpec, visit_record
from gridgov.core.audit import AuditAction
from gridgov.core.models import AuditEntry, Role
from gridgov.core.services import person_open_record
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

RESIDENT_ID = make_resident_id(birth="19700303", seq=77)
# session, user, roles, the scope's name in the header, the unread notifications
BASE = 5


@pytest.fixture
def staff(tree):
    return {
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "officer_b": make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B),
        "auditor": make_user("auditor", Role.AUDITOR, scope="99"),
    }


@pytest.fixture
def person(tree):
    return PersonFactory(name="林小红", resident_id=RESIDENT_ID, org_code=Tree.CELL_A1)


@pytest.fixture
def enrollment(staff, person):
    return enroll(staff, person, team=[TeamSpec(role="doctor", user=staff["doctor"])])


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _table(response) -> str:
    """The table of entries, as shown (the filters' option values are codes, not text)."""
    content = response.content.decode()
    return content[content.index("<table"):content.index("</table>")]


def _reads(staff, person, enrollment):
    person_open_record(actor=staff["gw"], person=person, purpose="home_visit")
    visit_record(actor=staff["doctor"], enrollment=enrollment, date=timezone.localdate(), form="home",
                 details={"risk_level": 0, "classification": "stable"})


def test_the_officer_sees_who_read_or_changed_the_record(staff, person, enrollment):
    _reads(staff, person, enrollment)
    other = PersonFactory(org_code=Tree.CELL_A1)
    person_open_record(actor=staff["gw"], person=other, purpose="home_visit")

    response = login(staff["officer"]).get(reverse("person-access-log", args=[person.pk]))

    assert response.status_code == 200
    actions = [r["entry"].action for r in response.context["rows"]]
    # newest first: this very reading of the log, the visit, the opening, the enrollment
    assert actions[:3] == ["person.access_log", "care.visit", "person.open_record"] and "care.enroll" in actions
    assert all(r["entry"].person_id == person.pk for r in response.context["rows"])
    content = _table(response)
    assert "Visit recorded" in content and "Full record opened" in content and "Home visit" in content
    assert "person.open_record" not in content and "care.visit" not in content and "home_visit" not in content
    assert RESIDENT_ID not in content
    # reading the log is itself in the log
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_ACCESS_LOG, actor_username="officer",
                                     person_id=person.pk).count() == 1


def test_the_officer_filters_by_user_action_and_period(staff, person, enrollment):
    _reads(staff, person, enrollment)
    client = login(staff["officer"])
    url = reverse("person-access-log", args=[person.pk])
    today = timezone.localdate()

    by_user = client.get(url, {"actor": "gw"}).context["rows"]
    by_action = client.get(url, {"action": "care.visit"}).context["rows"]
    yesterday = client.get(url, {"until": today - datetime.timedelta(days=1)}).context["rows"]

    assert [r["entry"].action for r in by_user] == ["person.open_record"]
    assert [r["entry"].actor_username for r in by_action] == ["doctor"]
    assert yesterday == []


def test_only_the_persons_own_officer_reads_it(staff, person, enrollment):
    lonely = PersonFactory(org_code=Tree.CELL_A1)  # in the officer's area, in no program

    assert login(staff["officer_b"]).get(reverse("person-access-log", args=[person.pk])).status_code == 404
    assert login(staff["gw"]).get(reverse("person-access-log", args=[person.pk])).status_code == 403
    assert login(staff["doctor"]).get(reverse("person-access-log", args=[person.pk])).status_code == 403
    assert login(staff["officer"]).get(reverse("person-access-log", args=[lonely.pk])).status_code == 403
    assert api(staff["officer_b"]).get(reverse("api-person-access-log", args=[person.pk])).status_code == 404
    assert api(staff["gw"]).get(reverse("api-person-access-log", args=[person.pk])).status_code == 403
    assert api(staff["auditor"]).get(reverse("api-person-access-log", args=[person.pk])).status_code == 403


def test_the_person_and_care_pages_link_to_it_for_the_officer(staff, person, enrollment):
    officer = login(staff["officer"])
    link = reverse("person-access-log", args=[person.pk])

    assert link in officer.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert link in officer.get(reverse("care-enrollment", args=[enrollment.pk])).content.decode()
    assert link not in login(staff["gw"]).get(reverse("person-detail", args=[person.pk])).content.decode()


def test_the_api_gives_labels_and_codes(staff, person, enrollment):
    _reads(staff, person, enrollment)

    body = api(staff["officer"]).get(reverse("api-person-access-log", args=[person.pk]), {"actor": "gw"}).json()

    assert [(r["action"], r["action_label"], r["object_type_label"], r["person"]) for r in body["results"]] == [
        ("person.open_record", "Full record opened", "person", person.pk)]
    assert body["results"][0]["object_repr"] == "林**"


def test_the_auditor_searches_by_person_user_action_and_period(staff, person, enrollment):
    _reads(staff, person, enrollment)
    client = login(staff["auditor"])
    url = reverse("audit-search")

    by_person = client.get(url, {"person": person.pk}).context["rows"]
    by_id = client.get(url, {"resident_id": RESIDENT_ID}).context["rows"]
    by_user_and_action = client.get(url, {"person": person.pk, "actor": "doctor", "action": "care.visit"})
    today = timezone.localdate()
    in_period = client.get(url, {"person": person.pk, "since": today, "until": today}).context["rows"]

    assert {r["entry"].person_id for r in by_person} == {person.pk}
    assert [r["entry"].pk for r in by_id] == [r["entry"].pk for r in by_person]
    assert [r["entry"].action for r in by_user_and_action.context["rows"]] == ["care.visit"]
    assert len(in_period) == len(by_person)
    content = _table(by_user_and_action)
    assert "Visit recorded" in content and "care.visit" not in content and "enrollment #" in content
    api_rows = api(staff["auditor"]).get(reverse("api-audit"), {"person": person.pk}).json()["results"]
    assert {r["person"] for r in api_rows} == {person.pk}


def test_the_auditor_sees_emergency_access_with_its_reason(staff, person, enrollment):
    doctor_b = make_user("doctor_b", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B)
    api(doctor_b).post(reverse("api-emergency-access"),
                       {"resident_id": RESIDENT_ID, "reason": "medical_emergency", "note": "外地发病需要联系家属"},
                       format="json")
    login(doctor_b).get(reverse("person-detail", args=[person.pk]))

    response = login(staff["auditor"]).get(reverse("audit-search"), {"person": person.pk, "actor": "doctor_b"})

    content = _table(response)
    assert "Emergency access opened" in content and "Record read through emergency access" in content
    assert "Medical emergency" in content and "emergency.grant" not in content
    grant = json.loads(AuditEntry.objects.get(action=AuditAction.EMERGENCY_GRANT).changes)["emergency_grant"]
    assert f"Emergency access #{grant}" in content


@pytest.mark.parametrize("n", [3, 30])
def test_access_log_query_count(staff, person, enrollment, django_assert_num_queries, n):
    for i in range(n):
        person_open_record(actor=staff["gw"], person=person, purpose="home_visit")
    client = login(staff["officer"])

    # the person, the officer check (one of their enrollments in the area), the audit entry
    # of this read (savepoint, the free chain head locked in one query (core.audit, issue 12),
    # insert, head update — one statement on PostgreSQL —, release), the page, the actors'
    # names and the org units' name paths (audit_presenters)
    audit = 4 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(BASE + 1 + 1 + audit + 1 + 2):
        response = client.get(reverse("person-access-log", args=[person.pk]))
    assert len([r for r in response.context["rows"] if r["entry"].action == "person.open_record"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_audit_search_by_person_query_count(staff, person, enrollment, django_assert_num_queries, n):
    for i in range(n):
        person_open_record(actor=staff["gw"], person=person, purpose="home_visit")
    client = login(staff["auditor"])

    with django_assert_num_queries(BASE + 3):  # the page of entries, the actors' names, the places
        response = client.get(reverse("audit-search"), {"person": person.pk, "action": "person.open_record"})
    assert len(response.context["rows"]) == n
