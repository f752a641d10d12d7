"""Inspection rounds of places (issue 11 §C): the grid worker's list of places in a round, one
place's checklist (answers, a note and a photo per problem, completing it), a place that could
not be inspected, a correction, the photos, and the administrator's checklists per place kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core.exceptions import DomainError, NotFound
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.images import photo_response
from gridgov.core.orgnames import org_name_paths_for
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import inspection_selectors as reads
from gridgov.register import inspections, selectors
from gridgov.register.models import PlaceInspection, PlaceKind, RoundKind, UpdateRound
from gridgov.register.round_forms import InspectionFilterForm, InspectionForm, InspectionUnableForm, QuestionForm
from gridgov.register.views.common import page, render_list
from gridgov.register.workflow import INSPECTION_TRANSITIONS, InspectionStep, can_take

P = PlaceInspection.Status


def access_inspection_round(user, pk) -> UpdateRound:
    update_round = selectors.access_round(user, pk)
    if update_round.kind != RoundKind.PLACES:
        raise NotFound(_("No such update round in your area."))
    return update_round


def _may_record(user, update_round) -> bool:
    return has_capability(user, Capability.RECORD_INSPECTIONS) and update_round.status == UpdateRound.Status.OPEN


@login_required
@require_GET
@domain_errors_as_http
def inspection_list(request, pk: int):
    """The places of a round on the user's list (the grid worker's: their cells), by status."""
    user = request.user
    update_round = access_inspection_round(user, pk)
    form = InspectionFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    found = page(reads.inspections_for(user, update_round, status=data.get("status", "")), data.get("after"), ("id",))
    paths = org_name_paths_for(user, [i.org_code for i in found.rows])
    counts = reads.inspection_status_counts(user, update_round)
    context = {
        "round": update_round,
        "form": form,
        "rows": [{"inspection": i, "place": i.place, "area": paths.get(i.org_code, i.org_code)} for i in found.rows],
        "next_url": found.next_url({"status": data.get("status")}),
        "status_counts": [
            {"value": value, "label": label, "n": counts.get(value, 0), "current": value == data.get("status")}
            for value, label in P.choices
        ],
        "total": sum(counts.values()),
        "can_record": _may_record(user, update_round),
    }
    return render_list(request, "register/inspections.html", context, target="inspections-results",
                       status=200 if valid else 400)


def _inspection_context(request, inspection, *, form=None, unable_form=None, problem: str = "") -> dict:
    user = request.user
    questions = reads.questions_by_kind().get(inspection.place.kind, [])
    answers = reads.answers_of(inspection)
    may_record = _may_record(user, inspection.round)
    editable = may_record and can_take(INSPECTION_TRANSITIONS, InspectionStep.RECORD, inspection.status)
    if form is None and editable:
        form = InspectionForm(questions=questions, answers=answers)
    given = []
    for question in questions:
        answer = answers.get(question.pk)
        given.append({
            "question": question, "answer": answer,
            "report_url": reads.event_report_url(inspection, answer)
            if answer and answer.result == "problem" and has_capability(user, Capability.REPORT_FROM_GRID) else "",
        })
    # Answers to questions no longer asked stay readable.
    asked = {q.pk for q in questions}
    given += [{"question": None, "answer": a, "report_url": ""} for qid, a in answers.items() if qid not in asked]
    return {
        "inspection": inspection,
        "place": inspection.place,
        "round": inspection.round,
        "area": org_name_paths_for(user, [inspection.org_code]).get(inspection.org_code, inspection.org_code),
        "form": form if editable else None,
        "given": given,
        "unable_form": unable_form or (InspectionUnableForm() if editable else None),
        "can_reopen": may_record and can_take(INSPECTION_TRANSITIONS, InspectionStep.REOPEN, inspection.status),
        "problem": problem,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def inspection_detail(request, pk: int):
    """One place's checklist; POST saves the answers, or (`complete`) finishes the inspection."""
    user = request.user
    inspection = reads.access_inspection(user, pk)
    if request.method == "GET":
        return render(request, "register/inspection.html", _inspection_context(request, inspection))
    _require(user, Capability.RECORD_INSPECTIONS)
    questions = reads.questions_by_kind().get(inspection.place.kind, [])
    form = InspectionForm(request.POST, request.FILES, questions=questions, answers=reads.answers_of(inspection))
    complete = "complete" in request.POST
    status = 400
    if form.is_valid():
        try:
            inspections.inspection_record(actor=user, inspection=inspection, answers=form.answers(),
                                          complete=complete, note=form.cleaned_data["note"])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            if complete:
                messages.success(request, _("%(place)s: inspection completed.") % {"place": inspection.place.name})
                return redirect(reverse("register-inspections", args=[inspection.round_id]) + f"#inspection-{pk}")
            messages.success(request, _("The answers were saved."))
            return redirect("register-inspection", pk=pk)
    inspection = reads.access_inspection(user, pk)
    return render(request, "register/inspection.html", _inspection_context(request, inspection, form=form),
                  status=status)


