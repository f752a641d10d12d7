"""The public's pages of suggestions and projects, without signing in: suggest (`/suggest/`),
the published suggestions, one suggestion by its tracking code (with "report"), the author's
private follow link, the projects with their progress by area (`/projects/`) and one project.
No page shows a contact or a person. The form, the reports and the look-ups are limited per
client address (`core.ratelimit`)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import ratelimit
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.models import OrgLevel, OrgUnit
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.orgnames import org_name_paths
from gridgov.core.pagination import PAGE_SIZE, keyset_page
from gridgov.core.views import domain_errors_as_http, public_map_context
from gridgov.participation import forms_suggestions as forms
from gridgov.participation.models import ProjectStatus, SuggestionStatus, SuggestionTopic
from gridgov.participation.selectors import suggestions as selectors
from gridgov.participation.services import suggestions as services
from gridgov.participation.services.suggestions import (  # noqa: E402 (the limits the API shares)
    HOUR,
    LOOKUP_SCOPE,
    LOOKUPS_AN_HOUR,
    REPORT_SCOPE,
    REPORTS_AN_HOUR,
    SUGGEST_SCOPE,
    SUGGESTIONS_AN_HOUR,
)

SENT_KEY = "suggestion_sent"


@never_cache
@require_http_methods(["GET", "POST"])
def suggest(request):
    form = forms.SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.data.get("website"):  # filled only by a robot
            return redirect("suggestions-public")
        if ratelimit.used_up(SUGGEST_SCOPE, request, limit=SUGGESTIONS_AN_HOUR):
            form.is_valid()
            form.add_error(None, _("Too many suggestions from this connection in the last hour: please try later."))
            status = 429
        elif form.is_valid() and ratelimit.spend(SUGGEST_SCOPE, request, limit=SUGGESTIONS_AN_HOUR, window=HOUR):
            data = form.cleaned_data
            try:
                suggestion, token = services.submit(topic=data["topic"], title=data["title"], text=data["text"],
                                                    lat=data["lat"], lng=data["lng"], contact=data["contact"])
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                request.session[SENT_KEY] = {"code": suggestion.tracking_code, "token": token}
                return redirect("suggestions-sent")
        else:
            status = 400
    return render(request, "participation/suggest.html", {"form": form, "map_data": public_map_context()},
                  status=status)


@never_cache
@require_GET
def sent(request):
    """The tracking code and the private follow link, shown once after sending."""
    sent_now = request.session.pop(SENT_KEY, None)
    if not sent_now:
        return redirect("suggestions-suggest")
    follow = request.build_absolute_uri(reverse("suggestions-follow", args=[sent_now["code"], sent_now["token"]]))
    return render(request, "participation/suggest_sent.html", {"code": sent_now["code"], "follow_url": follow})


def _names(codes) -> dict:
    return org_name_paths(codes)


@require_GET
def suggestions_list(request):
    topic = request.GET.get("topic", "")
    topic = topic if topic in SuggestionTopic.values else ""
    status = request.GET.get("status", "")
    status = status if status in (SuggestionStatus.SUBMITTED, SuggestionStatus.ASSIGNED,
                                  SuggestionStatus.ANSWERED) else ""
    after = request.GET.get("after")
    page = keyset_page(selectors.published_list(topic=topic, status=status), order=("-id",), size=PAGE_SIZE,
                       after=int(after) if str(after).isdigit() else None)
    names = _names([s.org_code for s in page.rows])
    return render(request, "participation/suggestions_public.html", {
        "rows": [{"suggestion": s, "area": names.get(s.org_code, "")} for s in page.rows],
        "next_url": page.next_url({"topic": topic, "status": status}), "topic": topic, "status": status,
        "topics": SuggestionTopic.choices, "statuses": [(s, SuggestionStatus(s).label) for s in (
            SuggestionStatus.SUBMITTED, SuggestionStatus.ASSIGNED, SuggestionStatus.ANSWERED)],
        "track_form": forms.TrackForm(),
    })


def _suggestion_context(suggestion, **extra) -> dict:
    names = _names([suggestion.org_code])
    return {"suggestion": suggestion, "area": names.get(suggestion.org_code, ""),
            "timeline": list(suggestion.events.order_by("id")), "report_form": forms.ReportForm(), **extra}


@never_cache
@require_GET
@domain_errors_as_http
def suggestion_page(request, code: str):
    if not ratelimit.spend(LOOKUP_SCOPE, request, limit=LOOKUPS_AN_HOUR, window=HOUR):
        return render(request, "429.html", {"message": _("Too many look-ups: please try later.")}, status=429)
    return render(request, "participation/suggestion_public.html",
                  _suggestion_context(selectors.by_tracking_code(code)))


@require_GET
def track(request):
    form = forms.TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("suggestions-page", form.cleaned_data["code"].strip().upper())
    return redirect("suggestions-public")


@require_POST
@domain_errors_as_http
def report(request, code: str):
    suggestion = selectors.by_tracking_code(code)
    form = forms.ReportForm(request.POST)
    if not ratelimit.spend(REPORT_SCOPE, request, limit=REPORTS_AN_HOUR, window=HOUR):
        return render(request, "429.html", {"message": _("Too many reports: please try later.")}, status=429)
    if not form.is_valid():
        return render(request, "participation/suggestion_public.html",
                      _suggestion_context(suggestion, report_form=form), status=400)
    services.report(suggestion=suggestion, reason=form.cleaned_data["reason"], client=ratelimit.client_key(request))
    messages.success(request, _("Thank you: a moderator looks at suggestions that residents report."))
    return redirect("suggestions-page", suggestion.tracking_code)


@never_cache
@require_GET
@domain_errors_as_http
def follow(request, code: str, token: str):
    """The author's page: its own text, the whole timeline and the answer, even while hidden."""
    suggestion = selectors.by_follow_link(code, token)
    response = render(request, "participation/suggestion_public.html",
                      _suggestion_context(suggestion, author=True))
    response["Referrer-Policy"] = "no-referrer"  # the link's secret stays in this page
    return response


