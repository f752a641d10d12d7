"""Validators for Chinese identifiers: resident ID (GB 11643-1999), mobile phone, org codes."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.core import orgcodes

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"
_RESIDENT_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_resident_id(value: str) -> str:
    return (value or "").strip().upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(value: str) -> datetime.date | None:
    """The birth date encoded in digits 7–14, or None if it is not a real date."""
    digits = normalize_resident_id(value)[6:14]
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def resident_id_gender(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd: male)."""
    return "M" if int(normalize_resident_id(value)[16]) % 2 else "F"


def resident_id_error(value: str, *, today: datetime.date | None = None) -> str | None:
    """Why a resident ID number is invalid, translated; None if it is valid."""
    value = normalize_resident_id(value)
    if not _RESIDENT_ID_SHAPE.match(value):
        return str(_("A resident ID number has 17 digits followed by a digit or X."))
    birth = resident_id_birth_date(value)
    today = today or datetime.date.today()
    if birth is None or birth > today or birth.year < 1880:
        return str(_("The birth date in this resident ID number is not a real date."))
    if resident_id_check_char(value[:17]) != value[17]:
        return str(_("The check digit of this resident ID number is wrong."))
    return None


def is_valid_resident_id(s: str) -> bool:
    return resident_id_error(s) is None


def validate_resident_id(value: str) -> None:
    error = resident_id_error(value)
    if error:
        raise ValidationError(error, code="invalid_resident_id")


def normalize_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def is_valid_mobile(value: str) -> bool:
    return bool(MOBILE_PATTERN.match(normalize_mobile(value)))


def validate_mobile(value: str) -> None:
    if not is_valid_mobile(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 13–19."),
            code="invalid_mobile",
        )


# The shape of an org-unit code and its validator live in core.orgcodes (one message).
ORG_CODE_PATTERN = orgcodes.ORG_CODE_PATTERN
validate_org_code_shape = orgcodes.validate_org_code
