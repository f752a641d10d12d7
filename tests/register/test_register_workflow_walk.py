"""Every (status, action, role) of the register's other state machines, taken THROUGH THE
SERVICES (workflow, issue 11): a round opened and closed (`ROUND_TRANSITIONS`), a proposed
change decided (`EDIT_TRANSITIONS`), and a place in an inspection round
(`INSPECTION_TRANSITIONS`). (The household's checklist item: test_round_workflow_walk.py.)

What each caller should get is read from `register/workflow.py`: without the capability the
table names, 403; from a status the action does not leave, 409; neither changes anything.
Otherwise the record reaches the table's target and the action is audited.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from gridgov.core.exceptions import DomainError
from gridgov.core.models import AuditEntry, Role
from gridgov.core.permissions import has_capability
from gridgov.register import inspections, rounds, services
from gridgov.register.inspections import Answer
from gridgov.register.models import InspectionQuestion, PlaceInspection, ProposedEdit, RoundKind, UpdateRound
from gridgov.register.workflow import (
    EDIT_TRANSITIONS,
    INSPECTION_TRANSITIONS,
    NO_OPEN_ROUND,
    ROUND_TRANSITIONS,
    EditDecision,
    InspectionStep,
    RoundStep,
)
from tests.factories import Tree, make_user

TODAY = datetime.date.today()


class _Rollback(Exception):
    pass


@pytest.fixture
def callers(grid_worker, screener):
    users = {f"role:{role}": make_user(f"walk-{role}", role, scope=Tree.VILLAGE_A) for role in Role.values}
    users["the assigned grid worker"], users["the village's screener"] = grid_worker, screener
    return users


def walk(*, table, action, statuses, callers, set_status, take, footprint) -> list[str]:
    """Each status × caller in a rolled-back transaction; the problems found."""
    transition = table[action]
    problems = []
    for status in statuses:
        for name, actor in callers.items():
            label = f"{action} from {status or 'no open round'} by {name}"
            try:
                with transaction.atomic():
                    set_status(status)
                    if not has_capability(actor, transition.capability):
                        expected = 403
                    elif status not in transition.sources:
                        expected = 409
                    else:
                        expected = "moves"
                    before = footprint()
                    try:
                        take(actor)
                    except DomainError as error:
                        if expected == "moves":
                            problems.append(f"{label}: refused ({error.code}: {error.message}), the table allows it")
                        elif error.http_status != expected:
                            problems.append(f"{label}: answered {error.http_status} ({error.code}), expected {expected}")
                        elif footprint() != before:
                            problems.append(f"{label}: refused but changed {before} → {footprint()}")
                        raise _Rollback from None
                    status_after, audits = footprint()
                    if expected != "moves":
                        problems.append(f"{label}: went through to {status_after}, expected {expected}")
                    elif status_after != transition.target:
                        problems.append(f"{label}: reached {status_after}, the table says {transition.target}")
                    elif audits <= before[1]:
                        problems.append(f"{label}: no audit entry")
                    raise _Rollback
            except _Rollback:
                pass
    return problems


# --- Rounds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", RoundKind.values)
def test_opening_a_round_from_each_state_of_the_area(kind, callers, household):
    def set_status(status):
        if status == UpdateRound.Status.OPEN:
            UpdateRound.objects.create(org_code=Tree.VILLAGE_A, kind=kind, title="已开", starts_on=TODAY,
                                       due_on=TODAY)

    def footprint():
        newest = UpdateRound.objects.filter(org_code=Tree.VILLAGE_A, kind=kind).order_by("-id").first()
        return (newest.status if newest and newest.title == "walk" else NO_OPEN_ROUND,
                AuditEntry.objects.filter(action="register.round_open").count())

    problems = walk(table=ROUND_TRANSITIONS, action=RoundStep.OPEN, statuses=[NO_OPEN_ROUND, UpdateRound.Status.OPEN],
                    callers=callers, set_status=set_status, footprint=footprint,
                    take=lambda actor: rounds.round_open(actor=actor, org_code=Tree.VILLAGE_A, title="walk",
                                                         starts_on=TODAY, due_on=TODAY, kind=kind))
    assert problems == []


@pytest.mark.parametrize("kind", RoundKind.values)
def test_closing_a_round_from_every_status(kind, callers, household):
    update_round = UpdateRound.objects.create(org_code=Tree.VILLAGE_A, kind=kind, title="walk", starts_on=TODAY,
                                              due_on=TODAY)

    def footprint():
        return (UpdateRound.objects.filter(pk=update_round.pk).values_list("status", flat=True).get(),
                AuditEntry.objects.filter(object_type="register.updateround", object_id=str(update_round.pk)).count())

    problems = walk(table=ROUND_TRANSITIONS, action=RoundStep.CLOSE, statuses=UpdateRound.Status.values,
                    callers=callers, footprint=footprint,
                    set_status=lambda s: UpdateRound.objects.filter(pk=update_round.pk).update(status=s),
                    take=lambda actor: rounds.round_close(actor=actor, update_round=update_round))
    assert problems == []


# --- Proposed changes -------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", EditDecision.values)
def test_deciding_a_proposed_change_from_every_status(decision, callers, screener, household, grid_worker):
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="12月", starts_on=TODAY,
                                     due_on=TODAY + datetime.timedelta(days=10))
    item = update_round.items.get()
    [edit] = rounds.item_propose_edits(actor=grid_worker, item=item, edits=[
        {"kind": "household", "target": household.pk, "values": {"address": "幸福路 8 号 1单元101室"}}])

    def footprint():
        return (ProposedEdit.objects.filter(pk=edit.pk).values_list("status", flat=True).get(),
                AuditEntry.objects.filter(action="register.edit_decide").count())

    problems = walk(
        table=EDIT_TRANSITIONS, action=decision, statuses=ProposedEdit.Status.values, callers=callers,
        footprint=footprint,
        set_status=lambda s: ProposedEdit.objects.filter(pk=edit.pk).update(status=s, decided_at=timezone.now()),
        take=lambda actor: rounds.edit_decide(actor=actor, edit=ProposedEdit.objects.get(pk=edit.pk),
                                              approve=decision == EditDecision.APPROVE,
                                              note="" if decision == EditDecision.APPROVE else "门牌不符"),
    )
    assert problems == []


# --- Inspections of places ----------------------------------------------------------------------------


def _answers(kind):
    return [Answer(q.pk, "ok") for q in InspectionQuestion.objects.filter(place_kind=kind, is_active=True)]


TAKE = {
    InspectionStep.RECORD: lambda actor, i: inspections.inspection_record(actor=actor, inspection=i,
                                                                          answers=_answers(i.place.kind)[:1]),
    InspectionStep.COMPLETE: lambda actor, i: inspections.inspection_record(actor=actor, inspection=i, complete=True,
                                                                            answers=_answers(i.place.kind)),
    InspectionStep.UNABLE: lambda actor, i: inspections.inspection_unable(actor=actor, inspection=i, note="店门紧闭"),
    InspectionStep.REOPEN: lambda actor, i: inspections.inspection_reopen(actor=actor, inspection=i),
}


@pytest.mark.parametrize("action", InspectionStep.values)
def test_every_status_and_role_of_a_place_inspection_through_the_services(action, callers, screener, grid_worker):
    services.place_create(actor=screener, name="老街面馆", kind="restaurant", lat=31.005, lng=120.005)
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="消防检查", starts_on=TODAY,
                                     due_on=TODAY, kind=RoundKind.PLACES)
    inspection = update_round.inspections.get()

    def footprint():
        return (PlaceInspection.objects.filter(pk=inspection.pk).values_list("status", flat=True).get(),
                AuditEntry.objects.filter(object_type="register.placeinspection", object_id=str(inspection.pk)).count())

    problems = walk(
        table=INSPECTION_TRANSITIONS, action=action, statuses=PlaceInspection.Status.values, callers=callers,
        footprint=footprint,
        set_status=lambda s: PlaceInspection.objects.filter(pk=inspection.pk).update(status=s),
        take=lambda actor: TAKE[action](actor, PlaceInspection.objects.select_related("place").get(pk=inspection.pk)),
    )
    assert problems == []
