"""Journeys that broke in the walkthrough of issue 11, in a real Chromium: the city
administrator's counts-only care page, a station that returns an event and follows its old
link, the grid worker's tabs after a rejected verification (phone), a resident's rating that
stays on the page (phone), the pickers, and the app's error pages on a phone."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import services as care_services
from gridgov.core.models import Role
from gridgov.events.models import Channel, Event
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from gridgov.events.workflow import Status
from tests.e2e.conftest import PHONE
from tests.e2e.test_event_pages import city, open_as  # noqa: F401
from tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.e2e

POINT_A1 = {"lat": 31.005, "lng": 120.005}


def _report(username="gw", channel=Channel.GRID_WORKER, **extra):
    from gridgov.core.models import User

    return event_submit(actor=User.objects.get(username=username), submission=Submission(
        category_code="food.unlicensed", description="菜场门口无证熟食摊", channel=channel, **POINT_A1, **extra))


def _act(username, event, action, **kwargs):
    from gridgov.core.models import User

    return event_act(actor=User.objects.get(username=username), event=event,
                     request=ActionRequest(action=action, **kwargs))


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# --- the city administrator: care statistics, counts only ------------------------------------------


@pytest.fixture
def care_city(city):  # noqa: F811
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    make_user("admin", Role.CITY_ADMIN, scope="99", display_name="钱管理")
    team = [care_services.TeamSpec(role="doctor", user=doctor)]
    start = timezone.localdate() - datetime.timedelta(days=40)
    names = ["陈明", "王芳", "刘强", "张伟", "杨洋", "黄磊"]
    for i, name in enumerate(names):
        person = PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=120.001 + i / 1000)
        care_services.enrollment_create(actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
                                        start_date=start, legal_basis="《精神卫生法》", team=team,
                                        details={"risk_level": 1, "classification": "basically_stable"})
    # one person in county B: a count below 5 there
    officer_b = make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B)
    care_services.enrollment_create(actor=officer_b, person=PersonFactory(name="孙丽", org_code=Tree.CELL_B1),
                                    program="smd", org_code=Tree.CELL_B1, start_date=start,
                                    legal_basis="《精神卫生法》", team=[],
                                    details={"risk_level": 1, "classification": "basically_stable"})
    return names + ["孙丽"]


def test_city_administrator_sees_care_counts_never_names(browser, live_server, care_city):
    context, page = open_as(browser, live_server, "admin")
    context.set_default_timeout(10_000)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The menu leads to the day's care page: counts, no map, no list.
    page.locator(".site-nav a[href='/care/today/']").click()
    page.wait_for_url("**/care/today/")
    assert page.locator("[data-count='due']").inner_text() == "7"
    assert page.locator(".care-map").count() == 0 and page.locator("#care-rows").count() == 0
    content = page.content()
    assert not any(name in content for name in care_city)

    # The metrics per program of the first county: a count below 5 is shown as "<5".
    page.locator("main a[href^='/care/metrics/']").first.click()
    page.wait_for_url("**/care/metrics/**")
    page.locator(".care-metrics-table").wait_for()
    assert not any(name in page.content() for name in care_city)
    # County B has one person: its count is suppressed.
    page.goto(f"{live_server.url}/care/today/?org={Tree.COUNTY_B}")
    assert page.locator("[data-count='due']").inner_text() == "<5"
    assert "孙丽" not in page.content()
    page.screenshot(path="/tmp/names-admin-care.png", full_page=True)
    assert page.js_errors == []
    context.close()


# --- a station returns an event ----------------------------------------------------------------------


def test_a_station_that_returns_an_event_still_finds_its_link(browser, live_server, city):  # noqa: F811
    event = _report()
    assert event.status == Status.DISPATCHED
    context, page = open_as(browser, live_server, "stat")
    context.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/events/inbox/")
    page.locator(f"[data-event-code='{event.code}'] a.item-title").click()
    page.locator("details[data-action=return] summary").click()

    # Errors in place: a return without a reason comes back inside the panel (HTMX), the
    # form still open with its message, never a page within the page.
    page.evaluate("document.getElementById('id_return-reason').removeAttribute('required')")
    page.locator("details[data-action=return] button[type=submit]").click()
    page.locator("details[data-action=return][open] .field-errors").wait_for()
    assert page.locator(".site-header").count() == 1 and page.locator("#event-panel").count() == 1
    assert Event.objects.get(pk=event.pk).status == Status.DISPATCHED

    page.fill("#id_return-reason", "不属于本所辖区")
    page.locator("details[data-action=return] button[type=submit]").click()
    page.wait_for_url("**/events/inbox/")
    assert Event.objects.get(pk=event.pk).status == Status.RETURNED

    # Its old link (browser history, a notification) leads to a clear page, not a 404.
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.locator(f"[data-returned-event='{event.code}']").wait_for()
    assert "不属于本所辖区" in page.content()
    assert "菜场门口无证熟食摊" not in page.content()  # the details are no longer the station's
    page.locator("[data-returned-event] a[href='/events/inbox/']").click()
    page.wait_for_url("**/events/inbox/")
    assert [e for e in page.js_errors if "400" not in e] == []  # only the rejected form
    context.close()


# --- the grid worker's tabs after a rejected verification (phone) -------------------------------------


def test_grid_worker_tabs_work_after_a_rejected_verification(browser, live_server, city):  # noqa: F811
    from tests.events.conftest import jpeg

    event = _report()
    _act("stat", event, "accept")
    _act("stat", event, "handle", note="已取缔", photos=[jpeg("after.jpg")])
    context, page = open_as(browser, live_server, "gw")

    page.goto(f"{live_server.url}/events/mobile/?tab=verify")
    item = page.locator(f".verify-item[data-event-code='{event.code}']")
    item.locator("input[value=no]").check()  # not solved, but no note: rejected
    item.locator("button[type=submit]").click()
    page.locator(f".verify-item[data-event-code='{event.code}'] .field-errors").wait_for()
    assert Event.objects.get(pk=event.pk).status == Status.HANDLED
    _no_sideways_scroll(page)

    # Every tab still leads to its page (it was a 405: "?tab=" against the verify URL).
    for tab, heading in (("mine", "#mine-results"), ("report", "form[data-report-form]"), ("verify", "#verify-results")):
        page.locator(f"nav.tabs a[href$='?tab={tab}']").click()
        page.wait_for_url(f"**/events/mobile/?tab={tab}")
        page.locator(heading).wait_for()
    assert [e for e in page.js_errors if e.startswith("405 ")] == []
    assert [e for e in page.js_errors if "400" not in e] == []  # only the rejected form
    context.close()


# --- the resident's rating (phone) ---------------------------------------------------------------------


def test_a_residents_poor_rating_stays_and_no_longer_reads_solved(browser, live_server, city):  # noqa: F811
    from tests.events.conftest import jpeg

    event = _report()
    _act("stat", event, "accept")
    _act("stat", event, "handle", note="已取缔", photos=[jpeg("after.jpg")])
    _act("gw", event, "verify", passed=True)
    _act("disp", event, "close")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/track/{event.public_token}/")
    solved = page.locator("[data-public-status]").inner_text()

    page.locator("#rate-form input[name=rating][value='2']").check()
    page.locator("#rate-form button[type=submit]").click()
    page.wait_for_url("**?rated=1")

    # The rating is still there after submitting, chosen in the form, and the status no
    # longer says the problem was solved; the way to send it back is offered.
    assert page.locator("[data-your-rating]").get_attribute("data-your-rating") == "2"
    assert page.locator("#rate-form input[name=rating][value='2']").is_checked()
    assert page.locator("[data-public-status]").inner_text() != solved
    assert page.locator("#dispute-form").is_visible()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/names-rating.png", full_page=True)

    page.locator("#rate-form input[name=rating][value='5']").check()
    page.locator("#rate-form button[type=submit]").click()
    page.wait_for_url("**?rated=1")
    assert page.locator("[data-public-status]").inner_text() == solved
    context.close()


# --- pickers and error pages ----------------------------------------------------------------------------


def test_org_unit_picker_finds_by_pinyin_initials_and_fills_the_code(browser, live_server, city):  # noqa: F811
    context, page = open_as(browser, live_server, "disp")
    page.goto(f"{live_server.url}/events/")
    page.locator("details.more-filters summary").click()
    picker = page.locator("[data-picker]").first
    picker.wait_for()
    picker.locator(".picker-search").fill("wg2")  # 网格2
    choice = picker.locator(f"[data-pick-value='{Tree.CELL_A2}']")
    choice.wait_for()
    choice.click()
    field_id = picker.get_attribute("data-picker")
    assert page.locator(f"#{field_id}").input_value() == Tree.CELL_A2
    assert "网格2" in picker.locator("[data-picker-chosen]").inner_text()

    # The tree: browse from the scope down.
    picker.get_by_test_id("picker-browse").click()  # its label is translated; its test id is not
    picker.locator(f"[data-pick-value='{Tree.TOWNSHIP_A}']").wait_for()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/names-picker.png", full_page=True)

    # A filter already set is said in words beside its code.
    page.goto(f"{live_server.url}/events/?org={Tree.CELL_A2}")
    page.locator("[data-picker-chosen]", has_text="网格2").first.wait_for()
    assert page.locator("[data-picker-chosen]").first.inner_text() == "县1 › 镇1 › 村1 › 网格2"
    assert page.js_errors == []
    context.close()


def test_error_pages_are_the_apps_own_on_a_phone(browser, live_server, city):  # noqa: F811
    context, page = open_as(browser, live_server, "gw")
    response = page.goto(f"{live_server.url}/events/999999/")
    assert response.status == 404
    assert page.locator(".error-page").is_visible()
    assert page.locator(".site-header").is_visible()  # in the app's layout
    page.locator(".error-page a.button").click()  # a way back
    page.wait_for_url(f"{live_server.url}/")
    response = page.goto(f"{live_server.url}/care/")  # the officer's page: not a grid worker's
    assert response.status == 403 and page.locator(".error-page").is_visible()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/names-403.png", full_page=True)
    context.close()


def test_a_server_error_is_the_apps_own_page_in_chinese_on_a_phone(browser, live_server, city, settings):  # noqa: F811
    settings.ROOT_URLCONF = "tests.e2e.urls_with_fault"
    context, page = open_as(browser, live_server, "gw")
    page.set_extra_http_headers({"Accept-Language": "zh-Hans"})
    response = page.goto(f"{live_server.url}/test-fault/")
    assert response.status == 500
    assert page.locator(".error-page").is_visible()
    assert "出错" in page.locator(".error-page h1").inner_text()  # not Django's technical page
    assert "Traceback" not in page.content() and "RuntimeError" not in page.content()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/names-500.png", full_page=True)
    page.locator(".error-page a.button").click()  # a way back
    page.wait_for_url(f"{live_server.url}/")
    context.close()
