"""notify (issue 11): a doctor on a phone reads a crisis alert, opens the case from it, marks
everything read and chooses SMS for crises, in a real Chromium."""

import datetime

import pytest

from gridgov.care import services
from gridgov.care.services import TeamSpec
from gridgov.core.models import Notification, NotificationContact, NotificationPreference, Role
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_resident_id, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def crisis(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="刘医生",
                       email="doctor@example.org")
    person = PersonFactory(name="陈明", resident_id=make_resident_id(birth="19800505", seq=21), org_code=Tree.CELL_A1)
    enrollment = services.enrollment_create(
        actor=officer, person=person, program="smd", org_code=person.org_code,
        start_date=datetime.date(2026, 11, 2), legal_basis="《精神卫生法》第二十四条",
        team=[TeamSpec(role="doctor", user=doctor),
              TeamSpec(role="family", name="陈母", contact="13800001111", sms_consent=True)],
        details={"risk_level": 3, "classification": "unstable"})
    services.crisis_report(actor=doctor, enrollment=enrollment, description="情绪激动", reported_by="family")
    return {"doctor": doctor, "enrollment": enrollment}


def test_a_doctor_reads_the_alert_opens_the_case_and_chooses_sms(phone_page, live_server, crisis):
    page = phone_page
    sign_in(page, live_server, "doctor")

    page.goto(f"{live_server.url}/notifications/")
    page.screenshot(path="/tmp/notify-list.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    alert = page.locator(".notification", has_text="陈明").first
    assert alert.is_visible()

    # the alert's link opens the case
    alert.locator("a.item-action").click()
    page.wait_for_url(f"{live_server.url}/care/enrollments/{crisis['enrollment'].pk}/")

    # mark all read
    page.goto(f"{live_server.url}/notifications/")
    page.locator("form[action='/notifications/read-all/'] button").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert not Notification.objects.filter(user=crisis["doctor"], read_at__isnull=True).exists()

    # settings: a number for SMS, crisis e-mails off
    page.goto(f"{live_server.url}/notifications/settings/")
    page.fill("#id_sms_phone", "13912345678")
    page.uncheck("#id_care_crisis__email")
    page.screenshot(path="/tmp/notify-settings.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/notifications/settings/")
    assert NotificationContact.objects.get(user=crisis["doctor"]).sms_phone == "13912345678"
    assert NotificationPreference.objects.get(user=crisis["doctor"], kind="care_crisis", channel="email").enabled \
        is False
    assert page.js_errors == []
