"""A grid worker on a phone, the org map, and an auditor, in a real Chromium."""

from pathlib import Path

import pytest

import gridgov
from gridgov.core.models import AuditEntry, Role
from tests.factories import TEST_PASSWORD, PersonFactory, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e

FULL_ID = "11010519491231002X"
SCREENSHOT = "/tmp/gridgov-home.png"
CATALOG = Path(gridgov.__file__).resolve().parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def city(transactional_db):
    tree = build_tree()
    worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    auditor = make_user("aud", Role.AUDITOR, scope="99", display_name="周审计")
    resident = PersonFactory(name="王小明", resident_id=FULL_ID, phone="13912345678")
    PersonFactory.create_batch(2, org_code=Tree.CELL_A1)
    return {"tree": tree, "worker": worker, "auditor": auditor, "resident": resident}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_grid_worker_opens_a_record_with_a_purpose_on_a_phone(phone_page, live_server, city):
    page = phone_page
    sign_in(page, live_server, "gw")

    # The home page is in Chinese by default and shows the worker's cell.
    assert page.get_attribute("html", "lang") == "zh-hans"
    if CATALOG.exists():
        assert "网格化社会治理平台" in page.title()
    assert page.locator("#my-cells").is_visible()
    page.get_by_role("link", name="网格1").first.wait_for()
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    # The people list shows masked IDs.
    page.goto(f"{live_server.url}/people/")
    assert page.locator(".person-row").count() == 3
    assert FULL_ID not in page.content()

    # The full record needs a purpose: without one the form comes back with an error.
    page.get_by_role("link", name="王小明").click()
    page.locator("#purpose-form").wait_for()
    page.locator("#purpose-form button[type=submit]").click()
    page.locator("#purpose-form .form-errors").wait_for()
    assert AuditEntry.objects.filter(action="person.open_record").count() == 0

    page.select_option("#id_reason", "home_visit")
    page.fill("#id_details", "上门核实地址")
    page.locator("#purpose-form button[type=submit]").click()
    page.locator("[data-full-resident-id]").wait_for()
    assert page.locator("[data-full-resident-id]").inner_text() == FULL_ID
    assert AuditEntry.objects.get(action="person.open_record").purpose.endswith("上门核实地址")
    # The only failed request is the refused first attempt (and the console line it causes).
    assert [e for e in page.js_errors if "400" not in e] == []


def test_the_cell_page_draws_its_polygon_with_leaflet(phone_page, live_server, city):
    page = phone_page
    sign_in(page, live_server, "gw")

    page.goto(f"{live_server.url}/units/{Tree.CELL_A1}/")

    page.locator(".org-map path.leaflet-interactive").first.wait_for(state="attached")
    assert page.locator(".org-map .leaflet-tile").count() == 0  # no tiles from anywhere
    assert page.js_errors == []


def test_auditor_finds_the_open_record_entry(phone_page, live_server, city):
    from gridgov.core.services import person_open_record

    person_open_record(actor=city["worker"], person=city["resident"], purpose="home_visit", note="核实地址")
    page = phone_page
    sign_in(page, live_server, "aud")

    page.goto(f"{live_server.url}/audit/")
    page.fill("#id_resident_id", FULL_ID)
    page.locator("form.audit-form button[type=submit]").click()
    page.wait_for_url("**/audit/?*")

    table = page.locator("table.audit-table tbody")
    assert table.locator("tr").count() == 1
    assert "入户走访 — 核实地址" in table.inner_text()
    assert "王小明" not in page.content() and "13912345678" not in page.content()


def test_the_language_switch_turns_english(phone_page, live_server, city):
    page = phone_page
    sign_in(page, live_server, "gw")

    page.select_option("#language-select", "en")
    page.locator("html[lang=en]").wait_for(state="attached")

    assert "Grid Governance Platform" in page.title()
