"""Writes of people's mediation, by subject: cases and their agreements (cases.py).

Every function checks permission and scope first, then validates, and writes in one
transaction with its audit entry."""

from gridgov.mediation.services.cases import (  # noqa: F401
    TRACKING_ALPHABET,
    PartySpec,
    Result,
    case_accept,
    case_assign,
    case_conclude,
    case_decline,
    case_extend,
    case_open,
    case_request_online,
    case_transfer,
    committee_create,
    committee_serving,
    may_work_committee,
    mediator_add,
    person_merge_mediation_references,
    session_record,
)
