"""Reads of suggestions and projects: the public's (published suggestions, projects with their
progress, the roll-up by area) and the staff's (the grid centre's queue, a department's
suggestions to answer, the moderators' queue). Public reads never carry a contact."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows, has_capability
from gridgov.participation.models import Project, Suggestion, SuggestionStatus

DESK_ROLES = {Capability.ASSIGN_SUGGESTIONS, Capability.ANSWER_SUGGESTIONS, Capability.MODERATE_SUGGESTIONS,
              Capability.MANAGE_PROJECTS}
PUBLIC_FIELDS = ("id", "tracking_code", "topic", "title", "text", "org_code", "status", "outcome", "answer",
                 "answered_at", "project_id", "created_at", "hidden_at")


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else -1


# --- The public's reads -------------------------------------------------------------------------


def published() -> QuerySet[Suggestion]:
    """Suggestions anyone may read: not hidden by reports, not removed; without the contact."""
    return (Suggestion.objects.filter(hidden_at__isnull=True).exclude(status=SuggestionStatus.REMOVED)
            .only(*PUBLIC_FIELDS))


def published_list(*, topic: str = "", org: str = "", status: str = "") -> QuerySet[Suggestion]:
    qs = published()
    if topic:
        qs = qs.filter(topic=topic)
    if org:
        qs = qs.filter(org_code__startswith=org)
    if status:
        qs = qs.filter(status=status)
    return qs


def by_tracking_code(code: str) -> Suggestion:
    """A suggestion by its code, as the public sees it (a hidden one says it is hidden)."""
    suggestion = (Suggestion.objects.filter(tracking_code=(code or "").strip().upper()[:12]).only(*PUBLIC_FIELDS)
                  .select_related("project").first())
    if suggestion is None or suggestion.status == SuggestionStatus.REMOVED:
        raise NotFound(_("No suggestion has this tracking code."))
    return suggestion


def by_follow_link(code: str, token: str) -> Suggestion:
    """The author's own suggestion, through its private follow link."""
    from gridgov.participation.services.suggestions import follow_digest

    suggestion = Suggestion.objects.filter(tracking_code=(code or "").upper()[:12]).select_related(
        "project", "department").first()
    if suggestion is None or not token or suggestion.follow_digest != follow_digest(token):
        raise NotFound(_("This follow link is not valid."))
    return suggestion


def public_projects(*, status: str = "", org: str = "") -> QuerySet[Project]:
    qs = Project.objects.select_related("owner").annotate(n_suggestions=Count("suggestions"))
    if status:
        qs = qs.filter(status=status)
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs


def public_project(project_id) -> Project:
    project = Project.objects.select_related("owner", "parent").filter(pk=_as_int(project_id)).first()
    if project is None:
        raise NotFound(_("No such project."))
    return project


@dataclass(frozen=True)
class AreaProgress:
    code: str
    projects: int
    completed: int
    progress: int  # weighted by budget where every project has one, else the mean
    budget: Decimal | None


def progress_by_area(parent_code: str, child_length: int) -> list[AreaProgress]:
    """The projects of each unit below `parent_code` (codes `child_length` long): how many,
    how many completed, and their progress, counting top-level projects only (a part is in its
    parent's figure). One query."""
    rows = (Project.objects.filter(parent__isnull=True, org_code__startswith=parent_code)
            .annotate(area=Substr("org_code", 1, child_length)).exclude(area=parent_code)
            .values("area").annotate(n=Count("pk"), done=Count("pk", filter=Q(status="completed")),
                                     progress_sum=Sum("progress"), budget_sum=Sum("budget"),
                                     weighted=Sum(F("progress") * F("budget")),
                                     without_budget=Count("pk", filter=Q(budget__isnull=True) | Q(budget=0)))
            .order_by("area"))
    result = []
    for row in rows:
        if row["without_budget"] == 0 and row["budget_sum"]:
            progress = round(Decimal(row["weighted"]) / row["budget_sum"])
        else:
            progress = round(row["progress_sum"] / row["n"])
        result.append(AreaProgress(code=row["area"], projects=row["n"], completed=row["done"], progress=int(progress),
                                   budget=row["budget_sum"]))
    return result


