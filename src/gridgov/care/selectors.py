"""Reads of the care programs, with their privacy rules:

- Above the county, statistics only: lists of named people come back empty, counts filled.
- Health and criminal-record details (and which sensitive program someone is in) only for
  roles with VIEW_CARE_DETAILS in scope, and for the clinical members of the care team;
  a grid worker sees that a person needs a visit, not why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
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
    TeamRole,
    Visit,
)
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.care.querysets import (  # noqa: F401 (re-exported: views and other modules read them here)
    COUNTY_CODE_LENGTH,
    statistics_only,
)
from gridgov.care.querysets import sees_team_only as team_only
from gridgov.core import masking, suppression
from gridgov.core.exceptions import Forbidden, NotFound
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.querysets import area_q

CLINICAL_TEAM_ROLES = {TeamRole.DOCTOR, TeamRole.PSYCHIATRIST, TeamRole.OFFICER, TeamRole.SOCIAL_WORKER}
MASKED = "***"


def enrollments_in_scope(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    """Every active enrollment the user's statistics may count (no privacy filter on rows)."""
    require(user, Capability.VIEW_CARE_STATISTICS)
    qs = Enrollment.objects.in_area_of(user).filter(status=Enrollment.Status.ACTIVE)
    return qs.in_subtree(org) if org else qs


def enrollments_visible_to(user, *, org: str | None = None) -> QuerySet[Enrollment]:
    """The active enrollments the user may see by name (`care.querysets.EnrollmentQuerySet`:
    none above the county; a grid worker's teams and cells; a police liaison's teams)."""
    if not team_only(user):
        require(user, Capability.VIEW_CARE_STATISTICS)
    qs = Enrollment.objects.visible_to(user).filter(status=Enrollment.Status.ACTIVE)
    return qs.in_subtree(org) if org else qs


def access_enrollment(user, enrollment_id) -> Enrollment:
    try:
        pk = int(enrollment_id)
    except (TypeError, ValueError):
        pk = -1
    # Ended enrollments stay readable (history) to the same people.
    enrollment = Enrollment.objects.readable_by(user).filter(pk=pk).select_related("person").first()
    if enrollment is None or not Enrollment.objects.may_see(user, enrollment):
        enrollment = _enrollment_under_emergency_grant(user, pk)
        if enrollment is None:
            raise NotFound(_("No such enrollment in your area."))
    return enrollment


def _enrollment_under_emergency_grant(user, pk: int) -> Enrollment | None:
    """emergency (issue 10): a care record outside the user's area, read through a live
    emergency grant for its person (audited with the grant's id, in `core.emergency`).
    `enrollment.emergency_grant` tells the masking that its details may be shown."""
    from gridgov.core.emergency import enrollment_under_grant

    enrollment = Enrollment.objects.filter(pk=pk).select_related("person").first()
    if enrollment is None:
        return None
    grant = enrollment_under_grant(user, enrollment)
    if grant is None:
        return None
    enrollment.emergency_grant = grant
    return enrollment


def may_see_details(user, enrollment: Enrollment) -> bool:
    if getattr(enrollment, "emergency_grant", None) is not None:  # emergency (issue 10): set by access_enrollment
        return True
    if has_capability(user, Capability.VIEW_CARE_DETAILS) and in_scope(user, enrollment.org_code):
        return True
    return enrollment.team.filter(user=user, removed_at__isnull=True, role__in=CLINICAL_TEAM_ROLES).exists()


def program_label(user, enrollment: Enrollment, *, details_visible: bool | None = None) -> str:
    """The program, or a mask when knowing it would reveal health or criminal records."""
    visible = may_see_details(user, enrollment) if details_visible is None else details_visible
    if enrollment.program in SENSITIVE_PROGRAMS and not visible:
        return MASKED
    return enrollment.program


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


# --- Metrics -------------------------------------------------------------------------------------


