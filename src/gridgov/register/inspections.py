"""Inspection rounds of places (issue 11 §C): the writes.

A round of kind `places` is opened and closed like a household round (`rounds.round_open`
with `kind=RoundKind.PLACES`, `rounds.round_close`). Here: the grid worker's answers for one
place (saved, or completed), a place that could not be inspected, a correction, and the
administrator's checklist of each place kind. Every status change reads
`workflow.INSPECTION_TRANSITIONS` through `_move`.

A problem found is not reported from here: the register does not import the event loop
(events imports the register), so the page offers the grid worker's event report form,
filled in with the place, the question and the note (`inspection_selectors.event_report_url`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.images import check_image, store_on_commit
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.register.audit_actions import InspectionAction
from gridgov.register.models import (
    AnswerResult,
    InspectionAnswer,
    InspectionQuestion,
    PlaceInspection,
    PlaceKind,
    RoundKind,
    UpdateRound,
)
from gridgov.register.workflow import INSPECTION_TRANSITIONS, InspectionStep, take

P = PlaceInspection.Status
CATEGORY_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
NOTE_LENGTH = 300


@dataclass(frozen=True)
class Answer:
    """The grid worker's answer to one question (a problem needs a note; a photo may come)."""

    question_id: int
    result: str
    note: str = ""
    photo: object = None  # an uploaded file


def _move(inspection: PlaceInspection, action: str, *, actor) -> None:
    """The only change of an inspection's status: `action`'s edge in
    `workflow.INSPECTION_TRANSITIONS` (403 without its capability, 409 from a status it does
    not leave)."""
    target = INSPECTION_TRANSITIONS[action].target
    inspection.status = take(INSPECTION_TRANSITIONS, action, inspection.status, actor=actor, message=(
        _("This inspection cannot go from “%(from)s” to “%(to)s”.")
        % {"from": P(inspection.status).label, "to": P(target).label}))


def _locked(actor, inspection: PlaceInspection) -> PlaceInspection:
    """The inspection, locked, if it is the actor's to work on (its assignee, or inside the
    actor's area) in an open round; the same 404 for missing and elsewhere."""
    inspection = (PlaceInspection.objects.select_for_update(of=("self",)).select_related("round", "place")
                  .filter(pk=inspection.pk).first())
    if inspection is None or (inspection.assignee_id != actor.pk and not in_scope(actor, inspection.org_code)):
        raise NotFound()
    if inspection.round.status != UpdateRound.Status.OPEN or inspection.round.kind != RoundKind.PLACES:
        raise DomainError(_("This round is closed."), ErrorCode.CONFLICT)
    return inspection


