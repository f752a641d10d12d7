"""The police liaison's pages (issue 11): its own cases by name with the risk level and the
crisis path, never health details nor another case (404); the high-risk team's state on the
case page; a family member's confirmation recorded there; schedules, mentors, family files."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care import services, teams
from gridgov.care.models import CareSchedule, Mentor, TeamMember
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.care_views.conftest import TODAY, Tree
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

HEALTH = ("精神分裂症", "按时服药", "利培酮", "幻听", "Severe mental disorder", "medication", "Diagnosis")


@pytest.fixture
def police(tree):
    return make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def case(staff, patient, police):
    enrollment = services.enrollment_create(
        actor=staff["officer"], person=patient, program="smd", org_code=patient.org_code,
        start_date=TODAY - datetime.timedelta(days=30), legal_basis="《精神卫生法》第二十四条",
        details={"risk_level": 4, "classification": "unstable", "diagnosis": "精神分裂症"},
        team=[TeamSpec(role="grid_worker", user=staff["gw"]), TeamSpec(role="police_liaison", user=police),
              TeamSpec(role="doctor", user=staff["doctor"]), TeamSpec(role="family", name="陈母", contact="13800001111")])
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY - datetime.timedelta(days=3),
                          form="clinic", notes="幻听，按时服药",
                          details={"risk_level": 4, "classification": "unstable", "medicines": "利培酮",
                                   "symptoms": "幻听", "medication_adherence": "regular"})
    return enrollment


def _page(client, enrollment):
    return client.get(reverse("care-enrollment", args=[enrollment.pk]))


def test_the_police_liaison_sees_its_case_by_name_with_the_risk_level_and_no_health_detail(login, police, case):
    response = _page(login(police), case)

    body = response.content.decode()
    assert response.status_code == 200
    assert case.person.name in body
    assert "data-risk-level" in body and "<dd>4</dd>" in body
    assert "Report danger" in body and "I acknowledge this case" in body
    for word in HEALTH:
        assert word not in body, word
    # Opening the full record (health details) is not for it.
    assert login(police).post(reverse("care-enrollment-open", args=[case.pk]),
                              {"reason": "care_follow_up"}).status_code == 403


def test_the_police_liaison_gets_404_for_a_case_not_on_its_team(login, staff, police, case):
    other = services.enrollment_create(
        actor=staff["officer"], person=PersonFactory(org_code=Tree.CELL_A1), program="smd", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=30), legal_basis="x",
        details={"risk_level": 4, "classification": "unstable"}, team=[TeamSpec(role="grid_worker", user=staff["gw"])])
    client = login(police)
    for name in ("care-enrollment", "care-crisis-new", "care-visit-new"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404, name
    # No area pages: the daily map, the metrics, the officer's page.
    for name in ("care-today", "care-metrics", "care-officer"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_police_liaison_confirms_and_lists_its_cases(login, police, case):
    client = login(police)
    response = client.get(reverse("care-team-cases"))
    assert response.status_code == 200
    assert [r["enrollment"].pk for r in response.context["rows"]] == [case.pk]
    assert response.context["rows"][0]["unconfirmed"]

    client.post(reverse("care-acknowledge", args=[case.pk]))
    assert TeamMember.objects.get(enrollment=case, user=police).acknowledged_at is not None


def test_the_case_page_says_team_incomplete_then_awaiting_confirmation(login, staff, patient):
    enrollment = services.enrollment_create(
        actor=staff["officer"], person=patient, program="smd", org_code=patient.org_code,
        start_date=TODAY - datetime.timedelta(days=30), legal_basis="x",
        details={"risk_level": 3, "classification": "unstable"},
        team=[TeamSpec(role="grid_worker", user=staff["gw"]), TeamSpec(role="family", name="陈母")])
    body = _page(login(staff["officer"]), enrollment).content.decode()
    assert "Team incomplete" in body and "police liaison" in body and "psychiatric doctor" in body

    police = make_user("police2", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A)
    for spec in (TeamSpec(role="police_liaison", user=police), TeamSpec(role="psychiatrist", user=staff["doctor"])):
        services.team_member_add(actor=staff["officer"], enrollment=enrollment, member=spec)
    body = _page(login(staff["officer"]), enrollment).content.decode()
    assert "Team incomplete" not in body and "Awaiting confirmation" in body


def test_a_team_member_records_the_familys_confirmation_on_the_page(login, staff, police, case):
    family = case.team.get(role="family")
    client = login(staff["gw"])
    assert "Record the confirmation of the Family member" in _page(client, case).content.decode()

    response = client.post(reverse("care-team-confirm-family", args=[case.pk, family.pk]), {"how": "phone"})

    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.acknowledged_by, family.acknowledged_how) == (staff["gw"], "phone")
    # An unknown channel re-renders the page with the error in place.
    other = TeamMember.objects.create(enrollment=case, name="陈父", role="guardian")
    response = client.post(reverse("care-team-confirm-family", args=[case.pk, other.pk]), {"how": "pigeon"})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    # Someone off the team may not.
    assert login(staff["gw_other"]).post(reverse("care-team-confirm-family", args=[case.pk, other.pk]),
                                         {"how": "phone"}).status_code == 404


def test_the_officer_sets_a_schedule_and_the_assignee_records_it(login, staff, case):
    client = login(staff["officer"])
    response = client.post(reverse("care-schedule-add", args=[case.pk]), {
        "kind": "medicine_delivery", "interval_days": 1, "starts_on": TODAY.isoformat(), "assignee": "gw"})
    assert response.status_code == 302
    schedule = CareSchedule.objects.get(enrollment=case, source="person")

    page = _page(login(staff["gw"]), case).content.decode()
    assert "Medicine delivery" in page and "every day" in page
    response = login(staff["gw"]).post(reverse("care-schedule-record", args=[case.pk, schedule.pk]),
                                       {"done_on": TODAY.isoformat(), "done": "on"})
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.next_due_date == TODAY + datetime.timedelta(days=1)

    bad = client.post(reverse("care-schedule-add", args=[case.pk]), {"kind": "medicine_delivery",
                                                                     "interval_days": 1, "starts_on": "",
                                                                     "assignee": "nobody"})
    assert bad.status_code == 400


def test_the_officer_names_a_mentor_and_opens_a_family_file_for_a_child(login, staff, tree):
    from gridgov.register import services as register_services
    from gridgov.register.models import Relation, ResidenceType
    from tests.factories import make_resident_id

    screener = make_user("scr", "screener", scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    kid = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20150101", seq=41))
    register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(kid, Relation.HEAD, ResidenceType.REGISTERED_HERE)])
    enrollment = services.enrollment_create(
        actor=staff["officer"], person=kid, program="child", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=5), legal_basis="《未成年人保护法》",
        details={"key_child": True, "situation": "in_distress"}, team=[TeamSpec(role="grid_worker", user=staff["gw"])])
    client = login(staff["officer"])
    client.post(reverse("care-enrollment-open", args=[enrollment.pk]), {"reason": "care_follow_up", "details": "x"})

    assert client.post(reverse("care-mentor-add", args=[enrollment.pk]), {
        "name": "王老师", "contact": "13900001111", "organisation": "中心小学",
        "since": TODAY.isoformat()}).status_code == 302
    assert client.post(reverse("care-family-file-update", args=[enrollment.pk]),
                       {"needs": ["school", "money"]}).status_code == 302
    assert Mentor.objects.get(enrollment=enrollment).name == "王老师"
    page = _page(client, enrollment).content.decode()
    assert "王老师" in page and "Family file" in page
    family_file = enrollment.family_link.family_file
    detail = client.get(reverse("care-family-file", args=[family_file.pk])).content.decode()
    assert kid.name in detail and "School" in detail and "Money" in detail
    # The grid worker sees neither the mentor register nor the family file.
    assert "王老师" not in _page(login(staff["gw"]), enrollment).content.decode()
    assert login(staff["gw"]).get(reverse("care-family-file", args=[family_file.pk])).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_my_cases_costs_the_same_queries_whatever_its_length(login, staff, police, tree, n,
                                                             django_assert_num_queries):
    for _i in range(n):
        person = PersonFactory(org_code=Tree.CELL_A1)
        services.enrollment_create(
            actor=staff["officer"], person=person, program="smd", org_code=Tree.CELL_A1,
            start_date=TODAY - datetime.timedelta(days=30), legal_basis="x",
            details={"risk_level": 3, "classification": "unstable"},
            team=[TeamSpec(role="police_liaison", user=police)])
    client = login(police)
    client.get(reverse("care-team-cases"))  # the session's first request warms what it caches

    # session, user, roles; the unconfirmed ids; the page of cases with their people; the unread
    # notifications (the header's scope: the org tree cache, issue 12)
    with django_assert_num_queries(6):
        response = client.get(reverse("care-team-cases"))
    assert len(response.context["rows"]) == n and all(r["unconfirmed"] for r in response.context["rows"])


def test_teams_module_and_the_officer_view_agree_on_waiting(staff, police, case):
    assert teams.team_state(case, list(case.team.all())).waiting


def test_the_grid_worker_on_the_team_is_not_told_the_case_is_high_risk(login, staff, case):
    body = _page(login(staff["gw"]), case).content.decode()
    assert "data-team-state" not in body and "data-risk-level" not in body
    assert "Awaiting confirmation" not in body and "psychiatric" not in body


def test_a_masked_task_reads_as_a_neutral_word_to_the_grid_worker(login, staff, case):
    """A medicine delivery assigned to the doctor would tell the program: the grid worker on the
    team reads "Scheduled task", never "***" nor the kind."""
    login(staff["officer"]).post(reverse("care-schedule-add", args=[case.pk]), {
        "kind": "medicine_delivery", "interval_days": 1, "starts_on": TODAY.isoformat(), "assignee": "doctor"})

    gw_page = _page(login(staff["gw"]), case).content.decode()
    doctor_page = _page(login(staff["doctor"]), case).content.decode()

    assert "Scheduled task" in gw_page and "Medicine delivery" not in gw_page and "***" not in gw_page
    assert "Medicine delivery" in doctor_page


def test_the_police_liaison_is_offered_no_visit_where_the_program_gives_it_none(login, staff, police, tree):
    kid = PersonFactory(org_code=Tree.CELL_A1, birth_date=datetime.date(2015, 3, 1))
    enrollment = services.enrollment_create(
        actor=staff["officer"], person=kid, program="child", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=5), legal_basis="《未成年人保护法》",
        details={"key_child": True, "situation": "in_distress"}, team=[TeamSpec(role="police_liaison", user=police)])
    body = _page(login(police), enrollment).content.decode()
    assert "Record a visit" not in body and "Report danger" in body
