"""Emergency access ("break the glass"): a user outside a person's area opens that one
record for a stated emergency, for a limited time; logged, the officer told, reviewed."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care.services import TeamSpec
from gridgov.core.audit import AuditAction
from gridgov.core.models import AuditEntry, EmergencyGrant, Notification, Role
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

NOTE = "病人在外地街头发病，需要联系其家属和主治医生"
PATIENT_ID = make_resident_id(birth="19800505", seq=421)
# session, user, roles, the scope's name in the header, the unread notifications
BASE = 5


@pytest.fixture
def staff(tree):
    return {
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "team_officer": make_user("team_officer", Role.PROGRAM_OFFICER, scope=Tree.TOWNSHIP_A),
        # county B: the people who meet the person in an emergency away from home
        "doctor_b": make_user("doctor_b", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B),
        "gw_b": make_user("gw_b", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1]),
        "dispatcher_b": make_user("dispatcher_b", Role.DISPATCHER, scope=Tree.COUNTY_B),
        "officer_b": make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B),
        "admin_b": make_user("admin_b", Role.CITY_ADMIN, scope=Tree.COUNTY_B),
        "auditor": make_user("auditor", Role.AUDITOR, scope="99"),
        "auditor_b": make_user("auditor_b", Role.AUDITOR, scope=Tree.COUNTY_B),
    }


@pytest.fixture
def patient(tree):
    return PersonFactory(name="陈明", resident_id=PATIENT_ID, org_code=Tree.CELL_A1, phone="13900001111")


@pytest.fixture
def enrollment(staff, patient):
    return enroll(staff, patient, details={"risk_level": 3, "classification": "unstable", "diagnosis": "精神分裂症"},
                  team=[TeamSpec(role="doctor", user=staff["doctor"]),
                        TeamSpec(role="officer", user=staff["team_officer"])])


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def break_glass(user, resident_id=PATIENT_ID, reason="medical_emergency", note=NOTE):
    return api(user).post(reverse("api-emergency-access"),
                          {"resident_id": resident_id, "reason": reason, "note": note}, format="json")


def test_out_of_scope_without_a_grant_is_a_404(staff, patient):
    assert login(staff["doctor_b"]).get(reverse("person-detail", args=[patient.pk])).status_code == 404
    assert api(staff["doctor_b"]).get(reverse("api-person", args=[patient.pk])).status_code == 404


def test_with_a_grant_the_record_opens_and_every_read_is_audited_with_the_grant(staff, patient):
    response = break_glass(staff["doctor_b"])
    assert response.status_code == 201, response.content
    grant_id = response.json()["id"]
    assert response.json()["person"]["id"] == patient.pk

    page = login(staff["doctor_b"]).get(reverse("person-detail", args=[patient.pk]))
    opened = api(staff["doctor_b"]).post(reverse("api-person-open", args=[patient.pk]),
                                         {"purpose": "crisis_response"}, format="json")

    assert page.status_code == 200
    assert f'data-emergency-grant="{grant_id}"' in page.content.decode()
    assert opened.status_code == 200 and opened.json()["resident_id"] == PATIENT_ID
    reads = AuditEntry.objects.filter(action=AuditAction.EMERGENCY_READ, person_id=patient.pk)
    assert reads.count() == 2  # the page, and the API before opening
    assert all(json.loads(e.changes)["emergency_grant"] == grant_id for e in reads)
    opening = AuditEntry.objects.get(action=AuditAction.PERSON_OPEN_RECORD, person_id=patient.pk)
    assert json.loads(opening.changes) == {"emergency_grant": grant_id}
    assert AuditEntry.objects.filter(action=AuditAction.EMERGENCY_GRANT, object_id=str(grant_id)).count() == 1


def test_after_three_hours_the_record_is_a_404_again(staff, patient):
    grant_id = break_glass(staff["doctor_b"]).json()["id"]
    grant = EmergencyGrant.objects.get(pk=grant_id)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=3)
    client = login(staff["doctor_b"])
    assert client.get(reverse("person-detail", args=[patient.pk])).status_code == 200

    EmergencyGrant.objects.filter(pk=grant_id).update(
        granted_at=grant.granted_at - datetime.timedelta(hours=3, minutes=1),
        expires_at=grant.expires_at - datetime.timedelta(hours=3, minutes=1))

    assert client.get(reverse("person-detail", args=[patient.pk])).status_code == 404
    assert api(staff["doctor_b"]).get(reverse("api-person", args=[patient.pk])).status_code == 404


def test_a_grant_checked_with_a_later_now_has_ended(staff, patient):
    from gridgov.core.exceptions import NotFound
    from gridgov.core.selectors import access_person

    break_glass(staff["doctor_b"])
    later = timezone.now() + datetime.timedelta(hours=3, seconds=1)

    assert access_person(staff["doctor_b"], patient.pk).pk == patient.pk
    with pytest.raises(NotFound):
        access_person(staff["doctor_b"], patient.pk, now=later)


def test_the_duration_is_a_setting(staff, patient, settings):
    settings.GRIDGOV_EMERGENCY_ACCESS_HOURS = 1
    grant = EmergencyGrant.objects.get(pk=break_glass(staff["doctor_b"]).json()["id"])
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=1)


def test_the_persons_officers_are_notified(staff, patient, enrollment):
    break_glass(staff["doctor_b"])

    told = set(Notification.objects.filter(kind="emergency_access").values_list("user__username", flat=True))

    # the county's officer, and the officer on the care team; not the officer of county B
    assert told == {"officer", "team_officer"}
    # notify (issue 11): the person is named as each receiver may see them; the officer may open
    # the person's record in their area, and the link opens the person's access log for them
    notification = Notification.objects.filter(user=staff["officer"]).get()
    assert "doctor_b" in notification.text and "陈明" in notification.text
    assert login(staff["officer"]).get(notification.link).status_code == 200


def test_the_auditors_queue_shows_it_until_reviewed(staff, patient):
    grant_id = break_glass(staff["doctor_b"]).json()["id"]
    auditor = login(staff["auditor"])

    queue = auditor.get(reverse("emergency-reviews"))
    assert queue.status_code == 200
    assert [r["grant"].pk for r in queue.context["rows"]] == [grant_id]
    content = queue.content.decode()
    assert "陈*" in content and "陈明" not in content and NOTE in content
    # the auditor of county B does not review people of county A
    assert login(staff["auditor_b"]).get(reverse("emergency-reviews")).context["rows"] == []

    reviewed = api(staff["auditor"]).post(reverse("api-emergency-review", args=[grant_id]),
                                          {"justified": True, "note": "急救属实"}, format="json")

    assert reviewed.status_code == 200 and reviewed.json()["review"] == "justified"
    assert auditor.get(reverse("emergency-reviews")).context["rows"] == []
    shown = auditor.get(reverse("emergency-reviews"), {"review": "justified"}).context["rows"]
    assert [r["grant"].pk for r in shown] == [grant_id]
    again = api(staff["auditor"]).post(reverse("api-emergency-review", args=[grant_id]),
                                       {"justified": False, "note": "再次审查"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_not_justified_tells_the_users_administrator(staff, patient):
    grant_id = break_glass(staff["doctor_b"]).json()["id"]
    client = login(staff["auditor"])

    without_note = client.post(reverse("emergency-review", args=[grant_id]), {"verdict": "not_justified"})
    assert without_note.status_code == 302
    assert EmergencyGrant.objects.get(pk=grant_id).review == "pending"

    client.post(reverse("emergency-review", args=[grant_id]), {"verdict": "not_justified", "note": "没有紧急情况"})

    grant = EmergencyGrant.objects.get(pk=grant_id)
    assert grant.review == "not_justified" and grant.reviewed_by == staff["auditor"]
    notes = Notification.objects.filter(user=staff["admin_b"], kind="emergency_access")
    assert notes.count() == 1 and "没有紧急情况" in notes.get().text
    entry = AuditEntry.objects.get(action=AuditAction.EMERGENCY_REVIEW)
    assert json.loads(entry.changes)["notified"] == ["admin_b"]


def test_a_dispatcher_cannot_break_the_glass(staff, patient):
    response = break_glass(staff["dispatcher_b"])
    page = login(staff["dispatcher_b"]).post(reverse("emergency-access"),
                                             {"resident_id": PATIENT_ID, "reason": "medical_emergency", "note": NOTE})

    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert page.status_code == 403
    assert not EmergencyGrant.objects.exists()
    assert login(staff["dispatcher_b"]).get(reverse("person-detail", args=[patient.pk])).status_code == 404


def test_an_auditor_or_a_dispatcher_never_gets_in_through_a_grant_row(staff, patient):
    """Even a grant row written by hand does not open records to a role that may not open them."""
    now = timezone.now()
    EmergencyGrant.objects.create(user=staff["dispatcher_b"], person=patient, org_code=patient.org_code,
                                  reason="medical_emergency", note=NOTE, granted_at=now,
                                  expires_at=now + datetime.timedelta(hours=3))

    assert login(staff["dispatcher_b"]).get(reverse("person-detail", args=[patient.pk])).status_code == 404


def test_no_grant_reveals_other_people(staff, patient, enrollment):
    neighbour = PersonFactory(name="陈邻居", org_code=Tree.CELL_A1)
    neighbour_enrollment = enroll(staff, neighbour)
    break_glass(staff["doctor_b"])
    client = login(staff["doctor_b"])

    assert client.get(reverse("person-detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("care-enrollment", args=[neighbour_enrollment.pk])).status_code == 404
    listed = api(staff["doctor_b"]).get(reverse("api-people")).json()["results"]
    assert patient.pk not in [p["id"] for p in listed]
    assert client.get(reverse("people-list"), {"q": "陈"}).context["rows"] == []
    assert client.get(reverse("care-enrollment", args=[enrollment.pk])).status_code == 200


def test_a_care_grant_opens_the_persons_care_records_for_roles_with_care_details(staff, patient, enrollment):
    body = break_glass(staff["doctor_b"]).json()
    assert body["care_records"] is True and body["enrollments"] == [enrollment.pk]

    page = login(staff["doctor_b"]).get(reverse("care-enrollment", args=[enrollment.pk]))
    record = api(staff["doctor_b"]).get(reverse("api-care-enrollment", args=[enrollment.pk]),
                                        {"purpose": "crisis_response"})

    assert page.status_code == 200 and page.context["details_visible"] is True
    assert record.status_code == 200, record.content
    reads = AuditEntry.objects.filter(action=AuditAction.EMERGENCY_READ, object_type="care.enrollment")
    assert reads.count() == 2 and all(json.loads(e.changes)["emergency_grant"] == body["id"] for e in reads)


def test_a_grid_workers_grant_opens_the_person_but_not_their_care_records(staff, patient, enrollment):
    body = break_glass(staff["gw_b"], reason="danger_to_life").json()
    client = login(staff["gw_b"])

    assert body["care_records"] is False and body["enrollments"] == []
    assert client.get(reverse("person-detail", args=[patient.pk])).status_code == 200
    assert client.get(reverse("care-enrollment", args=[enrollment.pk])).status_code == 404


def test_writes_stay_with_the_persons_own_area(staff, patient, enrollment):
    """The glass opens the record to read, not to act in another area's name."""
    break_glass(staff["doctor_b"])

    visit = api(staff["doctor_b"]).post(reverse("api-care-visits", args=[enrollment.pk]),
                                        {"date": timezone.localdate().isoformat(), "form": "home",
                                         "details": {"risk_level": 1, "classification": "stable"}}, format="json")

    assert visit.status_code == 403


