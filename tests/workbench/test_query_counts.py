"""Each role's home page costs the same number of queries for 3 waiting rows as for 30."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.core.models import EmergencyGrant, RoleGrantRequest
from gridgov.events.workflow import Status
from tests.factories import PersonFactory, Tree, make_user
from tests.workbench.conftest import (
    make_crises,
    make_enrollments,
    make_events,
    make_handovers,
    make_inspection_round,
    make_round,
)

# session, user, the user's roles, the scope's name (header and "My area"), the unread badge
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_dispatcher_home_query_count(login, roles, departments, django_assert_num_queries, n):
    make_events(n, status=Status.REGISTERED)
    make_events(n, status=Status.ACCEPTED, department=departments["station"], deadline_in=-datetime.timedelta(hours=1),
                supervised=True)
    client = login(roles["dispatcher"])

    # the event counts (one aggregate), the departments of the area; the suggestions to assign
    # and to moderate (one aggregate)
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("home"))

    assert response.context["workbench"].items[0].count == n


@pytest.mark.parametrize("role", ["department", "station"])
@pytest.mark.parametrize("n", [3, 30])
def test_unit_home_query_count(login, roles, departments, django_assert_num_queries, n, role):
    unit = departments["market"] if role == "department" else departments["station"]
    make_events(n, status=Status.DISPATCHED, department=unit, deadline_in=datetime.timedelta(hours=2))
    client = login(roles[role])

    # the inbox counts (one aggregate), the departments of the area, the user's own unit; the
    # suggestions to answer and past their day (one aggregate)
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("home"))

    assert response.context["workbench"].items[0].count == n


@pytest.mark.parametrize("n", [3, 30])
def test_grid_worker_home_query_count(login, roles, departments, django_assert_num_queries, n):
    make_events(n, status=Status.HANDLED, department=departments["station"])
    make_round(n, assignee=roles["gw"])
    inspection_round = make_inspection_round(n, assignee=roles["gw"])
    make_enrollments(n, due_in_days=0, high_risk=True, team=[roles["gw"]])
    make_crises(make_enrollments(n, due_in_days=-1))
    client = login(roles["gw"])

    # my cells, read once for the whole page (core.selectors.grid_cells_of); events: the
    # count to verify; register: the checklist per round, the places to inspect per
    # inspection round; care: the visit counts, my confirmations, the open crises; home:
    # my cells' units, the people living there; the village meetings' concerns (one aggregate)
    with django_assert_num_queries(BASE + 10):
        response = client.get(reverse("home"))

    counts = {item.key: item.count for item in response.context["workbench"].items}
    assert counts["events.to_verify"] == n and counts["care.visits_due"] == 2 * n
    assert counts[f"register.to_inspect.{inspection_round.pk}"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_doctor_home_query_count(login, roles, django_assert_num_queries, n):
    make_enrollments(n, due_in_days=-2, high_risk=True, team=[roles["doctor"]])
    make_crises(make_enrollments(n, due_in_days=0))
    client = login(roles["doctor"])

    # the visit counts, my confirmations, the open crises
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("home"))

    counts = {item.key: item.count for item in response.context["workbench"].items}
    assert counts["care.visits_due"] == 2 * n and counts["care.confirm_mine"] == n and counts["care.open_crises"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_officer_home_query_count(login, roles, django_assert_num_queries, n):
    make_enrollments(n, due_in_days=-2, high_risk=True, team=[roles["doctor"]])
    make_handovers(make_enrollments(n, due_in_days=5), to_org_code=Tree.CELL_B1)
    client = login(roles["officer"])

    # visits: counts, my confirmations, open crises; cases: unconfirmed, handovers
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("home"))

    counts = {item.key: item.count for item in response.context["workbench"].items}
    assert counts["care.unconfirmed"] == n and counts["care.handovers_out"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_screener_home_query_count(login, roles, django_assert_num_queries, n):
    make_round(n)
    client = login(roles["screener"])

    # the open rounds, the sign-off queue; the village meetings' concerns (one aggregate)
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("home"))

    assert response.context["workbench"].items[0].count == 1


@pytest.mark.parametrize("n", [3, 30])
def test_auditor_home_query_count(login, roles, django_assert_num_queries, n):
    now = timezone.now()
    EmergencyGrant.objects.bulk_create([
        EmergencyGrant(user=roles["doctor"], person=p, org_code=Tree.CELL_A1, reason="medical", granted_at=now,
                       expires_at=now + datetime.timedelta(hours=3))
        for p in PersonFactory.create_batch(n)
    ])
    client = login(roles["auditor"])

    # export holds (the flags: none), emergency accesses to review, the latest audit entries
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("home"))

    assert [i.count for i in response.context["workbench"].items] == [0, n]


@pytest.mark.parametrize("n", [3, 30])
def test_city_administrator_home_query_count(login, roles, django_assert_num_queries, n):
    make_enrollments(n, due_in_days=-1)
    RoleGrantRequest.objects.bulk_create([
        RoleGrantRequest(user=make_user(f"new{i}", scope=Tree.COUNTY_A), roles=["care_worker"], reason="新同事",
                         org_code=Tree.COUNTY_A, requested_by=roles["officer"])
        for i in range(n)
    ])
    client = login(roles["admin"])

    # care figures (one aggregate), role grants; then the admin counts: levels, departments,
    # users, people
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("home"))

    counts = {item.key: item.count for item in response.context["workbench"].items}
    assert counts["core.role_grants"] == n and counts["care.enrolled"] == (None if n < 5 else n)


@pytest.mark.parametrize("n", [3, 30])
def test_police_liaison_home_query_count(login, roles, django_assert_num_queries, n):
    from gridgov.care.models import TeamMember

    mine = make_enrollments(n, due_in_days=-1)
    TeamMember.objects.bulk_create([TeamMember(enrollment=e, user=roles["police"], role="police_liaison")
                                    for e in mine])
    client = login(roles["police"])

    # the visit counts (with the first case to open), my confirmations, the open crises
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("home"))

    counts = {item.key: item.count for item in response.context["workbench"].items}
    assert counts["care.visits_due"] == n


# --- the lists the workbench links to, where it added a filter ----------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_inbox_by_deadline_query_count(login, roles, departments, django_assert_num_queries, n):
    make_events(n, status=Status.ACCEPTED, department=departments["station"], deadline_in=-datetime.timedelta(hours=1))
    client = login(roles["station"])

    # as the inbox's tabs (events_views/test_query_counts.py): the user's station, the tab
    # counts, the page of events, the calendars, the places' names
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("events-inbox"), {"due": "overdue"})

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_queue_of_supervised_events_query_count(login, roles, departments, django_assert_num_queries, n):
    make_events(n, status=Status.ACCEPTED, department=departments["station"], deadline_in=-datetime.timedelta(hours=1),
                supervised=True)
    client = login(roles["dispatcher"])

    # as the queue (events_views/test_query_counts.py): the filter choices (categories,
    # departments), the page of events, the calendars, the places' names, the duplicate candidates
    with django_assert_num_queries(BASE + 7):
        response = client.get(reverse("events-queue"), {"supervised": "on"})

    assert len(response.context["rows"]) == n


def test_mediator_home_query_count(login, roles, django_assert_num_queries):
    client = login(roles["mediator"])

    # mediation (issue 13): the layout and the mediation section's four counts; nothing waits
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("home"))

    assert response.context["workbench"].is_empty
