"""The police liaison on a phone (issue 11): "My care cases" one tap away, its high-risk case
with the risk level and awaiting confirmation, never a health detail; confirming the case;
a case not on its team answers 404."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import services
from gridgov.care.models import TeamMember
from gridgov.core.models import Role
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/careteam-police-case.png"


@pytest.fixture
def cases(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    police = make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A, display_name="周警官")
    worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    start = timezone.localdate() - datetime.timedelta(days=10)

    def enroll(name, team):
        person = PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=120.005)
        return services.enrollment_create(
            actor=officer, person=person, program="smd", org_code=Tree.CELL_A1, start_date=start,
            legal_basis="《精神卫生法》", team=team,
            details={"risk_level": 4, "classification": "unstable", "diagnosis": "精神分裂症"})

    mine = enroll("陈明", [services.TeamSpec(role="grid_worker", user=worker),
                          services.TeamSpec(role="police_liaison", user=police),
                          services.TeamSpec(role="family", name="陈母", contact="13800001111")])
    other = enroll("王芳", [services.TeamSpec(role="grid_worker", user=worker)])
    return {"mine": mine, "other": other, "police": police}


def test_the_police_liaison_opens_and_confirms_its_case_on_a_phone(phone_page, live_server, cases):
    page = phone_page
    sign_in(page, live_server, "police")

    page.goto(f"{live_server.url}/care/my-cases/")
    row = page.locator(f".care-team-cases [data-enrollment='{cases['mine'].pk}']")
    row.wait_for()
    assert page.locator(".care-team-cases .item").count() == 1
    row.locator("a").click()

    page.locator("[data-risk-level]").wait_for()
    body = page.content()
    assert "陈明" in body and "精神分裂症" not in body
    assert page.locator("[data-team-state]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.locator("form.care-acknowledge button").click()
    page.locator(".care-acknowledged").wait_for()
    assert TeamMember.objects.get(enrollment=cases["mine"], user=cases["police"]).acknowledged_at is not None

    response = page.goto(f"{live_server.url}/care/enrollments/{cases['other'].pk}/")
    assert response.status == 404
    page.js_errors.clear()
