"""The daily map: statuses and their counts, and the daily list in order of urgency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from gridgov.care.models import CareSchedule, Crisis, Enrollment, TeamMember
from gridgov.care.querysets import statistics_only
from gridgov.care.selectors.enrollments import enrollments_visible_to, program_label
from gridgov.care.selectors.masking import masks_health
from gridgov.core import suppression
from gridgov.core.permissions import Capability, has_capability, in_scope

# --- The daily map ------------------------------------------------------------------------------

STATUSES = ("hospitalized", "away", "visited", "due", "not_due")


def status_on(enrollment: Enrollment, today: datetime.date) -> str:
    if enrollment.hospitalized_since:
        return "hospitalized"
    if enrollment.away_since:
        return "away"
    if enrollment.last_visit_date == today:
        return "visited"
    if enrollment.next_due_date and enrollment.next_due_date <= today:
        return "due"
    return "not_due"


def today_counts(qs: QuerySet[Enrollment], today: datetime.date) -> dict[str, int]:
    """Counts by status in one query (the same rules as status_on, in SQL)."""
    hospital = Q(hospitalized_since__isnull=False)
    away = Q(away_since__isnull=False) & ~hospital
    visited = Q(last_visit_date=today) & ~hospital & ~Q(away_since__isnull=False)
    due = Q(next_due_date__lte=today) & ~hospital & ~Q(away_since__isnull=False) & ~Q(last_visit_date=today)
    row = qs.aggregate(
        hospitalized=Count("id", filter=hospital), away=Count("id", filter=away), visited=Count("id", filter=visited),
        due=Count("id", filter=due), total=Count("id"),
    )
    row["not_due"] = row.pop("total") - sum(row[k] for k in ("hospitalized", "away", "visited", "due"))
    return row


@dataclass(frozen=True)
class TodayRow:
    enrollment: int
    person_id: int
    name: str
    program: str
    status: str
    lat: float | None
    lng: float | None
    org_code: str


def care_today_rows(user, enrollments: list[Enrollment], today: datetime.date) -> list[TodayRow]:
    detail_user = has_capability(user, Capability.VIEW_CARE_DETAILS)
    return [
        TodayRow(
            enrollment=e.pk, person_id=e.person_id, name=e.person.name, org_code=e.org_code,
            program=program_label(user, e, details_visible=detail_user and in_scope(user, e.org_code)),
            status=status_on(e, today), lat=e.person.lat, lng=e.person.lng,
        )
        for e in enrollments
    ]


def care_today_queryset(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    return enrollments_visible_to(user, org=org).select_related("person").order_by("id")


# The columns the daily list and map read (issue 12): status_on's dates, the program (for
# program_label), the area, and of the person only the name and the home's point. No
# encrypted column (resident ID, phone, address) is loaded, so no row is decrypted.
DAILY_FIELDS = ("id", "person_id", "program", "org_code", "hospitalized_since", "away_since", "last_visit_date",
                "next_due_date", "person__id", "person__name", "person__lat", "person__lng")


def lean_daily(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """`qs` (with its person selected) loading only DAILY_FIELDS."""
    return qs.only(*DAILY_FIELDS)


def status_q(status: str, today: datetime.date) -> Q:
    """The enrollments whose map status (status_on) is `status` on `today`, as a filter."""
    hospital, away = Q(hospitalized_since__isnull=False), Q(away_since__isnull=False)
    visited, due = Q(last_visit_date=today), Q(next_due_date__lte=today)
    return {
        "hospitalized": hospital,
        "away": away & ~hospital,
        "visited": visited & ~hospital & ~away,
        "due": due & ~hospital & ~away & ~visited,
        "not_due": ~hospital & ~away & ~visited & ~due,
    }[status]


def day_status(enrollment: Enrollment, on: datetime.date, *, details_visible: bool) -> str:
    """Today's status on the map; "hospitalized" reads "away" where the details are masked."""
    state = status_on(enrollment, on)
    return "away" if state == "hospitalized" and not details_visible else state


def day_statuses_for(user) -> tuple[str, ...]:
    return tuple(s for s in STATUSES if s != "hospitalized") if masks_health(user) else STATUSES


