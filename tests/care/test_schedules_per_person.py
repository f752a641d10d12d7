"""Schedules per person (issue 11): a daily medicine delivery for one patient, the elderly
program's monthly home visit, drug tests as the agreement says, and the officer always
alerted on a missed community-corrections check-in."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import schedules, services
from gridgov.care.models import CareSchedule, ScheduleRecord
from gridgov.care.services import TeamSpec
from gridgov.core.exceptions import DomainError, Forbidden
from gridgov.core.models import Notification
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_a_daily_medicine_delivery_for_one_patient_produces_a_task_each_day(staff, patient):
    enrollment = enroll(staff, patient, start_date=TODAY - 10 * DAY)
    schedule = schedules.schedule_create(actor=staff["officer"], enrollment=enrollment, kind="medicine_delivery",
                                         interval_days=1, starts_on=TODAY - DAY, until=TODAY + DAY,
                                         assignee=staff["gw"])

    assert list(schedules.schedules_due_for(staff["gw"])) == [schedule]
    schedules.schedule_record(actor=staff["gw"], schedule=schedule, done_on=TODAY)
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.next_due_date) == (TODAY, TODAY + DAY)
    assert not schedules.schedules_due_for(staff["gw"]).exists()
    assert list(schedules.schedules_due_for(staff["gw"], on=TODAY + DAY)) == [schedule]

    schedules.schedule_record(actor=staff["gw"], schedule=schedule, done_on=TODAY)  # twice the same day
    schedule.refresh_from_db()
    assert schedule.next_due_date == TODAY + DAY
    # Only the officer sets schedules; only the team, the assignee or the officer records them.
    with pytest.raises(Forbidden):
        schedules.schedule_create(actor=staff["gw"], enrollment=enrollment, kind="call", interval_days=7,
                                  starts_on=TODAY)
    with pytest.raises(Forbidden):
        schedules.schedule_record(actor=staff["gw_other"], schedule=schedule, done_on=TODAY)


def test_a_schedule_refuses_nonsense_and_an_assignee_off_the_team(staff, patient):
    enrollment = enroll(staff, patient, start_date=TODAY - 10 * DAY)
    with pytest.raises(DomainError) as error:
        schedules.schedule_create(actor=staff["officer"], enrollment=enrollment, kind="horoscope", interval_days=0,
                                  starts_on=TODAY, until=TODAY - DAY, assignee=staff["gw_other"])
    assert set(error.value.fields) == {"kind", "interval_days", "until", "assignee"}


def test_a_task_not_done_is_tried_again_soon_and_an_overdue_one_alerts_its_assignee_once(staff, patient):
    enrollment = enroll(staff, patient, start_date=TODAY - 40 * DAY)
    schedule = schedules.schedule_create(actor=staff["officer"], enrollment=enrollment, kind="call",
                                         interval_days=30, starts_on=TODAY - 20 * DAY, assignee=staff["gw"])
    schedules.schedule_record(actor=staff["gw"], schedule=schedule, done_on=TODAY - 20 * DAY, done=False)
    schedule.refresh_from_db()
    assert schedule.next_due_date == TODAY - 13 * DAY

    assert schedules.schedules_overdue_alert(TODAY) == 1
    assert schedules.schedules_overdue_alert(TODAY) == 0
    assert Notification.objects.filter(kind="care_schedule_overdue", user=staff["gw"]).count() == 1


def test_the_elderly_program_sets_a_monthly_home_visit_that_a_home_visit_fulfils(staff, tree):
    person = PersonFactory(org_code=Tree.CELL_A1, birth_date=datetime.date(1940, 1, 1))
    start = TODAY - 40 * DAY
    enrollment = enroll(staff, person, program="elderly", details={"living_alone": True}, start_date=start,
                        legal_basis="", consent=True)
    schedule = CareSchedule.objects.get(enrollment=enrollment)
    assert (schedule.kind, schedule.source, schedule.interval_days) == ("home_visit", "program", 30)
    assert schedule.next_due_date == start + 30 * DAY
    assert list(schedules.schedules_due_for(staff["gw"])) == [schedule]

    services.visit_record(actor=staff["gw"], enrollment=enrollment, date=TODAY - 2 * DAY, form="phone")
    schedule.refresh_from_db()
    assert schedule.next_due_date == start + 30 * DAY  # a weekly call is not the month's visit

    services.visit_record(actor=staff["gw"], enrollment=enrollment, date=TODAY - DAY, form="home")
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.next_due_date) == (TODAY - DAY, TODAY + 29 * DAY)
    enrollment.refresh_from_db()
    assert enrollment.next_due_date == TODAY + 6 * DAY  # the weekly call stays the program's rhythm


def test_drug_tests_follow_the_agreement_and_their_results_are_recorded(staff, tree):
    person = PersonFactory(org_code=Tree.CELL_A1)
    start = TODAY - 20 * DAY
    enrollment = enroll(staff, person, program="drug_rehab", start_date=start, legal_basis="《禁毒法》第三十三条",
                        details={"agreement_start": start.isoformat(), "agreement_end": (TODAY + 60 * DAY).isoformat(),
                                 "test_every_days": 14},
                        team=[TeamSpec(role="grid_worker", user=staff["gw"])])
    schedule = CareSchedule.objects.get(enrollment=enrollment)
    assert (schedule.kind, schedule.source, schedule.next_due_date) == ("drug_test", "agreement", start)
    assert schedule.until == TODAY + 60 * DAY

    with pytest.raises(DomainError) as error:
        schedules.schedule_record(actor=staff["officer"], schedule=schedule, done_on=TODAY)
    assert "result" in error.value.fields
    schedules.schedule_record(actor=staff["officer"], schedule=schedule, done_on=TODAY - DAY, result="negative")
    schedule.refresh_from_db()
    assert schedule.next_due_date == TODAY + 13 * DAY
    assert not Notification.objects.filter(kind="care_drug_test").exists()

    schedules.schedule_record(actor=staff["officer"], schedule=schedule, done_on=TODAY, result="positive")
    assert Notification.objects.filter(kind="care_drug_test", user=staff["officer"]).exists()
    # The grid worker on the team sees that a task is due, not that it is a drug test.
    assert schedules.kind_for(staff["gw"], schedule, details_visible=False) == "***"
    record = ScheduleRecord.objects.filter(schedule=schedule).first()
    assert schedules.result_for(record, details_visible=False) == "***"
    assert schedules.result_for(record, details_visible=True) == "positive"


def test_the_agreements_test_rhythm_is_checked(staff, tree):
    with pytest.raises(DomainError) as error:
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1), program="drug_rehab", details={"test_every_days": 0},
               legal_basis="《禁毒法》")
    assert "details.test_every_days" in error.value.fields


def test_a_missed_check_in_always_alerts_the_officer(staff, tree):
    person = PersonFactory(org_code=Tree.CELL_A1)
    # The officer is not on the team: only the grid worker is.
    enrollment = enroll(staff, person, program="community_corrections", start_date=TODAY - 10 * DAY,
                        legal_basis="《社区矫正法》", details={"checkin_every_days": 7},
                        team=[TeamSpec(role="grid_worker", user=staff["gw"])])

    services.visit_record(actor=staff["officer"], enrollment=enrollment, date=TODAY - 3 * DAY, form="phone",
                          missed=True)
    assert Notification.objects.filter(kind="care_checkin_missed", user=staff["officer"]).count() == 1

    # Nothing recorded on the check-in day: the nightly run tells the officer the day after.
    enrollment.refresh_from_db()
    assert schedules.checkins_missed_alert(enrollment.next_due_date + DAY) == 1
    assert Notification.objects.filter(kind="care_checkin_missed", user=staff["officer"]).count() == 2
    assert schedules.checkins_missed_alert(enrollment.next_due_date + 2 * DAY) == 0
