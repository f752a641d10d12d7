"""Public consultations: the public's pages (`/consult/`: the proposals, one with its documents,
its comment form while open, the themes with the office's answers and the decision) and the
department's desk (`/consultations/`: draft, documents, publish, group comments into themes,
answer them, publish the decision)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import ratelimit
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.orgnames import org_name_paths
from gridgov.core.permissions import Capability, capability_required
from gridgov.core.views import domain_errors_as_http
from gridgov.participation.models import Consultation
from gridgov.participation.selectors import consultations as selectors
from gridgov.participation.selectors.suggestions import areas_for_projects
from gridgov.participation.services import consultations as services

RUN = Capability.RUN_CONSULTATIONS
COMMENT_SCOPE, COMMENTS_AN_HOUR, HOUR = "consultation_comment", 10, 3600


class ConsultationForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    summary = forms.CharField(label=gettext_lazy("The proposal"), max_length=20_000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    org_code = forms.ChoiceField(label=gettext_lazy("Area"))
    opens_on = forms.DateField(label=gettext_lazy("Comments from"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=gettext_lazy("Comments until"), widget=forms.DateInput(attrs={"type": "date"}))


class DocumentForm(forms.Form):
    prefix = "document"  # the manage page also has the theme form's title
    title = forms.CharField(label=gettext_lazy("Document"), max_length=120)
    file = forms.FileField(label=gettext_lazy("PDF"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your comment"), max_length=services.COMMENT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=gettext_lazy("No name is asked. The office reads every comment and answers "
                                                  "them by theme."))
    website = forms.CharField(required=False, widget=forms.HiddenInput)


class ThemeForm(forms.Form):
    prefix = "theme"
    title = forms.CharField(label=gettext_lazy("New theme"), max_length=120, required=False)
    theme = forms.TypedChoiceField(label=gettext_lazy("Or an existing theme"), coerce=int, required=False,
                                   empty_value=None)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("The office's answer"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=gettext_lazy("Decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    reasons = forms.CharField(label=gettext_lazy("Reasons"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}))


def _stage(consultation) -> str:
    if consultation.decided_at:
        return "decided"
    today = timezone.localdate()
    if today < consultation.opens_on:
        return "coming"
    return "open" if today <= consultation.closes_on else "closed"


STAGES = {"coming": gettext_lazy("Comments open soon"), "open": gettext_lazy("Open for comments"),
          "closed": gettext_lazy("Comments closed, decision to come"), "decided": gettext_lazy("Decided")}


def _published(pk) -> Consultation:
    return selectors.access_published(pk)


# --- The public's pages -------------------------------------------------------------------------


@require_GET
def public_list(request):
    rows = list(selectors.published()[:100])
    names = org_name_paths([c.org_code for c in rows])
    return render(request, "participation/consultations_public.html", {
        "rows": [{"c": c, "area": names.get(c.org_code, ""), "stage": _stage(c), "stage_label": STAGES[_stage(c)]}
                 for c in rows]})


def _public_render(request, consultation, *, status=200, comment_form=None):
    stage = _stage(consultation)
    themes = list(consultation.themes.all())
    counts = {t.pk: t.comments.count() for t in themes} if len(themes) < 50 else {}
    return render(request, "participation/consultation_public.html", {
        "c": consultation, "stage": stage, "stage_label": STAGES[stage],
        "area": org_name_paths([consultation.org_code]).get(consultation.org_code, ""),
        "documents": list(consultation.documents.all()), "comment_count": consultation.comments.count(),
        "themes": [{"theme": t, "n": counts.get(t.pk, 0)} for t in themes],
        "comment_form": comment_form or (CommentForm() if stage == "open" else None),
    }, status=status)


@never_cache
@require_GET
@domain_errors_as_http
def public_page(request, pk: int):
    return _public_render(request, _published(pk))


@require_POST
@domain_errors_as_http
def public_comment(request, pk: int):
    consultation = _published(pk)
    form = CommentForm(request.POST)
    if form.data.get("website"):
        return redirect("consult-page", consultation.pk)
    if not ratelimit.spend(COMMENT_SCOPE, request, limit=COMMENTS_AN_HOUR, window=HOUR):
        return render(request, "429.html", {"message": _("Too many comments from this connection: please try "
                                                         "later.")}, status=429)
    if not form.is_valid():
        return _public_render(request, consultation, status=400, comment_form=form)
    try:
        services.comment(consultation=consultation, text=form.cleaned_data["text"])
    except DomainError as error:
        return _public_render(request, consultation, status=add_domain_error(form, error), comment_form=form)
    messages.success(request, _("Thank you: your comment is received."))
    return redirect("consult-page", consultation.pk)


@require_GET
@domain_errors_as_http
def public_document(request, pk: int, document_id: int):
    consultation = _published(pk)
    document = consultation.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404(_("No such document."))
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404(_("No such document.")) from exc
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True,
                            filename=f"{document.title[:60]}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The department's desk ----------------------------------------------------------------------


def _mine(user):
    return selectors.of_department(user)


def _areas(user):
    return areas_for_projects(user)


def _desk_render(request, *, status=200, form=None):
    user = request.user
    rows = list(_mine(user)[:100])
    consultation_form = form or ConsultationForm()
    consultation_form.fields["org_code"].choices = [(a.code, a.name) for a in _areas(user)]
    return render(request, "participation/consultations_desk.html", {
        "rows": [{"c": c, "stage_label": STAGES[_stage(c)] if c.published_at else _("Draft")} for c in rows],
        "form": consultation_form}, status=status)


@never_cache
@login_required
@require_GET
@capability_required(RUN)
def desk(request):
    return _desk_render(request)


@login_required
@require_POST
@capability_required(RUN)
@domain_errors_as_http
def desk_add(request):
    form = ConsultationForm(request.POST)
    form.fields["org_code"].choices = [(a.code, a.name) for a in _areas(request.user)]
    if not form.is_valid():
        return _desk_render(request, status=400, form=form)
    try:
        consultation = services.consultation_create(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _desk_render(request, status=add_domain_error(form, error), form=form)
    messages.success(request, _("Drafted: add its documents, then publish it."))
    return redirect("consultations-manage", consultation.pk)


def _managed(request, pk) -> Consultation:
    return selectors.access_managed(request.user, pk)


def _manage_render(request, consultation, *, status=200, **bound):
    themes = list(consultation.themes.all())
    theme_form = bound.get("theme_form") or ThemeForm()
    theme_form.fields["theme"].choices = [("", "—")] + [(t.pk, t.title) for t in themes]
    return render(request, "participation/consultation_manage.html", {
        "c": consultation, "stage": _stage(consultation) if consultation.published_at else "draft",
        "documents": list(consultation.documents.all()),
        "ungrouped": list(consultation.comments.filter(theme__isnull=True).select_related("meeting")[:300]),
        "themes": [{"theme": t, "comments": list(t.comments.all()[:50]), "form": AnswerForm(
            initial={"answer": t.answer})} for t in themes],
        "document_form": bound.get("document_form") or DocumentForm(), "theme_form": theme_form,
        "decision_form": bound.get("decision_form") or DecisionForm(),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(RUN)
@domain_errors_as_http
def manage(request, pk: int):
    return _manage_render(request, _managed(request, pk))


def _desk_step(action):
    @login_required
    @require_POST
    @capability_required(RUN)
    @domain_errors_as_http
    def view(request, pk: int, **kwargs):
        consultation = _managed(request, pk)
        result = action(request, consultation, **kwargs)
        return result or redirect("consultations-manage", consultation.pk)

    return view


def _document(request, consultation):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _manage_render(request, consultation, status=400, document_form=form)
    try:
        services.document_add(actor=request.user, consultation=consultation, title=form.cleaned_data["title"],
                              upload=form.cleaned_data["file"])
    except DomainError as error:
        return _manage_render(request, consultation, status=add_domain_error(form, error), document_form=form)
    messages.success(request, _("Document added."))
    return None


def _publish(request, consultation):
    try:
        services.publish(actor=request.user, consultation=consultation)
        messages.success(request, _("Published: residents can read it and comment."))
    except DomainError as error:
        messages.error(request, error.message)


def _theme(request, consultation):
    form = ThemeForm(request.POST)
    form.fields["theme"].choices = [("", "—")] + [(t.pk, t.title) for t in consultation.themes.all()]
    ids = [int(v) for v in request.POST.getlist("comments") if v.isdigit()]
    if not form.is_valid() or not ids or not (form.cleaned_data["title"] or form.cleaned_data["theme"]):
        messages.error(request, _("Tick the comments and name a new theme or choose one."))
        return None
    if form.cleaned_data["theme"]:
        theme = selectors.theme_of(consultation, form.cleaned_data["theme"])
        services.group(actor=request.user, consultation=consultation, theme=theme, comment_ids=ids)
    else:
        services.theme_create(actor=request.user, consultation=consultation, title=form.cleaned_data["title"],
                              comment_ids=ids)
    messages.success(request, _("Grouped."))
    return None


def _answer(request, consultation, theme_id: int):
    theme = selectors.theme_of(consultation, theme_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the office's answer."))
        return None
    services.theme_answer(actor=request.user, theme=theme, answer=form.cleaned_data["answer"])
    messages.success(request, _("Answer published."))
    return None


def _decide(request, consultation):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _manage_render(request, consultation, status=400, decision_form=form)
    try:
        services.decide(actor=request.user, consultation=consultation, **form.cleaned_data)
    except DomainError as error:
        return _manage_render(request, consultation, status=add_domain_error(form, error), decision_form=form)
    messages.success(request, _("The decision and its reasons are published."))
    return None


document_add = _desk_step(_document)
publish = _desk_step(_publish)
theme = _desk_step(_theme)
answer = _desk_step(_answer)
decide = _desk_step(_decide)

public_urlpatterns = [
    path("", public_list, name="consult-list"),
    path("<int:pk>/", public_page, name="consult-page"),
    path("<int:pk>/comment/", public_comment, name="consult-comment"),
    path("<int:pk>/documents/<int:document_id>/", public_document, name="consult-document"),
]

desk_urlpatterns = [
    path("", desk, name="consultations-desk"),
    path("add/", desk_add, name="consultations-add"),
    path("<int:pk>/", manage, name="consultations-manage"),
    path("<int:pk>/documents/", document_add, name="consultations-document-add"),
    path("<int:pk>/publish/", publish, name="consultations-publish"),
    path("<int:pk>/themes/", theme, name="consultations-theme"),
    path("<int:pk>/themes/<int:theme_id>/answer/", answer, name="consultations-answer"),
    path("<int:pk>/decision/", decide, name="consultations-decide"),
]

