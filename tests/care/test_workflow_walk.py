"""Every (status, action, role) of the care programs' state machines, taken THROUGH THE
SERVICES (workflow, issue 11): an enrollment's end, a handover's decision, a crisis's
outcome, a stay in hospital or away.

Each object is built in every status it can have, and a user of every role (and the nightly
job, a `SystemActor`) calls the service. What they should get is read from
`care/workflow.py` plus the one rule it leaves to the services (who is on the case's team):
a caller the table does not name gets 403, a status the action does not leave from 409, and
neither changes anything; an allowed call reaches the table's target and writes its audit entry.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from gridgov.care import services
from gridgov.care.models import Crisis, Enrollment, Handover, StatusPeriod
from gridgov.care.workflow import (
    CRISIS_TRANSITIONS,
    ENROLLMENT_TRANSITIONS,
    HANDOVER_TRANSITIONS,
    PERIOD_TRANSITIONS,
    CrisisAction,
    CrisisStatus,
    EnrollmentAction,
    HandoverAction,
    PeriodAction,
    PeriodState,
    may,
)
from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import DomainError
from gridgov.core.models import AuditEntry, Role
from tests.care.conftest import enroll
from tests.factories import Tree, make_user

TODAY = datetime.date(2026, 12, 2)


class _Rollback(Exception):
    pass


@pytest.fixture
def callers(staff):
    """A user of every role in the county of the case, the case's own team, and the nightly job."""
    users = {f"role:{role}": make_user(f"walk-{role}", role, scope=Tree.COUNTY_A) for role in Role.values}
    users["team:gw"], users["team:doctor"] = staff["gw"], staff["doctor"]
    users["system"] = SystemActor("care_daily")
    return users


@pytest.fixture
def case(staff, patient):
    return enroll(staff, patient)


def _audits(enrollment) -> int:
    return AuditEntry.objects.filter(person_id=enrollment.person_id).count()


def _walk(call, *, expected, read, before, label) -> str | None:
    """Run `call` in a savepoint that is rolled back; what went wrong, if anything."""
    problem = None
    try:
        with transaction.atomic():
            try:
                call()
            except DomainError as error:
                if expected == "moves":
                    problem = f"{label}: refused ({error.code}), the table lets it through"
                elif error.http_status != expected:
                    problem = f"{label}: answered {error.http_status} ({error.code}), expected {expected}"
                elif read() != before:
                    problem = f"{label}: refused but changed {before} → {read()}"
                raise _Rollback from None
            if expected != "moves":
                problem = f"{label}: went through, expected {expected}"
            raise _Rollback
    except _Rollback:
        pass
    return problem


def _expected(transition, actor, status, *, on_team=False):
    if not may(transition, actor, on_team=on_team):
        return 403
    if status not in transition.sources:
        return 409
    return "moves"


@pytest.mark.parametrize("action", EnrollmentAction.values)
def test_every_way_an_enrollment_ends_through_enrollment_exit(action, case, callers):
    transition = ENROLLMENT_TRANSITIONS[action]
    problems = []
    for status in Enrollment.Status.values:
        for name, actor in callers.items():
            Enrollment.objects.filter(pk=case.pk).update(status=status)
            enrollment = Enrollment.objects.get(pk=case.pk)
            waiting = Handover.objects.create(enrollment=enrollment, from_org_code=enrollment.org_code,
                                              to_org_code=Tree.CELL_A2, reason=Handover.Reason.MOVE,
                                              due_date=TODAY + datetime.timedelta(days=7))
            expected = _expected(transition, actor, status)
            before = (status, _audits(enrollment))
            label = f"{action} from {status} by {name}"

            def read():
                return (Enrollment.objects.get(pk=case.pk).status, _audits(enrollment))

            def call():
                services.enrollment_exit(actor=actor, enrollment=enrollment, on=TODAY, reason="离开项目", action=action)
                after = Enrollment.objects.get(pk=case.pk)
                entry = AuditEntry.objects.filter(action="care.exit", object_id=str(case.pk)).last()
                waiting.refresh_from_db()
                if after.status != transition.target or after.next_due_date is not None:
                    problems.append(f"{label}: reached {after.status}, the table says {transition.target}")
                elif entry is None or f'"{action}"' not in entry.changes:
                    problems.append(f"{label}: no audit entry naming {action}")
                elif waiting.status != HANDOVER_TRANSITIONS[HandoverAction.CANCEL].target:
                    problems.append(f"{label}: the waiting handover is {waiting.status}")

            problem = _walk(call, expected=expected, read=read, before=before, label=label)
            if problem:
                problems.append(problem)
            waiting.delete()
    assert problems == []


SERVICES = {
    HandoverAction.ACCEPT: lambda actor, handover: services.handover_accept(actor=actor, handover=handover),
    HandoverAction.REJECT: lambda actor, handover: services.handover_reject(actor=actor, handover=handover,
                                                                            reason="不在本辖区"),
}


@pytest.mark.parametrize("action", list(SERVICES), ids=str)
def test_every_handover_decision(action, case, callers):
    transition = HANDOVER_TRANSITIONS[action]
    problems = []
    for status in Handover.Status.values:
        for name, actor in callers.items():
            expected = _expected(transition, actor, status)
            label = f"{action} from {status} by {name}"
            state = {}

            def read():
                return (Handover.objects.get(pk=state["handover"].pk).status, _audits(case))

            def call():
                handover = state["handover"]
                SERVICES[action](actor, handover)
                handover.refresh_from_db()
                if handover.status != transition.target:
                    problems.append(f"{label}: reached {handover.status}, the table says {transition.target}")
                elif not AuditEntry.objects.filter(action="care.handover", object_id=str(handover.pk)).exists():
                    problems.append(f"{label}: no audit entry")

            with transaction.atomic():
                state["handover"] = Handover.objects.create(
                    enrollment=case, from_org_code=case.org_code, to_org_code=Tree.CELL_A2,
                    reason=Handover.Reason.MOVE, due_date=TODAY + datetime.timedelta(days=7), status=status)
                before = read()
                problem = _walk(call, expected=expected, read=read, before=before, label=label)
                transaction.set_rollback(True)
            if problem:
                problems.append(problem)
    assert problems == []


