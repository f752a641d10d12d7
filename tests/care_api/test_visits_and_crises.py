"""The care team's work over the API: visits (JSON or multipart with a photo), hospital stays
and absences, crises that alert the whole team and what the team did."""

import datetime

import pytest

from gridgov.care.models import Crisis, CrisisAction, Enrollment, StatusPeriod, Visit
from gridgov.core.models import AuditEntry, Notification
from tests.care_api.conftest import BASICALLY_STABLE, STABLE, TODAY, TODAY_URL, UNSTABLE, enroll, enrollment_url
from tests.events.conftest import jpeg


def follow_up(**overrides) -> dict:
    return {"date": TODAY.isoformat(), "form": "home", "notes": "服药规律，情绪平稳",
            "details": {**STABLE, "medication_adherence": "regular"}, **overrides}


# --- visits ----------------------------------------------------------------------------------


def test_a_visit_today_shows_as_visited_on_the_daily_map_at_once(clients, staff, patient):
    # given a follow-up that is due
    enrollment = enroll(staff, patient, details=BASICALLY_STABLE)
    before = clients["doctor"].get(TODAY_URL).json()
    assert [r["status"] for r in before["results"]] == ["due"]
    assert (before["counts"]["due"], before["counts"]["visited"]) == (1, 0)

    # when the doctor records today's follow-up
    response = clients["doctor"].post(enrollment_url(enrollment, "visits/"), follow_up(), format="json")

    # then the next one is three months on, and the map shows the visit
    assert response.status_code == 201
    body = response.json()
    assert body == {"id": Visit.objects.get().pk, "enrollment": enrollment.pk, "date": "2026-11-24", "form": "home",
                    "missed": False, "next_due_date": "2027-02-24", "status": "visited"}
    after = clients["doctor"].get(TODAY_URL).json()
    assert [r["status"] for r in after["results"]] == ["visited"]
    assert (after["counts"]["due"], after["counts"]["visited"]) == (0, 1)
    assert AuditEntry.objects.filter(action="care.visit").count() == 1


def test_an_unstable_follow_up_is_due_again_in_two_weeks(clients, staff, patient):
    enrollment = enroll(staff, patient)

    response = clients["doctor"].post(enrollment_url(enrollment, "visits/"), follow_up(details=UNSTABLE),
                                      format="json")

    assert response.json()["next_due_date"] == (TODAY + datetime.timedelta(days=14)).isoformat()
    enrollment.refresh_from_db()
    assert enrollment.high_risk is True


def test_a_visit_with_a_photo_in_a_multipart_form(clients, staff, patient):
    enrollment = enroll(staff, patient)
    form = {"date": TODAY.isoformat(), "form": "home", "details": '{"risk_level": 0, "classification": "stable"}',
            "needs": ["income", "job"], "photos": [jpeg()]}

    response = clients["doctor"].post(enrollment_url(enrollment, "visits/"), form, format="multipart")

    assert response.status_code == 201, response.json()
    visit = Visit.objects.get()
    assert visit.photo and visit.needs == ["income", "job"]
    detail = clients["doctor"].get(enrollment_url(enrollment), {"purpose": "care_follow_up"}).json()
    assert detail["visits"][0]["has_photo"] is True


