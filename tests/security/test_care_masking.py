"""Issue 10, finding 11: the masked care view must not leak the program. A grid worker on
the team of a person with a severe mental disorder (VIEW_CARE without VIEW_CARE_DETAILS) —
who is in hospital, whose crisis ended in an unlocking, who was seen at the clinic by the
community doctor — renders every care page and API response, in English and in Chinese, and
none of the tell-tale words or values appears. The doctor still sees all of it."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care import services
from gridgov.care.models import Crisis
from gridgov.core.exceptions import DomainError
from tests.care.conftest import enroll, patient, staff  # noqa: F401

TODAY = timezone.localdate()
TELL_TALES = [
    # programs, diagnoses, laws
    "Severe mental disorder", "严重精神障碍", "精神", "mental", "精神卫生法", "精神分裂症", "diagnosis",
    # the team: a doctor, under any name
    "doctor", "Doctor", "医生", "李医生", "psychiatr", "Psychiatr",
    # hospital stays
    "hospital", "Hospital", "住院", "入院", "送医",
    # crisis outcomes
    "unlocked", "关锁", "解锁", "admitted", "Admitted",
    # the follow-up record
    "risk_level", "Risk level", "危险性", "classification", "随访分类", "basically_stable", "unstable",
    "At the clinic", "\"clinic\"", "门诊", "medication", "服药",
    # subsidies and agreements
    "subsid", "补助", "Guardian reward", "以奖代补",
]


@pytest.fixture
def case(staff, patient):  # noqa: F811
    """An SMD case in cell A1: in hospital, a crisis ended by unlocking, a clinic visit."""
    doctor = staff["doctor"]
    doctor.display_name = "李医生"
    doctor.save()
    enrollment = enroll(staff, patient, details={"risk_level": 3, "classification": "unstable",
                                                 "diagnosis": "精神分裂症"},
                        start_date=TODAY - datetime.timedelta(days=60))
    services.visit_record(actor=doctor, enrollment=enrollment, date=TODAY - datetime.timedelta(days=3),
                          form="clinic", notes="服药不规律",
                          details={"risk_level": 3, "classification": "unstable",
                                   "medication_adherence": "intermittent"})
    crisis = services.crisis_report(actor=doctor, enrollment=enrollment, description="病情复发，被家人关锁",
                                    reported_by=Crisis.ReportedBy.DOCTOR)
    services.crisis_record_action(actor=doctor, crisis=crisis, note="解除关锁，送精神专科医院",
                                  outcome=Crisis.Outcome.UNLOCKED)
    services.status_begin(actor=doctor, enrollment=enrollment, kind="hospital",
                          start=TODAY - datetime.timedelta(days=1), note="市精神卫生中心")
    enrollment.refresh_from_db()
    return {"enrollment": enrollment, "crisis": crisis}


def _pages(enrollment, crisis) -> list[str]:
    org = enrollment.org_code
    return [
        reverse("care-today") + f"?org={org}",
        reverse("care-today") + f"?org={org}&status=away",
        reverse("care-enrollment", args=[enrollment.pk]),
        reverse("care-visit-new", args=[enrollment.pk]),
        reverse("care-crisis-new", args=[enrollment.pk]),
        reverse("care-crisis", args=[crisis.pk]),
        reverse("care-metrics") + f"?org={org}",
        reverse("care-campaigns"),
    ]


def _apis(enrollment) -> list[str]:
    org = enrollment.org_code
    return [
        f"/api/v1/care/today/?org={org}",
        f"/api/v1/care/today/?org={org}&status=away",
        "/api/v1/enrollments/",
        f"/api/v1/enrollments/?org={org}&status=away",
        f"/api/v1/enrollments/{enrollment.pk}/",
        f"/api/v1/care/metrics/?org={org}",
    ]


def _leaks(text: str) -> list[str]:
    return [word for word in TELL_TALES if word in text]


def _values(body) -> str:
    """Every value of a JSON body (its keys, e.g. `hospitalized` of the counts, are the contract)."""
    if isinstance(body, dict):
        return " ".join(_values(v) for v in body.values())
    if isinstance(body, list):
        return " ".join(_values(v) for v in body)
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_care_page_tells_a_grid_worker_the_program(language, staff, case):  # noqa: F811
    worker = Client(HTTP_ACCEPT_LANGUAGE=language)
    worker.force_login(staff["gw"])
    enrollment, crisis = case["enrollment"], case["crisis"]

    for url in _pages(enrollment, crisis):
        response = worker.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode()) == [], url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_care_api_response_tells_a_grid_worker_the_program(language, staff, case):  # noqa: F811
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(staff["gw"])
    enrollment = case["enrollment"]

    bodies = {}
    for url in _apis(enrollment):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        bodies[url] = response.json()
        assert _leaks(_values(response.json())) == [], url

    # and the answers to the grid worker's own writes
    visit = client.post(f"/api/v1/enrollments/{enrollment.pk}/visits/", {"date": TODAY.isoformat(), "form": "home"},
                        format="json")
    crisis = client.post(f"/api/v1/enrollments/{enrollment.pk}/crises/",
                         {"description": "又在楼道里大喊", "reported_by": "grid_worker"}, format="json")
    for response in (visit, crisis):
        assert response.status_code == 201, response.content
        assert _leaks(_values(response.json())) == []

    # what the worker sees instead: an absence, a closed crisis, masked members
    detail = bodies[f"/api/v1/enrollments/{enrollment.pk}/"]
    assert detail["status"] == "away" and detail["program"] == "***"
    assert [p["kind"] for p in detail["status_periods"]] == ["away"]
    assert detail["crises"][0]["outcome"] == "closed" and detail["crises"][0]["reported_by"] == "other"
    assert detail["visits"][0]["form"] == "***" and detail["visits"][0]["visited_by"] == "***"
    roles = {m["role"] for m in detail["team"]}
    assert roles == {"grid_worker", "family", "***"}
    today = bodies[f"/api/v1/care/today/?org={enrollment.org_code}"]
    assert today["counts"]["hospitalized"] is None and today["counts"]["away"] == 1
    assert [r["status"] for r in today["results"]] == ["away"]
    assert bodies[f"/api/v1/enrollments/?org={enrollment.org_code}&status=away"]["results"][0]["id"] == enrollment.pk


def test_who_is_in_hospital_cannot_be_probed(staff, case):  # noqa: F811
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(staff["gw"])
    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(staff["gw"])
    org = case["enrollment"].org_code

    assert client.get("/api/v1/enrollments/?status=hospitalized").status_code == 403
    assert client.get(f"/api/v1/care/today/?org={org}&status=hospitalized").status_code == 403
    assert worker.get(reverse("care-today") + f"?org={org}&status=hospitalized").status_code == 403


def test_a_grid_worker_cannot_record_a_telling_crisis_outcome_on_the_page(staff, case):  # noqa: F811
    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(staff["gw"])
    crisis = case["crisis"]

    response = worker.post(reverse("care-crisis-action", args=[crisis.pk]), {"note": "已到场", "outcome": "admitted"})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="admitted"' not in body and 'value="unlocked"' not in body and 'value="taken_to_hospital"' not in body
    crisis.refresh_from_db()
    assert crisis.outcome == "unlocked"


def test_the_doctor_still_sees_everything(staff, case):  # noqa: F811
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(staff["doctor"])
    enrollment = case["enrollment"]

    detail = client.get(f"/api/v1/enrollments/{enrollment.pk}/", {"purpose": "home_visit"}).json()
    today = client.get(f"/api/v1/care/today/?org={enrollment.org_code}").json()

    assert detail["status"] == "hospitalized" and detail["program"] == "smd"
    assert detail["crises"][0]["outcome"] == "unlocked"
    assert {m["role"] for m in detail["team"]} >= {"doctor"}
    assert today["counts"]["hospitalized"] == 1


def test_the_masking_functions_refuse_nothing_to_the_viewer_about_themselves(staff, case):  # noqa: F811
    from gridgov.care import selectors

    enrollment = selectors.enrollment_record(case["enrollment"])
    views = {m.role: selectors.team_member_view(enrollment, m, details_visible=False, viewer=staff["gw"])
             for m in enrollment.current_team}

    assert views["grid_worker"]["username"] == "gw"
    assert views["doctor"] == {**views["doctor"], "username": None, "name": "***", "role": "***"}
    with pytest.raises(DomainError):
        selectors.enrollments_list(staff["gw"], status="hospitalized")
