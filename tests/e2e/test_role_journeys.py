"""More of issue 11 §B in a real Chromium: the workbench of the station and of the care-program
officer at the desk; every main page of the grid worker, the doctor and the police liaison
one tap away on a phone (390×844); and the doctor's daily care list read in order of urgency,
each status with its own sign (a cross for in hospital, a door for away, a tick for visited,
an alert for due), not colour alone."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import services
from gridgov.care.services import TeamSpec
from gridgov.core.models import Department, Role
from gridgov.events.workflow import Status
from tests.e2e.journeys import DESKTOP, PHONE, nothing_sideways, open_as, shot
from tests.e2e.test_workbench_pages import day  # noqa: F401
from tests.factories import PersonFactory, Tree, build_tree, make_user
from tests.workbench.conftest import make_enrollments, make_events, make_handovers

pytestmark = pytest.mark.e2e

TODAY = timezone.localdate()


def _count(page, key) -> str:
    return page.locator(f"[data-work='{key}'] .work-count").inner_text().strip()


# --- the station and the officer at the desk -------------------------------------------------------


def test_the_station_at_the_desk_opens_its_inbox_from_home(browser, live_server, day):  # noqa: F811
    station = Department.objects.get(code="990101001-market")
    make_user("stat", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A, department=station, display_name="王所员")
    make_events(2, status=Status.DISPATCHED, department=station, deadline_in=datetime.timedelta(hours=5))
    context, page = open_as(browser, live_server, "stat", DESKTOP)

    assert _count(page, "events.to_accept") == "2"
    assert _count(page, "events.due_soon") == "2"
    shot(page, "workbench-station-home")
    page.locator("[data-work='events.to_accept'] a").click()
    page.wait_for_url("**/events/inbox/?tab=to_accept")
    assert page.locator(".event-row").count() == 2
    # the events are named by their category and place, not by codes
    row = page.locator(".event-row").first.inner_text()
    assert "无证" in row and "food.unlicensed" not in row
    shot(page, "workbench-station-inbox")
    assert page.js_errors == []
    context.close()


def test_the_officer_at_the_desk_sees_unconfirmed_cases_and_handovers(browser, live_server, day):  # noqa: F811
    make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    make_enrollments(2, high_risk=True)
    incoming = make_enrollments(2, org_code=Tree.CELL_B1)
    make_handovers(incoming[:1], from_org_code=Tree.CELL_B1, to_org_code=Tree.CELL_A1, late=True)
    make_handovers(incoming[1:], from_org_code=Tree.CELL_B1, to_org_code=Tree.CELL_A1)
    context, page = open_as(browser, live_server, "officer", DESKTOP)

    assert _count(page, "care.unconfirmed") == "2"
    assert _count(page, "care.handovers_in") == "2"
    assert _count(page, "care.visits_due") == "15"  # the day's 13 due and 2 unconfirmed
    shot(page, "workbench-officer-home")
    page.locator("[data-work='care.handovers_in'] a").click()
    page.wait_for_url("**/care/#incoming")
    page.locator("#incoming").wait_for()
    shot(page, "workbench-officer-handovers")
    assert page.js_errors == []
    context.close()


# --- every main page one tap away on a phone --------------------------------------------------------


@pytest.fixture
def phone_roles(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="孙医生")
    police = make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A, display_name="周警官")
    from gridgov.events.catalog import seed_categories

    seed_categories()
    person = PersonFactory(name="陈明", org_code=Tree.CELL_A1, lat=31.005, lng=120.005)
    services.enrollment_create(actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
                               start_date=TODAY - datetime.timedelta(days=20), legal_basis="《精神卫生法》",
                               team=[TeamSpec(role="doctor", user=doctor), TeamSpec(role="police_liaison", user=police)],
                               details={"risk_level": 3, "classification": "unstable"})


@pytest.mark.parametrize("username", ["gw", "doctor", "police"])
def test_every_main_page_of_a_phone_role_is_one_tap_away(browser, live_server, phone_roles, username):
    context, page = open_as(browser, live_server, username)
    bar = page.locator("nav.tab-bar")
    assert bar.is_visible()
    links = bar.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 3, hrefs  # Home and at least two pages of the role
    assert nothing_sideways(page)
    shot(page, f"phone-{username}-home", full_page=False)

    for href in hrefs:
        bar.locator(f"a[href='{href}']").click()  # one tap, from whichever page we are on
        page.wait_for_url(f"{live_server.url}{href}")
        assert bar.locator(f"a[href='{href}']").get_attribute("aria-current") == "page"
        assert page.locator("main h1").first.is_visible()
        # every tab fits the bar: none hidden sideways
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
        assert nothing_sideways(page), href
        shot(page, f"phone-{username}-{href.strip('/').replace('/', '-') or 'home'}", full_page=False)
    assert page.js_errors == []
    context.close()


# --- the daily care list, most urgent first ---------------------------------------------------------


@pytest.fixture
def care_day(transactional_db):
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="孙医生")

    def enroll(name, days_ago, details=None, lng=120.005):
        person = PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=lng)
        return services.enrollment_create(
            actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
            start_date=TODAY - datetime.timedelta(days=days_ago), legal_basis="《精神卫生法》",
            team=[TeamSpec(role="doctor", user=doctor)],
            details=details or {"risk_level": 1, "classification": "basically_stable"})

    stable = {"risk_level": 0, "classification": "stable"}
    cases = {
        "陈甲": enroll("陈甲", 60, lng=120.001),
        "陈乙": enroll("陈乙", 20, lng=120.002),
        "陈丙": enroll("陈丙", 0, stable, lng=120.003),
        "陈戊": enroll("陈戊", 20, lng=120.004),
        "陈己": enroll("陈己", 40, lng=120.006),
        "陈庚": enroll("陈庚", 20, lng=120.007),
    }
    services.status_begin(actor=doctor, enrollment=cases["陈戊"], kind="hospital", start=TODAY)
    services.status_begin(actor=doctor, enrollment=cases["陈己"], kind="away", start=TODAY)
    services.visit_record(actor=doctor, enrollment=cases["陈庚"], date=TODAY, form="phone",
                          details={"risk_level": 0, "classification": "stable"})
    return cases


def test_the_doctor_reads_the_day_most_urgent_first_with_a_sign_for_each_status(browser, live_server, care_day):
    context, page = open_as(browser, live_server, "doctor")
    page.goto(f"{live_server.url}/care/today/?org={Tree.TOWNSHIP_A}")
    page.locator(".care-row").first.wait_for()

    names = [t.strip() for t in page.locator(".care-row a.item-title").all_inner_texts()]
    assert names == ["陈甲", "陈乙", "陈戊", "陈己", "陈丙", "陈庚"]  # overdue, hospital, away, not due, visited
    statuses = page.locator(".care-row").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["due", "due", "hospitalized", "away", "not_due", "visited"]

    # each status has its own drawn sign beside its word (the map's markers use the same signs)
    words = set()
    for status, image in (("hospitalized", "hospitalized.svg"), ("away", "away.svg"), ("visited", "visited.svg"),
                          ("due", "due.svg")):
        enrollment = care_day[names[statuses.index(status)]]
        badge = page.locator(f"#care-row-{enrollment.pk} .care-badge")
        assert image in badge.locator(".care-glyph").evaluate("e => getComputedStyle(e).backgroundImage"), status
        words.add(badge.inner_text().strip())
    assert len(words) == 4 and all(words)  # and a word for each, not colour alone
    page.locator(".care-map .care-marker, .care-map .care-cluster").first.wait_for()
    assert nothing_sideways(page)
    shot(page, "care-day-doctor")
    assert [e for e in page.js_errors if "favicon" not in e] == []
    context.close()
