"""The workflow over the API: the whole loop by the right accounts, 403 for a role that may
never act, 409 for a state that forbids it, scope as 404, the timeline as staff and as the
public see it, merging duplicates."""

import pytest

from gridgov.events.models import Event
from gridgov.events.workflow import Status
from tests.events_api.conftest import jpeg, report
from tests.factories import Tree, make_user


def act(client, event_id, action, fmt="json", **fields):
    return client.post(f"/api/v1/events/{event_id}/actions/", {"action": action, **fields}, format=fmt)


@pytest.fixture
def event_id(client_for, people, food_rule):
    response = report(client_for(people["gw"]))
    assert response.status_code == 201
    return response.json()["id"]


@pytest.fixture
def clients(client_for, people):
    return {name: client_for(user) for name, user in people.items()}


def test_the_whole_loop_through_actions(clients, event_id):
    steps = [
        ("station", "accept", "json", {}),
        ("station", "handle", "multipart", {"note": "已取缔", "photos": [jpeg("after.jpg")]}),
        ("gw", "verify", "json", {"passed": True}),
        ("dispatcher", "close", "json", {}),
        ("dispatcher", "evaluate", "json", {"rating": 5}),
    ]
    statuses = []
    for who, action, fmt, fields in steps:
        response = act(clients[who], event_id, action, fmt, **fields)
        assert response.status_code == 200, (action, response.json())
        statuses.append(response.json()["status"])

    assert statuses == ["accepted", "handled", "verified", "closed", "evaluated"]
    body = clients["dispatcher"].get(f"/api/v1/events/{event_id}/").json()
    assert [(e["step"], e["status"]) for e in body["timeline"]] == [
        ("register", "registered"), ("dispatch", "dispatched"), ("accept", "accepted"), ("handle", "handled"),
        ("verify", "verified"), ("close", "closed"), ("evaluate", "evaluated")]
    assert body["light"] is None and body["closed_at"]


def test_a_failed_verification_sent_as_multipart_goes_back_for_rework(clients, event_id):
    act(clients["station"], event_id, "accept")
    act(clients["station"], event_id, "handle", "multipart", note="已处理", photos=[jpeg()])

    response = act(clients["gw"], event_id, "verify", "multipart", passed="false", note="摊位还在")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rework_count"]) == ("accepted", 1)


def test_verifying_without_saying_whether_it_passed_is_400_even_in_a_form(clients, event_id):
    act(clients["station"], event_id, "accept")
    act(clients["station"], event_id, "handle", "multipart", note="已处理", photos=[jpeg()])

    response = act(clients["gw"], event_id, "verify", "multipart", note="看过了")

    assert response.status_code == 400
    assert "passed" in response.json()["fields"]
    assert Event.objects.get(pk=event_id).status == Status.HANDLED


def test_a_return_needs_a_reason_and_says_where_it_should_go(clients, event_id):
    assert act(clients["station"], event_id, "return").status_code == 400

    response = act(clients["station"], event_id, "return", reason="不属于本所职责",
                   suggested_department="990101-housing")

    assert response.status_code == 200
    assert response.json()["status"] == "returned" and response.json()["department"] is None


def test_a_role_that_may_never_act_gets_403(clients, event_id):
    response = act(clients["gw"], event_id, "close")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_state_that_forbids_the_action_is_409(clients, event_id):
    response = act(clients["dispatcher"], event_id, "close")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert Event.objects.get(pk=event_id).status == Status.DISPATCHED


def test_403_wins_over_409_and_over_bad_input(clients, event_id):
    # A grid worker may never evaluate; the event is not closed and the rating is nonsense.
    response = act(clients["gw"], event_id, "evaluate", rating="lots")

    assert response.status_code == 403


def test_another_department_may_not_accept(clients, event_id):
    # The housing bureau cannot see the event at all: 404, not 403.
    assert act(clients["housing"], event_id, "accept").status_code == 404


def test_an_unknown_action_is_400(clients, event_id):
    response = act(clients["station"], event_id, "teleport")

    assert response.status_code == 400
    assert "action" in response.json()["fields"]


def test_extension_request_and_approval(clients, event_id):
    act(clients["station"], event_id, "accept")
    before = clients["station"].get(f"/api/v1/events/{event_id}/").json()["step_deadline"]

    assert act(clients["station"], event_id, "extend", hours="8", reason="需协调").status_code == 200
    response = act(clients["dispatcher"], event_id, "approve_extension", approve=True)

    assert response.status_code == 200
    assert response.json()["step_deadline"] > before


# --- who sees what ------------------------------------------------------------------------


