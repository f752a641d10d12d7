"""The event loop's part of the home page (core.workbench): what waits for the dispatcher,
the grid worker and the departments and stations now. Each section is one query."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.workbench import Urgency, WorkItem, url_with
from gridgov.events import selectors
from gridgov.events.workflow import OPEN_STATUSES, Status


def dispatcher_items(user) -> list[WorkItem]:
    """New reports to dispatch, returned ones, verified ones to close, overdue and supervised."""
    now = timezone.now()
    counts = selectors.events_visible_to(user).aggregate(  # what the queue lists
        to_dispatch=Count("pk", filter=Q(status=Status.REGISTERED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        to_close=Count("pk", filter=Q(status=Status.VERIFIED)),
        overdue=Count("pk", filter=selectors.deadline_q("overdue", now)),
        supervised=Count("pk", filter=Q(status__in=OPEN_STATUSES) & ~Q(supervision_level="")),
    )
    queue = "events-queue"
    return [
        WorkItem("events.to_dispatch", _("New reports to register and dispatch"), counts["to_dispatch"],
                 url_with(queue, status=Status.REGISTERED), Urgency.SOON),
        WorkItem("events.returned", _("Returned by a department: dispatch again"), counts["returned"],
                 url_with(queue, status=Status.RETURNED), Urgency.SOON),
        WorkItem("events.to_close", _("Verified: to close"), counts["to_close"],
                 url_with(queue, status=Status.VERIFIED)),
        WorkItem("events.overdue", _("Overdue events"), counts["overdue"], url_with(queue, overdue="on"),
                 Urgency.OVERDUE),
        WorkItem("events.supervised", _("Under supervision"), counts["supervised"],
                 url_with(queue, supervised="on"), Urgency.OVERDUE),
    ]


def grid_worker_items(user) -> list[WorkItem]:
    """Events handled in my cells, waiting for me to verify them on site."""
    from gridgov.core.selectors import grid_cells_of

    cells = grid_cells_of(user)
    n = selectors.events_visible_to(user).filter(status=Status.HANDLED, org_code__in=cells).count() if cells else 0
    return [WorkItem("events.to_verify", _("Events to verify on site"), n, url_with("events-mobile", tab="verify"),
                     Urgency.SOON)]


def unit_items(user) -> list[WorkItem]:
    """A department's or station's inbox: to accept, in hand, rework, due within a day, overdue."""
    if not user.department_id:
        return []
    now = timezone.now()
    mine = Q(department_id=user.department_id)
    steps = Q(status__in=selectors.UNIT_STEPS)
    counts = selectors.events_visible_to(user).filter(mine).aggregate(
        to_accept=Count("pk", filter=Q(status=Status.DISPATCHED)),
        handling=Count("pk", filter=Q(status__in=[Status.ACCEPTED, Status.SUSPENDED])),
        rework=Count("pk", filter=Q(status=Status.ACCEPTED, rework_count__gt=0)),
        soon=Count("pk", filter=steps & selectors.deadline_q("soon", now)),
        overdue=Count("pk", filter=steps & selectors.deadline_q("overdue", now)),
    )
    inbox = "events-inbox"
    return [
        WorkItem("events.to_accept", _("Sent to us: to accept"), counts["to_accept"], url_with(inbox, tab="to_accept"),
                 Urgency.SOON),
        WorkItem("events.handling", _("In hand"), counts["handling"], url_with(inbox, tab="handling")),
        WorkItem("events.rework", _("Sent back for rework"), counts["rework"], url_with(inbox, tab="rework"),
                 Urgency.SOON),
        WorkItem("events.due_soon", _("Due within a day"), counts["soon"], url_with(inbox, due="soon"), Urgency.SOON),
        WorkItem("events.unit_overdue", _("Overdue events"), counts["overdue"], url_with(inbox, due="overdue"),
                 Urgency.OVERDUE),
    ]
