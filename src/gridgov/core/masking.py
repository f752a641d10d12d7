"""Masking of sensitive values for roles that may not see them in full."""

import datetime




def mask_resident_id(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first six characters (district and street, usually), hide the rest."""
    if not value:
        return ""
    keep = min(6, max(len(value) // 3, 1))
    return value[:keep] + "****"


def mask_birth_date(value: datetime.date | None, *, full: bool = False) -> str:
    if value is None:
        return ""
    return value.isoformat() if full else f"{value.year:04d}-**-**"
