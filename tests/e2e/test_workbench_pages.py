"""The home page is each role's workbench, in a real Chromium (issue 11 §B): the grid worker
and the doctor on a phone, the dispatcher and the department at a desk. Each sees what waits
for it, counted, and one tap on an item opens the list of exactly those rows."""

import datetime

import pytest

from gridgov.core.models import Department, Role
from gridgov.events.catalog import seed_categories
from gridgov.events.workflow import Status
from tests.e2e.conftest import PHONE
from tests.e2e.test_core_pages import sign_in
from tests.factories import Tree, build_tree, make_user
from tests.workbench.conftest import make_enrollments, make_events, make_round

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def day(transactional_db):
    """County A with work waiting for everyone."""
    build_tree()
    seed_categories()  # a transactional test may follow another that emptied the tables
    market = Department.objects.create(code="990101-market", name="县市场监督管理局", kind="department",
                                       function="market", org_code=Tree.COUNTY_A)
    station = Department.objects.create(code="990101001-market", name="镇市场监管所", kind="station",
                                        function="market", org_code=Tree.TOWNSHIP_A, parent=market)
    users = {
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格"),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="孙医生"),
        "disp": make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A, display_name="赵调度"),
        "dept": make_user("dept", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=market,
                          display_name="王科员"),
    }
    make_events(4, status=Status.REGISTERED)
    make_events(2, status=Status.HANDLED, department=station)
    make_events(3, status=Status.DISPATCHED, department=market, deadline_in=datetime.timedelta(hours=6))
    make_events(1, status=Status.ACCEPTED, department=market, deadline_in=-datetime.timedelta(hours=2),
                supervised=True)
    make_round(5, assignee=users["gw"])
    make_enrollments(10, due_in_days=0)
    make_enrollments(3, due_in_days=-4)
    make_enrollments(2, due_in_days=12)
    return users


def _open(browser, live_server, username, viewport):
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.js_errors = errors
    sign_in(page, live_server, username)
    return context, page


def _count(page, key) -> str:
    return page.locator(f"[data-work='{key}'] .work-count").inner_text().strip()


def test_the_grid_worker_on_a_phone_reports_verifies_and_checks_from_home(browser, live_server, day):
    context, page = _open(browser, live_server, "gw", PHONE)

    report = page.locator(".workbench-actions a.button-big")
    assert report.is_visible() and report.bounding_box()["height"] >= 48  # a big, thumb-sized button
    assert _count(page, "events.to_verify") == "2"
    assert page.locator("[data-work^='register.to_check.'] .work-count").inner_text().strip() == "5"
    assert _count(page, "care.visits_due") == "13"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    bar = page.locator("nav.tab-bar")
    assert bar.is_visible() and bar.locator("a").count() >= 3  # Home and the main pages, one tap away
    page.screenshot(path="/tmp/workbench-gridworker-home.png")

    page.locator("[data-work='events.to_verify'] a").click()
    page.wait_for_url("**/events/mobile/?tab=verify")
    assert page.locator(".verify-item").count() == 2
    page.screenshot(path="/tmp/workbench-gridworker-verify.png")

    bar.locator("a").first.click()  # Home, from the tab bar
    page.wait_for_url(f"{live_server.url}/")
    report.click()
    page.wait_for_url("**/events/mobile/?tab=report")
    assert page.js_errors == []
    context.close()


def test_the_doctor_on_a_phone_sees_13_visits_due_and_opens_them(browser, live_server, day):
    context, page = _open(browser, live_server, "doctor", PHONE)

    assert _count(page, "care.visits_due") == "13"
    assert _count(page, "care.visits_overdue") == "3"
    assert page.locator("[data-work='care.visits_overdue'] .work-flag").is_visible()  # said in words too
    page.screenshot(path="/tmp/workbench-doctor-home.png", full_page=True)

    page.locator("[data-work='care.visits_due'] a").click()
    page.wait_for_url("**/care/today/?status=due")
    page.locator(".care-row").first.wait_for()
    assert page.locator(".care-row").count() == 13
    assert page.locator(".care-row[data-status='due']").count() == 13
    page.screenshot(path="/tmp/workbench-doctor-due.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_dispatcher_at_the_desk_opens_the_new_reports_from_home(browser, live_server, day):
    context, page = _open(browser, live_server, "disp", DESKTOP)

    assert _count(page, "events.to_dispatch") == "4"
    assert _count(page, "events.overdue") == "1" and _count(page, "events.supervised") == "1"
    assert not page.locator("nav.tab-bar").is_visible()  # the desk has the full menu
    page.screenshot(path="/tmp/workbench-dispatcher-home.png", full_page=True)

    page.locator("[data-work='events.to_dispatch'] a").click()
    page.wait_for_url("**/events/?status=registered")
    assert page.locator(".event-row").count() == 4

    page.go_back()
    page.locator("[data-work='events.supervised'] a").click()
    page.wait_for_url("**/events/?supervised=on")
    assert page.locator(".event-row").count() == 1
    page.screenshot(path="/tmp/workbench-dispatcher-supervised.png")
    assert page.js_errors == []
    context.close()


def test_the_department_at_the_desk_opens_what_to_accept_and_what_is_overdue(browser, live_server, day):
    context, page = _open(browser, live_server, "dept", DESKTOP)

    assert _count(page, "events.to_accept") == "3"
    assert _count(page, "events.due_soon") == "3"
    assert _count(page, "events.unit_overdue") == "1"
    page.screenshot(path="/tmp/workbench-department-home.png", full_page=True)

    page.locator("[data-work='events.to_accept'] a").click()
    page.wait_for_url("**/events/inbox/?tab=to_accept")
    assert page.locator(".event-row").count() == 3

    page.go_back()
    page.locator("[data-work='events.unit_overdue'] a").click()
    page.wait_for_url("**/events/inbox/?due=overdue")
    assert page.locator(".event-row").count() == 1
    page.screenshot(path="/tmp/workbench-department-overdue.png")
    assert page.js_errors == []
    context.close()
