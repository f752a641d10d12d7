"""Reads of mediation, scoped, by subject: cases and committees (cases.py)."""

from gridgov.mediation.selectors.cases import (  # noqa: F401
    MEDIATION_ROLES,
    access_case,
    access_committee,
    case_list,
    case_of_event,
    case_page,
    cases_for,
    committee_mediators,
    committees_for,
    committees_of_area,
    committees_worked_by,
    sessions_of,
    transfer_targets,
)
