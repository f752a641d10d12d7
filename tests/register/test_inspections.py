"""Inspection rounds of places (issue 11 §C), through the services: opening a round puts
every open place of the area on its grid worker's list; the worker answers the place kind's
checklist and completes it; a problem needs a note and may carry a photo; a place that could
not be inspected needs a reason; the administrator's checklists."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import AuditEntry
from gridgov.register import inspection_selectors, inspections, rounds, services
from gridgov.register.inspection_catalog import DEFAULT_QUESTIONS, seed_inspection_questions
from gridgov.register.inspections import Answer
from gridgov.register.models import (
    AnswerResult,
    InspectionQuestion,
    PlaceInspection,
    PlaceKind,
    RoundKind,
    UpdateRound,
)
from tests.factories import Tree

TODAY = datetime.date.today()
P = PlaceInspection.Status


@pytest.fixture
def restaurant(screener):
    return services.place_create(actor=screener, name="老街面馆", kind=PlaceKind.RESTAURANT, lat=31.005, lng=120.005)


@pytest.fixture
def shop(screener):
    return services.place_create(actor=screener, name="便民超市", kind=PlaceKind.SHOP, lat=31.006, lng=120.006)


@pytest.fixture
def inspection_round(screener, grid_worker, restaurant, shop):
    return rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="十二月消防食品检查", starts_on=TODAY,
                             due_on=TODAY + datetime.timedelta(days=10), kind=RoundKind.PLACES)


@pytest.fixture
def inspection(inspection_round, restaurant):
    return inspection_round.inspections.get(place=restaurant)


def _questions(kind):
    return list(InspectionQuestion.objects.filter(place_kind=kind, is_active=True).order_by("position", "id"))


def _all_ok(kind):
    return [Answer(q.pk, AnswerResult.OK) for q in _questions(kind)]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 20, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_every_place_kind_has_a_seeded_checklist(db):
    for kind in PlaceKind.values:
        assert kind in DEFAULT_QUESTIONS
        assert [q.code for q in _questions(kind)] == [code for code, _t, _c in DEFAULT_QUESTIONS[kind]]
    assert seed_inspection_questions() == 0  # the migration seeded them; nothing is added twice


def test_opening_an_inspection_round_puts_each_open_place_on_its_grid_workers_list(
        screener, grid_worker, inspection_round, restaurant, shop):
    assert inspection_round.kind == RoundKind.PLACES
    assert {(i.place, i.assignee, i.status) for i in inspection_round.inspections.all()} == {
        (restaurant, grid_worker, P.PENDING), (shop, grid_worker, P.PENDING)}
    assert not inspection_round.items.exists()
    entry = AuditEntry.objects.get(action="register.round_open")
    assert json.loads(entry.changes) == {"kind": "places", "items": 2, "due_on": inspection_round.due_on.isoformat()}


def test_a_closed_place_is_not_inspected(screener, grid_worker, restaurant, shop):
    shop.closed_on = TODAY
    shop.save(update_fields=["closed_on"])

    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="x", starts_on=TODAY,
                                     due_on=TODAY, kind=RoundKind.PLACES)

    assert [i.place for i in update_round.inspections.all()] == [restaurant]


def test_an_inspection_round_and_a_household_round_run_side_by_side(screener, inspection_round):
    household_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="住户更新", starts_on=TODAY,
                                        due_on=TODAY)
    with pytest.raises(DomainError) as error:
        rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="again", starts_on=TODAY, due_on=TODAY,
                          kind=RoundKind.PLACES)

    assert household_round.kind == RoundKind.HOUSEHOLDS
    assert error.value.code == ErrorCode.CONFLICT


def test_the_grid_worker_saves_some_answers_then_completes_with_a_problem(grid_worker, inspection):
    questions = _questions(PlaceKind.RESTAURANT)
    inspections.inspection_record(actor=grid_worker, inspection=inspection, answers=[Answer(questions[0].pk, "ok")])
    inspection.refresh_from_db()
    assert inspection.status == P.STARTED and inspection.problems == 0

    answers = _all_ok(PlaceKind.RESTAURANT)[1:]
    answers[0] = Answer(questions[1].pk, AnswerResult.PROBLEM, "两具灭火器过期", SimpleUploadedFile("a.png", _png()))
    inspections.inspection_record(actor=grid_worker, inspection=inspection, answers=answers, complete=True)

    inspection.refresh_from_db()
    assert inspection.status == P.DONE and inspection.problems == 1
    answer = inspection.answers.get(question=questions[1])
    assert answer.question_text == questions[1].text and answer.note == "两具灭火器过期" and answer.photo
    assert inspection.answers.count() == len(questions)
    assert [e.action for e in AuditEntry.objects.filter(object_type="register.placeinspection", object_id=str(inspection.pk)).order_by("id")] == [
        "register.inspection_record", "register.inspection_complete"]


def test_completing_needs_every_question_answered(grid_worker, inspection):
    first = _questions(PlaceKind.RESTAURANT)[0]

    with pytest.raises(DomainError) as error:
        inspections.inspection_record(actor=grid_worker, inspection=inspection, answers=[Answer(first.pk, "ok")],
                                      complete=True)

    assert error.value.code == ErrorCode.INVALID and "answers" in error.value.fields
    inspection.refresh_from_db()
    assert inspection.status == P.PENDING and not inspection.answers.exists()


def test_a_problem_needs_a_note(grid_worker, inspection):
    first = _questions(PlaceKind.RESTAURANT)[0]

    with pytest.raises(DomainError) as error, translation.override("en"):
        inspections.inspection_record(actor=grid_worker, inspection=inspection,
                                      answers=[Answer(first.pk, AnswerResult.PROBLEM, " ")])

    assert error.value.fields == {f"q{first.pk}_note": ["Say what the problem is."]}


def test_a_question_of_another_kind_of_place_is_refused(grid_worker, inspection):
    clinic_question = _questions(PlaceKind.CLINIC)[-1]

    with pytest.raises(DomainError) as error:
        inspections.inspection_record(actor=grid_worker, inspection=inspection,
                                      answers=[Answer(clinic_question.pk, AnswerResult.OK)])

    assert f"q{clinic_question.pk}" in error.value.fields


def test_a_place_that_could_not_be_inspected_needs_a_reason_and_can_be_corrected(grid_worker, inspection):
    with pytest.raises(DomainError):
        inspections.inspection_unable(actor=grid_worker, inspection=inspection, note="")

    inspections.inspection_unable(actor=grid_worker, inspection=inspection, note="店门紧闭，联系不上负责人")
    inspection.refresh_from_db()
    assert inspection.status == P.NOT_POSSIBLE and inspection.note == "店门紧闭，联系不上负责人"

    inspections.inspection_reopen(actor=grid_worker, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == P.STARTED


def test_nothing_is_recorded_once_the_round_is_closed(screener, grid_worker, inspection_round, inspection):
    rounds.round_close(actor=screener, update_round=inspection_round)

    with pytest.raises(DomainError) as error:
        inspections.inspection_record(actor=grid_worker, inspection=inspection, answers=_all_ok("restaurant"),
                                      complete=True)

    assert error.value.code == ErrorCode.CONFLICT
    assert UpdateRound.objects.get(pk=inspection_round.pk).status == UpdateRound.Status.CLOSED


def test_another_cells_grid_worker_gets_not_found(inspection, tree):
    from gridgov.core.models import Role
    from tests.factories import make_user

    other = make_user("gw2", Role.GRID_WORKER, scope=Tree.CELL_A2, cells=[Tree.CELL_A2])

    with pytest.raises(DomainError) as error:
        inspections.inspection_record(actor=other, inspection=inspection, answers=_all_ok("restaurant"))

    assert error.value.code == ErrorCode.NOT_FOUND
    assert list(inspection_selectors.inspections_for(other, inspection.round)) == []


def test_progress_counts_inspected_places_and_problems(screener, grid_worker, inspection_round, inspection):
    found = {"gas", "fire_exits"}
    inspections.inspection_record(actor=grid_worker, inspection=inspection, complete=True, answers=[
        Answer(q.pk, "problem", "有问题") if q.code in found else Answer(q.pk, "ok") for q in _questions("restaurant")])

    [cell] = inspection_selectors.inspection_progress(screener, inspection_round, level_length=15)

    assert (cell.org_code, cell.total, cell.inspected, cell.problems, cell.places_with_problems) == (
        Tree.CELL_A1, 2, 1, 2, 1)
    assert cell.percent == 50
    assert inspection_selectors.problems_found(screener, inspection_round).count() == 2


def test_the_event_report_link_carries_the_place_the_question_and_the_category(grid_worker, inspection):
    question = InspectionQuestion.objects.get(place_kind="restaurant", code="fire_exits")
    inspections.inspection_record(actor=grid_worker, inspection=inspection,
                                  answers=[Answer(question.pk, "problem", "后门堆放杂物")])
    answer = inspection.answers.get()

    url = inspection_selectors.event_report_url(inspection, answer)

    assert url.startswith("/events/mobile/?tab=report&place=")
    assert "category=fire.lane" in url and "%E8%80%81%E8%A1%97%E9%9D%A2%E9%A6%86" in url  # 老街面馆


def test_the_administrator_adds_and_changes_a_question(city_admin, grid_worker):
    question = inspections.question_add(actor=city_admin, place_kind="shop", text="灭火毯配备", event_category="fire")
    assert question.position > max(q.position for q in _questions("shop") if q.pk != question.pk)

    inspections.question_update(actor=city_admin, question=question, text="灭火毯配备到位", event_category="",
                                position=5, is_active=False)

    question.refresh_from_db()
    assert (question.text, question.position, question.is_active) == ("灭火毯配备到位", 5, False)
    assert question not in _questions("shop")
    entry = AuditEntry.objects.filter(action="register.inspection_question_update").get()
    assert json.loads(entry.changes)["is_active"] == [True, False]
    with pytest.raises(DomainError) as error:
        inspections.question_add(actor=grid_worker, place_kind="shop", text="x")
    assert error.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as error:
        inspections.question_add(actor=city_admin, place_kind="shop", text="x", event_category="Fire Lane")
    assert "event_category" in error.value.fields