def today_counts_for(user, qs: QuerySet[Enrollment], on: datetime.date) -> tuple[dict[str, int | None], list[str]]:
    """The daily map's counts as the user may see them, and the keys suppressed (above the
    county, counts 1–4 are null; they add up to the number enrolled, so one more is hidden
    with a single small one)."""
    counts = today_counts(qs, on)
    if masks_health(user):
        counts["away"] += counts["hospitalized"]
        counts["hospitalized"] = None
    if not statistics_only(user):
        return counts, []
    counts, hidden = suppression.suppress_group(counts)
    return counts, sorted(hidden)


# --- The daily list in order of urgency ------------------------------------------------------------

URGENCY_ORDER = ("urgency", "due_order", "pk")
_NO_DUE_DATE = datetime.date(9999, 12, 31)


def by_urgency(user, qs: QuerySet[Enrollment], today: datetime.date) -> QuerySet[Enrollment]:
    """Annotate the daily list's order: due or overdue first (the longest overdue at the top),
    then in hospital, away, not yet due (the soonest first), visited today last. Where the
    user may not know who is in hospital, hospital and away share one rank, so that the
    order does not tell them apart either."""
    hospital_rank = 2 if masks_health(user) else 1
    urgency = Case(
        When(status_q("hospitalized", today), then=Value(hospital_rank)),
        When(status_q("away", today), then=Value(2)),
        When(status_q("due", today), then=Value(0)),
        When(status_q("not_due", today), then=Value(3)),
        default=Value(4),  # visited today
        output_field=IntegerField(),
    )
    return qs.annotate(urgency=urgency,
                       due_order=Coalesce("next_due_date", Value(_NO_DUE_DATE, output_field=DateField())))


def urgency_cursor(enrollment: Enrollment) -> str:
    """The daily list's `after` position: rank, due date and id of the last row shown."""
    return f"{enrollment.urgency}-{enrollment.due_order:%Y%m%d}-{enrollment.pk}"


def parse_urgency_cursor(value: str) -> tuple[int, datetime.date, int] | None:
    try:
        rank, day, pk = value.split("-")
        return int(rank), datetime.datetime.strptime(day, "%Y%m%d").date(), int(pk)
    except ValueError:
        return None


# --- What the home page counts, as filters of the daily list (care.workbench) ----------------------
# `?only=open_crisis`, `?only=to_confirm` and `?only=tasks_due` on the daily list show the rows
# the home page counts.

ONLY_OPEN_CRISIS = "open_crisis"
ONLY_TO_CONFIRM = "to_confirm"
ONLY_TASKS_DUE = "tasks_due"


def tasks_due_q(today: datetime.date | None = None) -> Q:
    """The enrollments with a task of their schedule (care.schedules) due by today and not
    ended: a daily medicine delivery, a drug test, an elderly monthly visit."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return Q(Exists(CareSchedule.objects.filter(enrollment=OuterRef("pk"), ended_at__isnull=True,
                                                next_due_date__lte=today)))


def open_crisis_q() -> Q:
    """The enrollments with a crisis still open (no outcome recorded yet)."""
    return Q(Exists(Crisis.objects.filter(enrollment=OuterRef("pk"), outcome="")))


def to_confirm_q(user) -> Q:
    """The enrollments whose team still waits for the user's own confirmation: the high-risk
    ones for those who may know the risk (`care.teams.knows_risk`); a grid worker is asked to
    confirm every case of its teams, in words that do not say why."""
    from gridgov.care.teams import knows_risk

    mine = Q(Exists(TeamMember.objects.filter(enrollment=OuterRef("pk"), user=user, removed_at__isnull=True,
                                              acknowledged_at__isnull=True)))
    return mine & Q(high_risk=True) if knows_risk(user) else mine


def only_q(user, only: str) -> Q:
    """The filter of the daily list named by `?only=`."""
    if only == ONLY_OPEN_CRISIS:
        return open_crisis_q()
    if only == ONLY_TASKS_DUE:
        return tasks_due_q()
    return to_confirm_q(user)
