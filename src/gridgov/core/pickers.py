"""Pickers: choose an org unit (a tree, or a search by name, by pinyin initials or by code)
or a colleague (by display name or username), always within the user's scope.

Reads only. The pinyin initials of every unit of a scope are computed once per process and
kept in a small index per scope (rebuilt when the tree changes: `core.org_cache`'s
generation), so a search by initials over 30,000 units is a scan of short strings in memory,
not a query per unit. `initials("丹徒区高资镇")` is `"dtqgzz"`. Answers are served from the
org tree cache (issue 12): a repeated search or a second look at a unit's children costs no
org-unit query.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Q

from gridgov.core import orgcodes, orgnames
from gridgov.core.models import OrgUnit, User
from gridgov.core.org_cache import generation, org_tree_cached
from gridgov.core.querysets import scope_of

RESULTS = 20
MAX_QUERY = 50
_INDEX_SCOPES = 16  # scopes kept in memory; the least recently used is dropped


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    level: str
    path: str
    has_children: bool = False


@dataclass(frozen=True)
class UserChoice:
    username: str
    label: str
    scope_path: str


# --- pinyin initials -------------------------------------------------------------------------

# Names repeat across scopes and rebuilds (网格1, 第一村民小组…): each distinct name is
# converted once per process. pypinyin reads whole words, so 长江村 is "cjc", not "zjc".
_NAME_INITIALS: dict[str, str] = {}
_NAME_MEMO_LIMIT = 500_000


_CHAR_INITIALS: dict[str, str | None] = {}


def _char_initial(char: str) -> str | None:
    """The initial of one character, or None when its readings start with different letters
    (长 zhǎng/cháng): then only the whole word tells."""
    if char in _CHAR_INITIALS:
        return _CHAR_INITIALS[char]
    if char.isascii():
        found: str | None = char.lower() if char.isalnum() else ""
    else:
        import unicodedata

        from pypinyin.constants import PINYIN_DICT

        readings = PINYIN_DICT.get(ord(char))
        if not readings:
            found = ""
        else:
            letters = {unicodedata.normalize("NFD", r.strip())[:1].lower() for r in readings.split(",") if r.strip()}
            found = letters.pop() if len(letters) == 1 else None
    _CHAR_INITIALS[char] = found
    return found


_DIGITS = re.compile(r"[0-9]+")


def initials(name: str) -> str:
    """The first letter of each character's pinyin (Latin letters and digits kept).

    Numbers never change how the characters around them read, so names that differ only in
    their numbers (第1网格 … 第29网格 of one village) are converted once."""
    name = name or ""
    numbers = _DIGITS.findall(name)
    if not numbers:
        return _initials_of(name)
    pattern = _initials_of(_DIGITS.sub("0", name))
    it = iter(numbers)
    return _DIGITS.sub(lambda _match: next(it, ""), pattern)


def _initials_of(name: str) -> str:
    found = _NAME_INITIALS.get(name)
    if found is None:
        quick = [_char_initial(char) for char in name]
        if None not in quick:  # most names: a letter per character, no word to read
            found = "".join(quick)
        else:
            from pypinyin import Style, lazy_pinyin

            parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
            found = "".join(ch for ch in "".join(parts).lower() if ch.isalnum())
        if len(_NAME_INITIALS) < _NAME_MEMO_LIMIT:
            _NAME_INITIALS[name] = found
    return found


# --- the index per scope --------------------------------------------------------------------

_lock = threading.Lock()
_indexes: OrderedDict[str, tuple[tuple, list[tuple[str, str, str]]]] = OrderedDict()


def _units_of(user):
    """The units the user may pick: those they see (`visible_to`) below their scope — not the
    units above it, which `visible_to` adds for breadcrumbs."""
    return OrgUnit.objects.visible_to(user).in_subtree(scope_of(user))


def _index(user) -> list[tuple[str, str, str]]:
    """(code, name, initials) of every unit the user may pick, from memory while none changed
    (kept per scope: what a user may pick depends on their scope alone)."""
    scope = scope_of(user)
    units = _units_of(user)
    version = generation()
    with _lock:
        cached = _indexes.get(scope)
        if cached is not None and cached[0] == version:
            _indexes.move_to_end(scope)
            return cached[1]
    rows = [(code, name, initials(name)) for code, name in units.order_by("code").values_list("code", "name")]
    with _lock:
        _indexes[scope] = (version, rows)
        _indexes.move_to_end(scope)
        while len(_indexes) > _INDEX_SCOPES:
            _indexes.popitem(last=False)
    return rows


def _choices(user, units: list[tuple[str, str, str]], *, with_children: bool = False) -> list[UnitChoice]:
    paths = orgnames.org_name_paths(code for code, _name, _level in units)
    parents: set[str] = set()
    if with_children and units:
        parents = set(_units_of(user).filter(parent_id__in=[code for code, _n, _l in units])
                      .values_list("parent_id", flat=True).distinct())
    return [UnitChoice(code=code, name=name, level=level, path=paths.get(code, name), has_children=code in parents)
            for code, name, level in units]


def units_matching(user, query: str, *, limit: int = RESULTS) -> list[UnitChoice]:
    """Units of the user's scope whose name contains `query`, whose pinyin initials start
    with it (or contain it), or whose code starts with it: the closest first."""
    query = (query or "").strip()[:MAX_QUERY]
    if not scope_of(user) or not query:
        return []
    return org_tree_cached(scope_of(user), f"picker-match:{limit}:{query}",
                           lambda: _units_matching(user, query, limit=limit))


def _units_matching(user, query: str, *, limit: int) -> list[UnitChoice]:
    if query.isdigit():
        qs = _units_of(user).filter(code__startswith=query).order_by("code")
        found = list(qs.values_list("code", "name", "level")[:limit])
        return _choices(user, found)
    needle = query.lower()
    latin = needle.isascii()
    ranked: list[tuple[int, int, str]] = []
    for code, name, short in _index(user):
        if needle in name.lower():
            rank = 0 if name.startswith(query) else 1
        elif latin and short.startswith(needle):
            rank = 2
        elif latin and needle in short:
            rank = 3
        else:
            continue
        ranked.append((rank, len(code), code))
    ranked.sort()
    codes = [code for _rank, _length, code in ranked[:limit]]
    by_code = {code: (code, name, level) for code, name, level in
               _units_of(user).filter(code__in=codes).values_list("code", "name", "level")}
    return _choices(user, [by_code[c] for c in codes if c in by_code])


def unit_children(user, parent: str | None) -> tuple[UnitChoice | None, list[UnitChoice]]:
    """A unit of the user's scope and its children (the scope's root when `parent` is empty);
    (None, []) outside the scope."""
    code = (parent or scope_of(user)).strip()
    if not orgcodes.is_org_code(code):
        return None, []
    return org_tree_cached(scope_of(user), f"picker-children:{code}", lambda: _unit_children(user, code))


def _unit_children(user, code: str) -> tuple[UnitChoice | None, list[UnitChoice]]:
    units = _units_of(user)
    unit = units.filter(code=code).values_list("code", "name", "level").first()
    if unit is None:  # missing, or outside the scope: the same answer
        return None, []
    children = list(units.filter(parent_id=code).order_by("code").values_list("code", "name", "level"))
    return _choices(user, [unit])[0], _choices(user, children, with_children=True)


def users_matching(user, query: str, *, limit: int = RESULTS) -> list[UserChoice]:
    """Active accounts whose scope lies in the user's scope, by display name or username."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    qs = (User.objects.visible_to(user).filter(is_active=True)
          .filter(Q(display_name__icontains=query) | Q(username__istartswith=query))
          .order_by("display_name", "username").only("username", "display_name", "scope_code")[:limit])
    people = list(qs)
    paths = orgnames.org_name_paths(u.scope_code for u in people)
    return [UserChoice(username=u.username, label=u.display_name or u.username,
                       scope_path=paths.get(u.scope_code, "")) for u in people]
