"""The demo's register work under way on the day the demo opens (issue 11 §C): an inspection
round of the first village's places, opened by the screener, with the demo grid worker's first
places already inspected (one problem found, one place found shut). All through the register
services, as the pages would make them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gridgov.core.models import User
from gridgov.register import inspections, rounds
from gridgov.register.inspections import Answer
from gridgov.register.models import InspectionQuestion, RoundKind


def write_register_under_way(*, village_code: str) -> dict[str, int]:
    screener = User.objects.filter(username="screener").first()
    worker = User.objects.filter(username="gridworker").first()
    if screener is None or worker is None:
        return {}
    today = timezone.localdate()
    update_round = rounds.round_open(
        actor=screener, org_code=village_code, title="十二月消防与食品安全检查", kind=RoundKind.PLACES,
        starts_on=today - datetime.timedelta(days=3), due_on=today + datetime.timedelta(days=7))
    mine = list(update_round.inspections.filter(assignee=worker).select_related("place").order_by("id"))
    questions: dict[str, list] = {}
    for question in InspectionQuestion.objects.filter(is_active=True).order_by("position", "id"):
        questions.setdefault(question.place_kind, []).append(question)
    done = 0
    for index, inspection in enumerate(mine[:3]):
        if index == 2:
            inspections.inspection_unable(actor=worker, inspection=inspection, note="到访时店门紧闭，已电话联系负责人改约")
        else:
            answers = [Answer(q.pk, "problem", "楼道内两辆电动车正在充电") if index == 0 and q.code == "ebikes"
                       else Answer(q.pk, "ok") for q in questions.get(inspection.place.kind, [])]
            inspections.inspection_record(actor=worker, inspection=inspection, answers=answers, complete=True)
        done += 1
    return {"inspection_rounds": 1, "places_inspected": done}