# --- The staff's reads --------------------------------------------------------------------------


TO_ASSIGN = Q(status=SuggestionStatus.SUBMITTED, hidden_at__isnull=True)
TO_MODERATE = Q(hidden_at__isnull=False) & ~Q(status=SuggestionStatus.REMOVED)


def desk_counts(user) -> dict[str, int]:
    """The sizes of the user's queues (the home page), in one query per side of the desk:
    the grid centre's `assign` and `moderate`, a department's `answer` and `overdue`."""
    counts = {}
    if has_capability(user, Capability.ASSIGN_SUGGESTIONS) or has_capability(user, Capability.MODERATE_SUGGESTIONS):
        counts.update(Suggestion.objects.visible_to(user).aggregate(assign=Count("pk", filter=TO_ASSIGN),
                                                                     moderate=Count("pk", filter=TO_MODERATE)))
    if has_capability(user, Capability.ANSWER_SUGGESTIONS) and user.department_id:
        counts.update(Suggestion.objects.filter(department_id=user.department_id, status=SuggestionStatus.ASSIGNED)
                      .aggregate(answer=Count("pk"), overdue=Count("pk", filter=Q(answer_due__lt=timezone.localdate()))))
    return counts


def desk_suggestions(user, *, queue: str) -> QuerySet[Suggestion]:
    """The suggestions of one of the desk's queues: `assign` (the grid centre: received, to
    assign), `answer` (a department: assigned to it), `overdue` (assigned, past the day),
    `moderate` (hidden by reports), `all` (the area's)."""
    qs = Suggestion.objects.visible_to(user).select_related("department", "project")
    if queue == "assign" and has_capability(user, Capability.ASSIGN_SUGGESTIONS):
        return qs.filter(TO_ASSIGN)
    if queue in ("answer", "overdue") and has_capability(user, Capability.ANSWER_SUGGESTIONS):
        qs = Suggestion.objects.filter(department_id=user.department_id, status=SuggestionStatus.ASSIGNED
                                       ).select_related("department") if user.department_id else qs.none()
        return qs.filter(answer_due__lt=timezone.localdate()) if queue == "overdue" else qs
    if queue == "moderate" and has_capability(user, Capability.MODERATE_SUGGESTIONS):
        return qs.filter(TO_MODERATE)
    if queue == "all" and has_capability(user, Capability.ASSIGN_SUGGESTIONS):
        return qs
    return qs.none()


def access_suggestion(user, suggestion_id) -> Suggestion:
    """A suggestion of the user's area, or one assigned to the user's department."""
    suggestion = Suggestion.objects.select_related("department", "project").filter(pk=_as_int(suggestion_id)).first()
    if suggestion is not None:
        in_area = Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists()
        for_department = bool(user.department_id) and suggestion.department_id == user.department_id
        if (in_area and allows(user, DESK_ROLES)) or (for_department and
                                                             has_capability(user, Capability.ANSWER_SUGGESTIONS)):
            return suggestion
    raise NotFound(_("No such suggestion in your area."))


def managed_projects(user) -> QuerySet[Project]:
    if not has_capability(user, Capability.MANAGE_PROJECTS):
        return Project.objects.none()
    qs = Project.objects.visible_to(user).select_related("owner", "parent")
    return qs.filter(owner_id=user.department_id) if user.department_id else qs


def access_managed_project(user, project_id) -> Project:
    project = managed_projects(user).filter(pk=_as_int(project_id)).first()
    if project is None:
        raise NotFound(_("No such project of your department."))
    return project


def areas_for_projects(user) -> list:
    """The units of the user's area above the grid cells (a project's or a consultation's area)."""
    from gridgov.core.models import OrgLevel, OrgUnit

    return list(OrgUnit.objects.filter(code__startswith=user.scope_code or "-").exclude(level=OrgLevel.GRID)
                .order_by("code")[:500])


def departments_serving(org_code: str) -> list:
    """Active departments and stations serving `org_code` (theirs, or an area above it)."""
    from gridgov.core.models import Department
    from gridgov.core.orgcodes import ancestor_codes

    codes = ancestor_codes(org_code, include_self=True)
    return list(Department.objects.filter(is_active=True, org_code__in=codes).order_by("org_code", "name"))
