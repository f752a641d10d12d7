"""Issue 10, finding 13: the auditor reads the audit log and changes nothing. No channel
registers an event for them (API, the phone page, the hotline page, the service itself, even
when the account also holds a grid worker's role), and no other write goes through."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.exceptions import DomainError
from gridgov.core.models import Role
from gridgov.events.models import Channel, Event
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401
from tests.events_views.conftest import POINT_A1, report
from tests.factories import Tree, make_user

EVENT = {"category": "food.unlicensed", "description": "路边无证摊点", **POINT_A1}


@pytest.fixture
def auditor(people):
    return make_user("audit-1", Role.AUDITOR, scope="99")


@pytest.fixture
def auditing_worker(people):
    """An account holding both roles: the auditor's rule still wins."""
    return make_user("audit-gw", Role.AUDITOR, Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_api_refuses_an_auditors_report(auditor, food_rule):
    response = _api(auditor).post("/api/v1/events/", EVENT, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Event.objects.count() == 0


def test_the_api_refuses_a_report_from_an_auditor_who_is_also_a_grid_worker(auditing_worker, food_rule):
    response = _api(auditing_worker).post("/api/v1/events/", {**EVENT, "photos": [jpeg()]}, format="multipart")

    assert response.status_code == 403
    assert Event.objects.count() == 0


@pytest.mark.parametrize("page", ["events-mobile", "events-hotline"])
def test_the_intake_pages_refuse_the_auditor(page, auditor, auditing_worker, food_rule):
    body = {"domain": "food", **EVENT, "urgency": "ordinary", "idempotency_key": f"k-{page}",
            "caller_name": "来电人", "caller_phone": "13912345678"}

    for user in (auditor, auditing_worker):
        response = _page(user).post(reverse(page), body)
        assert response.status_code == 403, (user.username, page)
    assert Event.objects.count() == 0


@pytest.mark.parametrize("channel", [Channel.GRID_WORKER, Channel.HOTLINE, Channel.RESIDENT, Channel.OPEN311])
def test_the_service_refuses_the_auditor_on_every_channel(channel, auditing_worker, food_rule):
    with pytest.raises(DomainError) as error:
        event_submit(actor=auditing_worker, submission=Submission(
            category_code="food.unlicensed", description="路边无证摊点", channel=channel, **POINT_A1))

    assert error.value.http_status == 403
    assert Event.objects.count() == 0


def test_staff_channels_belong_to_their_roles(people, food_rule):
    with pytest.raises(DomainError) as error:
        report(people["station"], channel=Channel.HOTLINE)
    assert error.value.http_status == 403
    with pytest.raises(DomainError):
        report(people["station"], channel=Channel.GRID_WORKER)


def test_the_auditor_takes_no_workflow_action(auditing_worker, people, food_rule):
    event = report(people["gw"])

    for action in ("dispatch", "accept", "cancel", "verify"):
        with pytest.raises(DomainError) as error:
            event_act(actor=auditing_worker, event=event, request=ActionRequest(action=action, reason="x"))
        assert error.value.http_status in (403, 404), action
    response = _api(auditing_worker).post(f"/api/v1/events/{event.pk}/actions/", {"action": "cancel", "reason": "x"},
                                          format="json")
    assert response.status_code in (403, 404)
    event.refresh_from_db()
    assert event.status == "dispatched"


@pytest.mark.parametrize("path,body", [
    ("/api/v1/people/", {"name": "张三", "resident_id": "11010519491231002X", "org_code": Tree.CELL_A1}),
    ("/api/v1/enrollments/", {"person": 1, "program": "elderly", "org_code": Tree.CELL_A1,
                              "start_date": "2026-01-01", "consent": True}),
    ("/api/v1/handovers/", {"enrollment": 1, "to_org_code": Tree.CELL_A1, "due_date": "2026-12-31",
                            "reason": "moved"}),
])
def test_other_writes_are_refused_to_the_auditor(path, body, auditor):
    response = _api(auditor).post(path, body, format="json")

    assert response.status_code == 403, response.content