# --- Projects -----------------------------------------------------------------------------------


def _area_levels(code: str) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(code__in=ancestor_codes(code, include_self=True)).order_by("code"))


@require_GET
def projects(request):
    """The projects, filterable by status and area, and their progress rolled up by the units
    below the area chosen (a county's townships, a township's villages, a village's cells)."""
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    area = request.GET.get("area", "")
    unit = OrgUnit.objects.filter(code=area).first() if area.isdigit() else None
    if unit is None:
        unit = OrgUnit.objects.filter(level=OrgLevel.COUNTY).order_by("code").first() or \
            OrgUnit.objects.order_by("code").first()
    after = request.GET.get("after")
    qs = selectors.public_projects(status=status, org=unit.code if unit else "")
    page = keyset_page(qs, order=("-id",), size=PAGE_SIZE, after=int(after) if str(after).isdigit() else None)
    children = list(unit.children.order_by("code")) if unit else []
    figures = {row.code: row for row in (selectors.progress_by_area(unit.code, len(children[0].code))
                                         if unit and children else [])}
    names = _names([p.org_code for p in page.rows])
    return render(request, "participation/projects_public.html", {
        "unit": unit, "path": _area_levels(unit.code) if unit else [], "status": status,
        "statuses": ProjectStatus.choices,
        "areas": [{"unit": c, "figures": figures.get(c.code)} for c in children],
        "rows": [{"project": p, "area": names.get(p.org_code, "")} for p in page.rows],
        "next_url": page.next_url({"status": status, "area": unit.code if unit else ""}),
    })


@require_GET
@domain_errors_as_http
def project_page(request, pk: int):
    project = selectors.public_project(pk)
    names = _names([project.org_code])
    return render(request, "participation/project_public.html", {
        "project": project, "area": names.get(project.org_code, ""),
        "parts": list(project.children.select_related("owner").order_by("id")),
        "milestones": list(project.milestones.all()), "updates": list(project.updates.all()[:50]),
        "suggestions": list(project.suggestions.filter(hidden_at__isnull=True).exclude(
            status=SuggestionStatus.REMOVED).only("tracking_code", "title")),
    })


suggest_urlpatterns = [
    path("", suggest, name="suggestions-suggest"),
    path("sent/", sent, name="suggestions-sent"),
    path("all/", suggestions_list, name="suggestions-public"),
    path("track/", track, name="suggestions-track"),
    path("s/<str:code>/", suggestion_page, name="suggestions-page"),
    path("s/<str:code>/report/", report, name="suggestions-report"),
    path("follow/<str:code>/<str:token>/", follow, name="suggestions-follow"),
]

project_urlpatterns = [
    path("", projects, name="projects-public"),
    path("<int:pk>/", project_page, name="projects-page"),
]