def _check_answers(answers: list[Answer], questions: dict[int, InspectionQuestion]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for answer in answers:
        key = f"q{answer.question_id}"
        if answer.question_id not in questions:
            errors[key] = [_("This question is not on the checklist of this kind of place.")]
        elif answer.result not in AnswerResult.values:
            errors[key] = [_("Choose OK, problem or not applicable.")]
        elif answer.result == AnswerResult.PROBLEM and not (answer.note or "").strip():
            errors[f"{key}_note"] = [_("Say what the problem is.")]
    return errors


def inspection_record(*, actor, inspection: PlaceInspection, answers: list[Answer], complete: bool = False,
                      note: str = "") -> PlaceInspection:
    """Save the grid worker's answers for one place; `complete` finishes the inspection, which
    needs an answer to every question of the place kind's checklist."""
    require(actor, INSPECTION_TRANSITIONS[InspectionStep.COMPLETE if complete else InspectionStep.RECORD].capability)
    photos = {a.question_id: check_image(a.photo, field=f"q{a.question_id}_photo") for a in answers if a.photo}
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        questions = {q.pk: q for q in InspectionQuestion.objects.filter(place_kind=inspection.place.kind,
                                                                         is_active=True)}
        errors = _check_answers(answers, questions)
        existing = {a.question_id: a for a in inspection.answers.all()}
        answered = set(existing) | {a.question_id for a in answers}
        if complete and not errors and set(questions) - answered:
            errors["answers"] = [_("Answer every question before completing the inspection.")]
        if errors:
            raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
        _move(inspection, InspectionStep.COMPLETE if complete else InspectionStep.RECORD, actor=actor)
        for answer in answers:
            row = existing.get(answer.question_id) or InspectionAnswer(inspection=inspection,
                                                                        question=questions[answer.question_id])
            row.question_text = questions[answer.question_id].text
            row.result = answer.result
            row.note = (answer.note or "").strip()[:NOTE_LENGTH]
            row.answered_by = actor
            image = photos.get(answer.question_id)
            if image is not None:
                store_on_commit(row, "photo", f"inspection-{inspection.pk}-{answer.question_id}{image.extension}",
                                image.content)
            row.save()
            existing[answer.question_id] = row
        inspection.problems = sum(1 for a in existing.values() if a.result == AnswerResult.PROBLEM)
        inspection.checked_at = timezone.now()
        if note:
            inspection.note = note.strip()[:NOTE_LENGTH]
        inspection.save(update_fields=["status", "problems", "checked_at", "note"])
        audit_record(actor=actor, action=InspectionAction.COMPLETE if complete else InspectionAction.RECORD,
                     obj=inspection, object_repr=inspection.place.name, org_code=inspection.org_code,
                     changes={"answered": len(answered), "problems": inspection.problems})
    return inspection


def inspection_unable(*, actor, inspection: PlaceInspection, note: str) -> PlaceInspection:
    """The place could not be inspected (closed when visited, entry refused): with the reason."""
    require(actor, INSPECTION_TRANSITIONS[InspectionStep.UNABLE].capability)
    if not (note or "").strip():
        raise DomainError(_("Say why the place could not be inspected."), ErrorCode.INVALID,
                          {"note": [_("A reason is required.")]})
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        _move(inspection, InspectionStep.UNABLE, actor=actor)
        inspection.checked_at = timezone.now()
        inspection.note = note.strip()[:NOTE_LENGTH]
        inspection.save(update_fields=["status", "checked_at", "note"])
        audit_record(actor=actor, action=InspectionAction.UNABLE, obj=inspection, object_repr=inspection.place.name,
                     org_code=inspection.org_code)
    return inspection


def inspection_reopen(*, actor, inspection: PlaceInspection) -> PlaceInspection:
    """A finished inspection opened again for correction, while its round is open."""
    require(actor, INSPECTION_TRANSITIONS[InspectionStep.REOPEN].capability)
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        _move(inspection, InspectionStep.REOPEN, actor=actor)
        inspection.save(update_fields=["status"])
        audit_record(actor=actor, action=InspectionAction.REOPEN, obj=inspection, object_repr=inspection.place.name,
                     org_code=inspection.org_code)
    return inspection


# --- The checklists (the city administrator's settings) ----------------------------------------


def _check_question(*, place_kind: str, text: str, event_category: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if place_kind not in PlaceKind.values:
        errors["place_kind"] = [_("Choose a kind of place.")]
    if not (text or "").strip():
        errors["text"] = [_("Write the question.")]
    if event_category and not CATEGORY_CODE.match(event_category):
        errors["event_category"] = [_("An event category code is a dotted path, e.g. fire.lane.")]
    return errors


def question_add(*, actor, place_kind: str, text: str, event_category: str = "",
                 position: int | None = None) -> InspectionQuestion:
    require(actor, Capability.MANAGE_INSPECTION_CHECKLISTS)
    event_category = (event_category or "").strip()
    errors = _check_question(place_kind=place_kind, text=text, event_category=event_category)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        last = InspectionQuestion.objects.filter(place_kind=place_kind).aggregate(p=Max("position"), n=Max("id"))
        question = InspectionQuestion.objects.create(
            place_kind=place_kind, code=f"q{(last['n'] or 0) + 1}", text=text.strip()[:200],
            event_category=event_category,
            position=position if position is not None else (last["p"] or 0) + 10,
        )
        audit_record(actor=actor, action=InspectionAction.QUESTION_ADD, obj=question,
                     changes={"place_kind": place_kind, "text": question.text})
    return question


def question_update(*, actor, question: InspectionQuestion, text: str, event_category: str = "",
                    position: int, is_active: bool) -> InspectionQuestion:
    """Change a question's words, its event category, its place in the list, or whether it is
    asked. Answers already given keep the words they were asked with."""
    require(actor, Capability.MANAGE_INSPECTION_CHECKLISTS)
    event_category = (event_category or "").strip()
    errors = _check_question(place_kind=question.place_kind, text=text, event_category=event_category)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        question = InspectionQuestion.objects.select_for_update().get(pk=question.pk)
        before = {"text": question.text, "event_category": question.event_category, "position": question.position,
                  "is_active": question.is_active}
        question.text, question.event_category = text.strip()[:200], event_category
        question.position, question.is_active = position, is_active
        question.save(update_fields=["text", "event_category", "position", "is_active"])
        after = {"text": question.text, "event_category": question.event_category, "position": question.position,
                 "is_active": question.is_active}
        audit_record(actor=actor, action=InspectionAction.QUESTION_UPDATE, obj=question,
                     changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return question
