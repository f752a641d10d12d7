"""The daily map and list: counts by status, icons coloured by status, a visit from the
phone turning the person green, numbers only above the county, and constant query counts."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gridgov.care.models import Visit
from gridgov.care.programs import add_months
from tests.care_views.conftest import TODAY, Tree, enroll_due
from tests.factories import PersonFactory

SMD_FOLLOW_UP = {
    "date": TODAY.isoformat(), "form": "home", "risk_level": "0", "classification": "stable",
    "medication_adherence": "regular", "sleep": "good", "signature": "李医生", "danger_self_harm": "0",
}


def _today(client, **params):
    return client.get(reverse("care-today"), params)


def _map_people(response) -> dict[int, str]:
    data = response.context["map_data"]
    return {p["id"]: p["status"] for p in data["people"]}


def _counts(response) -> dict[str, int]:
    return {c["status"]: c["n"] for c in response.context["counts"]}


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile("visit.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_doctor_sees_the_township_map_with_counts_and_icons(login, staff, due_case):
    response = _today(login(staff["doctor"]), org=Tree.TOWNSHIP_A)

    assert response.status_code == 200
    assert _counts(response) == {"hospitalized": 0, "away": 0, "visited": 0, "due": 1, "not_due": 0}
    assert _map_people(response) == {due_case.pk: "due"}
    assert [c["properties"]["code"] for c in response.context["map_data"]["cells"]["features"]] == [
        Tree.CELL_A1, Tree.CELL_A2]
    body = response.content.decode()
    assert 'data-status="due"' in body and "Severe mental disorder" in body
    assert 'id="care-map-data"' in body and "<script>" not in body.split("</head>")[1]


def test_recording_a_visit_turns_the_person_visited(login, staff, due_case):
    client = login(staff["doctor"])
    url = reverse("care-visit-new", args=[due_case.pk])
    assert client.get(url, {"org": Tree.TOWNSHIP_A}).status_code == 200

    response = client.post(url, {**SMD_FOLLOW_UP, "org": Tree.TOWNSHIP_A, "photo": _jpeg(),
                                 "needs": ["income"], "help_given": ["treatment"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("care-today") + f"?org={Tree.TOWNSHIP_A}"
    page = client.get(response["Location"])
    assert _map_people(page) == {due_case.pk: "visited"}
    assert _counts(page)["visited"] == 1 and _counts(page)["due"] == 0
    assert 'data-status="visited"' in page.content.decode()
    assert "Next visit due on" in page.content.decode()
    visit = Visit.objects.get(enrollment=due_case)
    assert visit.photo and visit.needs == ["income"] and visit.help_given == ["treatment"]
    assert visit.details["medication_adherence"] == "regular" and visit.details["signature"] == "李医生"
    assert visit.next_due_date == add_months(TODAY, 3)  # stable: the next follow-up in 3 months


def test_a_follow_up_without_the_risk_level_is_refused(login, staff, due_case):
    client = login(staff["doctor"])
    data = {k: v for k, v in SMD_FOLLOW_UP.items() if k != "risk_level"}

    response = client.post(reverse("care-visit-new", args=[due_case.pk]), data)

    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_a_risk_of_three_must_be_classified_unstable(login, staff, due_case):
    client = login(staff["doctor"])

    response = client.post(reverse("care-visit-new", args=[due_case.pk]), {**SMD_FOLLOW_UP, "risk_level": "3"})

    assert response.status_code == 400
    assert "A risk level of 3 or more is classified as unstable." in response.content.decode()


def test_a_missed_follow_up_needs_no_assessment(login, staff, due_case):
    client = login(staff["doctor"])

    response = client.post(reverse("care-visit-new", args=[due_case.pk]), {
        "date": TODAY.isoformat(), "form": "home", "missed": "on", "missed_reason": "家中无人", "signature": "李医生"})

    assert response.status_code == 302
    visit = Visit.objects.get(enrollment=due_case)
    assert visit.missed and visit.details == {"missed_reason": "家中无人", "signature": "李医生"}
    due_case.refresh_from_db()
    assert due_case.next_due_date == TODAY + datetime.timedelta(days=7)  # tried again within a week


def test_the_visit_form_shows_the_follow_up_record_only_to_the_clinical_team(login, staff, due_case):
    doctor = login(staff["doctor"]).get(reverse("care-visit-new", args=[due_case.pk])).content.decode()
    worker = login(staff["gw"]).get(reverse("care-visit-new", args=[due_case.pk])).content.decode()

    assert "Risk level" in doctor and "Armed violence against people" in doctor
    assert "Risk level" not in worker and "Severe mental disorder" not in worker


def test_a_grid_worker_sees_people_to_visit_without_the_program(login, staff, due_case):
    response = _today(login(staff["gw"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "陈明" in body and "Severe mental disorder" not in body
    assert [r["program"] for r in response.context["rows"]] == [""]
    assert json.dumps(response.context["map_data"]).count('"program": ""') == 1


def test_the_status_filter_lists_only_that_status(login, staff, due_case):
    other = PersonFactory(name="王芳", org_code=Tree.CELL_A1)
    enroll_due(staff, other, start_date=TODAY, details={"risk_level": 0, "classification": "stable"})
    client = login(staff["doctor"])

    due = _today(client, status="due")
    not_due = _today(client, status="not_due", org=Tree.TOWNSHIP_A)

    assert [r["name"] for r in due.context["rows"]] == ["陈明"]
    assert [r["name"] for r in not_due.context["rows"]] == ["王芳"]
    assert _counts(due)["due"] == 1 and _counts(due)["not_due"] == 1  # counts stay over everyone


def test_the_filter_answers_htmx_with_the_list_alone(login, staff, due_case):
    response = login(staff["doctor"]).get(reverse("care-today"), {"status": "due"}, HTTP_HX_REQUEST="true",
                                          HTTP_HX_TARGET="care-rows")

    body = response.content.decode()
    assert 'class="item care-row"' in body and "<html" not in body and "care-map-data" not in body
    assert "HX-Target" in response["Vary"]


def test_above_the_county_only_numbers_are_shown(login, staff, due_case):
    response = _today(login(staff["city_officer"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert _counts(response)["due"] == "<5"  # suppressed above the county (issue 10)
    assert "陈明" not in body and "care-map-data" not in body and response.context["rows"] == []
    assert "names and homes of the people in care are not shown above the county" in body


def test_a_bad_area_code_is_refused(login, staff, due_case):
    response = _today(login(staff["doctor"]), org="12x")

    assert response.status_code == 400


def _people(staff, n):
    for i in range(n):
        cell = Tree.CELL_A1 if i % 2 else Tree.CELL_A2
        person = PersonFactory(org_code=cell, lat=31.005, lng=120.005 + (i % 2) / 100)
        enroll_due(staff, person, start_date=TODAY - datetime.timedelta(days=i % 20))


# session, user, the user's roles, the scope's name for the header, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_daily_map_query_count(login, staff, django_assert_num_queries, n):
    _people(staff, n)
    client = login(staff["doctor"])

    # the area (its check), the counts, the list page, its areas' names, the map's cells, the map's people
    with django_assert_num_queries(BASE + 6):
        response = _today(client, org=Tree.TOWNSHIP_A)

    assert len(response.context["rows"]) == n and len(response.context["map_data"]["people"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_daily_list_partial_query_count(login, staff, django_assert_num_queries, n):
    _people(staff, n)
    client = login(staff["gw"])

    # session, user, roles; the area; the worker's cells; the list page; its areas' names
    with django_assert_num_queries(3 + 4):
        response = client.get(reverse("care-today"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="care-rows")

    # the worker's scope is their cell: the people living there (every other one)
    assert response.content.decode().count('class="item care-row"') == n // 2


def test_a_visit_photo_is_shown_only_in_the_opened_record(login, staff, due_case, django_capture_on_commit_callbacks):
    doctor = login(staff["doctor"])
    with django_capture_on_commit_callbacks(execute=True):  # the photo is written on commit
        doctor.post(reverse("care-visit-new", args=[due_case.pk]), {**SMD_FOLLOW_UP, "photo": _jpeg()})
    visit = Visit.objects.get(enrollment=due_case)
    url = reverse("care-visit-photo", args=[due_case.pk, visit.pk])

    assert doctor.get(url).status_code == 404
    doctor.post(reverse("care-enrollment-open", args=[due_case.pk]), {"reason": "home_visit"})
    response = doctor.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert login(staff["gw"]).get(url).status_code == 404


def test_a_grid_worker_records_a_contact_visit_without_the_clinical_record(login, staff, due_case):
    client = login(staff["gw"])
    form_page = client.get(reverse("care-visit-new", args=[due_case.pk])).content.decode()

    response = client.post(reverse("care-visit-new", args=[due_case.pk]), {"date": TODAY.isoformat(), "form": "home"})

    assert "risk_level" not in form_page
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.details == {} and visit.visited_by == staff["gw"]
