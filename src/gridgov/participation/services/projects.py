"""Writes of projects for the people (民生实事): created by a department (often from adopted
suggestions), with parts, milestones and progress reported by the owner.

A project without parts takes its progress from its owner's updates. A project with parts has
no progress of its own: it is rolled up from its parts, weighted by their budgets when every
part has one, else evenly (Decidim's parent results, by territory as well as by theme), and it
is completed when all its parts are. The roll-up runs up the whole chain of parents in the
transaction of the update, so a public page never shows a parent out of step with its parts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.service_input import clean_text, invalid
from gridgov.participation.audit_actions import SuggestionAction
from gridgov.participation.models import Milestone, Project, ProjectStatus, ProjectUpdate

MAX_DEPTH = 4  # a county's project, a township's part, a village's part, a cell's part
MAX_BUDGET = Decimal("10000000")  # in 10,000 yuan


def manages(actor, project: Project) -> None:
    require(actor, Capability.MANAGE_PROJECTS)
    if not in_scope(actor, project.org_code) or (actor.department_id and project.owner_id != actor.department_id):
        raise NotFound(_("No such project of your department."))


def _budget(value):
    if value in (None, ""):
        return None
    try:
        budget = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise invalid("budget", _("An amount in 10,000 yuan, such as 120 or 35.5.")) from None
    if not Decimal("0") <= budget <= MAX_BUDGET:
        raise invalid("budget", _("An amount in 10,000 yuan from 0 to %(max)s.") % {"max": MAX_BUDGET})
    return budget


def project_create(*, actor, title: str, org_code: str, owner, description: str = "", budget=None, parent=None,
                   starts_on: datetime.date | None = None, due_on: datetime.date | None = None) -> Project:
    from gridgov.core.models import OrgUnit

    require(actor, Capability.MANAGE_PROJECTS)
    if not in_scope(actor, org_code) or not OrgUnit.objects.filter(code=org_code).exists():
        raise NotFound(_("No such area in your scope."))
    if actor.department_id and owner.pk != actor.department_id:
        raise invalid("owner", _("A department creates the projects it is responsible for."))
    if parent is not None:
        manages(actor, parent)
        if not org_code.startswith(parent.org_code):
            raise invalid("org_code", _("A part lies inside the area of the project it belongs to."))
        depth, above = 1, parent
        while above.parent_id:
            above, depth = above.parent, depth + 1
        if depth >= MAX_DEPTH:
            raise invalid("parent", _("Projects nest at most %(n)d levels deep.") % {"n": MAX_DEPTH})
    if starts_on and due_on and due_on < starts_on:
        raise invalid("due_on", _("The end comes after the start."))
    with transaction.atomic():
        project = Project.objects.create(
            title=clean_text(title, field="title", limit=120),
            description=clean_text(description, field="description", limit=4000, required=False),
            org_code=org_code, owner=owner, budget=_budget(budget), parent=parent, starts_on=starts_on,
            due_on=due_on, created_by=actor)
        audit_record(actor=actor, action=SuggestionAction.PROJECT_CREATE, obj=project, object_repr=project.title,
                     org_code=org_code, changes={"parent": parent.pk if parent else None})
        if parent is not None:
            _roll_up(parent)
    return project


def progress_update(*, actor, project: Project, progress: int, status: str, note: str) -> Project:
    """The owner reports a project without parts: its progress (%), its status, what was done."""
    manages(actor, project)
    if project.children.exists():
        raise DomainError(_("This project's progress is made of its parts': report on the parts."),
                          ErrorCode.ILLEGAL_TRANSITION)
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise invalid("progress", _("A percentage from 0 to 100."))
    if status not in ProjectStatus.values:
        raise invalid("status", _("Choose the status."))
    if status == ProjectStatus.COMPLETED and progress != 100:
        raise invalid("progress", _("A completed project is at 100 %."))
    note = clean_text(note, field="note", limit=300)
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(progress=progress, status=status, updated_at=timezone.now())
        project.progress, project.status = progress, status
        ProjectUpdate.objects.create(project=project, progress=progress, status=status, note=note, by=actor)
        audit_record(actor=actor, action=SuggestionAction.PROJECT_PROGRESS, obj=project, object_repr=project.title,
                     org_code=project.org_code, changes={"progress": progress, "status": status})
        if project.parent_id:
            _roll_up(project.parent)
    return project


def _roll_up(project: Project) -> None:
    """`project`'s progress and status from its parts, then its parent's, up the chain (each
    parent row locked, so two parts reporting at once both count)."""
    while project is not None:
        project = Project.objects.select_for_update().get(pk=project.pk)
        parts = list(project.children.values_list("progress", "budget", "status"))
        if parts:
            budgets = [b for _p, b, _s in parts]
            if all(b is not None and b > 0 for b in budgets):
                total = sum(budgets)
                progress = round(sum(Decimal(p) * b for p, b, _s in parts) / total)
            else:
                progress = round(sum(p for p, _b, _s in parts) / len(parts))
            statuses = {s for _p, _b, s in parts}
            if statuses == {ProjectStatus.COMPLETED}:
                status = ProjectStatus.COMPLETED
            elif statuses <= {ProjectStatus.PLANNED}:
                status = ProjectStatus.PLANNED
            else:
                status = ProjectStatus.UNDER_WAY if project.status != ProjectStatus.SUSPENDED else project.status
            Project.objects.filter(pk=project.pk).update(progress=int(progress), status=status,
                                                         updated_at=timezone.now())
        project = project.parent


def milestone_add(*, actor, project: Project, title: str, due_on: datetime.date) -> Milestone:
    manages(actor, project)
    if not isinstance(due_on, datetime.date):
        raise invalid("due_on", _("The day it is planned for."))
    with transaction.atomic():
        milestone = Milestone.objects.create(project=project, title=clean_text(title, field="title", limit=120),
                                             due_on=due_on)
        audit_record(actor=actor, action=SuggestionAction.MILESTONE, obj=project, object_repr=project.title,
                     org_code=project.org_code, changes={"milestone": milestone.title})
    return milestone


def milestone_reached(*, actor, milestone: Milestone, done_on: datetime.date | None = None) -> Milestone:
    project = milestone.project
    manages(actor, project)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise invalid("done_on", _("A milestone is reached on a day that has come."))
    with transaction.atomic():
        if not Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(done_on=done_on):
            raise DomainError(_("This milestone was reached already."), ErrorCode.ILLEGAL_TRANSITION)
        milestone.done_on = done_on
        audit_record(actor=actor, action=SuggestionAction.MILESTONE, obj=project, object_repr=project.title,
                     org_code=project.org_code, changes={"reached": milestone.title})
    return milestone