def test_a_station_sees_only_its_own_events(clients, event_id, people):
    other = clients["other_station"]

    assert [row["id"] for row in clients["station"].get("/api/v1/events/").json()["results"]] == [event_id]
    assert other.get("/api/v1/events/").json()["results"] == []
    assert other.get(f"/api/v1/events/{event_id}/").status_code == 404
    assert act(other, event_id, "accept").status_code == 404
    assert other.get("/api/v1/events/999999/").json()["code"] == "not_found"


def test_staff_see_who_acted_every_note_and_the_original_photos(clients, event_id):
    act(clients["station"], event_id, "return", reason="错派", note="内部：请转住建")

    timeline = clients["dispatcher"].get(f"/api/v1/events/{event_id}/").json()["timeline"]

    assert timeline[0]["actor"] == "gw"
    assert timeline[-1]["actor"] == "stat" and timeline[-1]["note"] == "内部：请转住建"


def test_the_reporting_resident_sees_what_was_done_but_not_who_or_internal_notes(
    client_for, resident, people, food_rule, django_capture_on_commit_callbacks
):
    # given: a resident's report with a photo, handled by the station
    resident_client = client_for(resident)
    body = {"category": "food.unlicensed", "description": "无证摊点", "lat": 31.005, "lng": 120.005,
            "photos": [jpeg()]}
    with django_capture_on_commit_callbacks(execute=True):  # photos are written on commit
        event_id = resident_client.post("/api/v1/events/", body, format="multipart").json()["id"]
    station = client_for(people["station"])
    act(station, event_id, "accept", note="内部备注")
    act(station, event_id, "handle", "multipart", note="已取缔", photos=[jpeg("after.jpg")])

    # when
    detail = resident_client.get(f"/api/v1/events/{event_id}/").json()

    # then
    by_step = {entry["step"]: entry for entry in detail["timeline"]}
    assert by_step["register"]["actor"] == "resident"
    assert by_step["accept"]["actor"] is None and by_step["accept"]["note"] == ""
    assert by_step["handle"]["actor"] is None and by_step["handle"]["note"] == "已取缔"
    photo_urls = by_step["register"]["photos"] + by_step["handle"]["photos"]
    # Every link goes through the view that checks access and strips EXIF; never /media/.
    assert len(photo_urls) == 2 and all("/photos/" in url and "/media/" not in url for url in photo_urls)
    photo = client_for(people["gw"]).get(photo_urls[0].removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    other = client_for(people["other_station"]).get(photo_urls[0].removeprefix("http://testserver"))
    assert other.status_code == 404
    staff_urls = client_for(people["dispatcher"]).get(f"/api/v1/events/{event_id}/").json()["timeline"][0]["photos"]
    assert len(staff_urls) == 1 and "/media/" not in staff_urls[0]


# --- merging duplicates ------------------------------------------------------------------


def test_a_dispatcher_merges_a_duplicate(clients, event_id):
    duplicate = report(clients["gw"], lat=31.0051).json()
    assert duplicate["possible_duplicates"][0]["id"] == event_id

    response = clients["dispatcher"].post(f"/api/v1/events/{duplicate['id']}/merge/", {"into": event_id},
                                          format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Event.objects.get(pk=duplicate["id"]).duplicate_of_id == event_id


def test_only_a_dispatcher_merges(clients, event_id):
    duplicate = report(clients["gw"], lat=31.0051).json()

    response = clients["gw"].post(f"/api/v1/events/{duplicate['id']}/merge/", {"into": event_id}, format="json")

    assert response.status_code == 403
    assert Event.objects.get(pk=duplicate["id"]).status == Status.DISPATCHED


def test_merging_into_an_event_outside_the_area_is_404(clients, event_id, tree, categories):
    far_dispatcher = make_user("disp_b", "dispatcher", scope=Tree.COUNTY_B)
    from gridgov.events.services import Submission, event_submit

    elsewhere = event_submit(actor=far_dispatcher, submission=Submission(
        category_code="food.unlicensed", description="外县", channel="hotline", lat=31.005, lng=120.105))

    response = clients["dispatcher"].post(f"/api/v1/events/{event_id}/merge/", {"into": elsewhere.pk},
                                          format="json")

    assert response.status_code == 404


def test_a_retried_action_with_the_same_key_is_taken_once(clients, event_id):
    headers = {"Idempotency-Key": "accept-1"}
    first = clients["station"].post(f"/api/v1/events/{event_id}/actions/", {"action": "accept"}, format="json",
                                    headers=headers)

    again = clients["station"].post(f"/api/v1/events/{event_id}/actions/", {"action": "accept"}, format="json",
                                    headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Event.objects.get(pk=event_id).timeline.filter(action="accept").count() == 1
