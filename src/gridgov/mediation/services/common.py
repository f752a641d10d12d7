"""What every write of mediation checks its input with (`core.service_input`), with the
length of a mediation text by default."""

from __future__ import annotations

from gridgov.core import service_input
from gridgov.core.service_input import clean_mobile, invalid

MAX_TEXT = 4000

__all__ = ["MAX_TEXT", "clean_mobile", "clean_text", "invalid"]


def clean_text(value: str, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    return service_input.clean_text(value, field=field, limit=limit, required=required)
