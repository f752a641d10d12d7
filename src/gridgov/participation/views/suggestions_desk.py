"""The staff's pages of suggestions and projects (`/suggestions/`): the desk's queues (the grid
centre assigns and moderates; a department answers), a suggestion's page with the steps the
user may take, and a department's projects with their parts, milestones and progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.orgnames import org_name_paths
from gridgov.core.pagination import PAGE_SIZE, keyset_page
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.participation import forms_suggestions as forms
from gridgov.participation.models import SuggestionOutcome, SuggestionStatus
from gridgov.participation.selectors import suggestions as selectors
from gridgov.participation.services import projects as project_services
from gridgov.participation.services import suggestions as services

DESK = selectors.DESK_ROLES
QUEUES = ("assign", "answer", "overdue", "moderate", "all")


def _queues_for(user) -> list[tuple[str, str]]:
    labels = {"assign": _("To assign"), "answer": _("To answer"), "overdue": _("Past the day to answer"),
              "moderate": _("Hidden after reports"), "all": _("All of the area")}
    allowed = {"assign": Capability.ASSIGN_SUGGESTIONS, "answer": Capability.ANSWER_SUGGESTIONS,
               "overdue": Capability.ANSWER_SUGGESTIONS, "moderate": Capability.MODERATE_SUGGESTIONS,
               "all": Capability.ASSIGN_SUGGESTIONS}
    return [(q, labels[q]) for q in QUEUES if has_capability(user, allowed[q])]


@never_cache
@login_required
@require_GET
@capability_required(DESK)
def desk(request):
    user = request.user
    queues = _queues_for(user)
    if not queues:
        return redirect("suggestions-projects")
    queue = request.GET.get("queue", "")
    queue = queue if queue in dict(queues) else queues[0][0]
    after = request.GET.get("after")
    page = keyset_page(selectors.desk_suggestions(user, queue=queue), order=("id",), size=PAGE_SIZE,
                       after=int(after) if str(after).isdigit() else None)
    names = org_name_paths([s.org_code for s in page.rows])
    return render(request, "participation/suggestions_desk.html", {
        "queues": queues, "queue": queue, "next_url": page.next_url({"queue": queue}),
        "rows": [{"suggestion": s, "area": names.get(s.org_code, "")} for s in page.rows],
    })


def _departments_for(suggestion) -> list:
    return selectors.departments_serving(suggestion.org_code)


def _item_render(request, suggestion, *, status=200, **bound):
    user = request.user
    names = org_name_paths([suggestion.org_code])
    may = {
        "assign": has_capability(user, Capability.ASSIGN_SUGGESTIONS) and suggestion.status == SuggestionStatus.SUBMITTED,
        "answer": has_capability(user, Capability.ANSWER_SUGGESTIONS) and suggestion.status == SuggestionStatus.ASSIGNED
        and user.department_id == suggestion.department_id,
        "moderate": has_capability(user, Capability.MODERATE_SUGGESTIONS) and suggestion.hidden_at is not None
        and suggestion.status != SuggestionStatus.REMOVED,
        "link": has_capability(user, Capability.MANAGE_PROJECTS) and suggestion.outcome == SuggestionOutcome.ADOPTED
        and suggestion.project_id is None,
    }
    projects = list(selectors.managed_projects(user)[:200]) if may["link"] else []
    return render(request, "participation/suggestion_desk.html", {
        "suggestion": suggestion, "area": names.get(suggestion.org_code, ""), "may": may,
        "timeline": list(suggestion.events.order_by("id")),
        "assign_form": bound.get("assign_form") or (forms.AssignForm(departments=_departments_for(suggestion))
                                                    if may["assign"] else None),
        "answer_form": bound.get("answer_form") or (forms.AnswerForm() if may["answer"] else None),
        "send_back_form": forms.SendBackForm() if may["answer"] else None,
        "moderate_form": bound.get("moderate_form") or (forms.ModerateForm() if may["moderate"] else None),
        "link_form": forms.LinkProjectForm(projects=projects) if may["link"] and projects else None,
        "contact_given": bool(suggestion.contact),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(DESK)
@domain_errors_as_http
def item(request, pk: int):
    return _item_render(request, selectors.access_suggestion(request.user, pk))


def _step(form_name, form_class, do, done, capability, form_kwargs=None):
    @login_required
    @require_POST
    @capability_required(capability)
    @domain_errors_as_http
    def view(request, pk: int):
        suggestion = selectors.access_suggestion(request.user, pk)
        form = form_class(request.POST, **(form_kwargs(request.user, suggestion) if form_kwargs else {}))
        if not form.is_valid():
            return _item_render(request, suggestion, status=400, **{form_name: form})
        try:
            do(request.user, suggestion, form.cleaned_data)
        except DomainError as error:
            if error.code in ("not_found", "permission_denied"):
                raise
            return _item_render(request, suggestion, status=add_domain_error(form, error), **{form_name: form})
        messages.success(request, done)
        return redirect("suggestions-desk-item", suggestion.pk)

    return view


assign = _step("assign_form", forms.AssignForm,
               lambda actor, s, data: services.assign(actor=actor, suggestion=s, department=data["department"]),
               _("Assigned: the department is told, and so is the author."), Capability.ASSIGN_SUGGESTIONS,
               lambda user, s: {"departments": _departments_for(s)})
answer = _step("answer_form", forms.AnswerForm,
               lambda actor, s, data: services.answer(actor=actor, suggestion=s, outcome=data["outcome"],
                                                      text=data["text"]),
               _("Answered: the answer is published and the author told."), Capability.ANSWER_SUGGESTIONS)
send_back = _step("send_back_form", forms.SendBackForm,
                  lambda actor, s, data: services.send_back(actor=actor, suggestion=s, reason=data["reason"]),
                  _("Sent back to the grid centre."), Capability.ANSWER_SUGGESTIONS)
moderate = _step("moderate_form", forms.ModerateForm,
                 lambda actor, s, data: services.moderate(actor=actor, suggestion=s, keep=data["decision"] == "keep",
                                                          note=data["note"]),
                 _("Decided."), Capability.MODERATE_SUGGESTIONS)
link_project = _step("link_form", forms.LinkProjectForm,
                     lambda actor, s, data: services.link_project(actor=actor, suggestion=s, project=data["project"]),
                     _("The suggestion is now part of the project."), Capability.MANAGE_PROJECTS,
                     lambda user, s: {"projects": list(selectors.managed_projects(user)[:200])})


# --- A department's projects --------------------------------------------------------------------


def _areas(user) -> list:
    return selectors.areas_for_projects(user)


def _projects_render(request, *, status=200, project_form=None):
    user = request.user
    projects = list(selectors.managed_projects(user).order_by("-id")[:PAGE_SIZE])
    names = org_name_paths([p.org_code for p in projects])
    return render(request, "participation/projects_desk.html", {
        "rows": [{"project": p, "area": names.get(p.org_code, "")} for p in projects],
        "project_form": project_form or forms.ProjectForm(areas=_areas(user), parents=projects),
        "has_department": bool(user.department_id),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(Capability.MANAGE_PROJECTS)
def projects(request):
    return _projects_render(request)


@login_required
@require_POST
@capability_required(Capability.MANAGE_PROJECTS)
@domain_errors_as_http
def project_add(request):
    user = request.user
    form = forms.ProjectForm(request.POST, areas=_areas(user), parents=list(selectors.managed_projects(user)))
    if not form.is_valid():
        return _projects_render(request, status=400, project_form=form)
    if not user.department_id:
        form.add_error(None, _("Only a department's staff create its projects."))
        return _projects_render(request, status=403, project_form=form)
    try:
        project = project_services.project_create(actor=user, owner=user.department, **form.cleaned_data)
    except DomainError as error:
        return _projects_render(request, status=add_domain_error(form, error), project_form=form)
    messages.success(request, _("Created: %(title)s.") % {"title": project.title})
    return redirect("suggestions-project", project.pk)


def _project_render(request, project, *, status=200, progress_form=None, milestone_form=None):
    return render(request, "participation/project_desk.html", {
        "project": project, "area": org_name_paths([project.org_code]).get(project.org_code, ""),
        "parts": list(project.children.order_by("id")), "milestones": list(project.milestones.all()),
        "updates": list(project.updates.select_related("by")[:30]),
        "suggestions": list(project.suggestions.only("pk", "tracking_code", "title")),
        "progress_form": progress_form or forms.ProgressForm(initial={"progress": project.progress,
                                                                      "status": project.status}),
        "milestone_form": milestone_form or forms.MilestoneForm(),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(Capability.MANAGE_PROJECTS)
@domain_errors_as_http
def project(request, pk: int):
    return _project_render(request, selectors.access_managed_project(request.user, pk))


@login_required
@require_POST
@capability_required(Capability.MANAGE_PROJECTS)
@domain_errors_as_http
def project_progress(request, pk: int):
    project = selectors.access_managed_project(request.user, pk)
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        return _project_render(request, project, status=400, progress_form=form)
    try:
        project_services.progress_update(actor=request.user, project=project, **form.cleaned_data)
    except DomainError as error:
        return _project_render(request, project, status=add_domain_error(form, error), progress_form=form)
    messages.success(request, _("Progress reported: the public page shows it."))
    return redirect("suggestions-project", project.pk)


@login_required
@require_POST
@capability_required(Capability.MANAGE_PROJECTS)
@domain_errors_as_http
def milestone_add(request, pk: int):
    project = selectors.access_managed_project(request.user, pk)
    form = forms.MilestoneForm(request.POST)
    if not form.is_valid():
        return _project_render(request, project, status=400, milestone_form=form)
    project_services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
    messages.success(request, _("Milestone added."))
    return redirect("suggestions-project", project.pk)


@login_required
@require_POST
@capability_required(Capability.MANAGE_PROJECTS)
@domain_errors_as_http
def milestone_reached(request, pk: int, milestone_id: int):
    project = selectors.access_managed_project(request.user, pk)
    milestone = project.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        messages.error(request, _("No such milestone of this project."))
    else:
        try:
            project_services.milestone_reached(actor=request.user, milestone=milestone)
            messages.success(request, _("Milestone reached."))
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("suggestions-project", project.pk)


urlpatterns = [
    path("", desk, name="suggestions-desk"),
    path("<int:pk>/", item, name="suggestions-desk-item"),
    path("<int:pk>/assign/", assign, name="suggestions-assign"),
    path("<int:pk>/answer/", answer, name="suggestions-answer"),
    path("<int:pk>/send-back/", send_back, name="suggestions-send-back"),
    path("<int:pk>/moderate/", moderate, name="suggestions-moderate"),
    path("<int:pk>/project/", link_project, name="suggestions-link-project"),
    path("projects/", projects, name="suggestions-projects"),
    path("projects/add/", project_add, name="suggestions-project-add"),
    path("projects/<int:pk>/", project, name="suggestions-project"),
    path("projects/<int:pk>/progress/", project_progress, name="suggestions-project-progress"),
    path("projects/<int:pk>/milestones/", milestone_add, name="suggestions-milestone-add"),
    path("projects/<int:pk>/milestones/<int:milestone_id>/reached/", milestone_reached,
         name="suggestions-milestone-reached"),
]
