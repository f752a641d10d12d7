"""What the record of processing (`core.processing`) reads off the care code: the closed
set of programs, which of them reveal health or criminal-record facts, and the default
retention of an enrollment."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.care.programs import SENSITIVE_PROGRAMS, Program


def care_processing_facts() -> dict:
    from gridgov.care.services import DEFAULT_RETENTION_YEARS

    return {
        "programs": [
            {"code": p.value, "name": str(p.label), "sensitive": p in SENSITIVE_PROGRAMS} for p in Program
        ],
        "retention": _(
            "Until the enrollment's retention date (by default %(years)d years after it starts); after the "
            "enrollment has ended, anonymised automatically past that date."
        ) % {"years": DEFAULT_RETENTION_YEARS},
    }