def test_the_reason_is_from_the_list_and_the_note_is_required(staff, patient):
    unknown = break_glass(staff["doctor_b"], reason="curiosity")
    no_note = break_glass(staff["doctor_b"], note="  ")

    assert unknown.status_code == 400 and "reason" in unknown.json()["fields"]
    assert no_note.status_code == 400 and "note" in no_note.json()["fields"]
    assert not EmergencyGrant.objects.exists()


def test_an_unknown_id_is_a_404_and_the_lookup_is_logged_masked(staff, patient):
    missing = make_resident_id(region="990102", birth="19900101", seq=7)
    response = break_glass(staff["doctor_b"], resident_id=missing)

    assert response.status_code == 404
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_IDENTIFIER_SEARCH, actor_username="doctor_b")
    assert missing not in entry.object_repr and json.loads(entry.changes)["where"] == "emergency_access"


def test_the_lookup_counts_against_the_identifier_search_limit(staff, patient, settings):
    settings.GRIDGOV_IDENTIFIER_SEARCH_LIMIT = 2
    for seq in (1, 2):
        break_glass(staff["doctor_b"], resident_id=make_resident_id(region="990102", birth="19900101", seq=seq))

    response = break_glass(staff["doctor_b"])

    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert not EmergencyGrant.objects.exists()


