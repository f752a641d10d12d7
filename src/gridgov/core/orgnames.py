"""Places by name, not code: an org unit's name path (县 › 镇 › 村 › 网格), looked up in one
query for any number of codes.

Place names are not personal data, so the lookup is not scoped; a page still shows only the
codes of rows its user may see. The path starts at the county (the city and province are the
same for everyone at work); a unit at or above the county is shown by its own name.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridgov.core import orgcodes
from gridgov.core.models import OrgUnit

SEPARATOR = " › "
PATH_FROM_LENGTH = orgcodes.COUNTY_LENGTH


def _path_codes(code: str) -> list[str]:
    if len(code) <= PATH_FROM_LENGTH:
        return [code]
    return [c for c in orgcodes.ancestor_codes(code, include_self=True) if len(c) >= PATH_FROM_LENGTH]


def org_names(codes: Iterable[str]) -> dict[str, str]:
    """The name of each known unit among `codes` and their ancestors (one query)."""
    wanted: set[str] = set()
    for code in codes:
        if orgcodes.is_org_code(code):
            wanted.update(_path_codes(code))
    if not wanted:
        return {}
    return dict(OrgUnit.objects.filter(code__in=sorted(wanted)).values_list("code", "name"))


def name_path(code: str, names: dict[str, str]) -> str:
    """`code`'s path of names from the county down; unknown levels are left out, and a code
    none of whose levels is known comes back as itself."""
    if not code:
        return ""
    parts = [names[c] for c in _path_codes(code) if c in names]
    return SEPARATOR.join(parts) if parts else code


def org_name_paths(codes: Iterable[str]) -> dict[str, str]:
    """Each code's name path, for a whole list at once (one query)."""
    codes = [c for c in codes if c]
    names = org_names(codes)
    return {code: name_path(code, names) for code in codes}


def org_name_paths_for(user, codes: Iterable[str]) -> dict[str, str]:
    """`org_name_paths` of the codes in the user's scope only (others are left out, as a page
    that names the units of its user's area does), in one query."""
    scope = getattr(user, "scope_code", "") or ""
    return org_name_paths(sorted({c for c in codes if c and scope and c.startswith(scope)}))
