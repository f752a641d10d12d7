"""Every (status, action, role) of the event loop, taken THROUGH THE SERVICE (workflow, issue 11).

For each action, an event is built in every status (factories), and a user of every role
takes the action with a request that would be valid. What the user should get is read from
the table in `events/workflow.py` and the few object rules it cannot hold (the unit the event
was sent to, the cell's grid worker):
- may never (no capability the table names, or not their unit / cell) → 403, nothing changes;
- may, but not from this status → 409, nothing changes;
- otherwise the event reaches the table's target, with a timeline row and an audit entry.

So a service that moved an event elsewhere than its table says, let a role through that the
table does not name, or answered 409 where 403 is due, fails here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import AuditEntry, Role
from gridgov.core.permissions import Capability, capabilities_of
from gridgov.events.models import Event, Extension, TimelineEntry
from gridgov.events.services import ActionRequest, event_act, event_merge, event_reporter_dispute
from gridgov.events.workflow import TRANSITIONS, Action, Outcome, SideAction, Status
from tests.factories import EventFactory, Tree, make_user

UNIT_ONLY = {Capability.HANDLE_EVENTS, Capability.PASS_ON_EVENTS}


class _Rollback(Exception):
    pass


@pytest.fixture
def walkers(tree, departments, categories):
    """One user of every role, each where the loop would put them: the dispatcher over the
    county, the grid worker on the event's cell, the station the event is sent to and its
    department, and every other role in the same county."""
    users = {}
    for role in Role.values:
        kwargs = {"scope": Tree.COUNTY_A}
        if role == Role.GRID_WORKER:
            kwargs = {"scope": Tree.CELL_A1, "cells": [Tree.CELL_A1]}
        elif role == Role.DEPARTMENT_STAFF:
            kwargs["department"] = departments["market"]
        elif role == Role.STATION_STAFF:
            kwargs = {"scope": Tree.TOWNSHIP_A, "department": departments["station"]}
        elif role in (Role.CITY_ADMIN, Role.AUDITOR):
            kwargs = {"scope": "99"}
        users[role] = make_user(f"walk-{role}", role, **kwargs)
    # An auditor who is also a dispatcher still changes nothing (issue 10).
    users["auditor+dispatcher"] = make_user("walk-auditor-dispatcher", Role.AUDITOR, Role.DISPATCHER,
                                            scope=Tree.COUNTY_A)
    return users


def _event_in(status: str, departments) -> Event:
    sent = status not in {Status.REGISTERED, Status.RETURNED}
    return EventFactory(
        status=status,
        department=departments["station"] if sent else None,
        owner_department=departments["market"] if status != Status.REGISTERED else None,
    )


# A request that is valid for each action, so that only the table and the object rules decide.
REQUESTS = {
    Action.DISPATCH: dict(department="990101001-market"),
    Action.ACCEPT: {},
    Action.RETURN: dict(reason="不属于本所职责"),
    Action.HANDLE: dict(note="已清理通道"),
    Action.CLOSE: {},
    Action.EVALUATE: dict(rating=4),
    Action.REOPEN: dict(reason="群众反映仍被占用"),
    Action.EXTEND: dict(hours="8", reason="需协调物业"),
    Action.APPROVE_EXTENSION: dict(approve=True),
    Action.SUSPEND: dict(reason="长期整治"),
    Action.RESUME: {},
    Action.CANCEL: dict(reason="无效报告"),
    Action.RESOLVE_ON_SITE: dict(note="现场劝离"),
}


@dataclass(frozen=True)
class Step:
    action: str
    outcome: str | None = None

    def request(self) -> dict:
        if self.action == Action.VERIFY:
            passed = self.outcome == Outcome.PASSED
            return {"passed": passed, "note": "" if passed else "通道仍被占用"}
        return REQUESTS[self.action]

    def __str__(self) -> str:
        return f"{self.action}:{self.outcome}" if self.outcome else str(self.action)


STEPS = [Step(a) for a in Action.values if a != Action.VERIFY] + [
    Step(Action.VERIFY, Outcome.PASSED), Step(Action.VERIFY, Outcome.REWORK)]


def _expected(user, event: Event, action: str) -> int | str:
    """403, 409, or the status the table sends the event to."""
    transition = TRANSITIONS[action]
    granting = transition.capabilities & capabilities_of(user)
    if not granting:
        return 403
    if granting <= UNIT_ONLY and user.department_id not in {event.department_id, event.owner_department_id}:
        return 403
    if action == Action.VERIFY and Capability.DISPATCH_EVENTS not in capabilities_of(user):
        if not user.grid_assignments.filter(cell_id=event.org_code).exists():
            return 403
    if event.status not in transition.sources:
        return 409
    return "moves"


def _footprint(event: Event) -> tuple:
    return (Event.objects.filter(pk=event.pk).values_list("status", flat=True).get(),
            TimelineEntry.objects.filter(event=event).count(),
            AuditEntry.objects.filter(object_id=str(event.pk)).count())


def _try(take, event: Event, expected, target, audit_action: str, label: str) -> str | None:
    """Take one step in a savepoint that is rolled back; return what went wrong, if anything."""
    before = _footprint(event)
    problem = None
    try:
        with transaction.atomic():
            try:
                take()
            except DomainError as error:
                after = _footprint(event)
                if expected == "moves":
                    problem = f"{label}: refused ({error.code}: {error.message}), the table lets it through"
                elif error.http_status != expected:
                    problem = f"{label}: answered {error.http_status} ({error.code}), expected {expected}"
                elif after != before:
                    problem = f"{label}: refused with {expected} but changed {before} → {after}"
                raise _Rollback from None
            if expected != "moves":
                problem = f"{label}: went through, expected {expected}"
                raise _Rollback
            status, timeline, audits = _footprint(event)
            last = TimelineEntry.objects.filter(event=event).order_by("-id").first()
            if status != target:
                problem = f"{label}: reached {status}, the table says {target}"
            elif timeline != before[1] + 1 or (last.from_status, last.to_status) != (before[0], target):
                problem = f"{label}: no timeline row {before[0]} → {target}"
            elif not AuditEntry.objects.filter(object_id=str(event.pk), action=audit_action).count() or \
                    audits <= before[2]:
                problem = f"{label}: no audit entry {audit_action}"
            raise _Rollback
    except _Rollback:
        pass
    return problem


@pytest.mark.parametrize("step", STEPS, ids=str)
def test_every_status_and_role_through_event_act(step, walkers, departments):
    problems = []
    transition = TRANSITIONS[step.action]
    for status in Status.values:
        for name, user in walkers.items():
            event = _event_in(status, departments)
            if step.action == Action.APPROVE_EXTENSION:
                Extension.objects.create(event=event, hours=8, reason="需协调", requested_by=walkers[Role.STATION_STAFF])
            expected = _expected(user, event, step.action)
            problem = _try(
                lambda: event_act(actor=user, event=event, request=ActionRequest(action=step.action, **step.request())),
                event, expected, transition.target_for(step.outcome), "event.action",
                f"{step} from {status} by {name}")
            if problem:
                problems.append(problem)
    assert problems == []


def test_merging_a_duplicate_for_every_status_and_role(walkers, departments):
    problems = []
    for status in Status.values:
        original = _event_in(Status.DISPATCHED, departments)
        for name, user in walkers.items():
            duplicate = _event_in(status, departments)
            expected = _expected(user, duplicate, SideAction.MERGE)
            problem = _try(lambda: event_merge(actor=user, duplicate=duplicate, original=original), duplicate,
                           expected, TRANSITIONS[SideAction.MERGE].target, "event.merge",
                           f"merge from {status} by {name}")
            if problem:
                problems.append(problem)
    assert problems == []


def test_the_reporters_dispute_for_every_status(departments, categories):
    problems = []
    for status in Status.values:
        event = _event_in(status, departments)
        expected = "moves" if status in TRANSITIONS[SideAction.DISPUTE].sources else 409
        problem = _try(lambda: event_reporter_dispute(event=event, reason="问题没有解决"), event, expected,
                       TRANSITIONS[SideAction.DISPUTE].target, "event.feedback", f"dispute from {status}")
        if problem:
            problems.append(problem)
    assert problems == []


def test_a_verification_that_fails_is_rework_and_one_that_passes_is_verified(walkers, departments):
    # given: two handled events
    passed, failed = _event_in(Status.HANDLED, departments), _event_in(Status.HANDLED, departments)
    gw = walkers[Role.GRID_WORKER]

    # when: the cell's grid worker verifies them
    event_act(actor=gw, event=passed, request=ActionRequest(action=Action.VERIFY, passed=True))
    event_act(actor=gw, event=failed, request=ActionRequest(action=Action.VERIFY, passed=False, note="仍被占用"))

    # then: each went where its outcome says, and the failed one counts as rework
    passed.refresh_from_db(), failed.refresh_from_db()
    assert (passed.status, failed.status, failed.rework_count) == (Status.VERIFIED, Status.ACCEPTED, 1)


def test_a_routing_rule_dispatches_a_new_report_through_the_table(walkers, food_rule):
    from gridgov.events.models import Channel
    from gridgov.events.services import Submission, event_submit

    event = event_submit(actor=walkers[Role.GRID_WORKER], submission=Submission(
        category_code="food.unlicensed", description="无证摊贩", channel=Channel.GRID_WORKER,
        lat=31.005, lng=120.005))

    row = event.timeline.order_by("-id").first()
    assert (event.status, row.action, row.from_status, row.to_status) == (
        TRANSITIONS[Action.DISPATCH].target, Action.DISPATCH, Status.REGISTERED, Status.DISPATCHED)


def test_an_illegal_transition_is_a_conflict_not_a_refusal(walkers, departments):
    event = _event_in(Status.CLOSED, departments)

    with pytest.raises(DomainError) as error:
        event_act(actor=walkers[Role.STATION_STAFF], event=event, request=ActionRequest(action=Action.ACCEPT))

    assert error.value.code == ErrorCode.ILLEGAL_TRANSITION


def test_a_party_the_table_does_not_name_is_refused_and_changes_nothing(departments, categories):
    from django.utils import timezone

    from gridgov.core.exceptions import Forbidden
    from gridgov.events.services import event_transition
    from gridgov.events.workflow import Party

    # given: a verified event
    event = _event_in(Status.VERIFIED, departments)

    # when: a routing rule or the reporter's link tries to close it
    for party in Party.values:
        with pytest.raises(Forbidden):
            event_transition(event=event, action=Action.CLOSE, party=party, now=timezone.now())

    # then: it stays verified, with no new timeline row
    assert _footprint(event)[:2] == (Status.VERIFIED, 0)
