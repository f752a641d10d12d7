"""Mediation's part of the home page (core.workbench): requests waiting for acceptance, cases
whose time limit is within 3 days or past, and follow-up visits due, counted over the cases
the user works (`selectors.cases_for`: a mediator's committees, a justice officer's area).
Each count is of the rows of the list it links to (`selectors.case_list`, the same filters
as the page's `?status=` and `?due=`). Four queries, whatever the numbers."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.workbench import Urgency, WorkItem, url_with
from gridgov.mediation import selectors
from gridgov.mediation.reminders import WAITING_DAYS
from gridgov.mediation.workflow import CaseStatus

PAGE = "mediation-cases"


def case_items(user) -> list[WorkItem]:
    """Requests waiting (overdue once one waited more than WAITING_DAYS, as the reminder
    says), cases due within 3 days, cases past their time limit, cases with a follow-up visit
    due by today."""
    today = timezone.localdate()
    waiting = selectors.case_list(user, status=CaseStatus.REQUESTED, today=today).aggregate(
        n=Count("pk"), oldest=Min("created_at"))
    late_after = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=WAITING_DAYS),
                                                               datetime.time.min))
    waited_long = waiting["oldest"] is not None and waiting["oldest"] < late_after
    soon = selectors.case_list(user, due="soon", today=today).count()
    overdue = selectors.case_list(user, due="overdue", today=today).count()
    follow_ups = selectors.case_list(user, status=CaseStatus.SETTLED, due="followup", today=today).count()
    return [
        WorkItem("mediation.requests", _("Requests waiting for acceptance"), waiting["n"],
                 url_with(PAGE, status=CaseStatus.REQUESTED), Urgency.OVERDUE if waited_long else Urgency.SOON),
        WorkItem("mediation.due_soon", _("Cases due within 3 days"), soon, url_with(PAGE, due="soon"), Urgency.SOON),
        WorkItem("mediation.overdue", _("Cases past their time limit"), overdue, url_with(PAGE, due="overdue"),
                 Urgency.OVERDUE),
        WorkItem("mediation.follow_ups", _("Cases with a follow-up visit due"), follow_ups,
                 url_with(PAGE, status=CaseStatus.SETTLED, due="followup"), Urgency.SOON),
    ]


def register() -> None:
    """The section on the home page of mediators and justice officers (from apps.ready)."""
    from gridgov.core.models import Role
    from gridgov.core.workbench import WorkSection, add_section

    add_section(WorkSection("mediation.cases", _("Mediation"), 40, case_items,
                            roles=frozenset({Role.MEDIATOR, Role.JUSTICE_OFFICER})))
