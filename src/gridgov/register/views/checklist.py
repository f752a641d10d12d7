"""The grid worker's checklist of a round (one HTMX row per household, with the forms that
propose changes) and the screener's sign-off queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import masking
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import presenters, rounds, selectors, services
from gridgov.register.forms import AfterForm
from gridgov.register.models import ChecklistItem, ProposedEdit, RoundKind, UpdateRound
from gridgov.register.round_forms import (
    PROPOSAL_FORMS,
    ChecklistFilterForm,
    ConfirmUnchangedForm,
    DecideForm,
    ProposalForm,
)
from gridgov.register.views.common import members_of, page, render_list
from gridgov.register.workflow import can_move


def _can_propose(user, update_round) -> bool:
    return has_capability(user, Capability.PROPOSE_REGISTER_EDITS) and update_round.status == UpdateRound.Status.OPEN


@login_required
@require_GET
@domain_errors_as_http
def checklist(request, pk: int):
    user = request.user
    update_round = selectors.access_round(user, pk)
    if update_round.kind == RoundKind.PLACES:  # an inspection round's list is of places
        return redirect("register-inspections", pk=update_round.pk)
    form = ChecklistFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    items = page(selectors.checklist_for(user, update_round, status=data.get("status", "")), data.get("after"), ("id",))
    counts = selectors.checklist_status_counts(user, update_round)
    context = {
        "round": update_round,
        "form": form,
        "rows": [presenters.item_row(user, item) for item in items.rows],
        "next_url": items.next_url({"status": data.get("status")}),
        "status_counts": [
            {"value": value, "label": label, "n": counts.get(value, 0), "current": value == data.get("status")}
            for value, label in ChecklistItem.Status.choices
        ],
        "total": sum(counts.values()),
        "can_propose": _can_propose(user, update_round),
    }
    return render_list(request, "register/checklist.html", context, target="checklist-results",
                       status=200 if valid else 400)


def _item_context(request, item, *, bound: ProposalForm | None = None, problem: str = "",
                  notice: str = "", expanded: bool = True) -> dict:
    user = request.user
    household = selectors.access_household(user, item.household_id)
    members = members_of(user, household.current_members)
    can_propose = _can_propose(user, item.round)
    forms = []
    if can_propose and expanded:
        for kind, form_class in PROPOSAL_FORMS.items():
            form = bound if bound is not None and bound.kind == kind else form_class(
                prefix=f"{kind}-{item.pk}", members=members)
            forms.append(form)
    edits = list(item.edits.select_related("proposed_by", "decided_by").order_by("id"))
    return {
        "row": presenters.item_row(user, item),
        "item": item,
        "round": item.round,
        "household": household,
        "members": [
            {"name": name, "relation": m.get_relation_display(), "phone": masking.mask_phone(m.person.phone)}
            for m, name in members
        ],
        "edits": presenters.describe_edits(user, edits),
        "forms": forms,
        "open_kind": bound.kind if bound is not None else "",
        "can_propose": can_propose,
        "can_confirm": can_propose and can_move(item.status, ChecklistItem.Status.UNCHANGED),
        "unchanged_form": ConfirmUnchangedForm(prefix=f"unchanged-{item.pk}"),
        "expanded": expanded,
        "problem": problem,
        "notice": notice,
    }


def _render_item(request, item, *, status: int = 200, **kwargs):
    """The item for HTMX (its row, opened or closed), else the checklist again (after a success)
    or the item's own page (with errors)."""
    context = _item_context(request, item, **kwargs)
    if request.htmx:
        return render(request, "register/checklist.html#item_row", context, status=status)
    if status < 400:
        if kwargs.get("notice"):
            messages.success(request, kwargs["notice"])
        return redirect(reverse("register-checklist", args=[item.round_id]) + f"#item-{item.pk}")
    return render(request, "register/item.html", context, status=status)


@login_required
@require_GET
@domain_errors_as_http
def item_detail(request, pk: int):
    """A checklist item opened: the household, its members, the proposals and the forms."""
    item = selectors.access_item(request.user, pk)
    context = _item_context(request, item)
    template = "register/checklist.html#item_body" if request.htmx else "register/item.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
