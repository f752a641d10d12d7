"""Program badges on the register's one table, only for roles allowed to see them."""

from __future__ import annotations

from gridgov.care.models import Enrollment
from gridgov.care.programs import SENSITIVE_PROGRAMS, Program
from gridgov.core.permissions import Capability, has_capability


def care_badges(user, person_ids: list[int]) -> dict[int, list[str]]:
    from gridgov.care.selectors import statistics_only

    # Above the county nobody sees who is in a program, only counts.
    if not person_ids or not has_capability(user, Capability.VIEW_CARE) or statistics_only(user):
        return {}
    details = has_capability(user, Capability.VIEW_CARE_DETAILS)
    badges: dict[int, list[str]] = {}
    rows = (Enrollment.objects.in_area_of(user).filter(person_id__in=person_ids, status=Enrollment.Status.ACTIVE)
            .values_list("person_id", "program"))
    for person_id, program in rows:
        if program in SENSITIVE_PROGRAMS and not details:
            continue
        badges.setdefault(person_id, []).append(str(Program(program).label))
    return badges
