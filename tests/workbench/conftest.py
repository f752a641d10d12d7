"""Fixtures of the workbench tests: one account per role on the test tree (county A), the
routing of tests/events, and rows written straight into the tables in numbers (the services
that write them are tested elsewhere; here we count what waits)."""

import datetime
import secrets

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from gridgov.care.models import Crisis, Enrollment, Handover, TeamMember
from gridgov.core.models import Role
from gridgov.events.models import Category, Channel, Event
from gridgov.events.workflow import Status
from gridgov.register.models import Building, ChecklistItem, Household, UpdateRound
from tests.events.conftest import categories, departments  # noqa: F401
from tests.factories import PersonFactory, Tree, make_user

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login():
    """A client signed in as `user`, in English (force_login: axes needs a request for passwords)."""

    def _login(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def roles(tree, departments):  # noqa: F811
    return {
        "dispatcher": make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A),
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "department": make_user("dept", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=departments["market"]),
        "station": make_user("stat", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A, department=departments["station"]),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "screener": make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A),
        "auditor": make_user("aud", Role.AUDITOR, scope="99"),
        "admin": make_user("cityadmin", Role.CITY_ADMIN, scope="99"),
        "mediator": make_user("med", Role.MEDIATOR, scope=Tree.TOWNSHIP_A),
        "police": make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A),
    }


def make_events(n, *, status, department=None, deadline_in=datetime.timedelta(days=3), supervised=False,
                org_code=Tree.CELL_A1, rework=0):
    now = timezone.now()
    category = Category.objects.get(code="food.unlicensed")
    start = Event.objects.count()
    return Event.objects.bulk_create([
        Event(code=f"990101-20261201-{start + i:04d}", category=category, description=f"摊位{i}",
              channel=Channel.GRID_WORKER, status=status, org_code=org_code, lat=31.0 + i * 0.0003, lng=120.005,
              department=department, owner_department=department, public_token=secrets.token_urlsafe(24),
              step="handle", step_started_at=now - datetime.timedelta(hours=1), step_deadline=now + deadline_in,
              supervision_level="990101" if supervised else "", rework_count=rework)
        for i in range(1, n + 1)
    ])


def make_enrollments(n, *, due_in_days=0, org_code=Tree.CELL_A1, high_risk=False, team=()):
    """`n` active SMD enrollments in cell A1 whose next visit is due `due_in_days` from today
    (negative: overdue), each with the given team accounts (not yet confirmed)."""
    people = PersonFactory.create_batch(n, org_code=org_code)
    enrollments = Enrollment.objects.bulk_create([
        Enrollment(person=p, program="smd", org_code=org_code, legal_basis="《精神卫生法》第二十四条",
                   start_date=TODAY - datetime.timedelta(days=60), retention_until=TODAY + datetime.timedelta(days=3650),
                   details={"risk_level": 3 if high_risk else 1, "classification": "basically_stable"},
                   high_risk=high_risk, next_due_date=TODAY + datetime.timedelta(days=due_in_days))
        for p in people
    ])
    TeamMember.objects.bulk_create([TeamMember(enrollment=e, user=u, role="doctor") for e in enrollments for u in team])
    return enrollments


def make_handovers(enrollments, *, to_org_code, from_org_code=Tree.CELL_A1, late=False):
    return Handover.objects.bulk_create([
        Handover(enrollment=e, from_org_code=from_org_code, to_org_code=to_org_code, reason="move",
                 due_date=TODAY + datetime.timedelta(days=-1 if late else 7))
        for e in enrollments
    ])


def make_crises(enrollments):
    return Crisis.objects.bulk_create([
        Crisis(enrollment=e, org_code=e.org_code, description="情绪激动", reported_by="family",
               occurred_at=timezone.now())
        for e in enrollments
    ])


def make_round(n, *, assignee=None, due_on=TODAY + datetime.timedelta(days=5), status=ChecklistItem.Status.PENDING,
               title="十二月更新"):
    """An open round of village A with `n` households of cell A1 on its checklist."""
    update_round = UpdateRound.objects.create(org_code=Tree.VILLAGE_A, title=title, starts_on=TODAY, due_on=due_on)
    building = Building.objects.create(org_code=Tree.CELL_A1, address="幸福路 8 号", lat=31.005, lng=120.005,
                                       use="residential")
    households = Household.objects.bulk_create([
        Household(org_code=Tree.CELL_A1, building=building, address=f"幸福路 8 号 {i} 室") for i in range(n)])
    ChecklistItem.objects.bulk_create([
        ChecklistItem(round=update_round, household=h, org_code=Tree.CELL_A1, assignee=assignee, status=status)
        for h in households
    ])
    return update_round


def make_inspection_round(n, *, assignee=None, due_on=TODAY + datetime.timedelta(days=3), title="十二月消防检查"):
    """An open inspection round of village A with `n` places of cell A1 on the list."""
    from gridgov.register.models import Place, PlaceInspection, RoundKind

    update_round = UpdateRound.objects.create(org_code=Tree.VILLAGE_A, title=title, starts_on=TODAY, due_on=due_on,
                                              kind=RoundKind.PLACES)
    places = Place.objects.bulk_create([
        Place(org_code=Tree.CELL_A1, name=f"便民店{i}号", kind="shop", lat=31.005, lng=120.005) for i in range(n)])
    PlaceInspection.objects.bulk_create([
        PlaceInspection(round=update_round, place=p, org_code=Tree.CELL_A1, assignee=assignee) for p in places])
    return update_round


def item(response, key):
    """The workbench item `key` of a home page response (None when absent)."""
    for it in response.context["workbench"].items:
        if it.key == key:
            return it
    return None


__all__ = ["Status", "TODAY", "item", "make_crises", "make_enrollments", "make_events", "make_handovers",
           "make_inspection_round", "make_round"]
