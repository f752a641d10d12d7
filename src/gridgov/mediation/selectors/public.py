"""Reads for a resident without an account: their online request, found by its tracking code
and the last four digits of the mobile number they gave (`/mediate/track/`).

The answer is the same for a code that does not exist and for digits that do not match, so
that a guess tells nothing; the page limits guesses per connection address."""

from __future__ import annotations

import hmac
import re

from gridgov.mediation.models import Case, Party, PartyRole

# `TJ` and ten letters or digits (services.TRACKING_ALPHABET, a subset: a code outside it matches nothing).
TRACKING_CODE = re.compile(r"^TJ[0-9A-Z]{10}$")
# Compared against when no request has the code, so that a miss costs what a hit does.
_NO_DIGITS = "\x00\x00\x00\x00"


def normalize_tracking_code(value: str) -> str:
    """The code as stored: upper case, without the spaces or dashes a person types between groups."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def request_by_tracking(*, code: str, phone_last4: str) -> Case | None:
    """The case asked for online under `code` whose applicant's mobile ends in `phone_last4`,
    with its committee; None when there is no such code or the digits differ (one query)."""
    code = normalize_tracking_code(code)
    if not TRACKING_CODE.match(code) or not re.fullmatch(r"[0-9]{4}", phone_last4 or ""):
        return None
    applicants = list(Party.objects.filter(case__tracking_code=code, role=PartyRole.APPLICANT)
                      .select_related("case__committee").order_by("id"))
    matched = False
    for party in applicants:
        phone = party.phone or ""  # decrypted on reading
        ending = phone[-4:] if len(phone) >= 4 else _NO_DIGITS
        matched |= hmac.compare_digest(ending.encode(), phone_last4.encode())
    if not applicants:
        hmac.compare_digest(_NO_DIGITS.encode(), phone_last4.encode())
    return applicants[0].case if matched else None
