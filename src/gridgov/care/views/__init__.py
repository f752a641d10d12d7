"""HTML pages of the care programs (thin: parse, call a selector or service, render)."""

from gridgov.care.views.numbers import enrollment_payments, metrics, payments
from gridgov.care.views.officer import enroll, handover_accept, handover_reject, officer
from gridgov.care.views.record import (
    enrollment_acknowledge,
    enrollment_detail,
    enrollment_exit,
    enrollment_open,
    enrollment_status,
    handover_create,
    team_add,
    team_remove,
    visit_photo,
)
from gridgov.care.views.today import today_map, today_people
from gridgov.care.views.visits import crisis_action, crisis_detail, crisis_new, visit_new

__all__ = [
    "crisis_action", "crisis_detail", "crisis_new", "enroll", "enrollment_acknowledge", "enrollment_detail",
    "enrollment_exit", "enrollment_open", "enrollment_payments", "enrollment_status", "handover_accept",
    "handover_create", "handover_reject", "metrics", "officer", "payments", "team_add", "team_remove",
    "today_map", "today_people", "visit_new", "visit_photo",
]
