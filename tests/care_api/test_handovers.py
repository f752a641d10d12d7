"""Handovers over the API: the sending side creates, the receiving side accepts or rejects;
the wrong side gets 404, a decided handover 409."""

import datetime

import pytest

from gridgov.care.models import Enrollment, Handover
from gridgov.core.models import AuditEntry
from tests.care_api.conftest import TODAY, enroll
from tests.factories import PersonFactory, Tree

URL = "/api/v1/handovers/"
DUE = (TODAY + datetime.timedelta(days=5)).isoformat()


def hand_over(client, enrollment, **overrides):
    body = {"enrollment": enrollment.pk, "to_org_code": Tree.CELL_B1, "due_date": DUE, "reason": "move",
            "note": "随子女迁居", **overrides}
    return client.post(URL, body, format="json")


def test_the_sending_side_hands_a_person_over(clients, staff, patient):
    enrollment = enroll(staff, patient)

    response = hand_over(clients["officer"], enrollment)

    assert response.status_code == 201
    body = response.json()
    handover = Handover.objects.get()
    assert body == {
        "id": handover.pk, "enrollment": enrollment.pk, "person": {"id": patient.pk, "name": "陈明"},
        "program": "smd", "direction": "out", "from_org_code": Tree.CELL_A1, "to_org_code": Tree.CELL_B1,
        "reason": "move", "note": "随子女迁居", "due_date": DUE, "status": "pending",
        "created_at": body["created_at"], "decided_at": None, "reject_reason": "",
    }
    assert AuditEntry.objects.filter(action="care.handover").count() == 1


def test_both_sides_list_it_with_their_direction(clients, staff, patient):
    hand_over(clients["officer"], enroll(staff, patient))

    out_rows = clients["officer"].get(URL).json()["results"]
    in_rows = clients["officer_b"].get(URL, {"direction": "in"}).json()["results"]

    assert [r["direction"] for r in out_rows] == ["out"]
    assert [(r["direction"], r["program"], r["person"]["name"]) for r in in_rows] == [("in", "smd", "陈明")]
    assert clients["officer_b"].get(URL, {"direction": "out"}).json()["results"] == []
    assert clients["officer"].get(URL, {"status": "accepted"}).json()["results"] == []
    assert clients["city_officer"].get(URL).json()["results"] == []  # statistics only above the county


def test_the_receiving_side_accepts_and_the_person_moves(clients, staff, patient):
    enrollment = enroll(staff, patient)
    handover_id = hand_over(clients["officer"], enrollment).json()["id"]

    response = clients["officer_b"].post(f"{URL}{handover_id}/accept/", {"first_visit_days": 3}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["direction"]) == ("accepted", "in")
    enrollment.refresh_from_db()
    assert enrollment.org_code == Tree.CELL_B1
    assert enrollment.next_due_date == TODAY + datetime.timedelta(days=3)
    assert clients["officer_b"].get("/api/v1/enrollments/").json()["results"][0]["id"] == enrollment.pk
    assert clients["officer"].get("/api/v1/enrollments/").json()["results"] == []


def test_the_wrong_side_cannot_decide_a_handover(clients, staff, patient):
    handover_id = hand_over(clients["officer"], enroll(staff, patient)).json()["id"]

    for action, body in (("accept", {}), ("reject", {"reason": "不是我们的人"})):
        assert clients["officer"].post(f"{URL}{handover_id}/{action}/", body, format="json").status_code == 404
    assert clients["doctor"].post(f"{URL}{handover_id}/accept/", {}, format="json").status_code == 403
    assert clients["officer_b"].post(f"{URL}999999/accept/", {}, format="json").status_code == 404
    assert Handover.objects.get().status == "pending"


def test_rejecting_needs_a_reason_and_a_decided_handover_is_409(clients, staff, patient):
    handover_id = hand_over(clients["officer"], enroll(staff, patient)).json()["id"]
    client = clients["officer_b"]

    empty = client.post(f"{URL}{handover_id}/reject/", {"reason": ""}, format="json")
    rejected = client.post(f"{URL}{handover_id}/reject/", {"reason": "本人实际居住地不在本辖区"}, format="json")
    accepted_after = client.post(f"{URL}{handover_id}/accept/", {}, format="json")

    assert (empty.status_code, "reason" in empty.json()["fields"]) == (400, True)
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["reject_reason"]) == ("rejected", "本人实际居住地不在本辖区")
    assert accepted_after.status_code == 409
    assert Enrollment.objects.get().org_code == Tree.CELL_A1


@pytest.mark.parametrize("overrides, field", [
    ({"to_org_code": "990102001001999"}, "to_org_code"),
    ({"to_org_code": Tree.CELL_A1}, "to_org_code"),
    ({"due_date": "2026-11-01"}, "due_date"),
    ({"reason": "whim"}, "reason"),
])
def test_an_invalid_handover_is_400_and_changes_nothing(clients, staff, patient, overrides, field):
    response = hand_over(clients["officer"], enroll(staff, patient), **overrides)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Handover.objects.count() == 0


def test_one_pending_handover_at_a_time_and_only_for_visible_enrollments(clients, staff, patient, tree):
    enrollment = enroll(staff, patient)
    hand_over(clients["officer"], enrollment)
    elsewhere = enroll(staff | {"officer": staff["officer_b"]}, PersonFactory(org_code=Tree.CELL_B1), team=[])

    assert hand_over(clients["officer"], enrollment).status_code == 409
    assert hand_over(clients["officer"], elsewhere, to_org_code=Tree.CELL_A2).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_listing_handovers_costs_the_same_queries_whatever_their_number(
    clients, staff, tree, django_assert_num_queries, count
):
    from gridgov.care import services

    for _ in range(count):
        services.handover_create(actor=staff["officer"], enrollment=enroll(staff, PersonFactory(org_code=Tree.CELL_A1)),
                                 to_org_code=Tree.CELL_B1, due_date=TODAY, reason="move")
    client = clients["officer_b"]

    with django_assert_num_queries(3):  # token, roles, one page with the people
        response = client.get(URL)

    assert len(response.json()["results"]) == count
