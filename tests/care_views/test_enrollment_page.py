"""The enrollment page: a purpose before the full record (logged), the masked view for
those who may not see why a person is in care, and the team's and officer's actions."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care.models import Enrollment, Handover, TeamMember
from gridgov.core.models import AuditEntry
from tests.care_views.conftest import TODAY, Tree

OPEN = "care.open_record"


def _page(client, enrollment):
    return client.get(reverse("care-enrollment", args=[enrollment.pk]))


def _open(client, enrollment, htmx=False, **data):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "purpose-form"} if htmx else {}
    return client.post(reverse("care-enrollment-open", args=[enrollment.pk]), data, **headers)


def test_the_officer_is_asked_for_a_purpose_before_the_full_record(login, staff, due_case):
    response = _page(login(staff["officer"]), due_case)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="purpose-form"' in body
    assert "精神分裂症" not in body and "《精神卫生法》" not in body


def test_no_purpose_is_refused_and_nothing_is_logged(login, staff, due_case):
    client = login(staff["officer"])

    response = _open(client, due_case, htmx=True, reason="", details="")

    assert response.status_code == 400
    assert "精神分裂症" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=OPEN).exists()


def test_a_purpose_opens_the_full_record_and_writes_one_audit_entry(login, staff, due_case):
    client = login(staff["officer"])

    response = _open(client, due_case, htmx=True, reason="care_follow_up", details="核查随访计划")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="care-full-record"' in body  # the partial that replaces the prompt
    assert "精神分裂症" in body and "《精神卫生法》第二十四条" in body
    assert "Severe mental disorder" in body
    entry = AuditEntry.objects.get(action=OPEN)
    assert entry.purpose == "care_follow_up: 核查随访计划"
    assert entry.person_id == due_case.person_id and entry.actor == staff["officer"]


def test_after_opening_the_record_stays_open_for_a_while_in_the_same_session(login, staff, due_case):
    client = login(staff["officer"])

    response = _open(client, due_case, reason="home_visit")
    assert response.status_code == 302

    body = _page(client, due_case).content.decode()
    assert "精神分裂症" in body and "Opened for: Home visit" in body
    assert AuditEntry.objects.filter(action=OPEN).count() == 1
    # another session (another device) is asked again
    assert "精神分裂症" not in _page(login(staff["officer"]), due_case).content.decode()


def test_a_grid_worker_sees_that_a_visit_is_needed_not_why(login, staff, due_case):
    client = login(staff["gw"])

    response = _page(client, due_case)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Needs a visit on" in body and "陈明" in body
    for secret in ("Severe mental disorder", "精神分裂症", "Risk level", "《精神卫生法》", "Community doctor",
                   'id="purpose-form"'):
        assert secret not in body
    assert _open(client, due_case, reason="home_visit").status_code == 403
    assert not AuditEntry.objects.filter(action=OPEN).exists()


def test_a_team_member_acknowledges_the_case(login, staff, due_case):
    client = login(staff["gw"])
    assert "I acknowledge this case" in _page(client, due_case).content.decode()

    response = client.post(reverse("care-acknowledge", args=[due_case.pk]))

    assert response.status_code == 302
    assert TeamMember.objects.get(enrollment=due_case, user=staff["gw"]).acknowledged_at is not None
    body = _page(client, due_case).content.decode()
    assert "I acknowledge this case" not in body and "You confirmed this case" in body


def test_someone_not_on_the_team_cannot_acknowledge(login, staff, due_case):
    response = login(staff["officer"]).post(reverse("care-acknowledge", args=[due_case.pk]))

    assert response.status_code == 403


def test_the_full_record_shows_the_team_and_every_visit(login, staff, due_case):
    from gridgov.care import services

    services.visit_record(actor=staff["doctor"], enrollment=due_case, date=TODAY - datetime.timedelta(days=3),
                          form="clinic", details={"risk_level": 1, "classification": "basically_stable",
                                                  "medication_adherence": "intermittent", "sleep": "poor"})
    client = login(staff["doctor"])
    _open(client, due_case, reason="home_visit")

    body = _page(client, due_case).content.decode()

    assert "Not confirmed yet" in body  # nobody acknowledged yet
    assert "陈母" in body  # the family member
    assert "Takes them intermittently" in body and "Poor" in body
    assert "At the clinic" in body


@pytest.mark.parametrize("data,status", [
    ({"role": "police_liaison", "username": "nobody"}, 400),
    ({"role": "police_liaison", "username": "", "name": ""}, 400),
])
def test_a_bad_team_member_is_refused(login, staff, due_case, data, status):
    response = login(staff["officer"]).post(reverse("care-team-add", args=[due_case.pk]), data)

    assert response.status_code == status
    assert due_case.team.filter(removed_at__isnull=True).count() == 3


def test_the_team_form_does_not_tell_whether_an_account_exists_elsewhere(login, staff, due_case):
    """An unknown username and an account of another county get the same answer (a probe found two)."""
    client = login(staff["officer"])
    url = reverse("care-team-add", args=[due_case.pk])

    unknown = client.post(url, {"role": "social_worker", "username": "nobody-at-all"})
    elsewhere = client.post(url, {"role": "social_worker", "username": staff["officer_b"].username})

    assert unknown.status_code == elsewhere.status_code == 400
    message = "No active account with this username works in the person&#x27;s area."
    assert message in unknown.content.decode() and message in elsewhere.content.decode()
    assert due_case.team.filter(removed_at__isnull=True).count() == 3


def test_the_officer_adds_and_removes_a_team_member(login, staff, due_case):
    client = login(staff["officer"])

    response = client.post(reverse("care-team-add", args=[due_case.pk]), {"role": "officer", "username": "officer"})

    assert response.status_code == 302
    member = due_case.team.get(user=staff["officer"], removed_at__isnull=True)
    client.post(reverse("care-team-remove", args=[due_case.pk, member.pk]))
    member.refresh_from_db()
    assert member.removed_at is not None


def test_the_officer_records_an_exit_with_a_reason(login, staff, due_case):
    client = login(staff["officer"])
    url = reverse("care-exit", args=[due_case.pk])

    assert client.post(url, {"on": TODAY.isoformat(), "reason": ""}).status_code == 400
    response = client.post(url, {"on": TODAY.isoformat(), "reason": "迁出本市"})

    assert response.status_code == 302
    due_case.refresh_from_db()
    assert due_case.status == Enrollment.Status.EXITED and due_case.exit_reason == "迁出本市"


def test_the_officer_starts_a_handover(login, staff, due_case):
    response = login(staff["officer"]).post(reverse("care-handover-new", args=[due_case.pk]), {
        "to_org_code": Tree.CELL_B1, "due_date": (TODAY + datetime.timedelta(days=7)).isoformat(), "reason": "move"})

    assert response.status_code == 302
    handover = Handover.objects.get(enrollment=due_case)
    assert handover.to_org_code == Tree.CELL_B1 and handover.status == Handover.Status.PENDING


def test_a_grid_worker_may_not_use_the_officers_actions(login, staff, due_case):
    response = login(staff["gw"]).post(reverse("care-exit", args=[due_case.pk]),
                                       {"on": TODAY.isoformat(), "reason": "x"})

    assert response.status_code == 403


def test_admission_to_hospital_shows_on_the_page(login, staff, due_case):
    client = login(staff["doctor"])

    response = client.post(reverse("care-status", args=[due_case.pk]), {
        "status-hospital-change": "begin", "status-hospital-kind": "hospital",
        "status-hospital-on": TODAY.isoformat(), "status-hospital-note": ""})

    assert response.status_code == 302
    due_case.refresh_from_db()
    assert due_case.hospitalized_since == TODAY
    assert "Discharged from hospital" in _page(client, due_case).content.decode()