@login_required
@require_POST
@domain_errors_as_http
def inspection_unable(request, pk: int):
    user = request.user
    inspection = reads.access_inspection(user, pk)
    _require(user, Capability.RECORD_INSPECTIONS)
    form = InspectionUnableForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            inspections.inspection_unable(actor=user, inspection=inspection, note=form.cleaned_data["note"])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            messages.success(request, _("%(place)s: recorded as not inspected.") % {"place": inspection.place.name})
            return redirect(reverse("register-inspections", args=[inspection.round_id]) + f"#inspection-{pk}")
    return render(request, "register/inspection.html",
                  _inspection_context(request, inspection, unable_form=form), status=status)


@login_required
@require_POST
@domain_errors_as_http
def inspection_reopen(request, pk: int):
    user = request.user
    inspection = reads.access_inspection(user, pk)
    _require(user, Capability.RECORD_INSPECTIONS)
    try:
        inspections.inspection_reopen(actor=user, inspection=inspection)
    except DomainError as error:
        if error.code in REFUSALS:
            raise
        return render(request, "register/inspection.html",
                      _inspection_context(request, inspection, problem=error.message), status=error.http_status)
    return redirect("register-inspection", pk=pk)


@login_required
@require_GET
@domain_errors_as_http
def inspection_photo(request, pk: int):
    return photo_response(reads.access_answer_photo(request.user, pk).photo)


# --- The checklists per place kind (the city administrator's settings) ----------------------------


def _settings_context(*, add_form=None, add_kind: str = "", bound: dict | None = None) -> dict:
    by_kind = reads.questions_by_kind(active_only=False)
    kinds = []
    for value, label in PlaceKind.choices:
        rows = [{"question": q, "form": (bound or {}).get(q.pk) or QuestionForm(
            prefix=f"q{q.pk}", initial={"text": q.text, "event_category": q.event_category, "position": q.position,
                                        "is_active": q.is_active})} for q in by_kind.get(value, [])]
        kinds.append({"value": value, "label": label, "rows": rows,
                      "add_form": add_form if add_kind == value else QuestionForm(prefix=f"add-{value}")})
    return {"kinds": kinds}


@login_required
@capability_required(Capability.MANAGE_INSPECTION_CHECKLISTS)
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def inspection_settings(request):
    """Each place kind's checklist; POST adds a question to one kind."""
    if request.method == "GET":
        return render(request, "register/inspection_settings.html", _settings_context())
    kind = request.POST.get("place_kind", "")
    form = QuestionForm(request.POST, prefix=f"add-{kind}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            inspections.question_add(actor=request.user, place_kind=kind, text=data["text"],
                                     event_category=data["event_category"], position=data["position"])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            messages.success(request, _("The question was added."))
            return redirect(reverse("register-inspection-settings") + f"#kind-{kind}")
    return render(request, "register/inspection_settings.html",
                  _settings_context(add_form=form, add_kind=kind), status=status)


@login_required
@capability_required(Capability.MANAGE_INSPECTION_CHECKLISTS)
@require_POST
@domain_errors_as_http
def inspection_question(request, pk: int):
    question = reads.access_question(request.user, pk)
    form = QuestionForm(request.POST, prefix=f"q{question.pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            inspections.question_update(
                actor=request.user, question=question, text=data["text"], event_category=data["event_category"],
                position=data["position"] if data["position"] is not None else question.position,
                is_active=data["is_active"])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(reverse("register-inspection-settings") + f"#question-{question.pk}")
    return render(request, "register/inspection_settings.html", _settings_context(bound={question.pk: form}),
                  status=status)
