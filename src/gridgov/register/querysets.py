"""Which register rows a user sees: `visible_to(user)` (core.querysets.ScopedQuerySet).

Every register table is visible by prefix: masking names and addresses (core.masking,
`register.selectors.display_*`) is not scoping. A round covers the area under its unit and
is seen from below too (a grid worker sees the rounds of their village or township); a
proposed edit carries no code of its own and is seen with its checklist item.
"""

from __future__ import annotations

from gridgov.core.querysets import ScopedQuerySet


class ProposedEditQuerySet(ScopedQuerySet):
    scope_field = "item__org_code"
