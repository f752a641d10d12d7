"""The officer's page, the API's lists and records, and the reads of the HTML pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care.models import (
    Crisis,
    Enrollment,
    GuardianAgreement,
    Handover,
    Payment,
    StatusPeriod,
    TeamMember,
    Visit,
)
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.care.querysets import statistics_only
from gridgov.care.selectors.daily import only_q, status_q
from gridgov.care.selectors.enrollments import access_enrollment, enrollments_visible_to, with_details_visible
from gridgov.care.selectors.masking import masks_health
from gridgov.core.exceptions import Forbidden, NotFound
from gridgov.core.permissions import Capability, has_capability, in_scope, require

# --- Officer's page --------------------------------------------------------------------------------


def unacknowledged_high_risk(user) -> QuerySet[Enrollment]:
    """High-risk cases whose team has not yet all confirmed, or lacks one of the places the
    law names (care, issue 11: `care.teams`, the same rule as high_risk_unconfirmed_for)."""
    from gridgov.care.teams import unmanaged_high_risk_q

    return enrollments_visible_to(user).filter(unmanaged_high_risk_q()).select_related("person")


def overdue_enrollments(user, today: datetime.date | None = None) -> QuerySet[Enrollment]:
    today = today or timezone.localdate()
    return enrollments_visible_to(user).filter(
        next_due_date__lt=today, hospitalized_since__isnull=True, away_since__isnull=True
    ).select_related("person")


def handovers_for(user) -> QuerySet[Handover]:
    """Handovers into or out of the user's area."""
    require(user, Capability.MANAGE_ENROLLMENTS)
    return Handover.objects.visible_to(user).select_related("enrollment__person")


def access_handover(user, handover_id) -> Handover:
    try:
        pk = int(handover_id)
    except (TypeError, ValueError):
        pk = -1
    handover = handovers_for(user).filter(pk=pk).first()
    if handover is None:
        raise NotFound(_("No such handover in your area."))
    return handover


# --- Lists and records for the REST API ----------------------------------------------------------

RECENT_VISITS = 20


def enrollments_list(user, *, org: str | None = None, program: str | None = None, status: str | None = None,
                     due_before: datetime.date | None = None, today: datetime.date | None = None,
                     only: str | None = None) -> QuerySet[Enrollment]:
    """The enrollments the user may see by name, filtered (`only`: what the home page counts,
    `daily.only_q`). Asking for a sensitive program is refused to users who may not know who
    is in it (a grid worker cannot probe it)."""
    if program in SENSITIVE_PROGRAMS and not has_capability(user, Capability.VIEW_CARE_DETAILS):
        raise Forbidden(_("Your role may not list the people in this program."))
    qs = enrollments_visible_to(user, org=org)
    if program:
        qs = qs.filter(program=program)
    if status and masks_health(user):
        # hostile (issue 10): who is in hospital cannot be probed; they are listed as away.
        if status == "hospitalized":
            raise Forbidden(_("Your role may not filter by this status."))
        if status == "away":
            qs = qs.filter(Q(hospitalized_since__isnull=False) | Q(away_since__isnull=False))
            status = None
    if status:
        qs = qs.filter(status_q(status, today or timezone.localdate()))
    if due_before:
        qs = qs.filter(next_due_date__lte=due_before)
    if only:
        qs = qs.filter(only_q(user, only))
    return with_details_visible(user, qs).select_related("person")


def enrollment_record(enrollment: Enrollment) -> Enrollment:
    """Load the current team, the recent visits, the status periods and the crises at once
    (as `current_team`, `recent_visits`, `periods`, `crisis_list`)."""
    prefetch_related_objects(
        [enrollment],
        Prefetch("team", TeamMember.objects.filter(removed_at__isnull=True).select_related("user"),
                 to_attr="current_team"),
        Prefetch("visits", Visit.objects.select_related("visited_by").order_by("-date", "-id")[:RECENT_VISITS],
                 to_attr="recent_visits"),
        Prefetch("status_periods", StatusPeriod.objects.order_by("-start", "-id"), to_attr="periods"),
        Prefetch("crises", Crisis.objects.order_by("-occurred_at", "-id"), to_attr="crisis_list"),
    )
    return enrollment


def access_crisis(user, crisis_id) -> Crisis:
    try:
        pk = int(crisis_id)
    except (TypeError, ValueError):
        pk = -1
    crisis = Crisis.objects.filter(pk=pk).first()
    if crisis is None:
        raise NotFound(_("No such crisis in your area."))
    crisis.enrollment = access_enrollment(user, crisis.enrollment_id)  # the same 404 outside it
    return crisis


