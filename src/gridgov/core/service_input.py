"""What writes of several apps check their input with (mediation, the points bank): text of a
bounded length, a mobile number; errors as `core.exceptions.DomainError` with the field named
(field → messages), which the API and the pages show next to the field."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.validators import normalize_mobile, validate_mobile


def invalid(field: str, message: str) -> DomainError:
    return DomainError(message, ErrorCode.INVALID, {field: [message]})


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid(field, _("This field is required."))
    if len(text) > limit:
        raise invalid(field, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def clean_mobile(value: str, *, field: str) -> str:
    from django.core.exceptions import ValidationError

    phone = normalize_mobile(value or "")
    try:
        validate_mobile(phone)
    except ValidationError as error:
        raise invalid(field, " ".join(error.messages)) from error
    return phone
