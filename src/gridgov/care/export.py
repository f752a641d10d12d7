"""The care programs' part of a person's data export (PIPL art. 45).

`person_care_data` is the care section of the export that covers every app
(`core.exports`, registered in `care.apps`; only roles with `VIEW_CARE_DETAILS` get it).
`person_care_export` is the care-only view of the same export (the person's record and
their enrollments), behind `/people/{id}/care-export/` and the care page: the same
purpose, the same audit entry, the same bulk-use hold.
"""

from __future__ import annotations

from gridgov.care.models import Enrollment
from gridgov.core import exports
from gridgov.core.exports import as_data, as_json  # noqa: F401  (re-exported for the views)


def person_care_data(*, person) -> dict:
    """Everything the care programs hold about a person."""
    data = []
    enrollments = Enrollment.objects.filter(person=person).order_by("start_date", "id").prefetch_related(
        "visits", "crises", "team__user", "payments", "handovers", "schedules__records", "mentors"
    )
    for enrollment in enrollments:
        data.append({
            "program": enrollment.program, "program_name": enrollment.get_program_display(),
            "status": enrollment.status, "start_date": enrollment.start_date,
            "end_date": enrollment.end_date, "legal_basis": enrollment.legal_basis, "consent": enrollment.consent,
            "retention_until": enrollment.retention_until, "details": enrollment.details,
            "team": [{"role": m.role, "user": m.user.username if m.user_id else m.name} for m in enrollment.team.all()],
            "visits": [{"date": v.date, "form": v.form, "notes": v.notes, "details": v.details, "needs": v.needs,
                        "help_given": v.help_given, "missed": v.missed} for v in enrollment.visits.all()],
            "crises": [{"occurred_at": c.occurred_at, "description": c.description, "outcome": c.outcome}
                       for c in enrollment.crises.all()],
            "handovers": [{"from": h.from_org_code, "to": h.to_org_code, "status": h.status, "due": h.due_date}
                          for h in enrollment.handovers.all()],
            "payments": [{"kind": p.kind, "amount": str(p.amount), "paid_on": p.paid_on}
                         for p in enrollment.payments.all()],
            # care (issue 11): schedules per person with their records, and a child's mentors
            "schedules": [{"kind": s.kind, "every_days": s.interval_days, "from": s.starts_on, "until": s.until,
                           "records": [{"date": r.done_on, "done": r.done, "result": r.result, "note": r.note}
                                       for r in s.records.all()]} for s in enrollment.schedules.all()],
            "mentors": [{"name": m.name, "organisation": m.organisation, "since": m.since, "until": m.until}
                        for m in enrollment.mentors.all()],
        })
    return {"enrollments": data}


def person_care_export(*, actor, person, purpose: str, note: str = "") -> dict:
    """The person's record and their care data, for a listed purpose (logged as
    `person.export`, counted towards bulk use)."""
    document = exports.person_export(actor=actor, person=person, purpose=purpose, note=note, sections=("care",))
    return {
        "exported_at": document["exported_at"],
        "purpose": document["purpose"],
        "person": document["person"],
        "enrollments": document["care"]["enrollments"],
    }


def filename(person) -> str:
    return exports.filename(person, "care")
