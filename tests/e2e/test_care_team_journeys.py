"""Care teams as the law and the cities set them (issue 11 §C), in a real Chromium: a visit on a
phone that raises the risk to 3 or more asks the whole team to confirm again, the family's
confirmation is recorded by the team, and the case reads as managed once everyone has; an
officer at the desk sets a daily medicine delivery for one patient and names who brings it
with the user picker, and that grid worker records it on a phone; a child's mentor and the
family file that links the children of one household."""

import datetime

import pytest
from django.utils import timezone

from gridgov.care import services, teams
from gridgov.care.models import TeamMember
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from gridgov.register import services as register_services
from gridgov.register.models import Relation, ResidenceType
from tests.e2e.journeys import DESKTOP, main_text, nothing_sideways, open_as, shot
from tests.factories import PersonFactory, Tree, build_tree, make_resident_id, make_user

pytestmark = pytest.mark.e2e

TODAY = timezone.localdate()


@pytest.fixture
def team(transactional_db):
    """A patient of county A with the full team of a high-risk case, every member confirmed,
    at risk level 1 (not high-risk yet)."""
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    psy = make_user("psy", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="孙医生")
    police = make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A, display_name="周警官")
    gw = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    person = PersonFactory(name="陈明", resident_id=make_resident_id(birth="19800505", seq=21), org_code=Tree.CELL_A1,
                           lat=31.005, lng=120.005)
    enrollment = services.enrollment_create(
        actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=20), legal_basis="《精神卫生法》第二十四条",
        team=[TeamSpec(role="grid_worker", user=gw), TeamSpec(role="police_liaison", user=police),
              TeamSpec(role="psychiatrist", user=psy), TeamSpec(role="family", name="陈母", contact="13800001111")],
        details={"risk_level": 1, "classification": "basically_stable"})
    for member in enrollment.team.filter(removed_at__isnull=True):
        if member.user_id:
            services.team_acknowledge(actor=member.user, enrollment=enrollment)
        else:
            teams.team_confirm_on_behalf(actor=officer, member=member, how="phone")
    return {"enrollment": enrollment, "officer": officer, "psy": psy, "police": police, "gw": gw}


def test_a_visit_raising_the_risk_asks_the_whole_team_to_confirm_again(browser, live_server, team):
    enrollment = team["enrollment"]
    case_url = f"{live_server.url}/care/enrollments/{enrollment.pk}/"

    # The psychiatric doctor, on a phone, records a home visit that finds the risk at level 4.
    context, page = open_as(browser, live_server, "psy")
    page.goto(case_url)
    assert page.locator("[data-team-state]").count() == 0 or page.locator(".care-team-complete").count() == 0
    page.locator(f"a[href='/care/enrollments/{enrollment.pk}/visit/']").first.click()
    page.locator("form[data-care-visit]").wait_for()
    page.locator("input[name='form'][value='home']").check()
    page.locator("input[name='risk_level'][value='4']").check()
    page.locator("input[name='classification'][value='unstable']").check()
    assert nothing_sideways(page)
    page.locator("form[data-care-visit] button[type=submit]").click()
    page.wait_for_url("**/care/today/**")

    # The case now says it waits for the team, and who is still to confirm — in names.
    page.goto(case_url)
    state = page.locator("section[data-team-state]")
    state.wait_for()
    assert state.locator("h2").inner_text()  # "Awaiting confirmation": the team is complete, not confirmed
    assert state.locator("[data-team-missing]").count() == 0
    waiting = page.locator("[data-team-waiting]").inner_text()
    assert "周警官" in waiting and "李网格" in waiting
    assert nothing_sideways(page)
    shot(page, "team-reconfirm-psy")

    # The doctor confirms, and records the mother's confirmation by phone.
    page.locator("form.care-acknowledge button").click()
    page.locator(".care-acknowledged").wait_for()
    family = page.locator("form.care-confirm-family")
    family.locator("select[name=how]").select_option("phone")
    family.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()
    mother = TeamMember.objects.get(enrollment=enrollment, role="family")
    assert mother.acknowledged_at is not None
    assert page.locator("form.care-confirm-family").count() == 0
    assert page.js_errors == []
    context.close()

    # The police liaison, on a phone, finds the alert and the case waiting on its home page.
    context, page = open_as(browser, live_server, "police")
    item = page.locator("[data-work='care.confirm_mine']")
    assert item.locator(".work-count").inner_text().strip() == "1"
    shot(page, "team-reconfirm-police-home")
    page.goto(f"{live_server.url}/notifications/")
    shot(page, "team-reconfirm-police-notifications")
    alerts = page.locator(".notification")
    assert alerts.count() == 2  # on the team, then: confirm again
    assert "网格1" in alerts.first.inner_text() and Tree.CELL_A1 not in alerts.first.inner_text()  # a place by name
    page.goto(f"{live_server.url}/")
    item.locator("a").click()
    page.wait_for_url(case_url)
    assert "精神" not in main_text(page).replace("《精神卫生法》", "")  # no health detail for the police
    page.locator("form.care-acknowledge button").click()
    page.locator(".care-acknowledged").wait_for()
    assert nothing_sideways(page)
    assert page.js_errors == []
    context.close()

    # Once the grid worker has confirmed too, the doctor reads the case as managed.
    services.team_acknowledge(actor=team["gw"], enrollment=enrollment)
    context, page = open_as(browser, live_server, "psy")
    page.goto(case_url)
    page.locator(".care-team-complete[data-team-state]").wait_for()
    assert page.js_errors == []
    context.close()


