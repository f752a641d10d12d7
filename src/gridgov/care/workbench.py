"""Care's part of the home page (core.workbench): visits due and overdue, high-risk cases
still waiting for the team's confirmation, handovers, open crises, and (above the county)
statistics only. Each section costs a fixed number of queries, never one per person."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.care import selectors, teams
from gridgov.care.models import Crisis, Handover
from gridgov.core import suppression
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.workbench import Urgency, WorkItem, url_with


def visit_items(user) -> list[WorkItem]:
    """Who needs a visit (due, of them overdue), the high-risk cases waiting for my own
    confirmation, and open crises of the people I may see. Three queries.

    The items open the area's list (the daily map filtered to "due"); a police liaison, who
    sees only its own teams' cases and has no area list, opens the case itself (the first
    one when several), and sees no item when nothing waits."""
    if selectors.statistics_only(user):
        return []
    today = timezone.localdate()
    visible = selectors.enrollments_visible_to(user)
    team_only = selectors.team_only(user)
    due = selectors.status_q("due", today)
    overdue = due & Q(next_due_date__lt=today)
    tasks = selectors.tasks_due_q(today)
    counts = visible.aggregate(due=Count("pk", filter=due), overdue=Count("pk", filter=overdue),
                               first_due=Min("pk", filter=due), first_overdue=Min("pk", filter=overdue),
                               tasks=Count("pk", filter=tasks), first_task=Min("pk", filter=tasks))
    officer = has_capability(user, Capability.MANAGE_ENROLLMENTS)
    area_list = url_with("care-today", status="due")

    def url(n, first, *, list_url=area_list, page="care-enrollment", single=False):
        """The list; a police liaison's (or, with `single`, a lone row's) own page."""
        if first is not None and (team_only or (single and n == 1)):
            return url_with(page, first)
        return None if team_only else list_url

    items = [
        WorkItem("care.visits_due", _("Visits due"), counts["due"], url(counts["due"], counts["first_due"]),
                 Urgency.SOON),
        WorkItem("care.visits_overdue", _("Visits overdue"), counts["overdue"],
                 url(counts["overdue"], counts["first_overdue"],
                     list_url=url_with("care-officer", anchor="overdue") if officer else area_list),
                 Urgency.OVERDUE),
    ]
    # Tasks of a schedule due by today (daily medicine, drug tests, the elderly monthly visit), per person.
    items.append(WorkItem("care.tasks_due", _("People with a task due"), counts["tasks"],
                          url(counts["tasks"], counts["first_task"], single=True,
                              list_url=url_with("care-today", only=selectors.ONLY_TASKS_DUE)),
                          Urgency.SOON))
    # A grid worker may not know which cases are high-risk (security review, issue 11): it is
    # asked to confirm every case of its teams, in words that do not say why (selectors.to_confirm_q).
    # Each count is of the rows of the daily list it links to (`?only=`, the same filter).
    knows_risk = teams.knows_risk(user)
    mine = visible.filter(selectors.to_confirm_q(user)).aggregate(n=Count("pk"), first=Min("pk"))
    if mine["n"] or not officer:
        label = (_("High-risk cases waiting for your confirmation") if knows_risk
                 else _("Cases waiting for your confirmation"))
        items.append(WorkItem("care.confirm_mine", label, mine["n"],
                              url(mine["n"], mine["first"], single=True,
                                  list_url=url_with("care-today", only=selectors.ONLY_TO_CONFIRM)),
                              Urgency.SOON))
    # People with an open crisis (two crises of one person are one row); a lone one opens its latest crisis.
    crises = Crisis.objects.filter(outcome="", enrollment__in=visible.values("pk")).aggregate(
        n=Count("enrollment_id", distinct=True), latest=Max("pk"))
    items.append(WorkItem("care.open_crises", _("People with an open crisis"), crises["n"],
                          url(crises["n"], crises["latest"], page="care-crisis", single=True,
                              list_url=url_with("care-today", only=selectors.ONLY_OPEN_CRISIS)),
                          Urgency.OVERDUE))
    return [item for item in items if item.url is not None]


def officer_items(user) -> list[WorkItem]:
    """The officer's page in numbers: cases not confirmed by the whole team, handovers to
    receive (late ones flagged) and handovers sent out. Two queries."""
    if selectors.statistics_only(user):
        return []
    today = timezone.localdate()
    unconfirmed = selectors.unacknowledged_high_risk(user).count()
    scope = user.scope_code
    incoming = Q(to_org_code__startswith=scope)
    handovers = selectors.handovers_for(user).filter(status=Handover.Status.PENDING).aggregate(
        incoming=Count("pk", filter=incoming),
        late=Count("pk", filter=incoming & Q(due_date__lt=today)),
        outgoing=Count("pk", filter=Q(from_org_code__startswith=scope)),
    )
    page = "care-officer"
    return [
        WorkItem("care.unconfirmed", _("High-risk cases not confirmed by the whole team"), unconfirmed,
                 url_with(page, anchor="unacknowledged"), Urgency.SOON, Capability.MANAGE_ENROLLMENTS),
        WorkItem("care.handovers_in", _("Handovers to accept"), handovers["incoming"],
                 url_with(page, anchor="incoming"), Urgency.OVERDUE if handovers["late"] else Urgency.SOON,
                 Capability.MANAGE_ENROLLMENTS),
        WorkItem("care.handovers_out", _("Handovers sent, not yet received"), handovers["outgoing"],
                 url_with(page, anchor="outgoing"), Urgency.NORMAL, Capability.MANAGE_ENROLLMENTS),
    ]


def statistics_items(user) -> list[WorkItem]:
    """Above the county: counts only, fewer than 5 suppressed, never a name. One query."""
    if not selectors.statistics_only(user):
        return []
    today = timezone.localdate()
    row = selectors.enrollments_in_scope(user).aggregate(
        enrolled=Count("pk"),
        overdue=Count("pk", filter=selectors.status_q("due", today) & Q(next_due_date__lt=today)),
    )
    # The enrolled split into overdue and not overdue is suppressed as one group: with 6
    # enrolled and 5 overdue, the 1 not overdue must not be worked out by a subtraction.
    parts, _hidden = suppression.suppress_group(
        {"overdue": row["overdue"], "not_overdue": row["enrolled"] - row["overdue"]}, complementary=True)
    shown = {"enrolled": None if suppression.is_small(row["enrolled"]) else row["enrolled"],
             "overdue": None if suppression.is_small(row["enrolled"]) else parts["overdue"]}
    metrics = url_with("care-metrics")
    return [
        WorkItem("care.enrolled", _("People in care programs (statistics)"), shown["enrolled"], metrics,
                 capability=Capability.VIEW_CARE_STATISTICS),
        WorkItem("care.overdue_statistics", _("Visits overdue (statistics)"), shown["overdue"], metrics,
                 Urgency.OVERDUE, Capability.VIEW_CARE_STATISTICS),
    ]
