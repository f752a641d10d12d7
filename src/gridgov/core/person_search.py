"""The keyed name index of the person registry (people search, issue 12).

A name search used to be `name LIKE '%…%'`, a scan of every person in scope. Now each
person's name is normalised (NFKC, case-folded, without spaces) and cut into pieces — every
run of one to four adjacent characters — and each piece is stored as
`crypto.blind_index("person_name", piece)`, a keyed HMAC whose key is derived from the field
key. A search text of up to four characters (nearly every Chinese name and fragment) is then
one index lookup, exact without looking at any name; a longer text needs all of its
four-character runs and is checked against the name itself. The planner is never shown a
`LIKE '%…%'` on a short text, whose selectivity it cannot estimate (it chose a scan of the
people with it). Every query stays inside `people_visible_to` (scope, masking and the rule
that identifier-shaped texts match nobody are the selector's, unchanged). Matching ignores
case, full-width forms and spaces, where `LIKE` did not.

Every write path keeps the index current: `person_create`, `person_update` (a new name),
`people_merge` (the merged duplicate leaves it), the register's anonymisation (cleared), the
demo seeder, and migration 0015 for the rows before it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db.models import QuerySet

from gridgov.core import crypto, masking
from gridgov.core.models import Person, PersonNameToken
from gridgov.core.permissions import Capability, has_capability

KIND = "person_name"
LONGEST_PIECE = 4
# A long search text needs only a few of its runs to narrow the candidates to a handful; the
# final `name__contains` keeps the answer exact.
MAX_QUERY_PIECES = 4


def _normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _runs(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(len(text) - size + 1)]


def name_pieces(name: str) -> list[str]:
    """The normalised pieces of a name, shortest first, without repeats (before hashing)."""
    text = _normalise(name)
    return list(dict.fromkeys(p for size in range(1, LONGEST_PIECE + 1) for p in _runs(text, size)))


def query_pieces(query: str) -> list[str]:
    """The pieces a search text must all be found under: itself when short enough, else
    some of its longest runs."""
    text = _normalise(query)
    if len(text) <= LONGEST_PIECE:
        return [text] if text else []
    return list(dict.fromkeys(_runs(text, LONGEST_PIECE)))[:MAX_QUERY_PIECES]


def _tokens(pieces: Iterable[str]) -> list[str]:
    return [crypto.blind_index(KIND, piece) for piece in pieces]


def people_matching_name(qs: QuerySet[Person], query: str) -> QuerySet[Person]:
    """`qs` narrowed to the people whose name contains `query`, through the index."""
    pieces = query_pieces(query)
    if not pieces:
        return qs.none()
    for token in _tokens(pieces):
        qs = qs.filter(pk__in=PersonNameToken.objects.filter(token=token).values("person_id"))
    return qs if pieces == [_normalise(query)] else qs.filter(name__contains=query)


# --- The people list's rows (issue 12) ---------------------------------------------------------

# The columns the list shows: no address (never shown there, so never decrypted), no point.
PERSON_ROW_FIELDS = ("id", "name", "gender", "birth_date", "resident_id", "phone", "org_code")


def people_list_rows(user, people: Iterable[Person]):
    """The people of a list page as `selectors.person_view(user, p)` shows them (masked: the
    list never shows a full record), for people loaded with only PERSON_ROW_FIELDS."""
    from gridgov.core.selectors import PersonView

    show_name = has_capability(user, Capability.VIEW_PERSON_NAMES)
    return [
        PersonView(
            id=p.pk, name=p.name if show_name else masking.mask_name(p.name), gender=p.gender,
            birth_date=masking.mask_birth_date(p.birth_date, full=False),
            resident_id=masking.mask_resident_id(p.resident_id), phone=masking.mask_phone(p.phone),
            address="", org_code=p.org_code, lat=None, lng=None, masked=True,
        )
        for p in people
    ]


def person_name_index_rows(people: Iterable[Person]) -> list[PersonNameToken]:
    """The index rows of these (saved) people, for a bulk insert."""
    return [PersonNameToken(person_id=p.pk, token=t) for p in people for t in _tokens(name_pieces(p.name))]


def person_name_index_refresh(*, people: Iterable[Person], batch_size: int = 2000) -> None:
    """Re-make the index rows of these people from their current names. Composable: runs in
    the caller's transaction (the person's write and its index change commit together)."""
    people = list(people)
    if not people:
        return
    person_name_index_clear(person_ids=[p.pk for p in people])
    PersonNameToken.objects.bulk_create(person_name_index_rows(people), batch_size=batch_size)


def person_name_index_clear(*, person_ids: Iterable[int]) -> None:
    """Drop the index rows of these people (merged away or anonymised)."""
    ids = list(person_ids)
    for start in range(0, len(ids), 2000):
        PersonNameToken.objects.filter(person_id__in=ids[start:start + 2000]).delete()
