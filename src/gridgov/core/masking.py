"""Masking of sensitive values for roles that may not see them in full.

Every mask keeps the value's length and shows hidden characters as `*`, so that clients
handle one shape (CONTRACTS "Masking"). What a mask shows is chosen so that the values a
masked row does not show stay too many to try, *together with everything else the same
role sees* about that person: the org code (their county), the masked birth date (the
year), the gender and the age in the one table.

Resident ID (GB 11643: 6 digits of region, 8 of birth date, 3 of sequence, 1 check
digit): the mask shows the first 4 (province and city, which the org code gives away
anyway) and the check digit, never a birth digit and never the sequence. Someone who
knows the county, the birth year and the gender still lacks the month and day (365) and
the sequence (500 for one gender): 182,500 numbers, of which the check digit keeps one
in eleven, about 16,600. (The old mask showed the sequence as well and left about 30.)

Mobile phone (3 digits of carrier prefix, 4 of area, 4 of subscriber): the mask shows the
prefix and the last 2 digits, leaving 1,000,000 numbers (the old one left 10,000).

These counts are what an exact search would have to try; exact searches are also limited
to roles that may open the full record, audited and rate-limited (see
`core.services.check_people_search`), so masks are the second line, not the only one.
"""

import datetime

RESIDENT_ID_SHOWN_HEAD = 4
RESIDENT_ID_SHOWN_TAIL = 1
PHONE_SHOWN_HEAD = 3
PHONE_SHOWN_TAIL = 2


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail + 4:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


def mask_resident_id(value: str) -> str:
    """`32058319900101123X` → `3205*************X` (same length)."""
    if not value:
        return ""
    return _keep(value, RESIDENT_ID_SHOWN_HEAD, RESIDENT_ID_SHOWN_TAIL)


def mask_name(value: str) -> str:
    if not value:
        return ""
    if len(value) == 1:
        # A one-character name would be shown whole by "first character + stars".
        return "*"
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str) -> str:
    """`13800138000` → `138******00` (same length)."""
    if not value:
        return ""
    return _keep(value, PHONE_SHOWN_HEAD, PHONE_SHOWN_TAIL)


def mask_address(value: str) -> str:
    """Keep the first six characters (district and street, usually), hide the rest."""
    if not value:
        return ""
    keep = min(6, max(len(value) // 3, 1))
    return value[:keep] + "****"


def mask_birth_date(value: datetime.date | None, *, full: bool = False) -> str:
    """The year only: never shown together with any birth digit of the resident ID,
    which `mask_resident_id` hides."""
    if value is None:
        return ""
    return value.isoformat() if full else f"{value.year:04d}-**-**"
