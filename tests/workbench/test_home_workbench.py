"""The home page is the workbench: each role sees what waits for it now, counted, and linked
to the list that shows those rows (issue 11 §B)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.care.models import TeamMember
from gridgov.core.models import EmergencyGrant, RoleGrantRequest
from gridgov.events.workflow import Status
from tests.factories import PersonFactory, Tree
from tests.workbench.conftest import item, make_crises, make_enrollments, make_events, make_handovers, make_round


def _home(login, user):
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return response


def test_the_police_liaison_sees_only_its_own_teams_cases_counted(login, roles):
    mine = make_enrollments(2, due_in_days=-1)
    TeamMember.objects.bulk_create([TeamMember(enrollment=e, user=roles["police"], role="police_liaison")
                                    for e in mine])
    make_enrollments(5, due_in_days=-1)  # the area's other cases

    response = _home(login, roles["police"])

    due = item(response, "care.visits_due")
    assert due.count == 2 and due.url == reverse("care-enrollment", args=[mine[0].pk])
    assert item(response, "care.confirm_mine") is None  # nothing to confirm: no item without a page


def test_a_doctor_with_13_visits_due_sees_them_counted_and_linked(login, roles):
    make_enrollments(10, due_in_days=0)
    make_enrollments(3, due_in_days=-5)
    make_enrollments(4, due_in_days=20)  # not due yet

    response = _home(login, roles["doctor"])

    content = response.content.decode()
    assert "Nothing to do yet" not in content
    due, overdue = item(response, "care.visits_due"), item(response, "care.visits_overdue")
    assert (due.count, overdue.count) == (13, 3)
    assert due.url == reverse("care-today") + "?status=due"
    assert f'href="{due.url}"' in content and "Visits due" in content and "Visits overdue" in content
    assert "Overdue" in content  # said in words, not by colour alone


def test_the_visits_due_link_lists_exactly_the_visits_counted(login, roles):
    make_enrollments(3, due_in_days=0)
    make_enrollments(2, due_in_days=-1)
    make_enrollments(2, due_in_days=9)
    client = login(roles["doctor"])
    url = item(client.get(reverse("home")), "care.visits_due").url

    response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["rows"]) == 5


def test_the_grid_worker_gets_a_big_report_button_events_to_verify_the_checklist_and_visits(login, roles,
                                                                                              departments):
    make_events(2, status=Status.HANDLED, department=departments["station"])
    make_events(1, status=Status.HANDLED, department=departments["station"], org_code=Tree.CELL_A2)  # not theirs
    update_round = make_round(4, assignee=roles["gw"], due_on=timezone.localdate() - datetime.timedelta(days=1))
    make_enrollments(2, due_in_days=0)

    response = _home(login, roles["gw"])

    content = response.content.decode()
    assert f'href="{reverse("events-mobile")}?tab=report"' in content and "Report an event" in content
    assert item(response, "events.to_verify").count == 2
    checklist = item(response, f"register.to_check.{update_round.pk}")
    assert checklist.count == 4 and checklist.urgency == "overdue"
    assert checklist.url == reverse("register-checklist", args=[update_round.pk]) + "?status=pending"
    assert item(response, "care.visits_due").count == 2


def test_the_dispatcher_sees_what_to_dispatch_close_and_chase(login, roles, departments):
    make_events(3, status=Status.REGISTERED)
    make_events(1, status=Status.RETURNED)
    make_events(2, status=Status.VERIFIED)
    make_events(2, status=Status.ACCEPTED, department=departments["station"], deadline_in=-datetime.timedelta(hours=2),
                supervised=True)

    response = _home(login, roles["dispatcher"])

    counts = {key: item(response, key).count for key in
              ("events.to_dispatch", "events.returned", "events.to_close", "events.overdue", "events.supervised")}
    assert counts == {"events.to_dispatch": 3, "events.returned": 1, "events.to_close": 2, "events.overdue": 2,
                      "events.supervised": 2}


@pytest.mark.parametrize("key,n", [("events.to_dispatch", 3), ("events.returned", 1), ("events.to_close", 2),
                                   ("events.overdue", 2), ("events.supervised", 2)])
def test_each_dispatcher_link_lists_the_events_it_counts(login, roles, departments, key, n):
    make_events(3, status=Status.REGISTERED)
    make_events(1, status=Status.RETURNED)
    make_events(2, status=Status.VERIFIED)
    make_events(2, status=Status.ACCEPTED, department=departments["station"], deadline_in=-datetime.timedelta(hours=2),
                supervised=True)
    make_events(1, status=Status.ACCEPTED, department=departments["station"])  # on time, not supervised
    client = login(roles["dispatcher"])

    response = client.get(item(client.get(reverse("home")), key).url)

    assert response.status_code == 200
    assert len(response.context["rows"]) == n


def test_a_station_sees_its_inbox_and_what_is_due_soon_or_overdue(login, roles, departments):
    station = departments["station"]
    make_events(2, status=Status.DISPATCHED, department=station)
    make_events(1, status=Status.ACCEPTED, department=station, deadline_in=datetime.timedelta(hours=5))
    make_events(3, status=Status.ACCEPTED, department=station, deadline_in=-datetime.timedelta(hours=1))
    make_events(4, status=Status.DISPATCHED, department=departments["housing"])  # not theirs

    client = login(roles["station"])
    response = client.get(reverse("home"))

    assert item(response, "events.to_accept").count == 2
    assert item(response, "events.handling").count == 4
    soon, overdue = item(response, "events.due_soon"), item(response, "events.unit_overdue")
    assert (soon.count, overdue.count) == (1, 3)
    assert len(client.get(soon.url).context["rows"]) == 1
    assert len(client.get(overdue.url).context["rows"]) == 3


def test_the_officer_sees_unconfirmed_high_risk_cases_handovers_and_open_crises(login, roles):
    risky = make_enrollments(2, due_in_days=10, high_risk=True, team=[roles["doctor"]])
    moving = make_enrollments(3, due_in_days=10)
    make_handovers(moving[:2], to_org_code=Tree.CELL_B1)  # outgoing
    arriving = make_enrollments(1, due_in_days=10, org_code=Tree.CELL_B1)
    make_handovers(arriving, from_org_code=Tree.CELL_B1, to_org_code=Tree.CELL_A1, late=True)  # incoming, late
    crisis = make_crises(risky[:1])[0]

    response = _home(login, roles["officer"])

    assert item(response, "care.unconfirmed").count == 2
    incoming = item(response, "care.handovers_in")
    assert incoming.count == 1 and incoming.urgency == "overdue"
    assert item(response, "care.handovers_out").count == 2
    crises = item(response, "care.open_crises")
    assert crises.count == 1 and crises.url == reverse("care-crisis", args=[crisis.pk])


def test_the_doctor_is_asked_for_their_own_confirmation_of_high_risk_cases(login, roles):
    risky = make_enrollments(1, due_in_days=10, high_risk=True, team=[roles["doctor"]])
    make_enrollments(1, due_in_days=10, high_risk=True, team=[roles["doctor"]])
    TeamMember.objects.filter(enrollment=risky[0]).update(acknowledged_at=timezone.now())

    response = _home(login, roles["doctor"])

    mine = item(response, "care.confirm_mine")
    assert mine.count == 1 and mine.url.startswith("/care/enrollments/")


def test_the_screener_sees_open_rounds_and_changes_awaiting_sign_off(login, roles):
    from gridgov.register import rounds

    update_round = make_round(3, assignee=roles["gw"])
    for checklist_item in update_round.items.all()[:2]:
        rounds.item_propose_edits(actor=roles["gw"], item=checklist_item,
                                  edits=[{"kind": "household", "values": {"address": "幸福路 9 号"}}])
    client = login(roles["screener"])

    response = client.get(reverse("home"))

    assert item(response, "register.open_rounds").count == 1
    to_sign = item(response, "register.to_sign_off")
    assert to_sign.count == 2
    assert len(client.get(to_sign.url).context["rows"]) == 2


def test_the_auditor_sees_emergency_accesses_to_review(login, roles):
    person = PersonFactory()
    now = timezone.now()
    EmergencyGrant.objects.create(user=roles["doctor"], person=person, org_code=Tree.CELL_A1, reason="medical",
                                  granted_at=now, expires_at=now + datetime.timedelta(hours=4))

    response = _home(login, roles["auditor"])

    assert item(response, "core.emergency_reviews").count == 1
    assert item(response, "core.export_holds").count == 0


def test_the_city_administrator_sees_role_grants_and_care_figures_never_names(login, roles):
    RoleGrantRequest.objects.create(user=roles["doctor"], roles=["care_worker"], reason="新同事", org_code="99",
                                    requested_by=roles["officer"])
    enrollments = make_enrollments(6, due_in_days=-3)
    names = [e.person.name for e in enrollments]

    response = _home(login, roles["admin"])

    assert item(response, "core.role_grants").count == 1
    assert item(response, "care.enrolled").count == 6
    assert item(response, "care.visits_due") is None  # above the county: figures only
    content = response.content.decode()
    assert not any(name in content for name in names)


def test_small_care_figures_are_suppressed_for_the_city_administrator(login, roles):
    make_enrollments(3, due_in_days=-3)

    response = _home(login, roles["admin"])

    enrolled = item(response, "care.enrolled")
    assert enrolled.count is None and enrolled.shown == "<5"


def test_a_small_remainder_of_the_care_figures_cannot_be_worked_out(login, roles):
    # review: 6 enrolled and 5 overdue would give away the 1 not overdue by a subtraction
    make_enrollments(5, due_in_days=-3)
    make_enrollments(1, due_in_days=20)

    response = _home(login, roles["admin"])

    assert item(response, "care.enrolled").count == 6
    assert item(response, "care.overdue_statistics").count is None


def test_an_empty_workbench_says_so_kindly(login, roles):
    response = _home(login, roles["station"])

    assert response.context["workbench"].is_empty
    assert "Nothing is waiting for you right now." in response.content.decode()


def test_a_workbench_with_work_does_not_say_it_is_empty(login, roles):
    make_enrollments(1, due_in_days=0)

    response = _home(login, roles["doctor"])

    assert "Nothing is waiting for you right now." not in response.content.decode()


def _everything(roles, departments):
    """Some of everything each role may be waiting for."""
    station = departments["station"]
    make_events(2, status=Status.REGISTERED)
    make_events(1, status=Status.RETURNED)
    make_events(1, status=Status.VERIFIED)
    make_events(1, status=Status.HANDLED, department=station)
    make_events(2, status=Status.DISPATCHED, department=station)
    make_events(1, status=Status.ACCEPTED, department=station, deadline_in=datetime.timedelta(hours=3))
    make_events(1, status=Status.ACCEPTED, department=station, deadline_in=-datetime.timedelta(hours=3),
                supervised=True)
    make_events(1, status=Status.ACCEPTED, department=departments["market"], rework=1)
    risky = make_enrollments(2, due_in_days=-2, high_risk=True, team=[roles["doctor"], roles["gw"]])
    TeamMember.objects.bulk_create([TeamMember(enrollment=e, user=roles["police"], role="police_liaison")
                                    for e in risky])
    make_enrollments(2, due_in_days=0)
    make_handovers(make_enrollments(1, due_in_days=9), to_org_code=Tree.CELL_B1)
    make_crises(risky)
    make_round(2, assignee=roles["gw"])


@pytest.mark.parametrize("role", ["dispatcher", "gw", "department", "station", "doctor", "officer", "screener",
                                  "auditor", "admin", "mediator", "police"])
def test_every_link_on_the_workbench_opens_for_that_role(login, roles, departments, role):
    _everything(roles, departments)
    client = login(roles[role])
    bench = client.get(reverse("home")).context["workbench"]

    urls = [i.url for i in bench.items] + [a.url for a in bench.actions]
    assert urls or role == "mediator"
    if role == "police":  # no area list: each item opens one of its own team's cases
        assert all(u.startswith(("/care/enrollments/", "/care/crises/")) for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