def test_a_person_in_the_users_own_area_needs_no_emergency(staff, patient):
    response = break_glass(staff["doctor"])
    assert response.status_code == 400 and "resident_id" in response.json()["fields"]


def test_breaking_the_glass_twice_returns_the_live_grant(staff, patient):
    first = break_glass(staff["doctor_b"])
    told = Notification.objects.filter(kind="emergency_access").count()
    second = break_glass(staff["doctor_b"])

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert EmergencyGrant.objects.count() == 1
    assert told == 2 and Notification.objects.filter(kind="emergency_access").count() == told


def test_the_form_opens_the_record_and_lists_the_users_grants(staff, patient):
    client = login(staff["doctor_b"])

    response = client.post(reverse("emergency-access"),
                           {"resident_id": PATIENT_ID.lower(), "reason": "medical_emergency", "note": NOTE})

    assert response.status_code == 302 and response["Location"] == reverse("person-detail", args=[patient.pk])
    page = client.get(reverse("emergency-access"))
    assert [row["grant"].person_id for row in page.context["live"]] == [patient.pk]
    mine = api(staff["doctor_b"]).get(reverse("api-emergency-access")).json()["results"]
    assert [g["person"]["id"] for g in mine] == [patient.pk] and mine[0]["active"] is True


def test_ending_early_closes_the_record(staff, patient):
    grant_id = break_glass(staff["doctor_b"]).json()["id"]
    client = login(staff["doctor_b"])

    client.post(reverse("emergency-access-end", args=[grant_id]))

    assert client.get(reverse("person-detail", args=[patient.pk])).status_code == 404
    assert EmergencyGrant.objects.get(pk=grant_id).review == "pending"  # still waits for review


