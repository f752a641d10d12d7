"""Issue 11 over the API: the police liaison's view (its own cases, 404 for another, never a
health field), a family member's confirmation, the high-risk cases awaiting their full team,
schedules per person with due tasks and records, mentors and family files."""

import datetime

import pytest

from gridgov.care import services
from gridgov.care.models import CareSchedule, FamilyFile
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.care_api.conftest import ENROLLMENTS, START, TODAY, enrollment_url
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

pytestmark = pytest.mark.django_db

UNSTABLE = {"risk_level": 4, "classification": "unstable", "diagnosis": "精神分裂症"}
HEALTH = ("精神分裂症", "利培酮", "幻听", "diagnosis", "medicines", "symptoms")


@pytest.fixture
def police(tree):
    return make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A)


def high_risk_case(staff, person, *team):
    return services.enrollment_create(
        actor=staff["officer"], person=person, program="smd", org_code=person.org_code, start_date=START,
        legal_basis="《精神卫生法》第二十四条", details=dict(UNSTABLE),
        team=list(team) or [TeamSpec(role="grid_worker", user=staff["gw"])])


@pytest.fixture
def case(staff, patient, police):
    enrollment = high_risk_case(staff, patient, TeamSpec(role="grid_worker", user=staff["gw"]),
                                TeamSpec(role="police_liaison", user=police),
                                TeamSpec(role="psychiatrist", user=staff["doctor"]),
                                TeamSpec(role="family", name="陈母", contact="13800001111"))
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=START + datetime.timedelta(days=3),
                          form="clinic", notes="幻听",
                          details={"risk_level": 4, "classification": "unstable", "medicines": "利培酮",
                                   "symptoms": "幻听"})
    return enrollment


def test_the_police_liaison_lists_and_reads_only_its_cases_without_health_fields(staff, police, case, client_for):
    other = high_risk_case(staff, PersonFactory(org_code=Tree.CELL_A1))
    client = client_for(police)

    listing = client.get(ENROLLMENTS)
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == [case.pk]
    assert client.get(enrollment_url(other)).status_code == 404

    response = client.get(enrollment_url(case))
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["name"] == case.person.name
    assert body["program"] == "***" and body["legal_basis"] == "***"
    text = response.content.decode()
    for word in HEALTH:
        assert word not in text, word
    assert client.get(ENROLLMENTS + "?program=smd").status_code == 403
    assert client.get("/api/v1/care/today/").status_code == 403
    assert client.get("/api/v1/care/metrics/").status_code == 403
    assert client.get("/api/v1/people/").status_code == 403


def test_the_police_liaison_confirms_and_reports_a_crisis(staff, police, case, client_for):
    client = client_for(police)
    assert client.post(enrollment_url(case, "acknowledge/")).status_code in (200, 201)
    response = client.post(enrollment_url(case, "crises/"), {"description": "持刀威胁", "reported_by": "police"},
                           format="json")
    assert response.status_code == 201
    assert "police" in response.json()["alerted"]


def test_a_family_members_confirmation_over_the_api(staff, case, clients):
    family = case.team.get(role="family")
    url = enrollment_url(case, f"team/{family.pk}/confirm/")
    assert clients["gw_other"].post(url, {"how": "phone"}, format="json").status_code == 404

    response = clients["gw"].post(url, {"how": "video"}, format="json")

    assert response.status_code == 200
    assert response.json()["acknowledged_how"] == "video" and response.json()["recorded_by"] == "gw"
    assert clients["gw"].post(url, {"how": "video"}, format="json").status_code == 409


@pytest.mark.parametrize("count", [3, 30])
def test_the_high_risk_cases_awaiting_their_team_cost_the_same_queries(staff, tree, clients, count,
                                                                       django_assert_num_queries):
    for _i in range(count):
        high_risk_case(staff, PersonFactory(org_code=Tree.CELL_A1))

    with django_assert_num_queries(4):  # token, roles, one page, its teams
        response = clients["officer"].get("/api/v1/care/high-risk-unconfirmed/")

    rows = response.json()["results"]
    assert len(rows) == count
    assert rows[0]["missing"] == ["police_liaison", "doctor", "family"] and rows[0]["waiting"] == 1