def care_metrics(user, *, org: str | None = None, today: datetime.date | None = None) -> list[dict]:
    """Per program: enrolled, management rate (not overdue), visit coverage (seen within the
    program's rhythm), overdue, crises this year and their outcomes. Statistics: allowed at
    every level."""
    from gridgov.care.teams import unmanaged_high_risk_q

    today = today or timezone.localdate()
    qs = enrollments_in_scope(user, org=org)
    overdue_q = Q(next_due_date__lt=today, hospitalized_since__isnull=True, away_since__isnull=True)
    rows = qs.values("program").annotate(
        enrolled=Count("id"),
        overdue=Count("id", filter=overdue_q),
        # care (issue 11): a high-risk case counts as managed only with its full team, all confirmed
        unmanaged=Count("id", filter=overdue_q | unmanaged_high_risk_q()),
        seen_90_days=Count("id", filter=Q(last_visit_date__gte=today - datetime.timedelta(days=90))),
        hospitalized=Count("id", filter=Q(hospitalized_since__isnull=False)),
    ).order_by("program")
    crises = {
        (r["enrollment__program"], r["outcome"]): r["n"]
        for r in Crisis.objects.filter(enrollment__in=qs, occurred_at__year=today.year)
        .values("enrollment__program", "outcome").annotate(n=Count("id"))
    }
    reentry = _reentry_outcomes(qs)
    result = []
    for row in rows:
        enrolled = row["enrolled"]
        outcomes = {outcome or "open": n for (program, outcome), n in crises.items() if program == row["program"]}
        result.append({
            **row,
            "management_rate": round((enrolled - row["unmanaged"]) / enrolled, 4) if enrolled else None,
            "visit_coverage": round(row["seen_90_days"] / enrolled, 4) if enrolled else None,
            "crises": sum(outcomes.values()),
            "crisis_outcomes": outcomes,
            **(reentry if row["program"] == "reentry" else {}),
        })
    return result


def _reentry_outcomes(enrollments: QuerySet[Enrollment]) -> dict:
    """Resettlement and employment of people returning from prison: read from the encrypted
    program facts, so counted here rather than in SQL (a county has hundreds, not millions)."""
    details = [e.details for e in enrollments.filter(program="reentry").only("details")]
    total = len(details)
    resettled = sum(1 for d in details if d.get("resettled"))
    employed = sum(1 for d in details if d.get("employment"))
    return {
        "resettled": resettled,
        "resettlement_rate": round(resettled / total, 4) if total else None,
        "employed": employed,
        "employment_rate": round(employed / total, 4) if total else None,
    }


def masked_name(user, enrollment: Enrollment) -> str:
    return enrollment.person.name if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(
        enrollment.person.name)


# --- Lists and records for the REST API ----------------------------------------------------------

RECENT_VISITS = 20


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


