"""A community doctor on a phone: the day's map of their township, a due person's follow-up
recorded from the visit form, and the person's icon turned green on the map."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from gridgov.care import services
from gridgov.care.models import Visit
from gridgov.core.models import Role
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_user

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/gridgov-care-today.png"


@pytest.fixture
def township(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    worker = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    today = timezone.localdate()
    team = [services.TeamSpec(role="doctor", user=doctor), services.TeamSpec(role="grid_worker", user=worker)]

    def enroll(name, lng, details, start):
        person = PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=lng)
        return services.enrollment_create(actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
                                          start_date=start, legal_basis="《精神卫生法》", team=team, details=details)

    due = enroll("陈明", 120.004, {"risk_level": 1, "classification": "basically_stable"},
                 today - datetime.timedelta(days=20))
    calm = enroll("王芳", 120.007, {"risk_level": 0, "classification": "stable"}, today)
    return {"due": due, "calm": calm}


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, format="JPEG")
    return {"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_doctor_records_a_follow_up_and_the_icon_turns_green(phone_page, live_server, township):
    page = phone_page
    due = township["due"]
    sign_in(page, live_server, "doctor")

    page.goto(f"{live_server.url}/care/today/?org={Tree.TOWNSHIP_A}")
    icon = page.locator(f".care-map .care-marker[data-enrollment='{due.pk}']")
    icon.wait_for()
    assert icon.get_attribute("data-status") == "due"
    assert page.locator(".care-map .leaflet-tile").count() == 0  # no tiles from anywhere
    assert page.locator(".care-map path.leaflet-interactive").count() == 2  # the township's two cells
    assert page.locator("[data-count='due']").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    page.locator(f"#care-row-{due.pk} a[href*='/visit/']").click()
    page.locator("form[data-care-visit]").wait_for()
    page.locator("input[name='form'][value='home']").check()
    page.locator("input[name='risk_level'][value='0']").check()
    # the risk level suggests the classification
    assert page.locator("input[name='classification'][value='stable']").is_checked()
    page.select_option("#id_sleep", "good")
    page.locator("input[name='medication_adherence'][value='regular']").check()
    page.fill("#id_medicines", "利培酮 2mg 每日两次")
    page.locator("input[name='help_given'][value='treatment']").check()
    page.set_input_files("#id_photo", files=[_photo()])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("form[data-care-visit] button[type=submit]").click()

    page.wait_for_url(f"**/care/today/?org={Tree.TOWNSHIP_A}")
    icon = page.locator(f".care-map .care-marker[data-enrollment='{due.pk}']")
    icon.wait_for()
    assert icon.get_attribute("data-status") == "visited"
    assert "care-status-visited" in icon.get_attribute("class")
    # green: the marker's colour is the "visited" green of the legend
    assert icon.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(30, 107, 52)"
    assert page.locator("[data-count='visited']").inner_text() == "1"
    page.screenshot(path=SCREENSHOT, full_page=True)
    visit = Visit.objects.get(enrollment=due)
    assert visit.details["medication_adherence"] == "regular" and visit.details["signature"] == "李医生"
    assert visit.photo
    assert page.js_errors == []
