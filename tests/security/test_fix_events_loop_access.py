"""Issue 10, permission matrix (events): a role outside the event loop, and the auditor, get
403 with the error shape on every event URL, before the body or the event is read; a
resident account still follows its own reports, and every working role may still report."""

import pytest
from django.urls import reverse

from gridgov.core.models import Role
from gridgov.events.models import Event
from tests.events.conftest import categories, departments, food_rule, people  # noqa: F401
from tests.events_api.conftest import POINT_A1, anon, client_for, report, resident  # noqa: F401
from tests.events_views.conftest import login  # noqa: F401
from tests.factories import Tree, make_user


@pytest.fixture
def event_id(client_for, people, food_rule):
    return report(client_for(people["gw"])).json()["id"]


@pytest.mark.parametrize("role", [Role.CARE_WORKER, Role.MEDIATOR, Role.PROGRAM_OFFICER, Role.SCREENER,
                                  Role.AUDITOR])
def test_a_role_outside_the_loop_is_refused_every_event_read_and_action(client_for, event_id, role):
    # given: staff of the event's own township whose work lies outside the loop
    client = client_for(make_user("outsider", role, scope=Tree.TOWNSHIP_A))

    # when
    answers = [
        client.get("/api/v1/events/"),
        client.get(f"/api/v1/events/{event_id}/"),
        client.post(f"/api/v1/events/{event_id}/actions/", {"action": "cancel", "reason": "x"}, format="json"),
        client.post(f"/api/v1/events/{event_id}/merge/", {"into": event_id}, format="json"),
        # an event that does not exist: the same 403, so nothing is learnt about ids
        client.get(f"/api/v1/events/{event_id + 999}/"),
    ]

    # then
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert all(a.json()["code"] == "permission_denied" for a in answers)
    assert Event.objects.get(pk=event_id).status == "dispatched"


def test_the_pages_refuse_a_role_outside_the_loop(login, event_id):
    client = login(make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A))

    assert client.get(reverse("events-detail", args=[event_id])).status_code == 403
    assert client.post(reverse("events-act", args=[event_id]), {"action": "cancel"}).status_code == 403
    assert client.post(reverse("events-merge", args=[event_id]), {}).status_code == 403


def test_a_role_that_never_merges_is_refused_before_the_body_is_read(client_for, login, people, event_id):
    for name in ("department", "station", "gw"):
        response = client_for(people[name]).post(f"/api/v1/events/{event_id}/merge/", {}, format="json")
        assert response.status_code == 403, name
        assert login(people[name]).post(reverse("events-merge", args=[event_id]), {}).status_code == 403, name


def test_the_auditor_is_refused_a_report_before_the_body_is_read(client_for):
    auditor = make_user("auditor", Role.AUDITOR, scope="99")

    response = client_for(auditor).post("/api/v1/events/", {}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_care_worker_still_reports_and_a_resident_still_follows_their_report(client_for, resident, food_rule):
    # a care worker passes on a problem they saw (but does not follow the loop)
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)
    assert report(client_for(doctor)).status_code == 201

    # a resident's account (no role) sees its own report and nothing else
    mine = report(client_for(resident)).json()["id"]
    rows = client_for(resident).get("/api/v1/events/").json()["results"]
    assert [row["id"] for row in rows] == [mine]
    assert client_for(resident).get(f"/api/v1/events/{mine}/").status_code == 200