@pytest.mark.parametrize("overrides, field", [
    ({"details": {}}, "details.risk_level"),
    ({"details": {"risk_level": 1}}, "details.classification"),
    ({"date": "2026-11-25"}, "date"),
    ({"date": "2026-10-01"}, "date"),
    ({"form": "letter"}, "form"),
    ({"needs": ["luck"]}, "needs.0"),
    ({"details": "[1, 2]"}, "details"),
])
def test_an_invalid_visit_is_400_and_changes_nothing(clients, staff, patient, overrides, field):
    enrollment = enroll(staff, patient, details=BASICALLY_STABLE)
    audit_before = AuditEntry.objects.count()

    response = clients["doctor"].post(enrollment_url(enrollment, "visits/"), follow_up(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert Visit.objects.count() == 0
    enrollment.refresh_from_db()
    assert (enrollment.next_due_date, enrollment.last_visit_date) == (datetime.date(2026, 11, 16), None)
    assert AuditEntry.objects.count() == audit_before


def test_a_bad_photo_is_400(clients, staff, patient):
    from django.core.files.uploadedfile import SimpleUploadedFile

    enrollment = enroll(staff, patient)
    form = {**follow_up(details='{"risk_level": 0, "classification": "stable"}'),
            "photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")}

    response = clients["doctor"].post(enrollment_url(enrollment, "visits/"), form, format="multipart")

    assert response.status_code == 400
    assert "photos" in response.json()["fields"]
    assert Visit.objects.count() == 0


def test_a_missed_visit_is_tried_again_within_a_week(clients, staff, patient):
    enrollment = enroll(staff, patient)

    response = clients["gw"].post(enrollment_url(enrollment, "visits/"), {
        "date": TODAY.isoformat(), "form": "home", "missed": True, "notes": "外出务工，家中无人"},
        format="json")

    assert response.status_code == 201
    assert (response.json()["missed"], response.json()["next_due_date"]) == (True, "2026-12-01")


def test_only_the_team_records_visits(clients, staff, patient):
    enrollment = enroll(staff, patient)

    assert clients["gw_other"].post(enrollment_url(enrollment, "visits/"), follow_up(),
                                    format="json").status_code == 404
    assert clients["officer_b"].post(enrollment_url(enrollment, "visits/"), follow_up(),
                                     format="json").status_code == 404
    assert Visit.objects.count() == 0


def test_retrying_a_visit_with_the_same_key_records_it_once(clients, staff, patient):
    enrollment = enroll(staff, patient)
    url = enrollment_url(enrollment, "visits/")

    first = clients["doctor"].post(url, follow_up(), format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    again = clients["doctor"].post(url, follow_up(), format="json", HTTP_IDEMPOTENCY_KEY="visit-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Visit.objects.count() == 1


# --- hospital stays and absences -----------------------------------------------------------------


def test_admission_and_discharge_move_the_map_icon(clients, staff, patient):
    enrollment = enroll(staff, patient)
    client = clients["doctor"]

    admitted = client.post(enrollment_url(enrollment, "status/"), {"kind": "hospital", "start": "2026-11-20"},
                           format="json")
    twice = client.post(enrollment_url(enrollment, "status/"), {"kind": "hospital", "start": "2026-11-21"},
                        format="json")
    during = client.get(TODAY_URL).json()
    discharged = client.post(enrollment_url(enrollment, "status/end/"), {"kind": "hospital", "end": "2026-11-24"},
                             format="json")

    assert admitted.status_code == 201
    assert (admitted.json()["kind"], admitted.json()["start"], admitted.json()["status"]) == (
        "hospital", "2026-11-20", "hospitalized")
    assert twice.status_code == 409
    assert (during["results"][0]["status"], during["counts"]["hospitalized"]) == ("hospitalized", 1)
    assert discharged.status_code == 200
    assert (discharged.json()["end"], discharged.json()["status"]) == ("2026-11-24", "not_due")
    enrollment.refresh_from_db()
    assert enrollment.next_due_date == datetime.date(2026, 12, 8)  # seen within two weeks of discharge


def test_away_from_home_and_back(clients, staff, patient):
    enrollment = enroll(staff, patient, details=BASICALLY_STABLE)

    away = clients["gw"].post(enrollment_url(enrollment, "status/"), {"kind": "away"}, format="json")
    counts = clients["gw"].get(TODAY_URL).json()["counts"]
    back = clients["gw"].post(enrollment_url(enrollment, "status/end/"), {"kind": "away"}, format="json")
    not_away = clients["gw"].post(enrollment_url(enrollment, "status/end/"), {"kind": "away"}, format="json")

    assert (away.status_code, away.json()["start"], away.json()["status"]) == (201, "2026-11-24", "away")
    assert counts == {"hospitalized": None, "away": 1, "visited": 0, "due": 0, "not_due": 0}  # masked (issue 10)
    assert (back.status_code, back.json()["status"]) == (200, "due")
    assert not_away.status_code == 409
    assert StatusPeriod.objects.get().end == TODAY


@pytest.mark.parametrize("body, field", [
    ({"kind": "prison", "start": "2026-11-20"}, "kind"),
    ({"kind": "hospital", "start": "2026-12-20"}, "start"),
])
def test_an_invalid_status_is_400(clients, staff, patient, body, field):
    enrollment = enroll(staff, patient)

    response = clients["doctor"].post(enrollment_url(enrollment, "status/"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert StatusPeriod.objects.count() == 0


# --- crises ------------------------------------------------------------------------------------


def test_a_crisis_alerts_the_whole_team_at_once(clients, staff, patient):
    enrollment = enroll(staff, patient, details=UNSTABLE)

    response = clients["gw"].post(enrollment_url(enrollment, "crises/"), {
        "description": "家属来电：在家中砸东西，情绪激动", "reported_by": "family",
        "occurred_at": "2026-11-24T09:40:00+08:00"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == Crisis.objects.get().pk
    assert body["alerted"] == ["***", "gw"]  # the grid worker reported it: the doctor stays masked (issue 10)
    assert (body["reported_by"], body["occurred_at"], body["outcome"]) == ("family", "2026-11-24T09:40:00+08:00", "")
    assert set(Notification.objects.filter(kind="care_crisis").values_list("user__username", flat=True)) == {
        "doctor", "gw"}


def test_the_team_records_what_it_did_and_an_admission_updates_the_map(clients, staff, patient):
    enrollment = enroll(staff, patient, details=UNSTABLE)
    crisis_id = clients["gw"].post(enrollment_url(enrollment, "crises/"), {
        "description": "情绪激动", "reported_by": "grid_worker"}, format="json").json()["id"]
    url = f"/api/v1/crises/{crisis_id}/actions/"

    first = clients["doctor"].post(url, {"note": "出诊评估，劝说就医"}, format="json")
    admitted = clients["doctor"].post(url, {"note": "送市精神卫生中心住院", "outcome": "admitted"}, format="json")

    assert (first.status_code, first.json()["outcome"]) == (201, "")
    assert admitted.status_code == 201
    assert (admitted.json()["outcome"], admitted.json()["description"]) == ("admitted", "情绪激动")
    assert CrisisAction.objects.filter(crisis_id=crisis_id).count() == 2
    assert Enrollment.objects.get().hospitalized_since == TODAY
    assert clients["doctor"].get(TODAY_URL).json()["counts"]["hospitalized"] == 1


@pytest.mark.parametrize("body, field", [
    ({"description": "", "reported_by": "family"}, "description"),
    ({"description": "砸东西", "reported_by": "neighbour_gossip"}, "reported_by"),
    ({"description": "砸东西", "reported_by": "family", "occurred_at": "2026-11-25T10:00:00+08:00"}, "occurred_at"),
])
def test_an_invalid_crisis_report_is_400_and_alerts_nobody(clients, staff, patient, body, field):
    enrollment = enroll(staff, patient)
    Notification.objects.all().delete()

    response = clients["gw"].post(enrollment_url(enrollment, "crises/"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert (Crisis.objects.count(), Notification.objects.count()) == (0, 0)


def test_crisis_actions_are_for_the_team_only(clients, staff, patient):
    enrollment = enroll(staff, patient)
    crisis_id = clients["gw"].post(enrollment_url(enrollment, "crises/"), {
        "description": "情绪激动", "reported_by": "grid_worker"}, format="json").json()["id"]
    url = f"/api/v1/crises/{crisis_id}/actions/"

    assert clients["officer_b"].post(url, {"note": "x"}, format="json").status_code == 404
    assert clients["gw_other"].post(url, {"note": "x"}, format="json").status_code == 404
    assert clients["doctor"].post(url, {"note": "x", "outcome": "vanished"}, format="json").status_code == 400
    assert clients["doctor"].post("/api/v1/crises/999999/actions/", {"note": "x"}, format="json").status_code == 404
    assert CrisisAction.objects.count() == 0
