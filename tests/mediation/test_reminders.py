"""Mediation's daily reminders on real dates (the month's time limit from 31 January is 28
February), exactly who is told what on which day, nothing twice; and the home page's items
for mediators and justice officers, counted in a fixed number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from gridgov.core.images import check_images
from gridgov.core.models import Role
from gridgov.core.models_notifications import Notification
from gridgov.core.permissions import capabilities_of
from gridgov.core.workbench import Urgency
from gridgov.mediation import services
from gridgov.mediation.models import Case, FollowUp, Mediator
from gridgov.mediation.reminders import CONFIRMATION, DEADLINE, FOLLOW_UP, WAITING, send_reminders
from gridgov.mediation.tasks import mediation_reminders
from gridgov.mediation.workbench import case_items
from tests.factories import Tree, make_user
from tests.mediation.conftest import (  # noqa: F401
    committee,
    justice,
    mediator_user,
    parties,
    seat,
    township_committee,
)

pytestmark = pytest.mark.django_db

MATTERS = "相邻通道被堆放杂物堵塞，双方多次争吵"
PARTY_NAMES = ("张大山", "李四", "王小明")


def at(day: str, hour: int = 10):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00"), tick=False)


def days(first: str, last: str):
    day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    while day <= end:
        yield day.isoformat()
        day += datetime.timedelta(days=1)


def run_days(first: str, last: str) -> dict[str, list[tuple[str, str]]]:
    """Run the reminders twice on each day (the second run must send nothing new); what each
    day told whom."""
    told: dict[str, list[tuple[str, str]]] = {}
    for day in days(first, last):
        with at(day, 7), translation.override("en"):
            before = Notification.objects.count()
            send_reminders()
            after_first = Notification.objects.count()
            assert send_reminders() == dict.fromkeys((DEADLINE, WAITING, FOLLOW_UP, CONFIRMATION), 0)
            assert Notification.objects.count() == after_first
        rows = Notification.objects.order_by("id")[before:after_first]
        if rows:
            told[day] = sorted((n.user.username, n.kind) for n in rows)
    return told


def page_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, format="JPEG")
    return check_images([SimpleUploadedFile("signed.jpg", buffer.getvalue(), content_type="image/jpeg")])


def open_case(actor, committee, day: str) -> Case:
    with at(day):
        return services.case_open(actor=actor, committee=committee, type="neighbour", source="request",
                                  channel="walk_in", org_code=Tree.CELL_A1, matters=MATTERS, parties=parties())


def request_online(day: str, hour: int = 10) -> Case:
    with at(day, hour):
        return services.case_request_online(type="neighbour", org_code=Tree.CELL_A1, matters=MATTERS,
                                            name="王小明", phone="13812345678", respondent_name="李四")


def settle_and_sign(case, actor, seat, day: str, *, performance_due=None) -> Case:
    with at(day):
        case = services.case_assign(actor=actor, case=case, mediator=seat, no_conflict=True)
        services.session_record(actor=actor, case=case, held_on=timezone.localdate(), place="村调解室",
                                record="双方陈述")
        case = services.case_conclude(actor=actor, case=Case.objects.get(pk=case.pk), result="agreement",
                                      form="written", terms="李四三日内清理通道杂物", performance_due=performance_due)
        return services.agreement_sign(actor=actor, case=case, signed_on=timezone.localdate(), pages=page_photo())


@pytest.fixture
def colleague(justice, committee):
    """A second mediator with an account on the village committee, a member without one, and
    a mediator whose seat was given up (told nothing)."""
    user = make_user("mediator2", Role.MEDIATOR, scope=Tree.TOWNSHIP_A, display_name="调解员 孙二")
    services.mediator_add(actor=justice, committee=committee, name="孙二", user=user)
    services.mediator_add(actor=justice, committee=committee, name="老村长")
    former = make_user("former", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)
    gone = services.mediator_add(actor=justice, committee=committee, name="钱前", user=former)
    Mediator.objects.filter(pk=gone.pk).update(is_active=False)
    return user


# --- The time limit ----------------------------------------------------------------------------


def test_the_committee_is_told_3_days_before_the_limit_and_on_its_day(mediator_user, seat, committee, colleague):
    # given: a case accepted on 31 January, no mediator taking it yet: its limit is 28 February
    case = open_case(mediator_user, committee, "2026-01-31")
    assert case.deadline == datetime.date(2026, 2, 28)

    # when
    told = run_days("2026-02-20", "2026-03-03")

    # then: both mediators with accounts, on 25 and on 28 February, nobody else, never twice
    both = [("mediator", DEADLINE), ("mediator2", DEADLINE)]
    assert told == {"2026-02-25": both, "2026-02-28": both}
    texts = list(Notification.objects.filter(user__username="mediator").order_by("id").values_list("text", flat=True))
    assert texts == [
        f"Mediation case {case.code} must be concluded by 2026-02-28: 3 days left.",
        f"Mediation case {case.code} reaches its time limit today, 2026-02-28: record how it ended, or extend it "
        "now with both parties' consent.",
    ]
    note = Notification.objects.filter(user__username="mediator").first()
    assert note.link == reverse("mediation-case", args=[case.pk])
    assert (note.subject_type, note.subject_id, note.subject_label) == ("mediation.case", case.pk, case.code)


@pytest.mark.parametrize("accepted, limit, told_on", [
    ("2028-01-31", "2028-02-29", "2028-02-26"),  # a leap year
    ("2026-12-20", "2027-01-20", "2027-01-17"),  # over the new year
    ("2026-03-31", "2026-04-30", "2026-04-27"),  # April has 30 days
])
def test_the_limit_is_one_calendar_month(mediator_user, seat, committee, accepted, limit, told_on):
    case = open_case(mediator_user, committee, accepted)
    first = (datetime.date.fromisoformat(told_on) - datetime.timedelta(days=1)).isoformat()
    last = (datetime.date.fromisoformat(limit) + datetime.timedelta(days=1)).isoformat()

    told = run_days(first, last)

    assert case.deadline.isoformat() == limit
    assert told == {told_on: [("mediator", DEADLINE)], limit: [("mediator", DEADLINE)]}


def test_once_a_mediator_took_the_case_only_they_are_told(mediator_user, seat, committee, colleague):
    case = open_case(mediator_user, committee, "2026-01-31")
    with at("2026-02-01"):
        services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)

    assert run_days("2026-02-25", "2026-02-28") == {"2026-02-25": [("mediator", DEADLINE)],
                                                    "2026-02-28": [("mediator", DEADLINE)]}


def test_a_job_that_missed_days_still_tells_once_in_the_window(mediator_user, seat, committee):
    case = open_case(mediator_user, committee, "2026-01-31")

    assert run_days("2026-02-27", "2026-02-27") == {"2026-02-27": [("mediator", DEADLINE)]}
    assert Notification.objects.get().text == f"Mediation case {case.code} must be concluded by 2026-02-28: 1 day left."


def test_an_extended_case_is_told_again_before_its_new_limit(mediator_user, seat, committee):
    case = open_case(mediator_user, committee, "2026-01-31")
    run_days("2026-02-25", "2026-02-25")
    with at("2026-02-26"):
        services.case_extend(actor=mediator_user, case=case, until=datetime.date(2026, 3, 20),
                             applicant_consents=True, respondent_consents=True)

    assert run_days("2026-02-26", "2026-03-21") == {"2026-03-17": [("mediator", DEADLINE)],
                                                    "2026-03-20": [("mediator", DEADLINE)]}


def test_a_concluded_case_is_not_told(mediator_user, seat, committee):
    case = open_case(mediator_user, committee, "2026-01-31")
    with at("2026-02-20"):
        services.case_conclude(actor=mediator_user, case=case, result="failed", reason="withdrew")

    assert run_days("2026-02-24", "2026-03-01") == {}


# --- Requests waiting --------------------------------------------------------------------------


def test_a_request_waiting_more_than_3_days_is_told_to_the_committee_once(mediator_user, seat, committee, colleague,
                                                                          justice, township_committee):
    # given: a request sent on 2 March in the evening
    case = request_online("2026-03-02", hour=21)

    # then: on the fifth day the committee's mediators with accounts, once
    assert run_days("2026-03-02", "2026-03-08") == {"2026-03-06": [("mediator", WAITING), ("mediator2", WAITING)]}
    with translation.override("en"):
        assert Notification.objects.filter(kind=WAITING).first().text == (
            f"Mediation request {case.code} has waited for acceptance since 2026-03-02: call the applicant back, "
            "then accept, decline or transfer it.")

    # when: handed to the township's committee, whose mediator was not told yet
    township = make_user("township", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)
    services.mediator_add(actor=justice, committee=township_committee, name="周镇", user=township)
    with at("2026-03-08"):
        services.case_transfer(actor=justice, case=case, committee=township_committee, reason="涉及两村")

    # then: that mediator is told the next morning, and nobody again
    assert run_days("2026-03-09", "2026-03-12") == {"2026-03-09": [("township", WAITING)]}


def test_an_accepted_request_is_not_told(mediator_user, seat, committee):
    case = request_online("2026-03-02")
    with at("2026-03-04"):
        services.case_accept(actor=mediator_user, case=case)

    assert run_days("2026-03-05", "2026-03-08") == {}


# --- After the agreement -----------------------------------------------------------------------


def test_follow_up_visits_and_the_confirmation_window_on_their_days(mediator_user, seat, committee, colleague):
    # given: a written agreement signed on 31 January, to be performed by 10 February: the follow-up
    # visit is due on 10 February, the 30 days to apply for confirmation end on 2 March
    case = open_case(mediator_user, committee, "2026-01-31")
    case = settle_and_sign(case, mediator_user, seat, "2026-01-31", performance_due=datetime.date(2026, 2, 10))
    assert list(FollowUp.objects.filter(case=case).values_list("due_on", flat=True)) == [datetime.date(2026, 2, 10)]

    # when
    told = run_days("2026-02-01", "2026-03-05")

    # then: the case's own mediator only
    assert told == {"2026-02-10": [("mediator", FOLLOW_UP)], "2026-02-25": [("mediator", CONFIRMATION)]}
    with translation.override("en"):
        assert list(Notification.objects.order_by("id").values_list("text", flat=True)) == [
            f"A follow-up visit on the agreement of mediation case {case.code} is due today, 2026-02-10.",
            f"The parties of mediation case {case.code} may apply for judicial confirmation of their agreement until "
            "2026-03-02. Remind them, if they wish to apply together.",
        ]


def test_an_overdue_follow_up_found_late_is_told_once(mediator_user, seat, committee):
    case = open_case(mediator_user, committee, "2026-01-31")
    case = settle_and_sign(case, mediator_user, seat, "2026-01-31", performance_due=datetime.date(2026, 2, 10))
    with at("2026-02-24"):  # applied already: no confirmation reminder
        services.confirmation_apply(actor=mediator_user, case=case, court="一县人民法院",
                                    applied_on=datetime.date(2026, 2, 24))

    assert run_days("2026-02-12", "2026-03-05") == {"2026-02-12": [("mediator", FOLLOW_UP)]}
    with translation.override("en"):
        assert Notification.objects.get().text == (
            f"A follow-up visit on the agreement of mediation case {case.code} was due on 2026-02-10 and is not "
            "recorded yet.")


def test_a_recorded_follow_up_is_not_told(mediator_user, seat, committee):
    case = open_case(mediator_user, committee, "2026-01-31")
    case = settle_and_sign(case, mediator_user, seat, "2026-01-31", performance_due=datetime.date(2026, 2, 10))
    with at("2026-02-09"):
        services.follow_up_record(actor=mediator_user, case=case, follow_up=FollowUp.objects.get(case=case),
                                  done_on=datetime.date(2026, 2, 9), finding="performed")

    assert FOLLOW_UP not in {kind for rows in run_days("2026-02-09", "2026-02-20").values() for _u, kind in rows}


# --- What the texts say, and how the job is run ------------------------------------------------


def test_the_texts_never_name_the_matters_or_a_party(mediator_user, seat, committee):
    open_case(mediator_user, committee, "2026-01-31")
    request_online("2026-02-20")

    run_days("2026-02-25", "2026-02-28")

    texts = list(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 3
    for text in texts:
        assert MATTERS not in text and not any(name in text for name in PARTY_NAMES)


def test_the_command_and_the_task_run_the_same_reminders(mediator_user, seat, committee):
    open_case(mediator_user, committee, "2026-01-31")
    out = io.StringIO()

    with at("2026-02-25", 7):
        call_command("mediation_reminders", stdout=out)
        assert mediation_reminders.call() == {DEADLINE: 0, WAITING: 0, FOLLOW_UP: 0, CONFIRMATION: 0}

    assert f"{DEADLINE}: 1" in out.getvalue()
    assert Notification.objects.count() == 1


# --- The home page -----------------------------------------------------------------------------


@pytest.fixture
def desk(mediator_user, seat, committee, justice, township_committee):
    """On 10 March 2026: of the village committee a request of yesterday, a case due tomorrow,
    one past its limit, one not due, and a settled one with its follow-up visit due today;
    of the township committee a request waiting since 5 March."""
    request_online("2026-03-09")
    open_case(mediator_user, committee, "2026-02-11")  # limit 11 March
    open_case(mediator_user, committee, "2026-02-05")  # limit 5 March
    open_case(mediator_user, committee, "2026-03-01")  # limit 1 April
    agreed = open_case(mediator_user, committee, "2026-02-01")
    settle_and_sign(agreed, mediator_user, seat, "2026-02-01", performance_due=datetime.date(2026, 3, 10))
    with at("2026-03-05"):
        services.case_transfer(actor=justice, case=request_online("2026-03-05"), committee=township_committee,
                               reason="涉及两村")
    return {"mediator": mediator_user, "justice": justice}


def items_of(user) -> dict[str, tuple]:
    with at("2026-03-10"):
        return {item.key: (item.count, item.url, item.urgency) for item in case_items(user)}


def test_a_mediator_sees_what_waits_in_their_committees(desk):
    page = reverse("mediation-cases")

    assert items_of(desk["mediator"]) == {
        "mediation.requests": (1, f"{page}?status=requested", Urgency.SOON),
        "mediation.due_soon": (1, f"{page}?due=soon", Urgency.SOON),
        "mediation.overdue": (1, f"{page}?due=overdue", Urgency.OVERDUE),
        "mediation.follow_ups": (1, f"{page}?status=settled&due=followup", Urgency.SOON),
    }


def test_a_justice_officer_sees_the_area_and_a_request_waiting_too_long(desk):
    items = items_of(desk["justice"])

    assert items["mediation.requests"][::2] == (2, Urgency.OVERDUE)  # the township's waits since 5 March
    assert [items[key][0] for key in ("mediation.due_soon", "mediation.overdue", "mediation.follow_ups")] == [1, 1, 1]


def test_other_roles_see_nothing_of_mediation(desk):
    clerk = make_user("clerk", Role.DISPATCHER, scope=Tree.TOWNSHIP_A)

    assert {key: count for key, (count, _url, _u) in items_of(clerk).items()} == dict.fromkeys(
        ("mediation.requests", "mediation.due_soon", "mediation.overdue", "mediation.follow_ups"), 0)


@pytest.mark.parametrize("more", [0, 12])
def test_the_items_cost_four_queries_whatever_the_numbers(desk, mediator_user, committee, django_assert_num_queries,
                                                           more):
    for _n in range(more):
        open_case(mediator_user, committee, "2026-02-11")
        request_online("2026-03-09")
    for who in ("mediator", "justice"):
        user = desk[who]
        capabilities_of(user)  # read once per request by the home page already
        with at("2026-03-10"), django_assert_num_queries(4):
            items = case_items(user)
        assert items[0].count == (2 if who == "justice" else 1) + more
