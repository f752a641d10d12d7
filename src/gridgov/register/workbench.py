"""The register's part of the home page (core.workbench): the grid worker's checklist of
the open update rounds in their cells and the places to inspect in the open inspection
rounds, and the screener's rounds and sign-off queue."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gridgov.core.permissions import Capability, has_capability
from gridgov.core.workbench import Urgency, WorkItem, url_with
from gridgov.register import selectors
from gridgov.register.models import ChecklistItem, UpdateRound

ROUNDS_SHOWN = 5
SOON = datetime.timedelta(days=2)


def _urgency(due_on: datetime.date, today: datetime.date) -> Urgency:
    if due_on < today:
        return Urgency.OVERDUE
    return Urgency.SOON if due_on <= today + SOON else Urgency.NORMAL


def _my_open_items(user):
    """Checklist items of open rounds that are the user's to check (as `checklist_for`:
    assigned to them or in their cells)."""
    rounds = selectors.rounds_visible_to(user).filter(status=UpdateRound.Status.OPEN)
    qs = ChecklistItem.objects.visible_to(user).filter(round__in=rounds.values("pk"))
    if not has_capability(user, Capability.SIGN_OFF_REGISTER):
        qs = qs.filter(Q(assignee=user) | Q(org_code__in=user.grid_assignments.values("cell_id")))
    return qs


def checklist_items(user) -> list[WorkItem]:
    """Households still to check in each open round (the nearest deadline first), and changes
    the screener returned. One query."""
    today = timezone.localdate()
    pending, returned = ChecklistItem.Status.PENDING, ChecklistItem.Status.RETURNED
    per_round = list(
        _my_open_items(user).filter(status__in=[pending, returned])
        .values("round_id", "round__title", "round__due_on")
        .annotate(pending=Count("pk", filter=Q(status=pending)), returned=Count("pk", filter=Q(status=returned)))
        .order_by("round__due_on", "round_id")[:ROUNDS_SHOWN]
    )
    if not per_round:
        return [WorkItem("register.to_check", _("Households to check in update rounds"), 0, url_with("register-rounds"))]
    items = []
    for row in per_round:
        checklist = "register-checklist"
        if row["pending"]:
            items.append(WorkItem(
                f"register.to_check.{row['round_id']}",
                format_lazy(_("Households to check: {title} (by {due})"), title=row["round__title"],
                            due=row["round__due_on"].isoformat()),
                row["pending"], url_with(checklist, row["round_id"], status=pending),
                _urgency(row["round__due_on"], today),
            ))
        if row["returned"]:
            items.append(WorkItem(
                f"register.returned.{row['round_id']}",
                format_lazy(_("Changes returned to you: {title}"), title=row["round__title"]),
                row["returned"], url_with(checklist, row["round_id"], status=returned), Urgency.SOON,
            ))
    return items


def screener_items(user) -> list[WorkItem]:
    """Open rounds of the area and proposed changes waiting for sign-off. Two queries."""
    open_rounds = selectors.rounds_visible_to(user).filter(status=UpdateRound.Status.OPEN).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    to_sign = selectors.sign_off_queue(user).count()
    return [
        WorkItem("register.open_rounds", _("Open update rounds"), open_rounds["n"], url_with("register-rounds"),
                 Urgency.OVERDUE if open_rounds["late"] else Urgency.NORMAL, Capability.VIEW_REGISTER),
        WorkItem("register.to_sign_off", _("Changes awaiting sign-off"), to_sign, url_with("register-signoff"),
                 Urgency.SOON, Capability.SIGN_OFF_REGISTER),
    ]


def inspection_items(user) -> list[WorkItem]:
    """Today's inspection checklist (issue 11 §C): the places still to inspect in each open
    inspection round of the grid worker's cells, the nearest deadline first. One query."""
    from gridgov.register.inspection_selectors import open_inspection_rounds_with_todo

    today = timezone.localdate()
    rows = open_inspection_rounds_with_todo(user)[:ROUNDS_SHOWN]
    if not rows:
        return [WorkItem("register.to_inspect", _("Places to inspect"), 0, url_with("register-rounds"))]
    return [
        WorkItem(
            f"register.to_inspect.{row['round_id']}",
            format_lazy(_("Places to inspect: {title} (by {due})"), title=row["round__title"],
                        due=row["round__due_on"].isoformat()),
            row["todo"], url_with("register-inspections", row["round_id"]),
            _urgency(row["round__due_on"], today), Capability.RECORD_INSPECTIONS,
        )
        for row in rows
    ]
