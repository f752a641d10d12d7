"""Who sees which enrollment, and whether its details (`access_enrollment`, `may_see_details`);
what `core.emergency` and the register's retention need of the care records."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.utils.translation import gettext as _

from gridgov.care.models import Enrollment, TeamMember, TeamRole
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.care.querysets import sees_team_only as team_only
from gridgov.care.querysets import statistics_only
from gridgov.core import masking
from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, has_capability, in_scope, require

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


def exit_reason_text(enrollment: Enrollment) -> str:
    """Why an enrollment ended, in the reader's language: the officer's own words, or the way
    it ended (its `exit_code`); "" while it lasts."""
    if enrollment.exit_reason or not enrollment.exit_code:
        return enrollment.exit_reason
    return str(enrollment.get_exit_code_display())


def masked_name(user, enrollment: Enrollment) -> str:
    return enrollment.person.name if has_capability(user, Capability.VIEW_PERSON_NAMES) else masking.mask_name(
        enrollment.person.name)


def with_details_visible(user, qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate `details_visible` (may_see_details, in SQL) so that a list of rows from the
    user's own scope needs no query per row."""
    if has_capability(user, Capability.VIEW_CARE_DETAILS):
        return qs.annotate(details_visible=Value(True, output_field=BooleanField()))
    clinical = TeamMember.objects.filter(enrollment=OuterRef("pk"), user=user, removed_at__isnull=True,
                                         role__in=CLINICAL_TEAM_ROLES)
    return qs.annotate(details_visible=Exists(clinical))


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


def consent_withdrawal_of(enrollment):
    """The recorded withdrawal of consent of an enrollment, or None."""
    from gridgov.care.models import ConsentWithdrawal

    return ConsentWithdrawal.objects.filter(enrollment=enrollment).first()


# care (issue 11): the high-risk rule of care.teams, for the workbench and the pages
def high_risk_unconfirmed_for(user) -> QuerySet[Enrollment]:
    """The high-risk cases the user may see whose team is incomplete or awaits a confirmation."""
    from gridgov.care.teams import high_risk_unconfirmed_for as unconfirmed

    return unconfirmed(user)
