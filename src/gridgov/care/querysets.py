"""Which care rows a user sees by name: `visible_to(user)` of each care table (the hooks of
`core.querysets.ScopedQuerySet`).

- Above the county, statistics only: `visible_to` is empty, `in_area_of` (what counts
  cover) is not.
- An enrollment: roles with VIEW_CARE_DETAILS see their area; other care roles (a grid
  worker) the cases on whose team they are and those living in their own grid cells; roles that
  `sees_team_only` (the police liaison) only the cases on whose team they are, wherever.
- Visits, crises and consent withdrawals: those of the enrollments the user sees.
- Payments: the area of an officer below the county. Handovers: into or out of the area.
- Campaigns: over or covering an officer's area; a grid worker's those with households on
  their list, and of the items their own.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from gridgov.core.models import ScopedQuerySet
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.querysets import area_q, filter_q, scope_of

COUNTY_CODE_LENGTH = 6



def statistics_only(user) -> bool:
    """Users above the county see numbers, never names."""
    return len(scope_of(user)) < COUNTY_CODE_LENGTH


def sees_team_only(user) -> bool:
    """THE HOOK for roles that see care cases by team membership alone, never an area's
    (DESIGN, People; issue 11 §C: the police liaison, VIEW_CARE without the statistics or the
    details). Their cases are those of their teams, wherever those are."""
    return (has_capability(user, Capability.VIEW_CARE) and not has_capability(user, Capability.VIEW_CARE_STATISTICS)
            and not has_capability(user, Capability.VIEW_CARE_DETAILS))


def on_team(user) -> Exists:
    """The enrollments on whose current care team the user is (a subquery, no join)."""
    from gridgov.care.models import TeamMember

    return Exists(TeamMember.objects.filter(enrollment=OuterRef("pk"), user=user, removed_at__isnull=True))


def manages_campaigns(user) -> bool:
    return has_capability(user, Capability.MANAGE_ENROLLMENTS)


class EnrollmentQuerySet(ScopedQuerySet):
    def visibility(self, user) -> Q | None:
        if statistics_only(user):  # above the county, a team-only role too (security review, issue 11)
            return None
        if sees_team_only(user):
            return Q(on_team(user))
        area = area_q(user)
        if area is None or statistics_only(user) or not has_capability(user, Capability.VIEW_CARE):
            return None
        if has_capability(user, Capability.VIEW_CARE_DETAILS):
            return area
        # A grid worker: the people on whose team they are, and those living in their cells
        # (the cells read once per request, shared with the home page: core.selectors).
        from gridgov.core.selectors import grid_cells_of

        cells = grid_cells_of(user)
        return area & (Q(on_team(user)) | Q(org_code__in=cells))

    def readable_by(self, user):
        """Where `access_*` looks for one enrollment before `may_see`: the user's area, or
        the cases of a team-only role's teams."""
        return self.visible_to(user) if sees_team_only(user) else self.in_area_of(user)

    def may_see(self, user, enrollment) -> bool:
        """`visible_to` for one enrollment read with `readable_by`: the team and cell
        checks as queries on that row only."""
        if statistics_only(user) or not has_capability(user, Capability.VIEW_CARE):
            return False
        if has_capability(user, Capability.VIEW_CARE_DETAILS):
            return True
        on_team = enrollment.team.filter(user=user, removed_at__isnull=True).exists()
        return on_team or user.grid_assignments.filter(cell_id=enrollment.org_code).exists()


class EnrollmentRecordQuerySet(ScopedQuerySet):
    """Rows of one enrollment's record (visits, crises, consent withdrawals, schedules,
    mentors): visible with their enrollment, wherever they were recorded (before a handover
    too). `enrollment_field` is the path to it."""

    enrollment_field = "enrollment"

    def visibility(self, user) -> Q | None:
        from gridgov.care.models import Enrollment

        enrollments = Enrollment.objects.visible_to(user)
        if enrollments.query.is_empty():
            return None
        return Q(**{f"{self.enrollment_field}__in": enrollments.values("pk")})


class ScheduleRecordQuerySet(EnrollmentRecordQuerySet):
    enrollment_field = "schedule__enrollment"


class CareAreaQuerySet(ScopedQuerySet):
    """Care rows of an area seen by name (payments, family files): below the county only."""

    def visibility(self, user) -> Q | None:
        return None if statistics_only(user) else area_q(user)

    def would_show(self, user, org_code: str) -> bool:
        """Whether a row at `org_code` would be in `visible_to(user)`: the same rule for a row
        about to be written (a family file opened for a household)."""
        from gridgov.core.permissions import in_scope

        return not statistics_only(user) and in_scope(user, org_code)


PaymentQuerySet = CareAreaQuerySet


class HandoverQuerySet(ScopedQuerySet):
    """Handovers into or out of the user's area (they carry two codes, no `org_code`)."""

    scope_field = "to_org_code"

    def visibility(self, user) -> Q | None:
        into, out_of = area_q(user, "to_org_code"), area_q(user, "from_org_code")
        return None if into is None else into | out_of

    def into_area_of(self, user):
        return filter_q(self, area_q(user, "to_org_code"))

    def out_of_area_of(self, user):
        return filter_q(self, area_q(user, "from_org_code"))


class CampaignQuerySet(ScopedQuerySet):
    with_ancestors = True  # a campaign over the township covers the village

    def visibility(self, user) -> Q | None:
        if not scope_of(user):
            return None
        if manages_campaigns(user):
            return area_q(user, with_ancestors=True)
        from gridgov.care.models import CampaignItem

        return Q(Exists(CampaignItem.objects.filter(campaign=OuterRef("pk"), assignee=user)))  # their list


class CampaignItemQuerySet(ScopedQuerySet):
    """An officer's items: every one of the area (none above the county); a grid worker's:
    their own list. Counts cover an officer's area at every level (`in_area_of`)."""

    def visibility(self, user) -> Q | None:
        if manages_campaigns(user):
            return None if statistics_only(user) else area_q(user)
        if user is None or not user.is_authenticated:
            return None
        return Q(assignee=user)

    def counted_for(self, user):
        """The items a campaign's counts cover for the user (statistics at every level)."""
        if manages_campaigns(user):
            return self.in_area_of(user)
        return self.visible_to(user)