def test_a_schedule_over_the_api_from_setting_to_recording(staff, case, clients):
    response = clients["officer"].post(enrollment_url(case, "schedules/"), {
        "kind": "medicine_delivery", "interval_days": 1, "starts_on": TODAY.isoformat(), "assignee": "gw"},
        format="json")
    assert response.status_code == 201
    schedule_id = response.json()["id"]
    assert clients["gw"].post(enrollment_url(case, "schedules/"), {"kind": "call", "interval_days": 7},
                              format="json").status_code == 403

    due = clients["gw"].get("/api/v1/care/schedules/due/").json()["results"]
    assert [(r["id"], r["kind"]) for r in due] == [(schedule_id, "medicine_delivery")]  # their own task

    recorded = clients["gw"].post(f"/api/v1/schedules/{schedule_id}/records/", {}, format="json")
    assert recorded.status_code == 201
    assert recorded.json()["next_due_date"] == (TODAY + datetime.timedelta(days=1)).isoformat()
    assert clients["officer_b"].post(f"/api/v1/schedules/{schedule_id}/records/", {},
                                     format="json").status_code == 404


def test_a_drug_test_is_masked_to_the_grid_worker_who_is_not_its_assignee(staff, tree, clients):
    person = PersonFactory(org_code=Tree.CELL_A1)
    services.enrollment_create(
        actor=staff["officer"], person=person, program="drug_rehab", org_code=Tree.CELL_A1, start_date=START,
        legal_basis="《禁毒法》", details={"test_every_days": 7}, team=[TeamSpec(role="grid_worker", user=staff["gw"])])

    gw_rows = clients["gw"].get("/api/v1/care/schedules/due/").json()["results"]
    officer_rows = clients["officer"].get("/api/v1/care/schedules/due/").json()["results"]
    assert [r["kind"] for r in gw_rows] == ["***"]
    assert [r["kind"] for r in officer_rows] == ["drug_test"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_due_tasks_cost_the_same_queries_whatever_their_number(staff, tree, clients, count,
                                                                   django_assert_num_queries):
    for _i in range(count):
        enrollment = high_risk_case(staff, PersonFactory(org_code=Tree.CELL_A1))
        CareSchedule.objects.create(enrollment=enrollment, org_code=enrollment.org_code, kind="call",
                                    interval_days=7, starts_on=TODAY, next_due_date=TODAY)

    with django_assert_num_queries(4):  # token, roles, the grid worker's cells, one page with the people
        response = clients["gw"].get("/api/v1/care/schedules/due/")

    assert len(response.json()["results"]) == count


def test_mentors_and_family_files_over_the_api(staff, tree, clients):
    from gridgov.register import services as register_services
    from gridgov.register.models import Relation, ResidenceType

    screener = make_user("scr", "screener", scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    kid = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20150101", seq=41))
    household = register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(kid, Relation.HEAD, ResidenceType.REGISTERED_HERE)])
    enrollment = services.enrollment_create(
        actor=staff["officer"], person=kid, program="child", org_code=Tree.CELL_A1, start_date=START,
        legal_basis="《未成年人保护法》", details={"key_child": True, "situation": "without_care"})

    mentor = clients["officer"].post(enrollment_url(enrollment, "mentors/"), {
        "name": "王老师", "contact": "13900001111", "organisation": "中心小学"}, format="json")
    assert mentor.status_code == 201 and mentor.json()["since"] == TODAY.isoformat()

    created = clients["officer"].post("/api/v1/family-files/", {"household": household.pk, "needs": ["school"]},
                                      format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["needs"] == ["school"] and [c["enrollment"] for c in body["children"]] == [enrollment.pk]
    file_id = FamilyFile.objects.get().pk
    # security review (issue 11): part of the children's records, opened with a purpose
    assert clients["doctor"].get(f"/api/v1/family-files/{file_id}/").status_code == 400
    assert clients["doctor"].get(f"/api/v1/family-files/{file_id}/", {"purpose": "care_follow_up"}).status_code == 200
    assert clients["gw"].get(f"/api/v1/family-files/{file_id}/").status_code == 403
    assert clients["officer_b"].get(f"/api/v1/family-files/{file_id}/").status_code == 404
    assert clients["officer"].post("/api/v1/family-files/", {"household": household.pk, "needs": ["gossip"]},
                                   format="json").status_code == 400


def test_the_police_liaison_reads_the_safety_facts_and_the_team_state_and_the_grid_worker_neither(
        staff, case, police, client_for, clients):
    body = client_for(police).get(enrollment_url(case)).json()
    assert body["safety"] == {"risk_level": 4, "address": case.person.address}
    assert body["team_state"] == {"managed": False, "missing": [], "waiting": 4}

    gw = clients["gw"].get(enrollment_url(case)).json()
    assert gw["safety"] is None and gw["team_state"] is None
