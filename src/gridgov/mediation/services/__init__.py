"""Writes of people's mediation, by subject: cases and their steps (cases.py), the life of an
agreement after settling and a case's attached pages (agreements.py).

Every function checks permission and scope first, then validates, and writes in one
transaction with its audit entry."""

from gridgov.mediation.services.agreements import (  # noqa: F401
    AGREEMENT,
    CASE_FILE,
    CONFIRMATION_WINDOW_DAYS,
    MAX_PAGES,
    agreement_sign,
    attachment_add,
    case_reopen,
    confirmation_apply,
    confirmation_decide,
    confirmation_window_closes,
    document_pdf,
    follow_up_record,
    invalid_pages,
)
from gridgov.mediation.services.cases import (  # noqa: F401
    MAX_PARTIES,
    TRACKING_ALPHABET,
    PartySpec,
    Result,
    case_accept,
    case_assign,
    case_conclude,
    case_decline,
    case_extend,
    case_from_event,
    case_open,
    case_request_online,
    case_transfer,
    check_step,
    committee_create,
    committee_serving,
    may_work_committee,
    mediator_add,
    party_add,
    person_merge_mediation_references,
    schedule_follow_up,
    session_record,
)
from gridgov.mediation.services.statistics import statistics_export_record  # noqa: F401
