"""What every write of mediation checks its input with: text of a bounded length, a mobile
number; errors in the shape of `core.exceptions.DomainError` (field → messages)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.validators import normalize_mobile, validate_mobile

MAX_TEXT = 4000


def clean_text(value: str, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        message = _("This field is required.")
        raise DomainError(message, ErrorCode.INVALID, {field: [message]})
    if len(text) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise DomainError(message, ErrorCode.INVALID, {field: [message]})
    return text


def invalid(field: str, message: str) -> DomainError:
    return DomainError(message, ErrorCode.INVALID, {field: [message]})


def clean_mobile(value: str, *, field: str) -> str:
    from django.core.exceptions import ValidationError

    phone = normalize_mobile(value or "")
    try:
        validate_mobile(phone)
    except ValidationError as error:
        raise invalid(field, " ".join(error.messages)) from error
    return phone
