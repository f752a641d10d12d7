"""The demo shows a working day (issue 11 §B), in a real Chromium on the town demo that
`seed_demo` generates: the dispatcher's desk opens on events of past weeks in every state,
with yellow and red lights, overdue steps and supervision; the doctor's phone on care work
under way; and the administrator finds the Django admin in Chinese, with the care programs'
settings that docs/care.md promises."""

import re

import pytest

from gridgov.demo.generator import seed_demo
from tests.e2e.journeys import DESKTOP, ORG_CODE, PHONE, main_text, nothing_sideways, open_as, shot
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

EVENT_CODE = re.compile(r"\d{6}-\d{8}-\d{4}")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


@pytest.fixture
def demo(transactional_db):
    from gridgov.events.catalog import seed_categories

    seed_categories()  # (seed_demo seeds them too when they are missing)
    return seed_demo(scale="town", password=TEST_PASSWORD)


def _count(page, key) -> int:
    return int(page.locator(f"[data-work='{key}'] .work-count").inner_text().strip())


def test_the_dispatcher_opens_on_a_working_day(browser, live_server, demo):
    context, page = open_as(browser, live_server, "dispatcher", DESKTOP)

    # Work waits on the desk: reports to dispatch or close, overdue steps, supervision.
    shot(page, "demo-dispatcher-home")
    assert _count(page, "events.to_dispatch") + _count(page, "events.to_close") > 0
    assert _count(page, "events.overdue") > 0
    assert _count(page, "events.supervised") > 0
    assert re.findall(r"\d{6}-[a-z_]+", main_text(page)) == []  # departments by name, not "390102-market"

    # The events of the past weeks, in every state of the loop, with yellow and red lights.
    page.goto(f"{live_server.url}/events/?status=all")
    page.locator(".event-row").first.wait_for()
    statuses = set(page.locator(".event-row .status").evaluate_all(
        "spans => spans.map(s => [...s.classList].find(c => c.startsWith('status-')))"))
    assert len(statuses) >= 5, statuses
    lights = set(page.locator(".event-row .light").evaluate_all(
        "spans => spans.map(s => [...s.classList].find(c => c.startsWith('light-')))"))
    assert {"light-yellow", "light-red"} <= lights, lights
    # Places and departments by name, not by code.
    rows = " ".join(page.locator(".event-row .item-meta").all_inner_texts())
    assert ORG_CODE.findall(EVENT_CODE.sub("", rows)) == []
    assert "›" in rows  # a place as its name path
    shot(page, "demo-dispatcher-events")
    assert page.js_errors == []
    context.close()


def test_the_doctor_opens_on_care_work_under_way(browser, live_server, demo):
    context, page = open_as(browser, live_server, "doctor", PHONE)

    assert _count(page, "care.visits_due") > 0
    assert _count(page, "care.visits_overdue") > 0
    shot(page, "demo-doctor-home", full_page=False)
    page.locator("nav.tab-bar a[href='/care/today/']").click()
    page.wait_for_url("**/care/today/**")
    page.locator(".care-row").first.wait_for()
    counts = {key: page.locator(f"[data-count='{key}']").inner_text()
              for key in ("due", "hospitalized", "away", "visited")}
    assert all(int(v) > 0 for k, v in counts.items() if k != "visited"), counts
    assert nothing_sideways(page)
    shot(page, "demo-doctor-today")
    assert [e for e in page.js_errors if "favicon" not in e] == []
    context.close()


def test_the_admin_is_in_chinese_with_the_care_program_settings(browser, live_server, demo):
    context, page = open_as(browser, live_server, "admin", DESKTOP)
    page.locator(".site-nav a[href='/admin/']").click()
    page.wait_for_url("**/admin/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    content = page.locator("#content").inner_text()
    english = [w for w in ENGLISH_WORD.findall(content) if w not in {"Open311", "HTMX", "API"}]
    shot(page, "demo-admin-index")
    assert english == [], english[:20]

    # The care programs' settings: a number per setting with its unit, in Chinese.
    page.goto(f"{live_server.url}/admin/care/programconfig/add/")
    page.locator("select[name=program]").select_option("smd")
    page.locator("input[type=submit][name=_save], input[type=submit]").first.click()
    page.wait_for_url("**/admin/care/programconfig/*/change/")
    page.locator("input[name=stable_months]").fill("2")
    labels = page.locator("#content label").all_inner_texts()
    assert labels and not any(ENGLISH_WORD.search(label) for label in labels), labels
    shot(page, "demo-admin-program-settings")
    page.locator("input[type=submit][name=_save]").click()
    page.wait_for_url("**/admin/care/programconfig/")
    assert page.locator(".messagelist .success").count() == 1
    changelist = page.locator("#result_list").inner_text()
    assert "严重精神障碍" in changelist and "smd" not in changelist
    assert [e for e in page.js_errors if "favicon" not in e and "404 (Not Found)" not in e] == []
    context.close()
