"""Every (status, action, role) of a household's checklist item in an update round, taken
THROUGH THE SERVICES (workflow, issue 11): the grid worker's confirm and propose
(`rounds.item_confirm_unchanged`, `rounds.item_propose_edits`), the screener's decision on
the last waiting change (`rounds.edit_decide`: signed off, or returned).

What each caller should get is read from `register/workflow.py`: without the capability the
table names, 403; from a status the action does not leave, 409; neither changes anything.
Otherwise the item reaches the table's target and the action is audited.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from gridgov.core.exceptions import DomainError
from gridgov.core.models import AuditEntry, Role
from gridgov.core.permissions import has_capability
from gridgov.register import rounds
from gridgov.register.models import ChecklistItem, ProposedEdit
from gridgov.register.workflow import ITEM_TRANSITIONS, ItemAction
from tests.factories import Tree, make_user

TODAY = datetime.date.today()


class _Rollback(Exception):
    pass


@pytest.fixture
def item(screener, household, grid_worker):
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="12月", starts_on=TODAY,
                                     due_on=TODAY + datetime.timedelta(days=10))
    return update_round.items.get()


@pytest.fixture
def callers(grid_worker, screener):
    users = {f"role:{role}": make_user(f"walk-{role}", role, scope=Tree.VILLAGE_A) for role in Role.values}
    users["the assigned grid worker"], users["the village's screener"] = grid_worker, screener
    return users


def _confirm(actor, item, household):
    rounds.item_confirm_unchanged(actor=actor, item=item)


def _propose(actor, item, household):
    rounds.item_propose_edits(actor=actor, item=item, edits=[
        {"kind": "household", "target": household.pk, "values": {"address": "幸福路 8 号 1单元101室"}}])


def _decide(approve):
    def take(actor, item, household):
        edit = ProposedEdit.objects.get(item=item, status=ProposedEdit.Status.PROPOSED)
        rounds.edit_decide(actor=actor, edit=edit, approve=approve, note="" if approve else "门牌不符")
    return take


TAKE = {
    ItemAction.CONFIRM: _confirm,
    ItemAction.PROPOSE: _propose,
    ItemAction.SIGN_OFF: _decide(True),
    ItemAction.RETURN: _decide(False),
}


def _footprint(item) -> tuple:
    return (ChecklistItem.objects.filter(pk=item.pk).values_list("status", flat=True).get(),
            AuditEntry.objects.filter(object_id=str(item.pk)).count())


@pytest.mark.parametrize("action", ItemAction.values)
def test_every_status_and_role_through_the_round_services(action, item, callers, household, grid_worker):
    transition = ITEM_TRANSITIONS[action]
    problems = []
    for status in ChecklistItem.Status.values:
        for name, actor in callers.items():
            label = f"{action} from {status} by {name}"
            try:
                with transaction.atomic():
                    ChecklistItem.objects.filter(pk=item.pk).update(status=status, checked_at=timezone.now())
                    if action in (ItemAction.SIGN_OFF, ItemAction.RETURN):
                        # the last change waiting for a decision, proposed by the grid worker
                        ProposedEdit.objects.create(item=item, kind="household", target_id=household.pk,
                                                    payload='{"address": "幸福路 8 号 1单元101室"}',
                                                    proposed_by=grid_worker)
                    if not has_capability(actor, transition.capability):
                        expected = 403
                    elif status not in transition.sources:
                        expected = 409
                    else:
                        expected = "moves"
                    before = _footprint(item)
                    try:
                        TAKE[action](actor, ChecklistItem.objects.get(pk=item.pk), household)
                    except DomainError as error:
                        if expected == "moves":
                            problems.append(f"{label}: refused ({error.code}: {error.message}), the table allows it")
                        elif error.http_status != expected:
                            problems.append(f"{label}: answered {error.http_status} ({error.code}), expected {expected}")
                        elif _footprint(item) != before:
                            problems.append(f"{label}: refused but changed {before} → {_footprint(item)}")
                        raise _Rollback from None
                    status_after, audits = _footprint(item)
                    if expected != "moves":
                        problems.append(f"{label}: went through to {status_after}, expected {expected}")
                    elif status_after != transition.target:
                        problems.append(f"{label}: reached {status_after}, the table says {transition.target}")
                    elif audits <= before[1]:
                        problems.append(f"{label}: no audit entry")
                    raise _Rollback
            except _Rollback:
                pass
    assert problems == []