def with_details_visible(user, qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate `details_visible` (may_see_details, in SQL) so that a list of rows from the
    user's own scope needs no query per row."""
    if has_capability(user, Capability.VIEW_CARE_DETAILS):
        return qs.annotate(details_visible=Value(True, output_field=BooleanField()))
    clinical = TeamMember.objects.filter(enrollment=OuterRef("pk"), user=user, removed_at__isnull=True,
                                         role__in=CLINICAL_TEAM_ROLES)
    return qs.annotate(details_visible=Exists(clinical))


def enrollments_list(user, *, org: str | None = None, program: str | None = None, status: str | None = None,
                     due_before: datetime.date | None = None, today: datetime.date | None = None,
                     ) -> QuerySet[Enrollment]:
    """The enrollments the user may see by name, filtered. Asking for a sensitive program is
    refused to users who may not know who is in it (a grid worker cannot probe it)."""
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


def care_metrics_for(user, *, org: str | None = None, today: datetime.date | None = None) -> list[dict]:
    """care_metrics, with the sensitive programs folded into one "***" row for users who may
    not know who is in which of them."""
    rows = care_metrics(user, org=org, today=today)
    if not has_capability(user, Capability.VIEW_CARE_DETAILS):
        rows = _metrics_folded(rows)
    # hostile (issue 10): above the county, counts below 5 are suppressed.
    if statistics_only(user):
        return metrics_suppressed(rows)
    return [{**row, "suppressed": []} for row in rows]


def _metrics_folded(rows: list[dict]) -> list[dict]:
    shown = [row for row in rows if row["program"] not in SENSITIVE_PROGRAMS]
    hidden = [row for row in rows if row["program"] in SENSITIVE_PROGRAMS]
    if hidden:
        merged = {"program": MASKED, "crisis_outcomes": {}}
        for key in ("enrolled", "overdue", "unmanaged", "seen_90_days", "hospitalized", "crises"):
            merged[key] = sum(row[key] for row in hidden)
        for row in hidden:
            for outcome, n in row["crisis_outcomes"].items():
                merged["crisis_outcomes"][outcome] = merged["crisis_outcomes"].get(outcome, 0) + n
        enrolled = merged["enrolled"]
        merged["management_rate"] = round((enrolled - merged["unmanaged"]) / enrolled, 4) if enrolled else None
        merged["visit_coverage"] = round(merged["seen_90_days"] / enrolled, 4) if enrolled else None
        shown.append(merged)
    return metrics_masked(shown)


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


# --- Campaigns -------------------------------------------------------------------------------------


def _manages_campaigns(user) -> bool:
    return has_capability(user, Capability.MANAGE_ENROLLMENTS)


def campaigns_visible_to(user) -> QuerySet:
    """Officers: campaigns over (or covering) their area; grid workers: campaigns with
    households on their list."""
    from gridgov.care.models import Campaign

    require(user, Capability.VIEW_CARE)
    return Campaign.objects.visible_to(user)  # care.querysets.CampaignQuerySet


def _own_items(user, qs: QuerySet) -> QuerySet:
    """The items of `qs` a user works on: all in scope for officers (none above the county),
    their own for grid workers (care.querysets.CampaignItemQuerySet)."""
    return qs.visible_to(user)


def _counted_items(user) -> Q:
    """The items a campaign's counts in a list cover for the user (statistics at every level)."""
    if _manages_campaigns(user):
        return area_q(user, "items__org_code") or Q(items__pk__in=[])
    return Q(items__assignee=user)


def campaign_list(user) -> QuerySet:
    """The visible campaigns, newest first, each with `total` and `visited` of the user's items."""
    from gridgov.care.models import CampaignItem

    mine = _counted_items(user)
    return campaigns_visible_to(user).annotate(
        total=Count("items", filter=mine),
        visited=Count("items", filter=mine & ~Q(items__result=CampaignItem.Result.PENDING)),
    ).order_by("-pk")


def access_campaign(user, campaign_id):
    require(user, Capability.WORK_CAMPAIGNS)
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        pk = -1
    campaign = campaigns_visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign in your area."))
    return campaign


def _with_address(qs: QuerySet) -> QuerySet:
    from django.db.models import Subquery

    from gridgov.register.models import Household

    address = Household.objects.filter(pk=OuterRef("household_id")).values("address")[:1]
    return qs.annotate(address=Subquery(address)).select_related("referred_person", "assignee")


def campaign_items_for(user, campaign, *, result: str = "") -> QuerySet:
    """A grid worker's own items of the campaign, or all in scope for officers, each with the
    household's `address` (one query)."""
    from gridgov.care.models import CampaignItem

    qs = _own_items(user, CampaignItem.objects.filter(campaign=campaign))
    if result:
        qs = qs.filter(result=result)
    return _with_address(qs).order_by("org_code", "id")


def access_campaign_item(user, item_id):
    """An item the user may record (their own, or in an officer's area); 404 otherwise."""
    from gridgov.care.models import CampaignItem

    require(user, Capability.WORK_CAMPAIGNS)
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        pk = -1
    item = _with_address(_own_items(user, CampaignItem.objects.filter(pk=pk))).select_related("campaign").first()
    if item is None:
        raise NotFound(_("No such household on your list."))
    return item


@dataclass(frozen=True)
class CampaignProgress:
    org_code: str
    total: int
    visited: int
    needs_found: int | None  # None: suppressed (1–4 above the county, issue 10)
    referred: int | None
    suppressed: tuple[str, ...] = ()


def campaign_progress(user, campaign, *, level_length: int) -> list[CampaignProgress]:
    """Per grid cell (level_length 15) or village (12), in one query: counts only, so at
    every level (an officer's area, a grid worker's own households)."""
    from django.db.models.functions import Substr

    from gridgov.care.models import CampaignItem

    items = CampaignItem.objects.filter(campaign=campaign).counted_for(user)
    Result = CampaignItem.Result
    rows = (
        items.annotate(unit=Substr("org_code", 1, level_length))
        .values("unit")
        .annotate(
            total=Count("id"),
            visited=Count("id", filter=~Q(result=Result.PENDING)),
            needs_found=Count("id", filter=Q(result=Result.NEEDS_FOUND)),
            referred=Count("id", filter=Q(result=Result.REFERRED)),
        )
        .order_by("unit")
    )
    progress = [CampaignProgress(r["unit"], r["total"], r["visited"], r["needs_found"], r["referred"]) for r in rows]
    return _progress_suppressed(progress) if statistics_only(user) else progress


def _progress_suppressed(rows: list[CampaignProgress]) -> list[CampaignProgress]:
    """Above the county, households found in need or referred to a program, counted 1–4,
    are not shown. The cells of a village add up to the village's count, so within each
    village a single small one takes the next smallest with it."""
    hidden: dict[str, set[str]] = {r.org_code: set() for r in rows}
    for key in ("needs_found", "referred"):
        by_parent: dict[str, dict[str, int]] = {}
        for r in rows:
            by_parent.setdefault(r.org_code[:12] if len(r.org_code) > 12 else "", {})[r.org_code] = getattr(r, key)
        for values in by_parent.values():
            _shown, small = suppression.suppress_group(values)
            for code in small:
                hidden[code].add(key)
    return [CampaignProgress(r.org_code, r.total, r.visited,
                             None if "needs_found" in hidden[r.org_code] else r.needs_found,
                             None if "referred" in hidden[r.org_code] else r.referred,
                             tuple(sorted(hidden[r.org_code]))) for r in rows]


# --- emergency (issue 10): what core.emergency needs of the care records ----------------------


def enrollments_of_people(person_ids) -> QuerySet[Enrollment]:
    """Every enrollment of these people (for the links of emergency grants; reading one
    goes through access_enrollment, which checks the grant)."""
    return Enrollment.objects.filter(person_id__in=list(person_ids)).only("id", "person_id").order_by("-start_date", "-id")


def team_officers_of_person(person_id: int) -> list:
    """The officers on the care teams of the person's active enrollments."""
    from gridgov.core.models import User

    return list(User.objects.filter(
        is_active=True, care_teams__enrollment__person_id=person_id, care_teams__removed_at__isnull=True,
        care_teams__role=TeamRole.OFFICER, care_teams__enrollment__status=Enrollment.Status.ACTIVE,
    ).distinct())


def officer_of_person(user, person_id: int) -> bool:
    """The person's own program officer: one who manages enrollments and has one of this
    person's enrollments in their area (for the person's access log)."""
    if not has_capability(user, Capability.MANAGE_ENROLLMENTS) or statistics_only(user):
        return False
    return Enrollment.objects.in_area_of(user).filter(person_id=person_id).exists()


# rights (issue 10): the register's retention rule leaves alone whom the care programs still hold.
def person_ids_held_by_care() -> QuerySet:
    """The people with an enrollment not yet anonymised (active, or ended but still within its
    own retention period), as a subquery of person ids."""
    return Enrollment.objects.filter(anonymised_at__isnull=True).values("person_id")


# --- Masking: nothing that implies the program or health (hostile, issue 10) ---------------------
# One function per object; every API shape and page goes through them. For a viewer without
# the details (`details_visible` false, e.g. a grid worker): a hospital stay reads as being
# away from home (status "away", period kind "away"), a crisis outcome as "closed" (never
# "admitted" or "unlocked"), the team's clinical and legal members, visits at the clinic and
# who made them as "***". Counts over an area fold "hospitalized" into "away" for roles that
# lack VIEW_CARE_DETAILS (their "hospitalized" count is null).

MASKED_OUTCOME = "closed"
# Roles that tell why someone is in care even in a program that is not itself sensitive.
TELLING_TEAM_ROLES = frozenset({TeamRole.DOCTOR, TeamRole.PSYCHIATRIST, TeamRole.POLICE_LIAISON})
PLAIN_TEAM_ROLES = frozenset({TeamRole.GRID_WORKER, TeamRole.FAMILY, TeamRole.GUARDIAN})
TELLING_VISIT_FORMS = frozenset({"clinic"})
PLAIN_REPORTERS = frozenset({Crisis.ReportedBy.GRID_WORKER, Crisis.ReportedBy.FAMILY, Crisis.ReportedBy.OTHER})


def masks_health(user) -> bool:
    """Whether aggregates for this user hide health facts (no VIEW_CARE_DETAILS)."""
    return not has_capability(user, Capability.VIEW_CARE_DETAILS)


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


METRIC_COUNTS = ("overdue", "unmanaged", "seen_90_days", "hospitalized", "crises", "resettled", "employed")
METRIC_RATES = {"management_rate": {"enrolled", "unmanaged"}, "visit_coverage": {"enrolled", "seen_90_days"},
                "resettlement_rate": {"enrolled", "resettled"}, "employment_rate": {"enrolled", "employed"}}


def metrics_suppressed(rows: list[dict]) -> list[dict]:
    """Care metrics with counts 1–4 (and what would give them back) null, each row naming
    its hidden keys in `suppressed`. The programs' `enrolled` add up to the area's total (the
    daily map's counts), and crisis outcomes to `crises`: each is suppressed as a group."""
    enrolled, hidden_rows = suppression.suppress_group({i: row["enrolled"] for i, row in enumerate(rows)})
    result = []
    for i, row in enumerate(rows):
        counts, hidden = suppression.suppress_group({k: row[k] for k in METRIC_COUNTS if k in row},
                                                    complementary=False)
        if i in hidden_rows:
            hidden.add("enrolled")
        outcomes, hidden_outcomes = suppression.suppress_group(dict(row.get("crisis_outcomes") or {}))
        hidden |= {f"crisis_outcomes.{k}" for k in hidden_outcomes}
        rates = {rate: None if parts & hidden else row[rate] for rate, parts in METRIC_RATES.items() if rate in row}
        hidden |= {rate for rate, parts in METRIC_RATES.items() if rate in row and parts & hidden}
        result.append({**row, **counts, **rates, "enrolled": enrolled[i], "crisis_outcomes": outcomes,
                       "suppressed": sorted(hidden)})
    return result


def away_since(enrollment: Enrollment, *, details_visible: bool):
    """The day the person left home, a hospital admission included where masked."""
    if details_visible:
        return enrollment.away_since
    return enrollment.hospitalized_since or enrollment.away_since


def period_kind(period: StatusPeriod, *, details_visible: bool) -> str:
    return period.kind if details_visible else StatusPeriod.Kind.AWAY


def team_member_view(enrollment: Enrollment, member: TeamMember, *, details_visible: bool, viewer=None) -> dict:
    """username, name, contact and role of one team member as the viewer may see them."""
    account = member.user if member.user_id else None
    name = account.label if account else member.name
    if details_visible or (viewer is not None and member.user_id == getattr(viewer, "pk", None)):
        return {"username": account.username if account else None, "name": name, "contact": member.contact,
                "role": member.role, "masked": False}
    telling = (member.role not in PLAIN_TEAM_ROLES if enrollment.program in SENSITIVE_PROGRAMS
               else member.role in TELLING_TEAM_ROLES)
    if telling:
        # Their username and name ("doctor", "李医生") would say what the role hides.
        return {"username": None, "name": MASKED, "contact": masking.mask_phone(member.contact), "role": MASKED,
                "masked": True}
    return {"username": account.username if account else None,
            "name": name if account else masking.mask_name(name),
            "contact": masking.mask_phone(member.contact), "role": member.role, "masked": False}


def visit_view(visit: Visit, *, details_visible: bool, viewer=None) -> dict:
    """How and by whom a visit was made, as the viewer may see it."""
    own = viewer is not None and visit.visited_by_id == getattr(viewer, "pk", None)
    if details_visible or own:
        by = visit.visited_by if visit.visited_by_id else None
        return {"form": visit.form, "visited_by": by.username if by else None, "by_label": by.label if by else ""}
    return {"form": MASKED if visit.form in TELLING_VISIT_FORMS else visit.form,
            "visited_by": MASKED if visit.visited_by_id else None, "by_label": MASKED if visit.visited_by_id else ""}


def crisis_outcome(crisis: Crisis, *, details_visible: bool) -> str:
    """"" while open; the outcome, or "closed" where the details are masked."""
    if not crisis.outcome:
        return ""
    return crisis.outcome if details_visible else MASKED_OUTCOME


def crisis_reported_by(crisis: Crisis, *, details_visible: bool) -> str:
    """Who reported it; a doctor or the police read as "other" where masked."""
    if details_visible or crisis.reported_by in PLAIN_REPORTERS:
        return crisis.reported_by
    return Crisis.ReportedBy.OTHER


def crisis_alerted(crisis: Crisis, *, details_visible: bool, viewer=None) -> list[str]:
    """The usernames alerted; masked ones (a "doctor") as "***", the viewer's own kept."""
    own = getattr(viewer, "username", None)
    return [u if details_visible or u == own else MASKED for u in crisis.alerted or []]


def metrics_masked(rows: list[dict]) -> list[dict]:
    """Care metrics for roles without the details: no hospital counts, crisis outcomes only
    as open or closed."""
    masked = []
    for row in rows:
        outcomes = row.get("crisis_outcomes") or {}
        opened = outcomes.get("open")
        closed = [n for key, n in outcomes.items() if key != "open"]
        folded = {}
        if opened is not None:
            folded["open"] = opened
        if closed:
            folded[MASKED_OUTCOME] = None if any(n is None for n in closed) else sum(closed)
        masked.append({**row, "hospitalized": None, "crisis_outcomes": folded})
    return masked


def consent_withdrawal_of(enrollment):
    """The recorded withdrawal of consent of an enrollment, or None."""
    from gridgov.care.models import ConsentWithdrawal

    return ConsentWithdrawal.objects.filter(enrollment=enrollment).first()


# care (issue 11): the high-risk rule of care.teams, for the workbench and the pages
def high_risk_unconfirmed_for(user) -> QuerySet[Enrollment]:
    """The high-risk cases the user may see whose team is incomplete or awaits a confirmation."""
    from gridgov.care.teams import high_risk_unconfirmed_for as unconfirmed

    return unconfirmed(user)


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