def _on_team(actor, enrollment) -> bool:
    """The rule the table leaves to the service: the case's team, or a detail viewer of its area."""
    return getattr(actor, "is_authenticated", False) and services._may_visit(actor, enrollment)


def test_every_crisis_outcome(case, callers, staff):
    transition = CRISIS_TRANSITIONS[CrisisAction.RECORD_OUTCOME]
    problems = []
    for status in CrisisStatus.values:
        for name, actor in callers.items():
            crisis = Crisis.objects.create(
                enrollment=case, org_code=case.org_code, description="情绪激动", reported_by="family",
                occurred_at=timezone.now(), outcome="" if status == CrisisStatus.OPEN else Crisis.Outcome.OTHER)
            if isinstance(actor, SystemActor):
                expected = 403
            else:
                expected = _expected(transition, actor, status, on_team=_on_team(actor, case))
                if not _on_team(actor, case):
                    expected = 403
            label = f"record_outcome from {status} by {name}"

            def read():
                return Crisis.objects.get(pk=crisis.pk).outcome

            def call():
                services.crisis_record_action(actor=actor, crisis=crisis, note="劝说后平静",
                                              outcome=Crisis.Outcome.CALMED_AT_HOME)
                if Crisis.objects.get(pk=crisis.pk).outcome != Crisis.Outcome.CALMED_AT_HOME:
                    problems.append(f"{label}: no outcome recorded")

            problem = _walk(call, expected=expected, read=read, before=read(), label=label)
            if problem:
                problems.append(problem)
    assert problems == []


@pytest.mark.parametrize("kind", StatusPeriod.Kind.values)
@pytest.mark.parametrize("action", PeriodAction.values)
def test_every_stay_in_hospital_or_away(kind, action, case, callers):
    transition = PERIOD_TRANSITIONS[action]
    problems = []
    for state in PeriodState.values:
        for name, actor in callers.items():
            with transaction.atomic():
                if state == PeriodState.ONGOING:
                    services._open_period(case, kind, TODAY - datetime.timedelta(days=3), case.created_by)
                enrollment = Enrollment.objects.get(pk=case.pk)
                if isinstance(actor, SystemActor) or not _on_team(actor, enrollment):
                    expected = 403
                else:
                    expected = _expected(transition, actor, state, on_team=True)
                label = f"{action} {kind} from {state} by {name}"

                def read():
                    return StatusPeriod.objects.filter(enrollment=case, kind=kind, end__isnull=True).count()

                def call():
                    if action == PeriodAction.BEGIN:
                        services.status_begin(actor=actor, enrollment=enrollment, kind=kind, start=TODAY)
                    else:
                        services.status_end(actor=actor, enrollment=enrollment, kind=kind, end=TODAY)
                    now = PeriodState.ONGOING if read() else PeriodState.NONE
                    if now != transition.target:
                        problems.append(f"{label}: reached {now}, the table says {transition.target}")

                problem = _walk(call, expected=expected, read=read, before=read(), label=label)
                transaction.set_rollback(True)
            if problem:
                problems.append(problem)
    assert problems == []


def test_the_age_limit_a_merge_and_a_death_end_enrollments_through_the_one_exit(staff, tree, legacy_duplicate_people):
    from gridgov.care import daily
    from gridgov.core.services import people_merge
    from gridgov.register import services as register_services
    from tests.factories import PersonFactory, make_resident_id

    # given: a child turning 18, and a person registered twice, enrolled in the same program twice
    child = PersonFactory(name="小明", resident_id=make_resident_id(birth="20081201", seq=3), org_code=Tree.CELL_A1,
                          birth_date=datetime.date(2008, 12, 1))
    grown = enroll(staff, child, program="child", details={})
    resident_id = make_resident_id(birth="19700303", seq=7)
    keep, duplicate = (PersonFactory(name="王五", resident_id=resident_id, org_code=Tree.CELL_A1) for _ in range(2))
    kept_case, duplicate_case = enroll(staff, keep), enroll(staff, duplicate)
    elder = PersonFactory(name="赵老", resident_id=make_resident_id(birth="19400404", seq=9), org_code=Tree.CELL_A1)
    elder_case = enroll(staff, elder)
    screener = make_user("walk-screener", Role.SCREENER, scope=Tree.COUNTY_A)

    # when: the night passes, a screener merges the two records, and records a death
    daily.exits_by_age(TODAY)
    people_merge(actor=screener, keep=keep, duplicate=duplicate)
    register_services.person_record_death(actor=screener, person=elder, died_on=TODAY)

    # then: all ended through enrollment_exit, each audited with its way of ending
    for enrollment, action in ((grown, EnrollmentAction.AGE_LIMIT), (duplicate_case, EnrollmentAction.DUPLICATE_MERGED),
                               (elder_case, EnrollmentAction.DIED)):
        enrollment.refresh_from_db()
        entry = AuditEntry.objects.filter(action="care.exit", object_id=str(enrollment.pk)).get()
        assert enrollment.status == Enrollment.Status.EXITED and f'"{action}"' in entry.changes
    kept_case.refresh_from_db()
    assert kept_case.status == Enrollment.Status.ACTIVE and duplicate_case.person_id == keep.pk
