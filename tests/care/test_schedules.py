import datetime

import pytest

from gridgov.care.programs import DEFAULTS, ScheduleInput, SmdClass, add_months, next_due, smd_classification

DAY = datetime.date(2026, 11, 2)


def due(program, details, on=DAY, settings=None):
    return next_due(ScheduleInput(program, on, details, settings or {}))


@pytest.mark.parametrize("risk,expected", [(0, "stable"), (1, "basically_stable"), (2, "basically_stable"),
                                           (3, "unstable"), (4, "unstable"), (5, "unstable")])
def test_classification_from_risk_level(risk, expected):
    assert smd_classification(risk) == expected


def test_marked_symptoms_make_a_low_risk_person_unstable():
    assert smd_classification(0, marked_symptoms=True) == SmdClass.UNSTABLE


def test_unstable_is_followed_up_within_two_weeks():
    assert due("smd", {"risk_level": 4, "classification": "unstable"}) == DAY + datetime.timedelta(days=14)


def test_basically_stable_is_observed_for_two_weeks():
    assert due("smd", {"risk_level": 1, "classification": "basically_stable"}) == DAY + datetime.timedelta(days=14)


def test_stable_is_seen_in_three_calendar_months():
    assert due("smd", {"risk_level": 0, "classification": "stable"}) == datetime.date(2027, 2, 2)


def test_at_least_four_follow_ups_a_year_even_if_configured_longer():
    assert due("smd", {"risk_level": 0, "classification": "stable"}, settings={"stable_months": 6}) == datetime.date(
        2027, 2, 2)


def test_intervals_are_configurable():
    assert due("smd", {"risk_level": 1, "classification": "basically_stable"},
               settings={"basically_stable_days": 30}) == DAY + datetime.timedelta(days=30)


def test_calendar_months_end_on_the_last_day_of_a_short_month():
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


def test_key_children_monthly_and_others_quarterly():
    assert due("child", {"key_child": True}) == DAY + datetime.timedelta(days=30)
    assert due("child", {"key_child": False}) == DAY + datetime.timedelta(days=90)


def test_elderly_living_alone_get_a_weekly_call():
    assert due("elderly", {}) == DAY + datetime.timedelta(days=7)


def test_community_corrections_check_ins_as_the_officer_sets():
    assert due("community_corrections", {"checkin_every_days": 10}) == DAY + datetime.timedelta(days=10)
    assert due("community_corrections", {}) == DAY + datetime.timedelta(days=DEFAULTS["community_corrections"]["days"])
