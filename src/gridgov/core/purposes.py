"""Why someone reads a person's full record or exports their data: a closed list, defined
once here, with an optional note ("other" needs one).

The audit log keeps the purpose's code and the note (`stored`: `"home_visit"` or
`"home_visit: 核实门牌号"`), so that auditors can count by purpose; screens show the label
(`label_of`), never the code. Entries written before the list existed hold free text,
which `label_of` shows as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.exceptions import DomainError, ErrorCode

MAX_NOTE_LENGTH = 400
_SEPARATOR = ": "


class Purpose(models.TextChoices):
    HOME_VISIT = "home_visit", gettext_lazy("Home visit")
    EVENT_HANDLING = "event_handling", gettext_lazy("Handling an event")
    CARE_FOLLOW_UP = "care_follow_up", gettext_lazy("Care follow-up")
    REGISTER_UPDATE = "register_update", gettext_lazy("Register update")
    CRISIS_RESPONSE = "crisis_response", gettext_lazy("Crisis response")
    MEDIATION = "mediation", gettext_lazy("Dispute mediation")
    OWN_REQUEST = "own_request", gettext_lazy("The person's own request")
    OFFICIAL_REQUEST = "official_request", gettext_lazy("A legal or official request")
    OTHER = "other", gettext_lazy("Other (describe it in the note)")


# Purposes whose note must say more than the label can: which request, from whom.
NOTE_REQUIRED = frozenset({Purpose.OTHER, Purpose.OFFICIAL_REQUEST})


@dataclass(frozen=True)
class StatedPurpose:
    code: str
    note: str

    @property
    def label(self) -> str:
        return str(Purpose(self.code).label)

    @property
    def stored(self) -> str:
        """The text kept in the audit entry's `purpose` column."""
        return f"{self.code}{_SEPARATOR}{self.note}" if self.note else self.code

    @property
    def display(self) -> str:
        return f"{self.label} — {self.note}" if self.note else self.label

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "note": self.note}


def check_purpose(purpose: str | None, note: str | None = "") -> StatedPurpose:
    """The purpose chosen from the list and its note, or a 400 `purpose_required` saying
    what is missing (field errors under `purpose` and `note`)."""
    code = (purpose or "").strip()
    note = " ".join((note or "").split())
    if not code:
        raise DomainError(
            _("Choose the purpose for which you need this data."), ErrorCode.PURPOSE_REQUIRED,
            {"purpose": [_("Choose a purpose from the list.")]},
        )
    if code not in Purpose.values:
        raise DomainError(
            _("This is not one of the listed purposes."), ErrorCode.PURPOSE_REQUIRED,
            {"purpose": [_("Choose a purpose from the list.")]},
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError(
            _("The note is too long."), ErrorCode.INVALID,
            {"note": [_("A note has at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH}]},
        )
    if code in NOTE_REQUIRED and not note:
        raise DomainError(
            _("Describe the purpose in the note."), ErrorCode.PURPOSE_REQUIRED,
            {"note": [_("This purpose needs a note saying what it is.")]},
        )
    return StatedPurpose(code=code, note=note)


def parse(stored: str) -> StatedPurpose | None:
    """The purpose an audit entry was written with, or None for older free text."""
    code, _sep, note = (stored or "").partition(_SEPARATOR)
    if code in Purpose.values:
        return StatedPurpose(code=code, note=note)
    return None


def label_of(stored: str) -> str:
    """What an auditor reads for an entry's purpose: the label (and the note), never a code."""
    stated = parse(stored)
    return stated.display if stated is not None else (stored or "")


def choices() -> list[tuple[str, str]]:
    return [(p.value, str(p.label)) for p in Purpose]