def access_agreement(user, agreement_id):
    try:
        pk = int(agreement_id)
    except (TypeError, ValueError):
        pk = -1
    agreement = GuardianAgreement.objects.filter(pk=pk).first()
    if agreement is None:
        raise NotFound(_("No such agreement in your area."))
    agreement.enrollment = access_enrollment(user, agreement.enrollment_id)
    return agreement


def handover_list(user, *, direction: str | None = None, status: str | None = None) -> QuerySet[Handover]:
    """Handovers into ("in") or out of ("out") the user's area; none above the county."""
    qs = handovers_for(user)
    if statistics_only(user):
        return qs.none()
    if direction == "in":
        qs = qs.into_area_of(user)
    elif direction == "out":
        qs = qs.out_of_area_of(user)
    if status:
        qs = qs.filter(status=status)
    return qs


def payments_in_scope(user, *, org: str | None = None, since: datetime.date | None = None,
                      until: datetime.date | None = None):
    """Payments recorded in the user's area, paid between `since` and `until` (inclusive)."""
    require(user, Capability.MANAGE_ENROLLMENTS)
    qs = Payment.objects.in_area_of(user)
    if org:
        qs = qs.in_subtree(org) if in_scope(user, org) else qs.none()
    if since:
        qs = qs.filter(paid_on__gte=since)
    if until:
        qs = qs.filter(paid_on__lte=until)
    return qs


def payments_visible_to(user, **filters):
    """The payment rows (with the person) the user may see by name: none above the county."""
    return payments_in_scope(user, **filters).visible_to(user).select_related("enrollment__person")


def payment_totals(qs) -> dict[str, str]:
    """The amount paid per kind (every kind, zero when none), in one query."""
    sums = {row["kind"]: row["total"] for row in qs.order_by().values("kind").annotate(total=Sum("amount"))}
    return {kind: str((sums.get(kind) or Decimal("0")).quantize(Decimal("0.01"))) for kind in Payment.Kind.values}


def team_accounts(usernames) -> dict:
    """Active accounts by username, for naming a care team (the service checks their area)."""
    from gridgov.core.models import User

    names = {u for u in usernames if u}
    return {u.username: u for u in User.objects.filter(username__in=names, is_active=True)} if names else {}


# --- Reads of the HTML pages ---------------------------------------------------------------------


def may_record_visit(user, enrollment: Enrollment) -> bool:
    """Whether services.visit_record would let the user record a visit (to show the form)."""
    if not has_capability(user, Capability.RECORD_VISITS):
        return False
    if has_capability(user, Capability.VIEW_CARE_DETAILS) and in_scope(user, enrollment.org_code):
        return True
    return enrollment.team.filter(user=user, removed_at__isnull=True).exists()


def with_on_team(user, qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate `on_team`: the user is a current member of the enrollment's team."""
    member = TeamMember.objects.filter(enrollment=OuterRef("pk"), user=user, removed_at__isnull=True)
    return qs.annotate(on_team=Exists(member))


def enrollment_visits(enrollment: Enrollment) -> QuerySet[Visit]:
    """Every visit of the enrollment, newest first (those recorded before a handover too);
    pages with `core.pagination.keyset_page(..., order=("-date", "-pk"))`."""
    return Visit.objects.filter(enrollment=enrollment).select_related("visited_by").order_by("-date", "-id")


def enrollment_history(enrollment: Enrollment) -> Enrollment:
    """Load the handovers, guardian agreements and payments at once (as `handover_list`,
    `agreement_list`, `payment_list`)."""
    prefetch_related_objects(
        [enrollment],
        Prefetch("handovers", Handover.objects.select_related("created_by", "decided_by").order_by("-created_at"),
                 to_attr="handover_list"),
        Prefetch("agreements", GuardianAgreement.objects.order_by("-year"), to_attr="agreement_list"),
        Prefetch("payments", Payment.objects.order_by("-paid_on", "-id"), to_attr="payment_list"),
    )
    return enrollment


def unacknowledged_with_waiting(user) -> QuerySet[Enrollment]:
    """unacknowledged_high_risk, with the members still to confirm (as `waiting`)."""
    waiting = TeamMember.objects.filter(removed_at__isnull=True, acknowledged_at__isnull=True,
                                        user__isnull=False).select_related("user")
    return unacknowledged_high_risk(user).prefetch_related(Prefetch("team", waiting, to_attr="waiting"))


def access_team_member(enrollment: Enrollment, member_id) -> TeamMember:
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        pk = -1
    member = enrollment.team.filter(pk=pk, removed_at__isnull=True).select_related("user").first()
    if member is None:
        raise NotFound(_("No such team member."))
    member.enrollment = enrollment
    return member


def crisis_actions(crisis: Crisis):
    return crisis.actions.select_related("actor").order_by("at", "id")
