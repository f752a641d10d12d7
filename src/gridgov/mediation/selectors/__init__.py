"""Reads of mediation, scoped, by subject: cases and committees (cases.py)."""

from gridgov.mediation.selectors.cases import (  # noqa: F401
    MEDIATION_ROLES,
    access_case,
    access_committee,
    cases_for,
    committees_for,
)
