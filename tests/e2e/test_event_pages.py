"""The event loop in a real Chromium: a grid worker reports on a phone with a photo and the
phone's location, the station accepts and handles it with a photo, the worker verifies it,
the dispatcher closes it, and the resident's public page says it is closed."""

import io

import pytest
from PIL import Image

from gridgov.core.models import Department, Role
from gridgov.events.catalog import seed_categories
from gridgov.events.models import Category, Event, RoutingRule
from gridgov.events.workflow import Status
from tests.e2e.conftest import CHROMIUM_ARGS, PHONE  # noqa: F401
from tests.factories import TEST_PASSWORD, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e

POINT_A1 = {"latitude": 31.005, "longitude": 120.005}


def photo(name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 120, 200)).save(buffer, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def city(transactional_db):
    """The demo's routing in small: food.unlicensed in county A → the county's market
    department → its station in the township."""
    build_tree()
    seed_categories()  # a transactional test may follow another that emptied the tables
    market = Department.objects.create(code="990101-market", name="县市场监督管理局", kind="department",
                                       function="market", org_code=Tree.COUNTY_A)
    station = Department.objects.create(code="990101001-market", name="镇市场监管所", kind="station",
                                        function="market", org_code=Tree.TOWNSHIP_A, parent=market)
    RoutingRule.objects.create(category=Category.objects.get(code="food.unlicensed"), org_prefix=Tree.COUNTY_A,
                               department=market)
    make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    make_user("stat", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A, department=station, display_name="王所员")
    make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A, display_name="赵调度")


def open_as(browser, live_server, username, **context_options):
    """A fresh phone-sized context signed in as `username`, collecting script errors."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.js_errors = errors
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_a_report_goes_round_the_loop_to_closed(browser, live_server, city):
    # A grid worker on a phone reports an unlicensed food stall with a photo; the phone gives the point.
    context, page = open_as(browser, live_server, "gw", geolocation=POINT_A1, permissions=["geolocation"])
    page.goto(f"{live_server.url}/events/mobile/")
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    page.select_option("#id_domain", "food")
    page.select_option("#id_category", "food.unlicensed")
    assert page.locator("[data-fixable-box]").is_hidden()  # not a category fixed on the spot
    assert page.locator("#id_category option[value='fire.lane']").count() == 0  # narrowed to the domain
    page.fill("#id_description", "菜场门口无证熟食摊")
    page.set_input_files("#id_photos", [photo("stall.jpg")])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("form[data-report-form] button[type=submit]")
    page.wait_for_url("**/events/mobile/?tab=mine&sent=1")
    event = Event.objects.get()
    assert (event.status, event.lat, event.lng) == (Status.DISPATCHED, 31.005, 120.005)
    page.locator(f"[data-event-code='{event.code}']").wait_for()
    worker_errors = page.js_errors

    # The township station accepts it from its inbox, then reports it handled with a photo.
    station_context, station = open_as(browser, live_server, "stat")
    station.goto(f"{live_server.url}/events/inbox/")
    station.locator(f"[data-event-code='{event.code}'] a.item-title").click()
    station.locator("details[data-action=accept] summary").click()
    station.locator("details[data-action=accept] button[type=submit]").click()
    station.locator("details[data-action=handle] summary").click()  # the panel was swapped in place
    station.fill("#id_handle-note", "已取缔，摊主已离开")
    station.set_input_files("#id_handle-photos", [photo("after.jpg")])
    station.locator("details[data-action=handle] button[type=submit]").click()
    station.locator("#event-panel .status-handled").wait_for()
    assert Event.objects.get().photos.count() == 2

    # The grid worker verifies it on site from the phone page.
    page.goto(f"{live_server.url}/events/mobile/?tab=verify")
    item = page.locator(f".verify-item[data-event-code='{event.code}']")
    item.locator("input[value=yes]").check()
    item.locator("button[type=submit]").click()
    page.wait_for_url("**/events/mobile/?tab=verify")
    assert Event.objects.get().status == Status.VERIFIED

    # The dispatcher closes it.
    desk_context, desk = open_as(browser, live_server, "disp")
    desk.goto(f"{live_server.url}/events/{event.pk}/")
    desk.locator("details[data-action=close] button[type=submit]").click()
    desk.locator("#event-panel .status-closed").wait_for()

    # The resident's public page says it is closed, and offers to rate it.
    public_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    public = public_context.new_page()
    public.goto(f"{live_server.url}/track/{event.public_token}/")
    assert Event.objects.get().status == Status.CLOSED
    assert "Closed" in public.locator("[data-public-status]").inner_text() or "结" in public.locator(
        "[data-public-status]").inner_text()
    assert public.locator("#rate-form").is_visible()
    assert "李网格" not in public.content() and "王所员" not in public.content()

    assert worker_errors == [] and station.js_errors == [] and desk.js_errors == []
    for ctx in (context, station_context, desk_context, public_context):
        ctx.close()
