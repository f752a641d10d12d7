"""Inspection rounds of places (issue 11 §C): the reads, scoped through `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils.http import urlencode

from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, has_capability, require
from gridgov.register.models import (
    AnswerResult,
    InspectionAnswer,
    InspectionQuestion,
    PlaceInspection,
    RoundKind,
    UpdateRound,
)
from gridgov.register.selectors import _as_int, rounds_visible_to
from gridgov.register.workflow import INSPECTED_STATES, TO_INSPECT_STATES

P = PlaceInspection.Status


def questions_by_kind(*, active_only: bool = True) -> dict[str, list[InspectionQuestion]]:
    """Every place kind's checklist, in order (one query)."""
    qs = InspectionQuestion.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    by_kind: dict[str, list[InspectionQuestion]] = {}
    for question in qs.order_by("place_kind", "position", "id"):
        by_kind.setdefault(question.place_kind, []).append(question)
    return by_kind


def access_question(user, question_id) -> InspectionQuestion:
    require(user, Capability.MANAGE_INSPECTION_CHECKLISTS)
    question = InspectionQuestion.objects.filter(pk=_as_int(question_id)).first()
    if question is None:
        raise NotFound()
    return question


def _own(user, qs: QuerySet) -> QuerySet:
    """A grid worker's inspections: assigned to them or in their cells (others see the area's)."""
    if has_capability(user, Capability.RECORD_INSPECTIONS) and not has_capability(user, Capability.MANAGE_ROUNDS):
        qs = qs.filter(Q(assignee=user) | Q(org_code__in=user.grid_assignments.values("cell_id")))
    return qs


def inspections_for(user, update_round: UpdateRound, *, status: str = "") -> QuerySet[PlaceInspection]:
    """The places on the user's list in an inspection round."""
    require(user, Capability.VIEW_REGISTER)
    qs = _own(user, update_round.inspections.visible_to(user)).select_related("place")
    return qs.filter(status=status) if status else qs


def inspection_status_counts(user, update_round: UpdateRound) -> dict[str, int]:
    """The user's inspections of a round by status, in one query."""
    return dict(inspections_for(user, update_round).values_list("status").annotate(n=Count("id")).order_by())


def access_inspection(user, inspection_id) -> PlaceInspection:
    require(user, Capability.VIEW_REGISTER)
    inspection = (PlaceInspection.objects.visible_to(user).filter(pk=_as_int(inspection_id))
                  .select_related("round", "place", "assignee").first())
    if inspection is None:
        raise NotFound()
    return inspection


def answers_of(inspection: PlaceInspection) -> dict[int, InspectionAnswer]:
    """The answers given at a place, by question (one query)."""
    return {a.question_id: a for a in inspection.answers.all()}


def access_answer_photo(user, answer_id) -> InspectionAnswer:
    require(user, Capability.VIEW_REGISTER)
    answer = (InspectionAnswer.objects.filter(pk=_as_int(answer_id),
                                              inspection__in=PlaceInspection.objects.visible_to(user).values("pk"))
              .exclude(photo="").first())
    if answer is None:
        raise NotFound()
    return answer


@dataclass(frozen=True)
class InspectionProgress:
    org_code: str
    total: int
    inspected: int
    not_possible: int
    problems: int
    places_with_problems: int

    @property
    def percent(self) -> int:
        return round(100 * self.inspected / self.total) if self.total else 100


def inspection_progress(user, update_round: UpdateRound, *, level_length: int) -> list[InspectionProgress]:
    """Progress per grid cell (15) or village (12) of the places the user sees, in one query."""
    qs = (
        update_round.inspections.visible_to(user)
        .annotate(unit=Substr("org_code", 1, level_length))
        .values("unit")
        .annotate(
            total=Count("id"),
            inspected=Count("id", filter=Q(status__in=INSPECTED_STATES)),
            not_possible=Count("id", filter=Q(status=P.NOT_POSSIBLE)),
            problem_count=Coalesce(Sum("problems"), 0),
            with_problems=Count("id", filter=Q(problems__gt=0)),
        )
        .order_by("unit")
    )
    return [InspectionProgress(r["unit"], r["total"], r["inspected"], r["not_possible"], r["problem_count"],
                               r["with_problems"]) for r in qs]


def problems_found(user, update_round: UpdateRound) -> QuerySet[InspectionAnswer]:
    """Every problem found in a round at the places the user sees (keyset by id)."""
    require(user, Capability.VIEW_REGISTER)
    return (InspectionAnswer.objects.filter(result=AnswerResult.PROBLEM, inspection__round=update_round,
                                            inspection__in=_own(user, PlaceInspection.objects.visible_to(user))
                                            .values("pk"))
            .select_related("inspection__place", "question"))


def open_inspection_rounds_with_todo(user) -> list[dict]:
    """The open inspection rounds with places still to inspect on the user's list, each with
    `todo` and `started` (nearest deadline first), in one query."""
    rounds = rounds_visible_to(user).filter(status=UpdateRound.Status.OPEN, kind=RoundKind.PLACES)
    return list(
        _own(user, PlaceInspection.objects.visible_to(user))
        .filter(round__in=rounds.values("pk"), status__in=TO_INSPECT_STATES)
        .values("round_id", "round__title", "round__due_on")
        .annotate(todo=Count("pk"), started=Count("pk", filter=Q(status=P.STARTED)))
        .order_by("round__due_on", "round_id")
    )


def event_report_url(inspection: PlaceInspection, answer: InspectionAnswer) -> str:
    """The grid worker's event report form filled in with a problem found (its place, the
    question, the note and the question's event category): the register does not report
    events itself (events imports the register, not the other way round)."""
    place = inspection.place
    params = {
        "tab": "report",
        "place": place.pk,
        "lat": place.lat,
        "lng": place.lng,
        "description": f"{place.name}：{answer.question_text}。{answer.note}".strip(),
    }
    if answer.question.event_category:
        params["category"] = answer.question.event_category
    return reverse("events-mobile") + "?" + urlencode(params)
