"""The mediator's and the justice officer's pages: the list of cases, a new case, the case
page with one form for each step the user may take now, its documents (the agreement, the
case file) and attached pages, and the grid centre's hand-over of a dispute event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import masking
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.forms import add_domain_error
from gridgov.core.images import photo_response
from gridgov.core.links import id_url
from gridgov.core.pagination import keyset_page
from gridgov.core.pdf import pdf_response
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.mediation import selectors, services, workflow
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.forms import (
    ACTION_FORMS,
    ATTACH,
    PAGE_SIZE,
    CaseFilterForm,
    CaseOpenForm,
    HandOverForm,
)
from gridgov.mediation.models import AgreementForm, Confirmation, PartyRole, Performance
from gridgov.mediation.workflow import CONCLUDED_STATUSES, CaseAction, CaseStatus

MEDIATION_ROLES = selectors.MEDIATION_ROLES
WAITING_DAYS = 3  # a request waiting longer is marked (as the home page and the reminders count it)


# --- The list ------------------------------------------------------------------------------------


@login_required
@require_GET
@capability_required(MEDIATION_ROLES)
def case_list(request):
    committees = selectors.committees_worked_by(request.user)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = CaseFilterForm(data, committees=committees)
    rows, next_url, status = [], None, 200
    if form.is_valid():
        given = form.cleaned_data
        cases = selectors.case_list(request.user, status=given["status"], due=given["due"],
                                    committee=given["committee"], code=given["q"])
        page = keyset_page(cases, after=given["after"], order=("-id",), size=PAGE_SIZE)
        names = has_capability(request.user, Capability.VIEW_PERSON_NAMES)
        case_url = id_url("mediation-case")
        today = timezone.localdate()
        rows = []
        for case in page.rows:
            left = (case.deadline - today).days if case.deadline and case.status in workflow.CLOCK_STATUSES else None
            waiting = (today - timezone.localtime(case.created_at).date()).days \
                if case.status == CaseStatus.REQUESTED else None
            rows.append({"case": case, "url": case_url(case.pk), "parties": _party_line(case, names),
                         "days_left": left, "days_over": -left if left is not None and left < 0 else 0,
                         "waiting": waiting, "waiting_long": waiting is not None and waiting > WAITING_DAYS})
        params = {k: given[k] for k in ("status", "due", "committee", "q")}
        next_url = page.next_url(params)
    else:
        status = 400
    return render(request, "mediation/cases.html", {
        "form": form, "rows": rows, "next_url": next_url, "can_open": bool(committees),
        "filtered": any(request.GET.get(k) for k in ("status", "due", "committee", "q")),
    }, status=status)


def _party_line(case, names: bool) -> str:
    shown = [p.display_name if names else masking.mask_name(p.display_name) for p in case.parties.all()]
    return "、".join(shown) if shown else _("no party named yet")


# --- A new case ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(MEDIATION_ROLES)
@domain_errors_as_http
def case_new(request):
    committees = selectors.committees_worked_by(request.user)
    if not committees:
        raise NotFound(_("You sit on no mediation committee."))
    form = CaseOpenForm(request.POST or None, committees=committees,
                        initial={"committee": committees[0].pk, "org_code": committees[0].org_code})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=request.user, committee=form.committees[data["committee"]], type=data["type"],
                    source=data["source"], channel=data["channel"], org_code=data["org_code"],
                    matters=data["matters"], parties=form.parties())
            except DomainError as error:
                status = add_domain_error(form, error, field_names={"parties": "applicant_name"})
            else:
                messages.success(request, _("Case %(code)s opened: the one-month time limit runs until %(day)s.")
                                 % {"code": case.code, "day": case.deadline.isoformat()})
                return redirect("mediation-case", case.pk)
    return render(request, "mediation/case_new.html", {"form": form}, status=status)


# --- The case page -------------------------------------------------------------------------------


def step_context(user, case) -> dict:
    """What the step forms need, and which steps the user may take now: the workflow's table
    (`workflow.user_may`, `state_allows`) narrowed by the services' own conditions, so that the
    page offers nothing the service would refuse for a reason the user cannot change."""
    today = timezone.localdate()
    works = services.may_work_committee(user, case.committee)
    declared = case.mediator_id is not None and case.no_conflict_declared_at is not None
    next_follow_up = next((f for f in case.follow_up_rows if f.done_on is None), None)
    closes = services.confirmation_window_closes(case)
    roles = {p.role for p in case.parties.all()}
    conditions = {
        # named both sides first (the parties' card says so while they are missing)
        CaseAction.ACCEPT: {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles,
        CaseAction.RECORD_SESSION: declared,
        CaseAction.SETTLE: declared,
        CaseAction.EXTEND: case.extended_at is None and case.deadline is not None and case.deadline >= today,
        CaseAction.SIGN: case.agreement_form == AgreementForm.WRITTEN and case.agreement_effective_on is None,
        CaseAction.APPLY_CONFIRMATION: closes is not None and not case.confirmation and today <= closes,
        CaseAction.DECIDE_CONFIRMATION: case.confirmation == Confirmation.APPLIED,
        CaseAction.FOLLOW_UP: next_follow_up is not None,
        CaseAction.REOPEN: case.performance == Performance.BREACHED
        and case.confirmation not in (Confirmation.APPLIED, Confirmation.CONFIRMED),
        CaseAction.REFER: case.status != CaseStatus.SETTLED or case.performance == Performance.BREACHED,
    }
    steps = []
    if works:
        for action in ACTION_FORMS:
            if action == ATTACH:
                if case.status not in CONCLUDED_STATUSES or case.status == CaseStatus.SETTLED:
                    steps.append(action)
                continue
            if workflow.user_may(user, action) and workflow.state_allows(case.status, action) and \
                    conditions.get(action, True):
                steps.append(action)
    context = {"next_follow_up": next_follow_up}
    if CaseAction.ASSIGN in steps:
        context["mediators"] = selectors.committee_mediators(case.committee)
    if CaseAction.TRANSFER in steps:
        context["transfer_to"] = selectors.transfer_targets(user, case)
        if not context["transfer_to"]:
            steps.remove(CaseAction.TRANSFER)
    return {"steps": steps, "context": context, "works": works, "confirmation_closes": closes}


def case_context(request, case, *, bound_form=None) -> dict:
    user = request.user
    available = step_context(user, case)
    forms = []
    for action in available["steps"]:
        if bound_form is not None and bound_form.action == action:
            forms.append(bound_form)
        else:
            forms.append(ACTION_FORMS[action](case=case, context=available["context"]))
    names = has_capability(user, Capability.VIEW_PERSON_NAMES)
    parties = [{"party": p, "role": p.get_role_display(),
                "name": p.display_name if names else masking.mask_name(p.display_name),
                "phone": (p.phone if available["works"] else masking.mask_phone(p.phone)) if p.phone else "",
                "resident_id": masking.mask_resident_id(p.resident_id) if p.resident_id else ""}
               for p in case.parties.all()]
    attachment_url = id_url("mediation-attachment", case.pk)
    today = timezone.localdate()
    return {
        "case": case, "parties": parties, "forms": forms, "works": available["works"],
        "sessions": case.session_rows, "follow_ups": case.follow_up_rows,
        "attachments": [{"attachment": a, "url": attachment_url(a.pk), "kind": a.get_kind_display()}
                        for a in case.attachment_rows],
        "days_left": (case.deadline - today).days if case.deadline and case.status in workflow.CLOCK_STATUSES
        else None,
        "confirmation_closes": available["confirmation_closes"],
        "has_agreement_pdf": case.status == CaseStatus.SETTLED and case.agreement_form == AgreementForm.WRITTEN,
        "event_url": _event_url(user, case),
        "event_code": _event_code(case),
    }


def _event_url(user, case) -> str:
    if not case.event_id or not has_capability(user, Capability.TAKE_PART_IN_EVENTS):
        return ""
    return reverse("events-detail", args=[case.event_id])


def _event_code(case) -> str:
    """The readable number of the event a case was handed over from (to trace it back)."""
    if not case.event_id:
        return ""
    from gridgov.events.selectors import event_code

    return event_code(case.event_id) or ""


def _render_case(request, case, *, status=200, bound_form=None):
    template = "mediation/case.html"
    if request.htmx and request.htmx.target == "case-panel":
        template += "#panel"
    return render(request, template, case_context(request, case, bound_form=bound_form), status=status)


@login_required
@require_GET
@capability_required(MEDIATION_ROLES)
@domain_errors_as_http
def case_detail(request, pk: int):
    return _render_case(request, selectors.case_page(request.user, pk))


@login_required
@require_POST
@capability_required(MEDIATION_ROLES)
@domain_errors_as_http
def case_act(request, pk: int):
    case = selectors.case_page(request.user, pk)
    action = request.POST.get("action", "")
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return _render_case(request, case, status=400)
    available = step_context(request.user, case)
    if action not in available["steps"]:
        # refused before the form and its uploaded pages are read
        if not available["works"] or (action != ATTACH and not workflow.user_may(request.user, action)):
            raise Forbidden(_("Your role may not do this to a mediation case."))
        messages.error(request, _("This step is not possible on this case now."))
        return _render_case(request, case, status=409)
    form = form_class(request.POST, request.FILES, case=case, context=available["context"])
    if not form.is_valid():
        return _render_case(request, case, status=400, bound_form=form)
    try:
        form.perform(request.user)
    except DomainError as error:
        status = add_domain_error(form, error, field_names=form.field_names)
        return _render_case(request, selectors.case_page(request.user, pk), status=status, bound_form=form)
    messages.success(request, _("Saved: %(step)s.") % {"step": form.title})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("mediation-case", args=[pk])
        return response
    return redirect("mediation-case", pk)


# --- Documents and pages -------------------------------------------------------------------------


def _document(request, pk: int, kind: str, suffix: str):
    """The PDF; a document the case does not have yet (an agreement before it is settled):
    the case page with the reason, as a 409."""
    case = selectors.case_page(request.user, pk)
    try:
        content = services.document_pdf(actor=request.user, case=case, kind=kind)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        messages.error(request, error.message)
        return _render_case(request, case, status=error.http_status)
    return pdf_response(content, f"{case.code}-{suffix}.pdf")


@login_required
@require_GET
@capability_required(MEDIATION_ROLES)
@domain_errors_as_http
def document(request, pk: int, kind: str):
    """The agreement or the case file (`kind`, fixed by the URL) as a PDF."""
    return _document(request, pk, kind, {services.AGREEMENT: "agreement", services.CASE_FILE: "file"}[kind])


@login_required
@require_GET
@capability_required(MEDIATION_ROLES)
@domain_errors_as_http
def attachment(request, pk: int, attachment_id: int):
    case = selectors.case_page(request.user, pk)
    page = next((a for a in case.attachment_rows if a.pk == attachment_id), None)
    if page is None:
        raise Http404(_("No such page."))
    audit_record(actor=request.user, action=MediationAction.ATTACHMENT_VIEW, obj=case, object_repr=case.code,
                 org_code=case.org_code, changes={"attachment": page.pk, "kind": page.kind})
    return photo_response(page.image, cache_control="private, no-store")


# --- From the events loop ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(Capability.DISPATCH_EVENTS)
@domain_errors_as_http
def from_event(request, event_id: int):
    """The desk hands a dispute event over: choose the committee (the one serving the place first)."""
    from gridgov.events import selectors as event_selectors
    from gridgov.events.services.handover import may_hand_over

    event = event_selectors.access_event(request.user, event_id)
    existing = selectors.case_of_event(event.pk)
    serving = services.committee_serving(event.org_code)
    committees = selectors.committees_for(request.user)
    committees = [c for c in committees if event.org_code.startswith(c.org_code)]
    if serving is not None:
        committees = [serving] + [c for c in committees if c.pk != serving.pk]
    form = HandOverForm(request.POST or None, committees=committees)
    status = 200
    if request.method == "POST" and existing is None:
        status = 400
        if form.is_valid():
            chosen = next(c for c in committees if c.pk == form.cleaned_data["committee"])
            try:
                case = services.case_from_event(actor=request.user, event_id=event.pk, committee=chosen)
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                messages.success(request, _("Handed over to %(committee)s as case %(code)s; the event is closed.")
                                 % {"committee": chosen.name, "code": case.code})
                return redirect("events-detail", event.pk)
    return render(request, "mediation/from_event.html", {
        "event": event, "form": form, "existing": existing, "can_hand_over": may_hand_over(request.user, event),
        "no_committee": not committees}, status=status)


def event_links(user, event) -> list[dict]:
    """The event page's line about mediation (events.selectors.EVENT_LINK_PROVIDERS): the case
    handed over from it (linked for who works it), or the desk's offer to hand a dispute over."""
    from gridgov.events.services.handover import is_dispute, may_hand_over

    if not is_dispute(event):
        return []
    case = selectors.case_of_event(event.pk)
    if case is not None:
        if services.may_work_committee(user, case.committee):
            return [{"title": _("Mediation case %(code)s") % {"code": case.code}, "offer": False,
                     "url": reverse("mediation-case", args=[case.pk]),
                     "detail": f"{case.committee.name} · {case.get_status_display()}"}]
        # the case is the committee's: others learn only that it went there (as the timeline says)
        return [{"title": _("Handed over to people's mediation"), "url": "", "offer": False,
                 "detail": _("Case %(code)s") % {"code": case.code}}]
    if may_hand_over(user, event):
        return [{"title": _("Hand over to people's mediation"), "url": reverse("mediation-from-event", args=[event.pk]),
                 "offer": True, "detail": _("A dispute is settled by a mediation committee; the event is closed here.")}]
    return []


urlpatterns = [
    path("", case_list, name="mediation-cases"),
    path("new/", case_new, name="mediation-case-new"),
    path("cases/<int:pk>/", case_detail, name="mediation-case"),
    path("cases/<int:pk>/act/", case_act, name="mediation-case-act"),
    path("cases/<int:pk>/agreement.pdf", document, {"kind": services.AGREEMENT}, name="mediation-case-agreement"),
    path("cases/<int:pk>/file.pdf", document, {"kind": services.CASE_FILE}, name="mediation-case-file"),
    path("cases/<int:pk>/pages/<int:attachment_id>/", attachment, name="mediation-attachment"),
    path("from-event/<int:event_id>/", from_event, name="mediation-from-event"),
]