def test_the_officer_sets_a_daily_medicine_delivery_and_the_grid_worker_records_it(browser, live_server, team):
    enrollment = team["enrollment"]
    case_url = f"{live_server.url}/care/enrollments/{enrollment.pk}/"

    # At the desk: the officer sets a delivery every day, and picks who brings it by name.
    context, page = open_as(browser, live_server, "officer", DESKTOP)
    page.goto(case_url)
    form = page.locator(f"form[action='/care/enrollments/{enrollment.pk}/schedules/']")
    page.locator("details", has=form).locator("summary").click()  # "Set a schedule for this person"
    form.locator("select[name=kind]").select_option("medicine_delivery")
    form.locator("input[name=interval_days]").fill("1")
    form.locator("input[name=starts_on]").fill(TODAY.isoformat())
    picker = form.locator("[data-picker]")
    picker.locator(".picker-search").fill("李网格")
    picker.locator("[data-pick-value='gw']").click()
    assert form.locator("input[name=assignee]").input_value() == "gw"
    assert "李网格" in picker.locator("[data-picker-chosen]").inner_text()
    form.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()
    row = page.locator(".care-schedules [data-schedule]")
    assert row.count() == 1
    text = row.inner_text()
    assert "送药" in text or "药品" in text, text  # Medicine delivery, in words
    assert "李网格" in text and "gw" not in text.split()
    shot(page, "schedule-officer")
    assert page.js_errors == []
    context.close()

    # On a phone: the grid worker records today's delivery; the next one is tomorrow.
    context, page = open_as(browser, live_server, "gw")
    page.goto(case_url)
    row = page.locator(".care-schedules [data-schedule]")
    row.locator("summary").click()
    row.locator("input[name=done_on]").fill(TODAY.isoformat())
    row.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()
    tomorrow = TODAY + datetime.timedelta(days=1)
    badge = page.locator(".care-schedules [data-schedule] .care-badge").inner_text()
    assert f"{tomorrow.month}" in badge and f"{tomorrow.day}" in badge
    assert nothing_sideways(page)
    shot(page, "schedule-gridworker")
    assert page.js_errors == []
    context.close()


