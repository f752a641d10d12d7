from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """The list envelope of CONTRACTS.md: {next, previous, results}, keyset by cursor."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"
