"""Inspection rounds of places (issue 11 §C), the pages: opening one, the grid worker's list
and one place's checklist, the round's progress with names, the checklist settings, and the
exact query counts of the lists."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gridgov.register import inspections, rounds, services
from gridgov.register.inspections import Answer
from gridgov.register.models import InspectionQuestion, PlaceInspection, PlaceKind, RoundKind, UpdateRound
from tests.factories import Tree

TODAY = datetime.date.today()
P = PlaceInspection.Status
BASE = 5  # session, user, roles, the scope's name, the unread badge


def make_places(screener, n: int, *, kind=PlaceKind.RESTAURANT) -> list:
    return [services.place_create(actor=screener, name=f"面馆{i}号", kind=kind, lat=31.005, lng=120.005)
            for i in range(n)]


@pytest.fixture
def inspection_round(screener, worker):
    make_places(screener, 1)
    return rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="十二月消防检查", starts_on=TODAY,
                             due_on=TODAY + datetime.timedelta(days=7), kind=RoundKind.PLACES)


@pytest.fixture
def inspection(inspection_round):
    return inspection_round.inspections.select_related("place").get()


def _questions(kind="restaurant"):
    return list(InspectionQuestion.objects.filter(place_kind=kind, is_active=True).order_by("position", "id"))


def test_a_screener_opens_an_inspection_round(login, screener, worker):
    make_places(screener, 2)

    response = login(screener).post(reverse("register-rounds"), {
        "kind": "places", "org_code": Tree.VILLAGE_A, "title": "十二月消防检查", "starts_on": TODAY.isoformat(),
        "due_on": (TODAY + datetime.timedelta(days=7)).isoformat()})

    update_round = UpdateRound.objects.get()
    assert response.status_code == 302 and update_round.kind == RoundKind.PLACES
    assert [i.assignee for i in update_round.inspections.all()] == [worker, worker]
    page = login(screener).get(reverse("register-rounds")).content.decode()
    assert reverse("register-inspections", args=[update_round.pk]) in page and "Inspection of places" in page


def test_the_household_checklist_of_an_inspection_round_leads_to_its_places(login, worker, inspection_round):
    response = login(worker).get(reverse("register-checklist", args=[inspection_round.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("register-inspections", args=[inspection_round.pk])


def test_the_grid_worker_completes_an_inspection_with_a_problem(login, worker, inspection):
    questions = _questions()
    data = {f"q{q.pk}": "ok" for q in questions}
    data[f"q{questions[0].pk}"] = "problem"
    data[f"q{questions[0].pk}_note"] = "后门通道堆放纸箱"
    data["complete"] = "1"
    client = login(worker)

    response = client.post(reverse("register-inspection", args=[inspection.pk]), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("register-inspections", args=[inspection.round_id]))
    inspection.refresh_from_db()
    assert inspection.status == P.DONE and inspection.problems == 1
    page = client.get(reverse("register-inspection", args=[inspection.pk])).content.decode()
    assert "后门通道堆放纸箱" in page and "Report as an event" in page and "category=fire.lane" in page
    assert "Correct the inspection" in page


def test_a_problem_without_a_note_re_renders_the_form_with_the_error_in_place(login, worker, inspection):
    first = _questions()[0]

    response = login(worker).post(reverse("register-inspection", args=[inspection.pk]),
                                  {f"q{first.pk}": "problem", "save": "1"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what the problem is." in body and 'id="inspection-form"' in body
    assert not inspection.answers.exists()


def test_completing_with_questions_left_says_so_above_the_form(login, worker, inspection):
    first = _questions()[0]

    response = login(worker).post(reverse("register-inspection", args=[inspection.pk]),
                                  {f"q{first.pk}": "ok", "complete": "1"})

    assert response.status_code == 400
    assert "Answer every question before completing the inspection." in response.content.decode()


def test_a_place_that_could_not_be_inspected(login, worker, inspection):
    response = login(worker).post(reverse("register-inspection-unable", args=[inspection.pk]), {"note": "店门紧闭"})

    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == P.NOT_POSSIBLE


def test_the_round_page_shows_progress_by_name_and_the_problems(login, screener, worker, inspection_round,
                                                                  inspection):
    questions = _questions()
    inspections.inspection_record(actor=worker, inspection=inspection, complete=True, answers=[
        Answer(q.pk, "problem", "燃气软管老化") if q.code == "gas" else Answer(q.pk, "ok") for q in questions])

    response = login(screener).get(reverse("register-round", args=[inspection_round.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "县1 › 镇1 › 村1 › 网格1" in body and "燃气软管老化" in body and "面馆0号" in body
    assert response.context["problems"] == 1 and response.context["done"] == 1


def test_the_settings_page_adds_and_changes_a_question(login, admin, worker):
    client = login(admin)
    assert client.get(reverse("register-inspection-settings")).status_code == 200

    response = client.post(reverse("register-inspection-settings"), {
        "place_kind": "shop", "add-shop-text": "灭火毯配备到位", "add-shop-event_category": "fire.extinguisher"})

    assert response.status_code == 302
    question = InspectionQuestion.objects.get(text="灭火毯配备到位")
    response = client.post(reverse("register-inspection-question", args=[question.pk]), {
        f"q{question.pk}-text": "灭火毯配备到位", f"q{question.pk}-event_category": "Bad Code",
        f"q{question.pk}-position": "1"})
    assert response.status_code == 400
    assert "An event category code is a dotted path" in response.content.decode()
    assert login(worker).get(reverse("register-inspection-settings")).status_code == 403


def test_the_event_report_form_is_filled_in_from_the_link(login, worker, inspection):
    question = InspectionQuestion.objects.get(place_kind="restaurant", code="fire_exits")
    inspections.inspection_record(actor=worker, inspection=inspection,
                                  answers=[Answer(question.pk, "problem", "后门堆放杂物")])
    from gridgov.register.inspection_selectors import event_report_url

    url = event_report_url(inspection, inspection.answers.get())
    response = login(worker).get(url)

    form = response.context["form"]
    assert form.initial["category"] == "fire.lane" and form.initial["place"] == str(inspection.place_id)
    assert "后门堆放杂物" in form.initial["description"]


@pytest.mark.parametrize("n", [3, 30])
def test_inspection_list_query_count(login, screener, worker, django_assert_num_queries, n):
    make_places(screener, n)
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="检查", starts_on=TODAY,
                                     due_on=TODAY, kind=RoundKind.PLACES)
    client = login(worker)

    # the round, the page of places (with the place), their area names, the counts by status
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("register-inspections", args=[update_round.pk]))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_inspection_round_page_query_count(login, screener, worker, django_assert_num_queries, n):
    places = make_places(screener, n)
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="检查", starts_on=TODAY,
                                     due_on=TODAY, kind=RoundKind.PLACES)
    gas = InspectionQuestion.objects.get(place_kind="restaurant", code="gas")
    for place in places:
        inspections.inspection_record(actor=worker, inspection=update_round.inspections.get(place=place),
                                      answers=[Answer(gas.pk, "problem", "燃气软管老化")])
    client = login(screener)

    # the round, progress per cell and per village, the page of problems (with place and
    # question), the area names
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("register-round", args=[update_round.pk]))

    assert len(response.context["problem_rows"]) == n and response.context["problems"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_rounds_list_with_inspection_rounds_query_count(login, screener, django_assert_num_queries, n):
    make_places(screener, 2)
    for i in range(n):
        update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title=f"r{i}", starts_on=TODAY,
                                         due_on=TODAY, kind=RoundKind.PLACES)
        rounds.round_close(actor=screener, update_round=update_round)
    client = login(screener)

    # the page of rounds with their counts, the areas' names
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("register-rounds"))

    assert [(r["round"].total, r["round"].done) for r in response.context["rounds"]] == [(2, 0)] * n
