"""Small-count suppression for statistics shown above the county (DESIGN.md "People and
sensitive data", issue 10).

A count from 1 to 4 is not shown: the API gives `null` and names the key in a `suppressed`
list, pages show "<5". Zero is shown (it identifies nobody). Where the counts of a group add
up to a total that can be learnt elsewhere (the statuses of the daily map add up to the
people enrolled; crisis outcomes to the crises), a single hidden count could be computed
back, so the smallest other non-zero count of the group is hidden with it. A rate is hidden
when a count it is computed from is hidden.
"""

from __future__ import annotations

SUPPRESS_BELOW = 5
SHOWN_AS = "<5"


def is_small(n) -> bool:
    return n is not None and 0 < n < SUPPRESS_BELOW


def suppress_group(values: dict, keys=None, *, complementary: bool = True) -> tuple[dict, set[str]]:
    """`values` with its small counts (among `keys`, default all) replaced by None, and the
    set of keys hidden."""
    keys = list(values) if keys is None else [k for k in keys if k in values]
    hidden = {k for k in keys if is_small(values[k])}
    if complementary and len(hidden) == 1:
        others = sorted((values[k], k) for k in keys if k not in hidden and values[k])
        if others:
            hidden.add(others[0][1])
    return {k: (None if k in hidden else v) for k, v in values.items()}, hidden


def shown(n) -> str | int:
    """A count for a page: "<5" where suppressed."""
    return SHOWN_AS if n is None else n
