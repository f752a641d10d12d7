"""Masking for viewers without the details: nothing that implies the program or health."""

from __future__ import annotations

from gridgov.care.models import Crisis, Enrollment, StatusPeriod, TeamMember, TeamRole, Visit
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.care.selectors.enrollments import MASKED
from gridgov.core import masking
from gridgov.core.permissions import Capability, has_capability

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
