"""Org-unit codes as strings: the one place that knows their shape.

A code is a materialized path, stored unpadded: the 12-digit statistical division code
(province 2, city 2, county 2, township 3, village 3 digits) and a 3-digit grid number, so
that every ancestor's code is a prefix of its descendants' (`32` › `3205` › `320583` ›
`320583102` › `320583102001` › `320583102001003`).

Pure functions, no database: `level_of`, `parent_code`, `ancestor_codes`, `is_org_code`,
and the form/model validator with its one message.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# The code length of each level, from the province down to the grid cell.
LEVEL_LENGTHS: tuple[int, ...] = (2, 4, 6, 9, 12, 15)
LEVEL_NAMES: tuple[str, ...] = ("province", "city", "county", "township", "village", "grid")  # = OrgLevel values
LEVEL_BY_LENGTH: dict[int, str] = dict(zip(LEVEL_LENGTHS, LEVEL_NAMES, strict=True))
LENGTH_BY_LEVEL: dict[str, int] = dict(zip(LEVEL_NAMES, LEVEL_LENGTHS, strict=True))

COUNTY_LENGTH = LENGTH_BY_LEVEL["county"]
TOWNSHIP_LENGTH = LENGTH_BY_LEVEL["township"]
VILLAGE_LENGTH = LENGTH_BY_LEVEL["village"]
GRID_LENGTH = LENGTH_BY_LEVEL["grid"]

ORG_CODE_PATTERN = re.compile(r"^(?:" + "|".join(f"[0-9]{{{n}}}" for n in LEVEL_LENGTHS) + r")$")
ORG_CODE_MESSAGE = gettext_lazy("An org-unit code has 2, 4, 6, 9, 12 or 15 digits.")


def is_org_code(code: str | None) -> bool:
    return bool(ORG_CODE_PATTERN.match(code or ""))


def validate_org_code(value: str) -> None:
    """The validator of every org-code field (forms, models, serializers)."""
    if not is_org_code(value):
        raise ValidationError(ORG_CODE_MESSAGE, code="invalid_org_code")


def level_of(code: str | None) -> str | None:
    """The level (an `OrgLevel` value) of a well-formed code, else None."""
    return LEVEL_BY_LENGTH.get(len(code or "")) if (code or "").isdigit() else None


def parent_code(code: str | None) -> str | None:
    """The code one level up; None for a province (or a malformed code)."""
    code = code or ""
    if len(code) not in LEVEL_BY_LENGTH:
        return None
    shorter = [n for n in LEVEL_LENGTHS if n < len(code)]
    return code[: shorter[-1]] if shorter else None


def ancestor_codes(code: str | None, *, include_self: bool = False) -> list[str]:
    """The codes above `code`, from the province down (and `code` itself with include_self)."""
    code = code or ""
    return [code[:n] for n in LEVEL_LENGTHS if n < len(code) or (include_self and n == len(code))]


def org_code_form_field(label, *, required: bool = False, **kwargs):
    """A form field for an org-unit code typed in (digits on a phone's keyboard), with the
    org-unit picker beside it (tree and search by name or pinyin initials, issue 11)."""
    from django import forms

    from gridgov.core.picker_widgets import OrgUnitPicker

    return forms.RegexField(
        label=label, regex=ORG_CODE_PATTERN, required=required, max_length=GRID_LENGTH,
        error_messages={"invalid": ORG_CODE_MESSAGE},
        widget=kwargs.pop("widget", None) or OrgUnitPicker(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **kwargs,
    )
