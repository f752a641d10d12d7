"""Links for the rows of a list page without a `reverse()` per row (issue 12).

`id_url("events-detail")` reverses the named pattern once, with a marker where the id goes,
and returns a function that puts each row's id in its place: the same address `reverse()`
gives (script prefix included), for a whole page at the cost of one lookup.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARKER = 987654321987  # an id no pattern spells otherwise


def id_url(name: str, *before) -> Callable[[int | str], str]:
    """`lambda pk: reverse(name, args=[*before, pk])`, reversed once. The pattern's last
    argument must take digits (`<int:pk>`)."""
    head, marker, tail = reverse(name, args=[*before, _MARKER]).rpartition(str(_MARKER))
    if not marker:
        raise ValueError(f"{name}: the id is not part of the address")

    def url(pk: int | str) -> str:
        return f"{head}{pk}{tail}"

    return url
