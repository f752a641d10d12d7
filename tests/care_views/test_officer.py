"""The officer's page: unconfirmed high-risk cases, overdue visits, handovers in and out
with accept and reject; and enrolling a person found by their resident ID."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care import services
from gridgov.care.models import Enrollment, Handover
from tests.care_views.conftest import START, TODAY, Tree, enroll_due
from tests.factories import PersonFactory, make_resident_id


def _handover(staff, enrollment, to=Tree.CELL_B1):
    return services.handover_create(actor=staff["officer"], enrollment=enrollment, to_org_code=to,
                                    due_date=TODAY + datetime.timedelta(days=5), reason="move")


def test_the_officer_sees_unconfirmed_high_risk_and_overdue_cases(login, staff, patient):
    enrollment = enroll_due(staff, patient, details={"risk_level": 3, "classification": "unstable"})

    response = login(staff["officer"]).get(reverse("care-officer"))

    assert response.status_code == 200
    assert sorted(response.context["unacknowledged"][0]["waiting"]) == ["doctor", "gw"]
    assert [row["id"] for row in response.context["overdue"]] == [enrollment.pk]


def test_handover_accept_moves_the_enrollment_to_the_receiving_officers_list(login, staff, due_case):
    handover = _handover(staff, due_case)
    receiving = login(staff["officer_b"])
    assert [r["handover"].pk for r in receiving.get(reverse("care-officer")).context["incoming"]] == [handover.pk]
    assert [r["handover"].pk for r in login(staff["officer"]).get(reverse("care-officer")).context["outgoing"]] == [
        handover.pk]

    response = receiving.post(reverse("care-handover-accept", args=[handover.pk]))

    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == Handover.Status.ACCEPTED
    today_b = receiving.get(reverse("care-today"))
    assert [r["id"] for r in today_b.context["rows"]] == [due_case.pk]
    assert login(staff["officer"]).get(reverse("care-today")).context["rows"] == []
    assert receiving.get(reverse("care-enrollment", args=[due_case.pk])).status_code == 200
    assert receiving.get(reverse("care-officer")).context["incoming"] == []


def test_the_sending_side_cannot_accept_its_own_handover(login, staff, due_case):
    handover = _handover(staff, due_case)

    response = login(staff["officer"]).post(reverse("care-handover-accept", args=[handover.pk]))

    assert response.status_code == 404
    handover.refresh_from_db()
    assert handover.status == Handover.Status.PENDING


def test_a_rejection_needs_a_reason(login, staff, due_case):
    handover = _handover(staff, due_case)
    client = login(staff["officer_b"])
    url = reverse("care-handover-reject", args=[handover.pk])

    assert client.post(url, {f"h{handover.pk}-reason": ""}).status_code == 400
    response = client.post(url, {f"h{handover.pk}-reason": "地址不在本辖区"})

    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == Handover.Status.REJECTED and handover.reject_reason == "地址不在本辖区"


def test_a_decided_handover_cannot_be_accepted_again(login, staff, due_case):
    handover = _handover(staff, due_case)
    client = login(staff["officer_b"])
    client.post(reverse("care-handover-accept", args=[handover.pk]))

    response = client.post(reverse("care-handover-accept", args=[handover.pk]))

    assert response.status_code == 409


@pytest.mark.parametrize("n", [3, 30])
def test_officer_page_query_count(login, staff, django_assert_num_queries, n):
    for i in range(n):
        person = PersonFactory(org_code=Tree.CELL_A1)
        enrollment = enroll_due(staff, person, details={"risk_level": 3 + i % 3, "classification": "unstable"})
        _handover(staff, enrollment)
    client = login(staff["officer_b"])
    for i in range(n):
        person = PersonFactory(org_code=Tree.CELL_B1)
        services.enrollment_create(actor=staff["officer_b"], person=person, program="smd", org_code=Tree.CELL_B1,
                                   start_date=START, legal_basis="x", details={"risk_level": 4,
                                                                               "classification": "unstable"},
                                   team=[services.TeamSpec(role="officer", user=staff["officer_b"])])

    # session, user, roles, the header's scope; the unconfirmed cases and their waiting members,
    # the overdue cases, handovers in, handovers out, their areas' names
    with django_assert_num_queries(5 + 6):
        response = client.get(reverse("care-officer"))

    context = response.context
    assert len(context["unacknowledged"]) == n and len(context["overdue"]) == n
    assert len(context["incoming"]) == n and context["outgoing"] == []


def test_the_officer_enrolls_a_person_found_by_resident_id(login, staff, tree):
    resident_id = make_resident_id(birth="19700303", seq=77)
    person = PersonFactory(name="周平", resident_id=resident_id, org_code=Tree.CELL_A1)
    client = login(staff["officer"])

    found = client.get(reverse("care-enroll"), {"resident_id": resident_id.lower()})

    assert found.status_code == 200 and "周平" in found.content.decode()
    response = client.post(reverse("care-enroll"), {
        "person": person.pk, "program": "smd", "org_code": Tree.CELL_A1, "start_date": TODAY.isoformat(),
        "legal_basis": "《精神卫生法》第二十四条", "staff0-username": "doctor", "staff0-role": "psychiatrist",
        "staff1-username": "gw", "staff1-role": "grid_worker", "family0-name": "周母", "family0-contact": "13800002222",
        "family0-role": "guardian", "smd-risk_level": "3", "smd-classification": "unstable",
        "smd-diagnosis": "双相情感障碍", "elderly-mobility": "ignored",
    })

    enrollment = Enrollment.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == reverse("care-enrollment", args=[enrollment.pk])
    assert enrollment.high_risk and enrollment.details["diagnosis"] == "双相情感障碍"
    assert "mobility" not in enrollment.details
    assert sorted(m.role for m in enrollment.team.all()) == ["grid_worker", "guardian", "psychiatrist"]
    assert enrollment.next_due_date == TODAY + datetime.timedelta(days=14)


def test_enrolling_with_an_unknown_account_changes_nothing(login, staff, patient):
    response = login(staff["officer"]).post(reverse("care-enroll"), {
        "person": patient.pk, "program": "elderly", "org_code": Tree.CELL_A1, "start_date": TODAY.isoformat(),
        "consent": "on", "staff0-username": "nobody", "staff0-role": "social_worker"})

    assert response.status_code == 400
    assert "No active account with this username works in the person&#x27;s area." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_enrolling_needs_a_legal_basis_or_consent(login, staff, patient):
    response = login(staff["officer"]).post(reverse("care-enroll"), {
        "person": patient.pk, "program": "elderly", "org_code": Tree.CELL_A1, "start_date": TODAY.isoformat()})

    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_a_person_of_another_county_is_not_found(login, staff, tree):
    resident_id = make_resident_id(region="990102", seq=88)
    PersonFactory(resident_id=resident_id, org_code=Tree.CELL_B1)

    response = login(staff["officer"]).get(reverse("care-enroll"), {"resident_id": resident_id})

    assert response.status_code == 404
    assert "Nobody with this resident ID number is registered in your area." in response.content.decode()


def test_the_receiving_team_reads_the_visits_made_before_the_handover(login, staff, due_case):
    services.visit_record(actor=staff["doctor"], enrollment=due_case, date=TODAY, form="home", notes="首次随访",
                          details={"risk_level": 1, "classification": "basically_stable", "insight": "none",
                                   "medication_adherence": "none"})
    handover = _handover(staff, due_case)
    receiving = login(staff["officer_b"])
    receiving.post(reverse("care-handover-accept", args=[handover.pk]))

    receiving.post(reverse("care-enrollment-open", args=[due_case.pk]), {"reason": "care_follow_up"})
    body = receiving.get(reverse("care-enrollment", args=[due_case.pk])).content.decode()

    assert "首次随访" in body
    assert "No insight" in body and "Does not take them" in body  # each field's own value names
    assert "Accepted" in body  # the handover history


def test_an_smd_enrollment_needs_the_risk_level(login, staff, patient):
    response = login(staff["officer"]).post(reverse("care-enroll"), {
        "person": patient.pk, "program": "smd", "org_code": Tree.CELL_A1, "start_date": TODAY.isoformat(),
        "legal_basis": "《精神卫生法》", "smd-classification": "stable", "elderly-mobility": "x"})

    assert response.status_code == 400
    assert "Give the risk level, from 0 to 5." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_metrics_page_shows_resettlement_and_employment_of_people_returning_from_prison(login, staff, tree):
    from gridgov.core.models import Role  # noqa: F401
    from tests.care.conftest import enroll
    from tests.factories import PersonFactory, Tree, make_resident_id

    person = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19850101", seq=60))
    enroll(staff, person, program="reentry", details={"resettled": True}, legal_basis="安置帮教工作规定")

    page = login(staff["officer"]).get("/care/metrics/").content.decode()

    assert "data-reentry" in page and "100" in page


def test_the_handover_report_lists_every_transfer_and_is_logged(login, staff, tree):
    import datetime
    import io

    from openpyxl import load_workbook

    from gridgov.care import services
    from gridgov.core.models import AuditEntry
    from tests.care.conftest import enroll
    from tests.factories import PersonFactory, Tree, make_resident_id

    person = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19700101", seq=70))
    enrollment = enroll(staff, person)
    handover = services.handover_create(actor=staff["officer"], enrollment=enrollment, to_org_code=Tree.CELL_B1,
                                        due_date=datetime.date.today(), reason="move")
    services.handover_reject(actor=staff["officer_b"], handover=handover, reason="不在本辖区居住")

    response = login(staff["officer"]).get("/care/handovers/report.xlsx")

    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(min_row=3, values_only=True))
    assert response.status_code == 200 and len(rows) == 1
    assert rows[0][3:5] == (Tree.CELL_A1, Tree.CELL_B1) and rows[0][10] == "不在本辖区居住"
    assert AuditEntry.objects.filter(action="care.report_export").count() == 1
    assert login(staff["station"]).get("/care/handovers/report.xlsx").status_code == 403
