"""Security review of issue 11: a task of a schedule per person is recorded by the care team.

The task's assignee reads and records it without the case's own access check, as long as it
is still on the case's team (`schedules_due_for` lists it only then): once removed from the
team (or the case handed over to another area), the old assignee can neither record the
task nor learn the next due date, as for any other case it may not see (404).
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care import schedules, services
from gridgov.care.models import TeamMember
from gridgov.care.schedule_models import ScheduleRecord
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.factories import PersonFactory, Tree, make_api_token, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def test_an_assignee_removed_from_the_team_no_longer_records_the_task(tree):
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    # a grid worker of another cell of the township: it sees the case only as a team member
    helper = make_user("helper", Role.GRID_WORKER, scope=Tree.CELL_A2, cells=[Tree.CELL_A2])
    person = PersonFactory(org_code=Tree.CELL_A1)
    enrollment = services.enrollment_create(
        actor=officer, person=person, program="elderly", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=10), consent=True,
        team=[TeamSpec(role="grid_worker", user=helper)])
    schedule = schedules.schedule_create(actor=officer, enrollment=enrollment, kind="medicine_delivery",
                                         interval_days=1, starts_on=TODAY - datetime.timedelta(days=1),
                                         assignee=helper)
    url = f"/api/v1/schedules/{schedule.pk}/records/"
    assert _api(helper).post(url, {"done_on": TODAY.isoformat()}, format="json").status_code == 201

    TeamMember.objects.filter(enrollment=enrollment, user=helper).update(removed_at=timezone.now())
    response = _api(helper).post(url, {"done_on": TODAY.isoformat()}, format="json")

    assert response.status_code == 404
    assert ScheduleRecord.objects.filter(schedule=schedule).count() == 1


def test_an_assignee_removed_from_the_team_is_not_told_of_the_overdue_task(tree):
    from gridgov.core.models import Notification

    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    helper = make_user("helper", Role.GRID_WORKER, scope=Tree.CELL_A2, cells=[Tree.CELL_A2])
    stays = make_user("stays", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    enrollment = services.enrollment_create(
        actor=officer, person=PersonFactory(org_code=Tree.CELL_A1), program="elderly", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=10), consent=True,
        team=[TeamSpec(role="grid_worker", user=helper), TeamSpec(role="grid_worker", user=stays)])
    schedules.schedule_create(actor=officer, enrollment=enrollment, kind="medicine_delivery", interval_days=1,
                              starts_on=TODAY - datetime.timedelta(days=3), assignee=helper)
    TeamMember.objects.filter(enrollment=enrollment, user=helper).update(removed_at=timezone.now())
    Notification.objects.all().delete()

    schedules.schedules_overdue_alert(TODAY)

    told = set(Notification.objects.filter(kind="care_schedule_overdue").values_list("user__username", flat=True))
    assert "helper" not in told and "stays" in told


def test_a_masked_task_does_not_tell_its_program_by_its_source(tree):
    """A drug test shows as `***` to a grid worker; `source: "agreement"` (only a drug
    rehabilitation agreement sets schedules) would tell the program all the same."""
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    gw = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    services.enrollment_create(
        actor=officer, person=PersonFactory(org_code=Tree.CELL_A1), program="drug_rehab", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=10), legal_basis="《禁毒法》第三十三条",
        details={"test_every_days": 7, "agreement_start": (TODAY - datetime.timedelta(days=10)).isoformat()},
        team=[TeamSpec(role="grid_worker", user=gw)])

    rows = _api(gw).get("/api/v1/care/schedules/due/").json()["results"]

    assert rows and all(r["kind"] == "***" for r in rows)
    assert all(r["source"] != "agreement" for r in rows)