def test_the_form_shows_errors_in_place(staff, patient):
    client = login(staff["doctor_b"])
    empty = client.post(reverse("emergency-access"), {"resident_id": "", "reason": "", "note": ""})
    bad_id = client.post(reverse("emergency-access"), {"resident_id": "123", "reason": "medical_emergency",
                                                       "note": NOTE})

    assert empty.status_code == 400
    assert set(empty.context["form"].errors) == {"resident_id", "reason", "note"}
    assert bad_id.status_code == 400 and "resident_id" in bad_id.context["form"].errors


def test_an_empty_queue_says_so(staff):
    response = login(staff["auditor"]).get(reverse("emergency-reviews"))

    assert response.status_code == 200
    assert "No emergency access is waiting for review." in response.content.decode()


def test_the_queue_pages_by_keyset(staff, tree):
    now = timezone.now()
    people = PersonFactory.create_batch(52, org_code=Tree.CELL_A1)
    EmergencyGrant.objects.bulk_create([
        EmergencyGrant(user=staff["doctor_b"], person=p, org_code=p.org_code, reason="medical_emergency", note=NOTE,
                       granted_at=now - datetime.timedelta(minutes=60 - i), expires_at=now + datetime.timedelta(hours=2))
        for i, p in enumerate(people)
    ])
    client = login(staff["auditor"])

    first = client.get(reverse("emergency-reviews"))
    second = client.get(reverse("emergency-reviews") + first.context["next_url"])

    assert len(first.context["rows"]) == 50
    assert [r["grant"].person_id for r in second.context["rows"]] == [p.pk for p in people[50:]]
    assert second.context["next_url"] is None
    api_first = api(staff["auditor"]).get(reverse("api-emergency-reviews"), {"page_size": 50}).json()
    api_second = api(staff["auditor"]).get(api_first["next"]).json()
    assert len(api_first["results"]) == 50 and len(api_second["results"]) == 2


@pytest.mark.parametrize("n", [3, 30])
def test_review_queue_query_count(staff, tree, django_assert_num_queries, n):
    now = timezone.now()
    people = PersonFactory.create_batch(n, org_code=Tree.CELL_A1)
    EmergencyGrant.objects.bulk_create([
        EmergencyGrant(user=staff["doctor_b"], person=p, org_code=p.org_code, reason="medical_emergency", note=NOTE,
                       granted_at=now - datetime.timedelta(minutes=i + 1), expires_at=now + datetime.timedelta(hours=2))
        for i, p in enumerate(people)
    ])
    client = login(staff["auditor"])

    # the page of grants (with user, person and reviewer joined), the places' name paths
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("emergency-reviews"))
    assert len(response.context["rows"]) == n

    # API (force_authenticate: no session, the user and roles already loaded): the page, the
    # places' name paths; names beside the codes
    with django_assert_num_queries(2):
        body = api(staff["auditor"]).get(reverse("api-emergency-reviews")).json()
    assert len(body["results"]) == n
    row = body["results"][0]
    assert row["user_label"] == staff["doctor_b"].label and row["reviewed_by_label"] is None
    assert row["org_path"] not in ("", Tree.CELL_A1) and "›" in row["org_path"]


@pytest.mark.parametrize("n", [3, 30])
def test_own_grants_query_count(staff, tree, enrollment, django_assert_num_queries, n):
    now = timezone.now()
    people = PersonFactory.create_batch(n, org_code=Tree.CELL_A1)
    EmergencyGrant.objects.bulk_create([
        EmergencyGrant(user=staff["doctor_b"], person=p, org_code=p.org_code, reason="medical_emergency", note=NOTE,
                       care_details=True, granted_at=now - datetime.timedelta(minutes=i + 1),
                       expires_at=now + datetime.timedelta(hours=2))
        for i, p in enumerate(people)
    ])
    client = login(staff["doctor_b"])

    # the live grants, the ended ones, the care records of the live ones
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("emergency-access"))
    assert len(response.context["live"]) == n

    # API (force_authenticate: no session, the user already loaded): the page of grants,
    # the care records they open
    with django_assert_num_queries(2):
        body = api(staff["doctor_b"]).get(reverse("api-emergency-access")).json()
    assert len(body["results"]) == n