@domain_errors_as_http
def item_unchanged(request, pk: int):
    user = request.user
    item = selectors.access_item(user, pk)
    _require(user, Capability.PROPOSE_REGISTER_EDITS)
    form = ConfirmUnchangedForm(request.POST, prefix=f"unchanged-{item.pk}")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        item = rounds.item_confirm_unchanged(actor=user, item=item, note=note)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _render_item(request, item, status=error.http_status, problem=error.message)
    item = selectors.access_item(user, pk)
    return _render_item(request, item, expanded=False, notice=_("Checked: no change."))


@login_required
@require_POST
@domain_errors_as_http
def item_propose(request, pk: int):
    user = request.user
    item = selectors.access_item(user, pk)
    _require(user, Capability.PROPOSE_REGISTER_EDITS)
    form_class = PROPOSAL_FORMS.get(request.POST.get("kind", ""))
    if form_class is None:
        return _render_item(request, item, status=400, problem=_("Unknown kind of change."))
    household = selectors.access_household(user, item.household_id)
    form = form_class(request.POST, prefix=f"{form_class.kind}-{item.pk}",
                      members=members_of(user, household.current_members))
    status = 400
    if form.is_valid():
        try:
            rounds.item_propose_edits(actor=user, item=item, edits=[_proposal(user, form)])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            item = selectors.access_item(user, pk)
            return _render_item(request, item, notice=_("Proposed: a screener will sign it off."))
    return _render_item(request, item, status=status, bound=form)


def _proposal(user, form) -> dict:
    """The edit a valid proposal form stands for; a DomainError on `name` when a new member
    is neither registered in the area nor named."""
    if form.kind != "member_add":
        return form.edit()
    person = services.check_person_in_area(actor=user, resident_id=form.cleaned_data["resident_id"])
    if person is None and not form.cleaned_data["name"].strip():
        raise services.not_registered_error()
    return form.edit(person_id=person.pk if person else None)


# --- The screener's sign-off queue -------------------------------------------------------------


def _signoff_rows(user, edits, *, forms: dict | None = None, problems: dict | None = None) -> list[dict]:
    rows = presenters.describe_edits(user, edits, reveal_phone=True)
    for row in rows:
        edit = row["edit"]
        row["address"] = selectors.display_address(user, edit.item.household.address)
        row["own"] = edit.proposed_by_id == user.pk
        row["form"] = (forms or {}).get(edit.pk) or DecideForm(prefix=f"decide-{edit.pk}")
        row["problem"] = (problems or {}).get(edit.pk, "")
    return rows


@login_required
@require_GET
@domain_errors_as_http
def signoff(request):
    user = request.user
    _require(user, Capability.SIGN_OFF_REGISTER)
    form = AfterForm(request.GET)
    after = form.cleaned_data.get("after") if form.is_valid() else None
    edits = page(selectors.sign_off_queue(user), after, ("proposed_at", "id"))
    context = {"rows": _signoff_rows(user, edits.rows), "next_url": edits.next_url()}
    return render_list(request, "register/signoff.html", context, target="signoff-results")


@login_required
@require_POST
@domain_errors_as_http
def edit_decide(request, pk: int):
    """Approve (and so apply) or return one proposed edit; the row is swapped in place."""
    user = request.user
    edit = selectors.access_proposed_edit(user, pk)
    form = DecideForm(request.POST, prefix=f"decide-{edit.pk}")
    status, problem = 400, ""
    if form.is_valid():
        try:
            edit = rounds.edit_decide(actor=user, edit=edit, approve=form.approve, note=form.cleaned_data["note"])
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise
            status, problem = error.http_status, error.message
            if error.fields.get("note"):
                form.add_error("note", error.fields["note"][0])
        else:
            status = 200
            edit = selectors.access_proposed_edit(user, pk)
    if not request.htmx:
        if status == 200:
            messages.success(request, _("Approved.") if edit.status == ProposedEdit.Status.APPROVED else _("Returned."))
            return redirect("register-signoff")
        rows = _signoff_rows(user, [edit], forms={edit.pk: form}, problems={edit.pk: problem})
        return render(request, "register/signoff.html", {"rows": rows, "next_url": None}, status=status)
    [row] = _signoff_rows(user, [edit], forms={edit.pk: form}, problems={edit.pk: problem})
    return render(request, "register/signoff.html#edit_row", {"row": row}, status=status)
