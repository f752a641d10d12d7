"""The list envelope of CONTRACTS.md: {"next", "previous", "results"}, keyset by cursor.

Every list is keyset-paginated (the last page costs what the first does): an opaque
`?cursor=`, 50 rows by default and `?page_size=N` up to 500. Each list names its own
ordering, which must end in a unique column so that the cursor is stable.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise self._bad_cursor() from None

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view=view)
        except (ValueError, TypeError, DjangoValidationError):
            # A hand-made cursor whose position does not fit the ordering column.
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise self._bad_cursor() from None

    @staticmethod
    def _bad_cursor() -> exceptions.ValidationError:
        return exceptions.ValidationError({"cursor": [_("This page link is invalid or has expired.")]})


class CodeKeysetPagination(KeysetPagination):
    """Org units and departments: ordered by their unique code."""

    ordering = "code"


class NewestFirstPagination(KeysetPagination):
    """Logs: newest first. The cursor keys on the time and breaks ties by offset."""

    ordering = ("-at", "-id")


class NewestIdFirstPagination(KeysetPagination):
    """Newest first by id (ids grow with time and are unique: a stable keyset): events,
    campaigns, handovers, payments."""

    ordering = "-id"


@functools.cache
def keyset_pagination(*ordering: str) -> type[KeysetPagination]:
    """The envelope and cursor of every list, in a list's own ordering (which ends in a unique
    column): `pagination_class = keyset_pagination("due_on", "id")`."""
    if not ordering:
        raise ValueError("an ordering is required")
    name = "KeysetPagination_" + "_".join(o.replace("-", "desc_") for o in ordering)
    return type(name, (KeysetPagination,), {"ordering": ordering, "__module__": __name__})