@pytest.fixture
def household(transactional_db):
    """Two children of one household of the register, both in the children's program."""
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    screener = make_user("scr", Role.SCREENER, scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    kids = [PersonFactory(name="王小红", org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20150101", seq=41)),
            PersonFactory(name="王小军", org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20180303", seq=43))]
    parent = PersonFactory(name="王大力", org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19800101", seq=45))
    register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(parent, Relation.HEAD, ResidenceType.REGISTERED_HERE),
        *(register_services.MemberSpec(k, Relation.CHILD, ResidenceType.REGISTERED_HERE) for k in kids)])
    enrollments = [services.enrollment_create(
        actor=officer, person=kid, program="child", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=10), legal_basis="《未成年人保护法》第九十二条", team=[],
        details={"key_child": True, "situation": "left_behind"}) for kid in kids]
    return {"enrollments": enrollments}


def test_the_officer_names_a_mentor_and_opens_the_family_file_of_the_household(browser, live_server, household):
    first = household["enrollments"][0]
    context, page = open_as(browser, live_server, "officer", DESKTOP)
    page.goto(f"{live_server.url}/care/enrollments/{first.pk}/")

    # The care record opens for a stated purpose.
    page.locator("#purpose-form select[name=reason]").select_option(index=1)
    page.locator("#purpose-form button[type=submit]").click()
    section = page.locator("section[aria-labelledby=child-heading]")
    section.wait_for()
    assert "留守" in main_text(page)  # the child's situation, by its name: left behind

    mentor = page.locator(f"form[action='/care/enrollments/{first.pk}/mentor/']")
    section.locator("details", has=mentor).locator("summary").click()  # "Name a mentor"
    mentor.locator("input[name=name]").fill("刘老师")
    mentor.locator("input[name=organisation]").fill("镇中心小学")
    mentor.locator("input[name=since]").fill(TODAY.isoformat())
    mentor.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()

    # Back on the record (still open for the purpose given), the mentor is listed.
    assert page.locator("#purpose-form").count() == 0
    section = page.locator("section[aria-labelledby=child-heading]")
    section.wait_for()
    assert "刘老师" in section.locator(".care-mentors").inner_text()

    family = page.locator(f"form[action='/care/enrollments/{first.pk}/family-file/']")
    section.locator("details", has=family).locator("summary").click()  # "Open the family file"
    family.locator("input[name=needs][value=school]").check()
    family.locator("input[name=needs][value=guardianship]").check()
    family.locator("textarea[name=note]").fill("父母外出务工")
    family.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()
    page.locator("section[aria-labelledby=child-heading] a[href^='/care/family-files/']").click()

    # The family file links both children of the household, and its needs in words.
    page.wait_for_url("**/care/family-files/*/")
    text = main_text(page)
    assert "王小红" in text and "王小军" in text
    assert "上学" in text or "教育" in text or "学校" in text, text
    assert "school" not in text and "guardianship" not in text
    shot(page, "family-file")
    assert page.js_errors == []
    context.close()


@pytest.fixture
def programs(transactional_db):
    """An elderly person living alone, a drug rehabilitation agreement with tests every 14
    days, and a community-corrections check-in recorded as missed."""
    build_tree()
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, display_name="赵专干")
    gw = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    day = datetime.timedelta(days=1)

    def enroll(name, program, details, start, **extra):
        person = PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=120.005,
                               birth_date=datetime.date(1940, 1, 1))
        return services.enrollment_create(actor=officer, person=person, program=program, org_code=Tree.CELL_A1,
                                          start_date=start, team=[TeamSpec(role="grid_worker", user=gw)],
                                          details=details, **extra)

    elderly = enroll("周奶奶", "elderly", {"living_alone": True}, TODAY - 40 * day, legal_basis="", consent=True)
    rehab = enroll("吴强", "drug_rehab", {"agreement_start": (TODAY - 20 * day).isoformat(),
                                         "agreement_end": (TODAY + 60 * day).isoformat(), "test_every_days": 14},
                   TODAY - 20 * day, legal_basis="《禁毒法》第三十三条")
    corrections = enroll("郑军", "community_corrections", {"checkin_every_days": 7}, TODAY - 10 * day,
                         legal_basis="《社区矫正法》")
    services.visit_record(actor=officer, enrollment=corrections, date=TODAY - 3 * day, form="phone", missed=True)
    return {"elderly": elderly, "rehab": rehab, "corrections": corrections}


def _label(kind) -> str:
    from django.utils import translation

    from gridgov.care.schedule_models import ScheduleKind

    with translation.override("zh-hans"):
        return str(ScheduleKind(kind).label)


def test_the_programs_set_their_own_rhythms_and_a_missed_check_in_alerts_the_officer(browser, live_server, programs):
    context, page = open_as(browser, live_server, "officer", DESKTOP)

    # The elderly program's monthly home visit, set by the program, already overdue here.
    page.goto(f"{live_server.url}/care/enrollments/{programs['elderly'].pk}/")
    row = page.locator(".care-schedules [data-schedule]")
    assert row.count() == 1 and _label("home_visit") in row.inner_text() and "30" in row.inner_text()
    shot(page, "program-elderly-officer")

    # The drug tests the agreement sets, every 14 days.
    page.goto(f"{live_server.url}/care/enrollments/{programs['rehab'].pk}/")
    row = page.locator(".care-schedules [data-schedule]")
    assert row.count() == 1 and _label("drug_test") in row.inner_text() and "14" in row.inner_text()

    # The missed check-in reached the officer, who is not on that team, with a link to the case.
    page.goto(f"{live_server.url}/notifications/")
    alert = page.locator(".notification").filter(
        has=page.locator(f"a[href='/care/enrollments/{programs['corrections'].pk}/']"))
    assert alert.count() == 1
    shot(page, "program-checkin-missed-officer")
    assert page.js_errors == []
    context.close()

    # The grid worker on the rehab team sees that a task is due, not that it is a drug test.
    context, page = open_as(browser, live_server, "gw")
    page.goto(f"{live_server.url}/care/enrollments/{programs['rehab'].pk}/")
    row = page.locator(".care-schedules [data-schedule]")
    assert row.count() == 1 and _label("drug_test") not in main_text(page)
    assert nothing_sideways(page)
    shot(page, "program-rehab-gridworker")
    assert page.js_errors == []
    context.close()
