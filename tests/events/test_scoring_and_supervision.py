import datetime
from unittest import mock

import pytest
from django.utils import timezone

from gridgov.core.models import Notification, Role
from gridgov.events.models import Event, Supervision
from gridgov.events.scoring import area_indicators, grid_worker_indicators, ranking_workbook, unit_indicators
from gridgov.events.supervision import escalate_overdue
from tests.events.conftest import jpeg
from tests.events.test_loop import act, submit
from tests.factories import Tree, make_user

TZ = timezone.get_current_timezone()
MONDAY_9 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def run_loop(people, *, handle_after_hours=1, verify_passes=(True,), close=True):
    with at(MONDAY_9):
        event = submit(people["gw"], photos=[jpeg()])
        act(people["station"], event, "accept")
    handled = MONDAY_9 + datetime.timedelta(hours=handle_after_hours)
    for passed in verify_passes:
        with at(handled):
            act(people["station"], event, "handle", note="处理完毕", photos=[jpeg()])
            act(people["gw"], event, "verify", passed=passed, note="" if passed else "未整改到位")
    if close:
        with at(handled + datetime.timedelta(minutes=30)):
            act(people["dispatcher"], event, "close")
    return Event.objects.get(pk=event.pk)


def test_station_indicators_follow_the_published_formulas(people, food_rule):
    run_loop(people)  # closed on time
    run_loop(people, verify_passes=(False, True))  # reworked, then closed
    run_loop(people, close=False)  # verified but not yet closed

    [station] = unit_indicators(kind="station", start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 1), scope="99")

    assert station.key == "990101001-market"
    assert (station.due, station.closed, station.closed_on_time, station.reworked) == (3, 2, 2, 1)
    assert station.closure_rate == pytest.approx(2 / 3, abs=1e-4)
    assert station.rework_rate == pytest.approx(1 / 3, abs=1e-4)
    assert station.extension_rate == 0
    assert station.points == 2  # +1 for each on-time closure, no cards


def test_a_late_handling_earns_a_card(people, food_rule):
    run_loop(people, handle_after_hours=24 * 8)  # more than 5 working days

    [station] = unit_indicators(kind="station", start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 31), scope="99")

    assert (station.yellow_cards, station.red_cards) == (1, 0)
    assert station.closed_on_time == 0 and station.points == -5


def test_area_rates_of_intake(people, food_rule):
    with at(MONDAY_9):
        submit(people["gw"])
        cancelled = submit(people["gw"], lat=31.001)
        act(people["dispatcher"], cancelled, "cancel", reason="无效上报")

    [county] = area_indicators(level_length=6, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 1), scope="99")

    assert (county.received, county.registered, county.dispatched) == (2, 1, 1)
    assert (county.registration_rate, county.dispatch_rate) == (0.5, 1.0)


def test_grid_worker_valid_reports_and_on_time_verification(people, food_rule):
    run_loop(people)
    with at(MONDAY_9):
        bad = submit(people["gw"], lat=31.001)
        act(people["dispatcher"], bad, "cancel", reason="无效上报")

    [gw] = grid_worker_indicators(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 1), scope="99")

    assert (gw.reports, gw.valid_reports, gw.valid_report_rate) == (2, 1, 0.5)
    assert (gw.verifications, gw.verified_on_time) == (1, 1)


def test_rates_without_data_are_none_not_zero(people, food_rule):
    assert unit_indicators(kind="station", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1), scope="99") == []


def test_ranking_workbook(people, food_rule):

    from openpyxl import load_workbook

    run_loop(people)
    items = unit_indicators(kind="station", start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 1), scope="99")

    sheet = load_workbook(ranking_workbook(items, title="11月")).active  # an open file (issue 12)
    assert sheet["B3"].value == "990101001-market" and sheet["E3"].value == "100.0%"


def test_overdue_event_is_escalated_once_to_the_level_above(people, food_rule, tree):
    county_supervisor = make_user("sup", Role.DISPATCHER, scope=Tree.COUNTY_A)
    with at(MONDAY_9):
        event = submit(people["gw"])  # accept limit: 4 working hours, at the township station

    assert escalate_overdue(now=MONDAY_9 + datetime.timedelta(hours=2)) == 0
    later = MONDAY_9 + datetime.timedelta(days=1)
    assert escalate_overdue(now=later) == 1
    assert escalate_overdue(now=later) == 0

    supervision = Supervision.objects.get(event=event)
    assert (supervision.level_code, supervision.step) == (Tree.COUNTY_A, "accept")
    assert Notification.objects.filter(user=county_supervisor, kind="supervision").exists()
    assert Notification.objects.filter(user=people["station"], kind="overdue").exists()

    with at(later):
        act(people["station"], event, "accept")
    assert escalate_overdue(now=later + datetime.timedelta(days=6)) == 1  # now the handling step is late
