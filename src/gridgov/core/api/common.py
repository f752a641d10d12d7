"""Pieces every API module shares: the error schema, list pagination, documented responses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api_pagination import CodeKeysetPagination
from gridgov.core.permissions import allows


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """The error shape of CONTRACTS.md (documentation only; api_errors builds the bodies)."""

    code = serializers.CharField(help_text="A stable snake_case code, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="A sentence in the user's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; may be empty.",
    )


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: _error("Invalid input: `fields` says what is wrong with each field."),
    401: _error("Not signed in."),
    403: _error("Signed in, but this role may not do this."),
    404: _error("Missing, or outside the user's area."),
    409: _error("A conflict with the current state (e.g. a duplicate)."),
    429: _error("Too many attempts."),
}


def errors(*statuses: int) -> dict:
    """Documented error responses; 401 is added to every endpoint that needs a sign-in."""
    return {status: ERRORS[status] for status in statuses}


def paginated_response(
    *,
    request,
    view,
    queryset,
    serializer_class: type[serializers.Serializer],
    to_row: Callable | None = None,
) -> Response:
    """Cut one keyset page out of `queryset` (with `view.pagination_class`) and render the
    list envelope. `to_row` turns each model instance into what the serializer reads."""
    paginator = view.pagination_class()
    page: Iterable = paginator.paginate_queryset(queryset, request, view=view)
    rows = [to_row(obj) for obj in page] if to_row else list(page)
    return paginator.get_paginated_response(serializer_class(rows, many=True).data)


@dataclass(frozen=True)
class OrgFilter:
    """What an `OrgFilteredListApi` lists: its optional org-code query parameter `param` (with
    its `description`), the `serializer` of a row, and the operation's schema."""

    param: str
    serializer: type[serializers.Serializer]
    operation_id: str
    tag: str
    summary: str
    description: str

    def schema(self):
        return extend_schema(
            operation_id=self.operation_id,
            summary=self.summary,
            tags=[self.tag],
            parameters=[OpenApiParameter(self.param, OpenApiTypes.STR, description=self.description)],
            responses={200: self.serializer(many=True), **errors(400, 401, 404)},
        )


# A list in code order, narrowed by one optional org-code query parameter: a subclass declares
# `listing = OrgFilter(...)` and `rows(request, code)`, the queryset (`code` is None without the
# parameter); `get` is made from them. (A comment, not a docstring: the schema would show it as
# the description of every subclass without one.)
class OrgFilteredListApi(APIView):
    pagination_class = CodeKeysetPagination
    listing: OrgFilter

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        listing = cls.listing
        field = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)
        cls.FilterSerializer = type("FilterSerializer", (serializers.Serializer,), {listing.param: field})
        cls.OutputSerializer = listing.serializer

        def get(self, request):
            filters = self.FilterSerializer(data=request.query_params)
            filters.is_valid(raise_exception=True)
            code = filters.validated_data.get(listing.param) or None
            return paginated_response(
                request=request, view=self, queryset=self.rows(request, code), serializer_class=self.OutputSerializer
            )

        cls.get = listing.schema()(get)

    def rows(self, request, code: str | None):
        raise NotImplementedError


def no_store(response: Response) -> Response:
    """Personal data: tell browsers and proxies not to keep a copy."""
    response["Cache-Control"] = "no-store"
    return response


class FiniteFloatField(serializers.FloatField):
    """A float that is a real number (no NaN or infinity), e.g. a WGS-84 coordinate."""

    def to_internal_value(self, data):
        import math

        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def latitude_field(**kwargs) -> FiniteFloatField:
    return FiniteFloatField(min_value=-90, max_value=90, help_text="WGS-84 latitude.", **kwargs)


def longitude_field(**kwargs) -> FiniteFloatField:
    return FiniteFloatField(min_value=-180, max_value=180, help_text="WGS-84 longitude.", **kwargs)


class HasCapability(permissions.BasePermission):
    """Coarse permission declared on the view: `required_capabilities = {"GET": cap, ...}`.

    A value may be a set of capabilities, any one of which will do. A method missing from
    the mapping needs only a signed-in user. Services and selectors
    check again (with the org scope); this check makes "your role may never do this" a
    403 before any input is parsed, so it wins over 400/404/409.
    """

    @property
    def message(self):
        return _("You do not have permission to do this.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        capability = getattr(view, "required_capabilities", {}).get(request.method)
        return capability is None or allows(request.user, capability)  # a set: any one of them


API_PERMISSIONS = [permissions.IsAuthenticated, HasCapability]
