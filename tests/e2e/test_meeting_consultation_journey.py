"""A village meeting's concerns and a public consultation (issue 14), in a real Chromium on the
town demo: the grid worker records a meeting on the phone with a concern given to an owner and
a comment for the open consultation; a resident comments on the web; the department groups the
comments into a theme and answers it; the public sees the answer, never the comments one by one."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridgov.participation.models import Concern, Consultation, ConsultationComment, VillageMeeting
from tests.e2e.journeys import DESKTOP, ORG_CODE, PHONE, main_text, nothing_sideways, open_as, shot

pytestmark = pytest.mark.e2e


def _reads_well(page, name: str) -> str:
    text = main_text(page)
    shot(page, name)
    assert not ORG_CODE.search(text), f"{name}: a code where a name belongs: {ORG_CODE.search(text).group()}"
    return text


def test_a_meeting_records_concerns_and_feeds_an_open_consultation(browser, live_server, town_demo):
    consultation = Consultation.objects.get(published_at__isnull=False, decided_at__isnull=True)

    # The grid worker, on the phone, after the evening's meeting.
    context, page = open_as(browser, live_server, "gridworker", PHONE)
    page.goto(f"{live_server.url}/meetings/")
    text = _reads_well(page, "meeting-1-list")
    assert "屋场会" in text and nothing_sideways(page)
    page.locator("details.action-form summary").last.click()
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_place", "二组晒谷坪")
    page.fill("#id_convenor", "村党支部书记 陈建国")
    page.fill("#id_attendance", "35")
    page.fill("#id_officials", "王明，司法所")
    with page.expect_navigation():
        page.locator("form[action$='/meetings/add/'] button[type=submit]").click()
    meeting = VillageMeeting.objects.get(place="二组晒谷坪")
    page.locator("details.action-form summary", has_text="添加诉求").click()
    page.fill("#id_summary", "二组路口缺少反光镜")
    page.locator("input[name=route][value=owner]").check()
    page.fill("#id_owner", "村委会 张德")
    page.fill("#id_deadline", (timezone.localdate() + timezone.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.locator("form[action$='/concerns/'] button[type=submit]").click()
    page.select_option("#consultation", str(consultation.pk))
    page.fill("#consultation-text", "屋场会上村民希望广场加装路灯。")
    with page.expect_navigation():
        page.locator("form[action$='/consultation-comment/'] button[type=submit]").click()
    text = _reads_well(page, "meeting-2-page")
    assert "二组路口缺少反光镜" in text and "村委会 张德" in text and nothing_sideways(page)
    assert Concern.objects.filter(meeting=meeting, route="owner").exists()
    assert ConsultationComment.objects.filter(consultation=consultation, meeting=meeting).exists()
    context.close()

    # A resident comments on the web.
    context, page = open_as(browser, live_server, None, PHONE)
    page.goto(f"{live_server.url}/consult/{consultation.pk}/")
    page.fill("#id_text", "希望广场晚上九点后安静。")
    with page.expect_navigation():
        page.locator("form[action$='/comment/'] button[type=submit]").click()
    assert "您的意见已收到" in main_text(page)
    context.close()

    # The department groups the new comments into a theme and answers it.
    context, page = open_as(browser, live_server, "department", DESKTOP)
    page.goto(f"{live_server.url}/consultations/{consultation.pk}/")
    for box in page.locator("input[name=comments]").all():
        box.check()
    page.fill("#id_theme-title", "照明与安静")
    with page.expect_navigation():
        page.locator("form[action$='/themes/'] button[type=submit]").click()
    theme = consultation.themes.get(title="照明与安静")
    page.locator(f"form[action$='/themes/{theme.pk}/answer/'] textarea").fill("加装节能路灯，晚九点后停止音响。")
    with page.expect_navigation():
        page.locator(f"form[action$='/themes/{theme.pk}/answer/'] button[type=submit]").click()
    _reads_well(page, "consultation-1-manage")
    context.close()

    # The public reads the answer; the comments are not listed one by one.
    context, page = open_as(browser, live_server, None, PHONE)
    page.goto(f"{live_server.url}/consult/{consultation.pk}/")
    text = _reads_well(page, "consultation-2-public")
    assert "加装节能路灯" in text and "希望广场晚上九点后安静" not in text and nothing_sideways(page)
    assert page.js_errors == [], page.js_errors
    context.close()
