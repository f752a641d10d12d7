"""Update rounds: the list with the form to open one, a round's progress, closing it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import add_domain_error
from gridgov.core.orgcodes import GRID_LENGTH, VILLAGE_LENGTH
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import inspection_selectors, presenters, rounds, selectors
from gridgov.register.forms import AfterForm
from gridgov.register.models import RoundKind, UpdateRound
from gridgov.register.round_forms import RoundOpenForm
from gridgov.register.views.common import org_names, page

# A new round runs from today for this many days unless the screener says otherwise.
ROUND_DAYS = 10


def round_open_initial(user, today: datetime.date | None = None) -> dict:
    """What the "open a round" form starts with: the user's area, today, ten days, a title."""
    today = today or timezone.localdate()
    return {
        "org_code": user.scope_code, "starts_on": today, "due_on": today + datetime.timedelta(days=ROUND_DAYS),
        "title": _("Register update %(date)s") % {"date": today.isoformat()},
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def rounds_list(request):
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    open_form, status = None, 200
    if has_capability(user, Capability.MANAGE_ROUNDS):
        open_form = RoundOpenForm(initial=round_open_initial(user))
    if request.method == "POST":
        _require(user, Capability.MANAGE_ROUNDS)
        open_form = RoundOpenForm(request.POST, initial=round_open_initial(user))
        status = 400
        if open_form.is_valid():
            data = open_form.cleaned_data
            try:
                update_round = rounds.round_open(actor=user, org_code=data["org_code"], title=data["title"],
                                                 starts_on=data["starts_on"], due_on=data["due_on"],
                                                 kind=data["kind"])
            except DomainError as error:
                status = add_domain_error(open_form, error)
            else:
                messages.success(request, _("The round was opened."))
                return redirect("register-round", pk=update_round.pk)
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    rounds_page = page(selectors.rounds_with_progress(user), after, ("-starts_on", "-id"))
    names = org_names(user, (r.org_code for r in rounds_page.rows))
    context = {
        "rounds": [{"round": r, "area": names.get(r.org_code, r.org_code), "percent": presenters.percent(r.done, r.total),
                    "checklist_url": reverse("register-inspections" if r.kind == RoundKind.PLACES
                                             else "register-checklist", args=[r.pk])}
                   for r in rounds_page.rows],
        "next_url": rounds_page.next_url(),
        "open_form": open_form,
    }
    return render(request, "register/rounds.html", context, status=status)


def _round_context(request, update_round, *, problem: str = "") -> dict:
    if update_round.kind == RoundKind.PLACES:
        return _inspection_round_context(request, update_round, problem=problem)
    user = request.user
    by_cell = selectors.round_progress(user, update_round, level_length=GRID_LENGTH)
    by_village = selectors.round_progress(user, update_round, level_length=VILLAGE_LENGTH)
    names = org_names(user, [p.org_code for p in by_cell + by_village] + [update_round.org_code])
    total = sum(p.total for p in by_cell)
    done = sum(p.done for p in by_cell)
    return {
        "round": update_round,
        "area": names.get(update_round.org_code, update_round.org_code),
        "by_cell": [{"p": p, "name": names.get(p.org_code, p.org_code)} for p in by_cell],
        "by_village": [{"p": p, "name": names.get(p.org_code, p.org_code)} for p in by_village],
        "total": total,
        "done": done,
        "percent": presenters.percent(done, total),
        "can_close": has_capability(user, Capability.MANAGE_ROUNDS) and update_round.status == UpdateRound.Status.OPEN,
        "problem": problem,
    }


PROBLEMS_PAGE = 30


def _inspection_round_context(request, update_round, *, problem: str = "") -> dict:
    """An inspection round: places inspected per village and cell (area paths by name), and
    the problems found, newest first, one keyset page."""
    from gridgov.core.orgnames import org_name_paths_for

    user = request.user
    by_cell = inspection_selectors.inspection_progress(user, update_round, level_length=GRID_LENGTH)
    by_village = inspection_selectors.inspection_progress(user, update_round, level_length=VILLAGE_LENGTH)
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    found = page(inspection_selectors.problems_found(user, update_round), after, ("-id",), size=PROBLEMS_PAGE)
    paths = org_name_paths_for(user, [p.org_code for p in by_cell + by_village] + [update_round.org_code]
                               + [a.inspection.org_code for a in found.rows])
    total = sum(p.total for p in by_cell)
    inspected = sum(p.inspected for p in by_cell)
    return {
        "round": update_round,
        "area": paths.get(update_round.org_code, update_round.org_code),
        "by_cell": [{"p": p, "name": paths.get(p.org_code, p.org_code)} for p in by_cell],
        "by_village": [{"p": p, "name": paths.get(p.org_code, p.org_code)} for p in by_village],
        "total": total,
        "done": inspected,
        "not_possible": sum(p.not_possible for p in by_cell),
        "problems": sum(p.problems for p in by_cell),
        "places_with_problems": sum(p.places_with_problems for p in by_cell),
        "percent": presenters.percent(inspected, total),
        "problem_rows": [{"answer": a, "place": a.inspection.place, "area": paths.get(a.inspection.org_code, "")}
                         for a in found.rows],
        "problems_next_url": found.next_url(),
        "can_close": has_capability(user, Capability.MANAGE_ROUNDS) and update_round.status == UpdateRound.Status.OPEN,
        "problem": problem,
    }


@login_required
@require_GET
@domain_errors_as_http
def round_detail(request, pk: int):
    update_round = selectors.access_round(request.user, pk)
    return render(request, "register/round.html", _round_context(request, update_round))


@login_required
@require_POST
@domain_errors_as_http
def round_close(request, pk: int):
    user = request.user
    update_round = selectors.access_round(user, pk)
    _require(user, Capability.MANAGE_ROUNDS)
    try:
        rounds.round_close(actor=user, update_round=update_round)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        context = _round_context(request, update_round, problem=error.message)
        return render(request, "register/round.html", context, status=error.http_status)
    messages.success(request, _("The round was closed."))
    return redirect("register-round", pk=update_round.pk)
