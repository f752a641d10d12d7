"""Emergency access in a real Chromium: a grid worker of another county breaks the glass on a
phone, and an auditor reviews it."""

import pytest

from gridgov.core.models import EmergencyGrant, Role
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e

FULL_ID = "11010519491231002X"


@pytest.fixture
def city(transactional_db):
    build_tree()
    make_user("gwb", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1], display_name="赵网格")
    make_user("aud", Role.AUDITOR, scope="99", display_name="周审计")
    make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    return {"resident": PersonFactory(name="王小明", resident_id=FULL_ID, phone="13912345678")}


def test_break_the_glass_and_review_it(phone_page, live_server, city):
    page = phone_page
    sign_in(page, live_server, "gwb")

    page.goto(f"{live_server.url}/emergency/")
    page.fill("#id_resident_id", FULL_ID)
    page.select_option("#id_reason", "danger_to_life")
    page.fill("#id_note", "老人在本网格街头晕倒，需联系家属")
    page.locator("form.emergency-form button[type=submit]").click()
    page.wait_for_url(f"**/people/{city['resident'].pk}/")
    page.locator("[data-emergency-grant]").wait_for()
    page.screenshot(path="/tmp/gridgov-emergency-person.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    grant = EmergencyGrant.objects.get()

    page.context.clear_cookies()
    sign_in(page, live_server, "aud")
    page.goto(f"{live_server.url}/emergency/reviews/")
    row = page.locator(f"#grant-{grant.pk}")
    assert "王*" in row.inner_text() and "王小明" not in page.content()
    page.screenshot(path="/tmp/gridgov-emergency-reviews.png", full_page=True)
    row.locator("input[value=justified]").check()
    row.locator("button[type=submit]").click()
    page.locator(".empty").wait_for()

    grant.refresh_from_db()
    assert grant.review == "justified"
    assert page.js_errors == []
