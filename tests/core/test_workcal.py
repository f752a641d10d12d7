import datetime
from zoneinfo import ZoneInfo

import pytest

from gridgov.core.workcal import Light, WorkCalendar, add_working_hours, traffic_light, working_seconds_between

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def test_hours_within_one_morning():
    assert add_working_hours(at(2026, 11, 24, 9, 0), 2, CAL) == at(2026, 11, 24, 11, 0)


def test_lunch_break_does_not_count():
    assert add_working_hours(at(2026, 11, 24, 11, 0), 2, CAL) == at(2026, 11, 24, 14, 30)


def test_a_deadline_started_after_hours_counts_from_the_next_morning():
    assert add_working_hours(at(2026, 11, 24, 20, 0), 1, CAL) == at(2026, 11, 25, 9, 30)


def test_the_weekend_is_skipped():
    # Friday 16:30 + 4 working hours = Monday 11:30.
    assert add_working_hours(at(2026, 11, 27, 16, 30), 4, CAL) == at(2026, 11, 30, 11, 30)


def test_national_day_holiday_is_skipped():
    # 1–7 October 2026 are the National Day holiday; Thursday 8 October is the next workday.
    assert add_working_hours(at(2026, 9, 30, 17, 0), 1, CAL) == at(2026, 10, 8, 9, 0)
    assert not CAL.is_workday(datetime.date(2026, 10, 1))


def test_a_tiaoxiu_saturday_is_a_workday():
    # 2026-10-10 is a Saturday made into a workday (调休).
    assert CAL.is_workday(datetime.date(2026, 10, 10))
    assert add_working_hours(at(2026, 10, 9, 17, 0), 1, CAL) == at(2026, 10, 10, 9, 0)


@pytest.mark.parametrize("day", ["2026-02-14", "2026-02-28"])
def test_spring_festival_makeup_saturdays(day):
    assert CAL.is_workday(datetime.date.fromisoformat(day))


def test_unpublished_years_fall_back_to_monday_to_friday():
    assert CAL.is_workday(datetime.date(2027, 1, 4))
    assert not CAL.is_workday(datetime.date(2027, 1, 9))


def test_admin_overrides_win():
    cal = WorkCalendar(overrides={datetime.date(2027, 1, 1): False, datetime.date(2027, 1, 9): True})

    assert not cal.is_workday(datetime.date(2027, 1, 1))
    assert cal.is_workday(datetime.date(2027, 1, 9))


def test_working_time_between_two_moments_skips_nights_and_weekends():
    seconds = working_seconds_between(at(2026, 11, 27, 16, 30), at(2026, 11, 30, 11, 30), CAL)

    assert seconds == 4 * 3600


def test_traffic_light_follows_the_share_of_allowed_time_used():
    started = at(2026, 11, 24, 9, 0)
    deadline = add_working_hours(started, 10, CAL)

    assert traffic_light(started=started, deadline=deadline, now=at(2026, 11, 24, 14, 0), cal=CAL) == Light.GREEN
    assert traffic_light(started=started, deadline=deadline,
                         now=add_working_hours(started, 8.5, CAL), cal=CAL) == Light.YELLOW
    assert traffic_light(started=started, deadline=deadline, now=deadline, cal=CAL) == Light.RED


@pytest.mark.django_db
def test_office_working_hours_and_overrides_come_from_the_database():
    from gridgov.core.models import HolidayOverride, WorkSchedule
    from gridgov.core.selectors import work_calendar_for

    WorkSchedule.objects.create(org_code="990101", morning_start=datetime.time(9), morning_end=datetime.time(12),
                                afternoon_start=datetime.time(14), afternoon_end=datetime.time(18))
    HolidayOverride.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, name="元旦")

    county_cal = work_calendar_for("990101001001001")
    other_cal = work_calendar_for("990102")

    assert county_cal.hours_per_day == 7 and other_cal.hours_per_day == 7.5
    assert not county_cal.is_workday(datetime.date(2027, 1, 1))


@pytest.mark.django_db
def test_admins_are_warned_from_december_when_next_year_is_missing():
    from gridgov.core.models import HolidayOverride
    from gridgov.core.selectors import next_year_calendar_missing

    assert not next_year_calendar_missing(datetime.date(2026, 11, 30))
    assert next_year_calendar_missing(datetime.date(2026, 12, 1))
    HolidayOverride.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, name="元旦")
    assert not next_year_calendar_missing(datetime.date(2026, 12, 1))
