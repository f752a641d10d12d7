"""The daily care map as the doctor reads it on a phone: a sign per status (not colour
alone), many homes at one place gathered in a cluster that says how many and rings red when
someone is due, and a visit recorded elsewhere turning its sign without a reload."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import services
from gridgov.core.models import Role
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def township(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    team = [services.TeamSpec(role="doctor", user=doctor)]
    today = timezone.localdate()

    def enroll(lng, details, start, lat=31.005):
        person = PersonFactory(org_code=Tree.CELL_A1, lat=lat, lng=lng)
        return services.enrollment_create(actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
                                          start_date=start, legal_basis="《精神卫生法》", team=team, details=details)

    due = enroll(120.002, {"risk_level": 1, "classification": "basically_stable"}, today - datetime.timedelta(days=20))
    calm = enroll(120.008, {"risk_level": 0, "classification": "stable"}, today)
    # a block of flats in the other cell: twelve homes at one point, one of them due
    flats = [enroll(120.015, {"risk_level": 0, "classification": "stable"}, today, lat=31.006) for _ in range(11)]
    flats.append(enroll(120.015, {"risk_level": 1, "classification": "basically_stable"},
                        today - datetime.timedelta(days=20), lat=31.006))
    return {"due": due, "calm": calm, "doctor": doctor}


def test_signs_clusters_and_a_map_that_refreshes_itself(phone_page, live_server, township):
    page = phone_page
    sign_in(page, live_server, "doctor")

    page.goto(f"{live_server.url}/care/today/?org={Tree.TOWNSHIP_A}")
    due = page.locator(f".care-map .care-marker[data-enrollment='{township['due'].pk}']")
    due.wait_for()
    # each status has its own sign, drawn from its own image
    sign = page.locator(f".care-map .care-marker[data-enrollment='{township['due'].pk}'] .care-glyph")
    assert "due.svg" in sign.evaluate("e => getComputedStyle(e).backgroundImage")
    calm = page.locator(f".care-map .care-marker[data-enrollment='{township['calm'].pk}'] .care-glyph")
    assert "not_due.svg" in calm.evaluate("e => getComputedStyle(e).backgroundImage")
    legend = page.locator(".legend .care-glyph")
    assert legend.count() >= 4
    # the twelve homes of the block are one cluster, ringed red because one of them is due
    cluster = page.locator(".care-map .care-cluster")
    cluster.wait_for()
    assert cluster.inner_text() == "12"
    assert "care-cluster-due" in cluster.get_attribute("class")
    page.screenshot(path="/tmp/lead-care-map.png")

    # a visit recorded on another phone: the map turns the sign without a reload
    services.visit_record(actor=township["doctor"], enrollment=township["due"], date=timezone.localdate(),
                          form="phone", details={"risk_level": 0, "classification": "stable"})
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.locator(f".care-map .care-marker[data-enrollment='{township['due'].pk}'][data-status='visited']").wait_for()
    assert page.locator("[data-count='visited']").inner_text() == "1"
    assert page.locator("[data-count='due']").inner_text() == "1"  # the one in the block of flats
    assert [e for e in page.js_errors if "favicon" not in e] == []
