"""Care alerts name places by their name path and dates as the reader reads them (issue 11)."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from gridgov.care import daily, schedules, services
from gridgov.care.models import CareSchedule
from gridgov.care.services import TeamSpec
from gridgov.core.models import Notification
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _texts(kind):
    return list(Notification.objects.filter(kind=kind).values_list("text", flat=True))


def _no_codes(text):
    assert "990101" not in text and "990102" not in text
    assert "-" not in text.split("：")[0]  # no ISO date like 2026-12-03


def test_an_overdue_task_alert_names_the_place_and_a_readable_date(staff, patient):
    with translation.override("zh-hans"):
        enrollment = enroll(staff, patient, start_date=TODAY - 40 * DAY)
        schedule = schedules.schedule_create(actor=staff["officer"], enrollment=enrollment, kind="call",
                                             interval_days=30, starts_on=TODAY - 20 * DAY, assignee=staff["gw"])
        schedules.schedule_record(actor=staff["gw"], schedule=schedule, done_on=TODAY - 20 * DAY, done=False)
        schedules.schedules_overdue_alert(TODAY)
        [text] = _texts("care_schedule_overdue")
        assert "县1 › 镇1" in text
        assert date_format(TODAY - 13 * DAY, "DATE_FORMAT") in text and "年" in text
        _no_codes(text)


def test_check_in_and_drug_test_alerts_name_the_place(staff, tree):
    with translation.override("zh-hans"):
        person = PersonFactory(org_code=Tree.CELL_A1)
        enrollment = enroll(staff, person, program="community_corrections", start_date=TODAY - 10 * DAY,
                            legal_basis="《社区矫正法》", details={"checkin_every_days": 7},
                            team=[TeamSpec(role="grid_worker", user=staff["gw"])])
        services.visit_record(actor=staff["officer"], enrollment=enrollment, date=TODAY - 3 * DAY, form="phone",
                              missed=True)
        [text] = _texts("care_checkin_missed")
        assert "县1 › 镇1" in text and date_format(TODAY - 3 * DAY, "DATE_FORMAT") in text
        _no_codes(text)

        start = TODAY - 20 * DAY
        rehab = enroll(staff, PersonFactory(org_code=Tree.CELL_A1), program="drug_rehab", start_date=start,
                       legal_basis="《禁毒法》第三十三条",
                       details={"agreement_start": start.isoformat(),
                                "agreement_end": (TODAY + 60 * DAY).isoformat(), "test_every_days": 14},
                       team=[TeamSpec(role="grid_worker", user=staff["gw"])])
        schedule = CareSchedule.objects.get(enrollment=rehab)
        schedules.schedule_record(actor=staff["officer"], schedule=schedule, done_on=TODAY, result="positive")
        [text] = _texts("care_drug_test")
        assert "县1 › 镇1" in text
        _no_codes(text)


def test_handover_alerts_name_both_places_and_the_date(staff, patient):
    with translation.override("zh-hans"):
        services.handover_create(actor=staff["officer"], enrollment=enroll(staff, patient),
                                 to_org_code=Tree.CELL_B1, due_date=TODAY, reason="prison_release")
        [text] = _texts("care_handover")
        assert "县2 › 镇2" in text and date_format(TODAY, "DATE_FORMAT") in text
        _no_codes(text)
        daily.handovers_alert_missed(TODAY + DAY)
        for text in _texts("care_handover_missed"):
            assert "县1 › 镇1" in text and "县2 › 镇2" in text
            _no_codes(text)
