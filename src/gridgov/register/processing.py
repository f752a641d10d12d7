"""What the record of processing (`core.processing`) reads off the register's code: the
retention rules of `register.retention`, in years from the settings."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _


def register_retention_facts() -> dict:
    from gridgov.register.retention import rules

    years = asdict(rules())
    return {
        "retention": _(
            "Anonymised %(moved_out)d years after the person last lived in a household here, %(died)d years "
            "after their death, or, for a dissolved household, %(dissolved)d years after it was dissolved "
            "(never while a care enrollment, a building, a place or a correction request still needs them)."
        ) % years,
    }
