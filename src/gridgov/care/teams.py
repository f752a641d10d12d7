"""Care teams as the law and the cities set them (issue 11).

- A police liaison (社区民警) member must hold the police-liaison role, and an account whose
  only care role is the police liaison's joins a team as nothing else: the role sees the
  cases of its teams only (core.permissions), so it must never stand in for a clinician.
- A high-risk case (severe mental disorder, risk level ≥ 3) counts as managed only with its
  full team — a grid worker, a police liaison, a psychiatric (or community mental-health)
  doctor, and a family member or guardian — every one of whom has confirmed the case.
- A visit that raises the risk to 3 or more alerts the team and asks each member to confirm
  again (the confirmations are reset).
- A family member or guardian has no account: a team member records their confirmation
  on their behalf, with how it was given (in person, by phone, by video, in writing).

Reads (`team_state`, `high_risk_unconfirmed_for`) and writes (`team_confirm_on_behalf`,
`team_reconfirm_after_risk_raise`) of this rule live here, away from services.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.care.models import Enrollment, TeamMember, TeamRole
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import Role
from gridgov.core.orgnames import org_name_paths

# The four places of a high-risk team (DOMAIN.md "Severe mental disorder follow-up"), each
# filled by any of its roles.
FULL_TEAM: tuple[tuple[str, frozenset[str], object], ...] = (
    ("grid_worker", frozenset({TeamRole.GRID_WORKER}), gettext_lazy("grid worker")),
    ("police_liaison", frozenset({TeamRole.POLICE_LIAISON}), gettext_lazy("police liaison")),
    ("doctor", frozenset({TeamRole.PSYCHIATRIST, TeamRole.DOCTOR}), gettext_lazy("psychiatric doctor")),
    ("family", frozenset({TeamRole.FAMILY, TeamRole.GUARDIAN}), gettext_lazy("family member or guardian")),
)
ON_BEHALF_ROLES = frozenset({TeamRole.FAMILY, TeamRole.GUARDIAN})
CONFIRMATION_CHANNELS = ("in_person", "phone", "video", "in_writing")


# --- Who may take which place on a team ----------------------------------------------------------


def check_member_role(member_role: str, user) -> str | None:
    """The error of putting `user` on a team as `member_role`, or None."""
    if user is None:
        if member_role == TeamRole.POLICE_LIAISON:
            return _("A police liaison joins the team with their account.")
        return None
    roles = user.roles
    if member_role == TeamRole.POLICE_LIAISON and Role.POLICE_LIAISON not in roles:
        return _("Only an account with the police-liaison role can be the team's police liaison.")
    if member_role != TeamRole.POLICE_LIAISON and roles and roles <= {Role.POLICE_LIAISON}:
        return _("A police liaison's account joins a team only as its police liaison.")
    return None


# --- The state of a high-risk team -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamState:
    high_risk: bool
    missing: tuple[str, ...]  # labels of the places nobody fills
    waiting: tuple[TeamMember, ...]  # current members still to confirm

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def managed(self) -> bool:
        """A high-risk case counts as managed only with its full team, all confirmed."""
        return not self.high_risk or (not self.missing and not self.waiting)


def team_state(enrollment: Enrollment, members) -> TeamState:
    """The state of the team from its current members (no query)."""
    roles = {m.role for m in members}
    missing = tuple(str(label) for _key, place, label in FULL_TEAM if not roles & place)
    waiting = tuple(m for m in members if m.acknowledged_at is None)
    return TeamState(high_risk=bool(enrollment.high_risk), missing=missing if enrollment.high_risk else (),
                     waiting=waiting)


def _confirmed_place(place: frozenset[str]) -> Exists:
    return Exists(TeamMember.objects.filter(enrollment=OuterRef("pk"), removed_at__isnull=True,
                                            role__in=place))


def full_team_confirmed_q() -> Q:
    """Enrollments whose every place is filled and whose every current member confirmed (SQL)."""
    q = ~Exists(TeamMember.objects.filter(enrollment=OuterRef("pk"), removed_at__isnull=True,
                                          acknowledged_at__isnull=True))
    for _key, place, _label in FULL_TEAM:
        q &= _confirmed_place(place)
    return Q(q)


def unmanaged_high_risk_q() -> Q:
    """High-risk enrollments that do not (yet) count as managed."""
    return Q(high_risk=True) & ~full_team_confirmed_q()


def knows_risk(user) -> bool:
    """Whether the user may know that a case is high-risk: those who see the details, and the
    police liaison (its safety role reads the risk of its own teams' cases). A grid worker
    sees that a person needs a visit, not why (security review, issue 11)."""
    from gridgov.care.querysets import sees_team_only
    from gridgov.core.permissions import Capability, has_capability

    return has_capability(user, Capability.VIEW_CARE_DETAILS) or sees_team_only(user)


def high_risk_unconfirmed_for(user) -> QuerySet[Enrollment]:
    """The high-risk cases the user may see whose team is incomplete or awaits a confirmation
    (for the workbench and the officer's page): the officer's area, or a team member's own."""
    from gridgov.care.selectors import enrollments_visible_to
    from gridgov.core.permissions import Capability, has_capability

    if not has_capability(user, Capability.VIEW_CARE) or not knows_risk(user):
        return Enrollment.objects.none()
    return (enrollments_visible_to(user).filter(unmanaged_high_risk_q()).select_related("person")
            .order_by("next_due_date", "id"))


# --- Writes ---------------------------------------------------------------------------------------


def may_confirm_for(user, enrollment: Enrollment) -> bool:
    """A member of the team, or the officer of the area, records a family member's confirmation."""
    from gridgov.core.permissions import Capability, has_capability, in_scope

    if has_capability(user, Capability.MANAGE_ENROLLMENTS) and in_scope(user, enrollment.org_code):
        return True
    return enrollment.team.filter(user=user, removed_at__isnull=True).exists()


def team_confirm_on_behalf(*, actor, member: TeamMember, how: str) -> TeamMember:
    """A team member records the confirmation of a family member or guardian (no account)."""
    from gridgov.care.audit_actions import CareAudit

    enrollment = member.enrollment
    if not may_confirm_for(actor, enrollment):
        raise Forbidden(_("Only a member of this care team records a confirmation."))
    if member.role not in ON_BEHALF_ROLES or member.user_id is not None or member.removed_at is not None:
        raise DomainError(_("Only a family member or guardian without an account confirms through the team."),
                          ErrorCode.INVALID, {"member": [_("Choose a family member or guardian of the team.")]})
    if how not in CONFIRMATION_CHANNELS:
        message = _("Say how the confirmation was given.")
        raise DomainError(message, ErrorCode.INVALID, {"how": [message]})
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().get(pk=member.pk)
        if member.acknowledged_at is not None:
            raise DomainError(_("This member has already confirmed the case."), ErrorCode.CONFLICT)
        member.acknowledged_at, member.acknowledged_by, member.acknowledged_how = timezone.now(), actor, how
        member.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_how"])
        audit_record(actor=actor, action=CareAudit.ACKNOWLEDGE_ON_BEHALF, obj=enrollment,
                     object_repr=f"#{enrollment.pk}", org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"member": member.pk, "role": member.role, "how": how})
    member.enrollment = enrollment
    return member


def team_reconfirm_after_risk_raise(*, actor, enrollment: Enrollment, old_level: int, new_level: int,
                                    high_risk_level: int = 3) -> bool:
    """Inside the visit's transaction: when a visit raises the risk to the high-risk level or
    above, every current member's confirmation is reset and the team is alerted to confirm
    again. Returns whether it happened."""
    from gridgov.care.audit_actions import CareAudit
    from gridgov.care.services import _alert_team

    if new_level < high_risk_level or new_level <= old_level:
        return False
    reset = enrollment.team.filter(removed_at__isnull=True, acknowledged_at__isnull=False).update(
        acknowledged_at=None, acknowledged_by=None, acknowledged_how="")
    audit_record(actor=actor, action=CareAudit.RECONFIRM, obj=enrollment, object_repr=f"#{enrollment.pk}",
                 org_code=enrollment.org_code, person_id=enrollment.person_id, changes={"reset": reset})
    _alert_team(enrollment, kind="care_reconfirm", text=_(
        "The situation of a person in your care (%(area)s) changed: please confirm the case again.")
        % {"area": org_name_paths([enrollment.org_code])[enrollment.org_code]})  # names, not codes
    return True


# --- The police liaison's contact visit -------------------------------------------------------------

# The programs where the police liaison records a contact visit of its own (a program's
# settings may say otherwise with `police_contact_visits`): a community-corrections check-in
# is the justice officer's, and children, youth and the elderly are seen by their carers.
POLICE_CONTACT_VISIT_PROGRAMS = frozenset({"smd", "reentry", "drug_rehab"})


def is_police_member(user, enrollment: Enrollment) -> bool:
    return enrollment.team.filter(user=user, removed_at__isnull=True, role=TeamRole.POLICE_LIAISON).exists()


def contact_visit_allowed(actor, enrollment: Enrollment) -> bool:
    """False for a police liaison in a program that gives it no visits of its own."""
    from gridgov.care.services import program_settings
    from gridgov.core.permissions import Capability, has_capability

    if has_capability(actor, Capability.VIEW_CARE_DETAILS) or not is_police_member(actor, enrollment):
        return True
    return bool(program_settings(enrollment.program).get("police_contact_visits",
                                                         enrollment.program in POLICE_CONTACT_VISIT_PROGRAMS))


def check_contact_visit_allowed(actor, enrollment: Enrollment) -> None:
    """A police liaison records a contact visit only where the program allows it."""
    if not contact_visit_allowed(actor, enrollment):
        raise Forbidden(_("In this program the police liaison does not record visits."))


# --- What the team's safety members read (the page and the API) ----------------------------------------


def safety_facts(user, enrollment: Enrollment, *, details_visible: bool) -> dict | None:
    """The risk level and the home address, for the police liaison on the team and for those
    who see the details; None for anyone else (to a grid worker the risk level would tell)."""
    if not (details_visible or is_police_member(user, enrollment)):
        return None
    level = (enrollment.details or {}).get("risk_level") if enrollment.program == "smd" else None
    return {"risk_level": level, "address": enrollment.person.address or ""}


def team_state_view(enrollment: Enrollment, members, *, shown: bool) -> dict | None:
    """The high-risk team's state as the API gives it (None where it would tell, or not high-risk)."""
    if not shown or not enrollment.high_risk:
        return None
    state = team_state(enrollment, members)
    roles = {m.role for m in members}
    return {"managed": state.managed, "missing": [key for key, place, _label in FULL_TEAM if not roles & place],
            "waiting": len(state.waiting)}
