"""A dispute through people's mediation (issue 13): opened or asked for online, accepted with
its one-month clock, mediated in sessions, ended by an agreement, a failure or a referral;
who may do what, and what the audit keeps."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import AuditEntry, Role
from gridgov.mediation import selectors, services
from gridgov.mediation.clock import one_month_after
from gridgov.mediation.models import Case, PartyRole
from gridgov.mediation.workflow import CaseStatus
from tests.factories import Tree, make_user
from tests.mediation.conftest import (  # noqa: F401
    case,
    committee,
    justice,
    mediator_user,
    parties,
    seat,
    township_committee,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day, expected", [
    (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
    (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
    (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
    (datetime.date(2026, 12, 20), datetime.date(2027, 1, 20)),
])
def test_one_month_is_counted_in_calendar_days(day, expected):
    assert one_month_after(day) == expected


def test_a_case_opened_by_the_committee_is_accepted_with_its_month(case):
    today = timezone.localdate()

    assert case.status == CaseStatus.ACCEPTED and case.accepted_on == today
    assert case.deadline == one_month_after(today)
    assert case.code.startswith(Tree.CELL_A1[:6] + f"-TJ{today.year}-") and case.code.endswith("00001")
    assert {(p.role, p.display_name) for p in case.parties.all()} == {("applicant", "张大山"), ("respondent", "李四")}
    entry = AuditEntry.objects.get(action="mediation.case_open")
    assert "堵塞" not in entry.changes and "13912345678" not in entry.changes  # what the parties said stays out


def test_case_numbers_count_per_county_and_year(mediator_user, committee, seat):
    codes = [services.case_open(actor=mediator_user, committee=committee, type="family", source="initiative",
                                channel="phone", org_code=Tree.CELL_A1, matters="赡养纠纷", parties=parties()).code
             for _i in range(3)]

    assert [code[-5:] for code in codes] == ["00001", "00002", "00003"]


def test_mediated_in_two_sessions_and_settled(case, mediator_user, seat):
    case = services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    today = timezone.localdate()
    services.session_record(actor=mediator_user, case=case, held_on=today, place="村调解室",
                            record="双方陈述各自理由，约定三日后再议", attendees="张大山、李四、郑芳")
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    services.session_record(actor=mediator_user, case=case, held_on=today, place="村调解室",
                            record="李四同意三日内清理杂物")

    case = services.case_conclude(actor=mediator_user, case=case, result="agreement",
                                  terms="李四于三日内清理通道杂物，此后不再堆放。", form="written")

    assert case.status == CaseStatus.SETTLED and case.concluded_on == today and case.sessions.count() == 2
    steps = AuditEntry.objects.filter(action="mediation.case_step").order_by("id")
    assert [json.loads(s.changes)["action"] for s in steps] == ["assign", "record_session", "record_session", "settle"]
    assert not any("杂物" in s.changes for s in steps)


def test_a_mediator_must_declare_no_interest(case, mediator_user, seat):
    with pytest.raises(DomainError) as raised:
        services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=False)

    assert "no_conflict" in raised.value.fields
    case.refresh_from_db()
    assert case.mediator is None


def test_a_session_in_the_future_or_before_acceptance_is_refused(case, mediator_user, seat):
    case = services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    for day in (timezone.localdate() + datetime.timedelta(days=1), case.accepted_on - datetime.timedelta(days=1)):
        with pytest.raises(DomainError):
            services.session_record(actor=mediator_user, case=case, held_on=day, place="村调解室", record="记录")
    assert not case.sessions.exists()


def test_more_time_only_with_both_parties_consent_and_at_most_a_month(case, mediator_user):
    later = case.deadline + datetime.timedelta(days=10)
    with pytest.raises(DomainError):
        services.case_extend(actor=mediator_user, case=case, until=later, applicant_consents=True,
                             respondent_consents=False)
    with pytest.raises(DomainError):
        services.case_extend(actor=mediator_user, case=case, until=case.deadline + datetime.timedelta(days=40),
                             applicant_consents=True, respondent_consents=True)

    case = services.case_extend(actor=mediator_user, case=case, until=later, applicant_consents=True,
                                respondent_consents=True)

    assert case.deadline == later
    with pytest.raises(DomainError) as again:
        services.case_extend(actor=mediator_user, case=case, until=later + datetime.timedelta(days=1),
                             applicant_consents=True, respondent_consents=True)
    assert again.value.code == ErrorCode.CONFLICT


def test_a_failure_needs_its_reason_and_ends_the_case(case, mediator_user):
    with pytest.raises(DomainError):
        services.case_conclude(actor=mediator_user, case=case, result="failed", reason="because")

    case = services.case_conclude(actor=mediator_user, case=case, result="failed", reason="withdrew")

    assert case.status == CaseStatus.FAILED and case.failure_reason == "withdrew"
    with pytest.raises(DomainError) as late:  # a concluded case takes no more sessions
        services.session_record(actor=mediator_user, case=case, held_on=timezone.localdate(), place="x", record="y")
    assert late.value.code == ErrorCode.ILLEGAL_TRANSITION


def test_a_settlement_needs_a_session_first(case, mediator_user):
    with pytest.raises(DomainError) as raised:
        services.case_conclude(actor=mediator_user, case=case, result="agreement", terms="条款")

    assert raised.value.code == ErrorCode.ILLEGAL_TRANSITION


def test_an_online_request_waits_for_the_committee_of_the_place(committee, township_committee, mediator_user,
                                                                seat):
    case = services.case_request_online(type="neighbour", org_code=Tree.CELL_A1, matters="楼上漏水，多次协商无果",
                                        name="王小明", phone="13812345678", respondent_name="楼上住户")

    assert case.status == CaseStatus.REQUESTED and case.committee == committee  # the village's, not the township's
    assert case.tracking_code.startswith("TJ") and len(case.tracking_code) == 12
    assert case.deadline is None
    case = services.case_accept(actor=mediator_user, case=case)
    assert case.status == CaseStatus.ACCEPTED and case.deadline == one_month_after(timezone.localdate())


def test_a_request_for_a_place_no_committee_serves_is_refused(tree):
    with pytest.raises(DomainError) as raised:
        services.case_request_online(type="neighbour", org_code=Tree.CELL_B1, matters="纠纷", name="王小明",
                                     phone="13812345678")

    assert "org_code" in raised.value.fields and not Case.objects.exists()


def test_a_request_is_declined_with_where_it_belongs(committee, mediator_user, seat):
    case = services.case_request_online(type="labour", org_code=Tree.CELL_A1, matters="工资拖欠，已申请仲裁",
                                        name="王小明", phone="13812345678")

    case = services.case_decline(actor=mediator_user, case=case, diversion="arbitration",
                                 reason="已进入劳动仲裁程序")

    assert case.status == CaseStatus.DECLINED and case.diversion == "arbitration"


def test_a_transfer_hands_the_case_to_another_committee(case, justice, township_committee):
    case = services.case_transfer(actor=justice, case=case, committee=township_committee, reason="涉及多村，需镇调委会")

    assert case.committee == township_committee and case.mediator is None and case.status == CaseStatus.ACCEPTED


def test_who_sees_and_works_a_case(case, justice, mediator_user, tree):
    other_mediator = make_user("mediator2", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)  # on no committee
    other_justice = make_user("justice_b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B)
    grid_worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])

    assert selectors.access_case(mediator_user, case.pk) == case
    assert selectors.access_case(justice, case.pk) == case
    for outsider in (other_mediator, other_justice, grid_worker):
        with pytest.raises(NotFound):
            selectors.access_case(outsider, case.pk)
    with pytest.raises(Forbidden):
        services.case_conclude(actor=other_mediator, case=case, result="failed", reason="withdrew")
    with pytest.raises(Forbidden):
        services.case_conclude(actor=grid_worker, case=case, result="failed", reason="withdrew")


def test_a_mediator_opens_cases_only_for_their_committee_and_its_area(mediator_user, committee, seat,
                                                                      township_committee):
    with pytest.raises(Forbidden):  # not a mediator of the township's committee
        services.case_open(actor=mediator_user, committee=township_committee, type="family", source="initiative",
                           channel="phone", org_code=Tree.CELL_A1, matters="纠纷", parties=parties())
    with pytest.raises(DomainError) as outside:
        services.case_open(actor=mediator_user, committee=committee, type="family", source="initiative",
                           channel="phone", org_code=Tree.CELL_B1, matters="纠纷", parties=parties())
    assert "org_code" in outside.value.fields


def test_a_dispute_has_two_sides(mediator_user, committee, seat):
    with pytest.raises(DomainError) as raised:
        services.case_open(actor=mediator_user, committee=committee, type="family", source="initiative",
                           channel="phone", org_code=Tree.CELL_A1, matters="纠纷",
                           parties=[services.PartySpec(role=PartyRole.APPLICANT, name="王五")])

    assert "parties" in raised.value.fields and not Case.objects.exists()


def test_two_mediators_concluding_at_once_conflict(case, mediator_user, justice):
    stale = Case.objects.get(pk=case.pk)
    services.case_conclude(actor=justice, case=case, result="referred", diversion="court", note="当事人已起诉")

    with pytest.raises(DomainError) as raised:
        services.case_conclude(actor=mediator_user, case=stale, result="failed", reason="withdrew")

    assert raised.value.code == ErrorCode.CONFLICT
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED


def test_the_deadline_is_a_month_after_acceptance_on_the_day_it_was_accepted(mediator_user, committee, seat):
    with time_machine.travel(datetime.datetime(2027, 1, 31, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))):
        case = services.case_open(actor=mediator_user, committee=committee, type="debt", source="request",
                                  channel="walk_in", org_code=Tree.CELL_A1, matters="借款纠纷", parties=parties())

    assert case.accepted_on == datetime.date(2027, 1, 31) and case.deadline == datetime.date(2027, 2, 28)


@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="concurrent writers need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_cases_opened_at_once_get_distinct_numbers(tree):
    from tests.mediation.conftest import parties as two_parties
    from tests.security.races import run_together

    justice = make_user("justice-race", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A)
    committee = services.committee_create(actor=justice, name="村调委会", kind="village", org_code=Tree.VILLAGE_A)
    people = [two_parties() for _i in range(8)]

    codes = run_together(8, lambda i: services.case_open(
        actor=justice, committee=committee, type="debt", source="initiative", channel="phone",
        org_code=Tree.CELL_A1, matters="借款纠纷", parties=people[i]).code)

    assert not any(isinstance(c, Exception) for c in codes), codes
    assert sorted(c[-5:] for c in codes) == [f"{n:05d}" for n in range(1, 9)]


def test_no_session_before_a_mediator_declared_no_interest(case, justice, mediator_user, seat):
    # the justice officer assigns the mediator; the mediator declares when taking it up
    case = services.case_assign(actor=justice, case=case, mediator=seat, no_conflict=True)
    assert case.mediator == seat and case.no_conflict_declared_at is None

    with pytest.raises(DomainError) as raised:
        services.session_record(actor=mediator_user, case=case, held_on=timezone.localdate(), place="调解室",
                                record="记录")
    assert raised.value.code == ErrorCode.ILLEGAL_TRANSITION

    case = services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=case, held_on=timezone.localdate(), place="调解室", record="记录")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING


def test_a_transfer_keeps_the_place_within_the_new_committees_area(case, justice, tree):
    from tests.factories import org_unit

    tree.units["990101001002"] = org_unit("990101001002", "邻村")
    sibling = services.committee_create(actor=justice, name="邻村调委会", kind="village", org_code="990101001002")

    with pytest.raises(DomainError) as raised:
        services.case_transfer(actor=justice, case=case, committee=sibling, reason="转邻村")

    assert "committee" in raised.value.fields and Case.objects.get(pk=case.pk).committee_id == case.committee_id


def test_no_extension_once_the_time_ran_out(case, mediator_user):
    with time_machine.travel(datetime.datetime.combine(case.deadline + datetime.timedelta(days=1), datetime.time(10))):
        with pytest.raises(DomainError) as raised:
            services.case_extend(actor=mediator_user, case=case, until=case.deadline + datetime.timedelta(days=5),
                                 applicant_consents=True, respondent_consents=True)

    assert raised.value.code == ErrorCode.CONFLICT


def test_a_request_that_is_no_dispute_is_declined_as_such(committee, mediator_user, seat):
    case = services.case_request_online(type="other", org_code=Tree.CELL_A1, matters="测试测试", name="王小明",
                                        phone="13812345678")

    case = services.case_decline(actor=mediator_user, case=case, diversion="none", reason="非纠纷，申请人无法联系")

    assert case.status == CaseStatus.DECLINED and case.diversion == "none"


def test_a_mediator_seat_needs_an_active_account_of_the_area(justice, committee, tree):
    far = make_user("mediator-far", Role.MEDIATOR, scope=Tree.TOWNSHIP_B)

    with pytest.raises(NotFound):
        services.mediator_add(actor=justice, committee=committee, name="远方", user=far)
    assert not committee.mediators.exists()


def test_a_case_from_an_event_names_an_event_the_user_reads(mediator_user, committee, seat):
    from tests.factories import EventFactory, _event_category

    dispute = EventFactory(category=_event_category("dispute.neighbour"), status="registered")
    # a mediator reads no event (the desk hands disputes over): neither a real one nor a made-up one
    for event_id in (dispute.pk, 123456):
        with pytest.raises(DomainError) as raised:
            services.case_open(actor=mediator_user, committee=committee, type="neighbour", source="event",
                               channel="grid", org_code=Tree.CELL_A1, matters="纠纷", parties=parties(),
                               event_id=event_id)
        assert raised.value.code == ErrorCode.NOT_FOUND
    assert not Case.objects.exists()


def test_a_party_named_by_the_register_follows_its_merge(case, legacy_duplicate_people):
    from gridgov.core.person_services import people_merge
    from tests.factories import PersonFactory

    party = case.parties.get(role=PartyRole.APPLICANT)
    keep = PersonFactory(name="张大山", org_code=party.person.org_code, resident_id=party.person.resident_id)

    people_merge(actor=make_user("screener-merge", Role.SCREENER, scope=Tree.VILLAGE_A), keep=keep,
                 duplicate=party.person)

    party.refresh_from_db()
    assert party.person_id == keep.pk and party.name == ""  # named by the register, not a copy
