"""Event categories: the dotted-code tree of the 网格化+ domains, with the urgencies that
have time limits."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers

from gridgov.core.api.common import errors
from gridgov.core.api_pagination import CodeKeysetPagination
from gridgov.events import selectors
from gridgov.events.api.common import EventsApiView


@extend_schema_serializer(component_name="EventCategory")
class CategorySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A dotted path, e.g. `food.unlicensed`; also the Open311 service_code.")
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="The parent's code; null for a domain.")
    urgencies = serializers.ListField(
        child=serializers.CharField(),
        help_text="Urgencies (`ordinary`, `urgent`, `critical`) with time limits set for this category "
        "or an ancestor.",
    )
    fixable_on_site = serializers.BooleanField(help_text="A grid worker may fix and close it on the spot.")
    is_public = serializers.BooleanField(help_text="Residents and Open311 apps may report it.")
    is_leaf = serializers.BooleanField(help_text="Events are reported in leaf categories only.")


class CategoryListApi(EventsApiView):
    pagination_class = CodeKeysetPagination

    class FilterSerializer(serializers.Serializer):
        parent = serializers.RegexField(r"^[a-z0-9_.]{1,60}$", required=False, allow_blank=True)

    @extend_schema(
        operation_id="event_categories_list",
        summary="Event categories with the urgencies that have time limits",
        tags=["events"],
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.STR, description="Only the sub-categories of this code."),
        ],
        responses={200: CategorySerializer(many=True), **errors(400, 401)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.categories_listed(parent=filters.validated_data.get("parent") or None), request, view=self
        )
        rows = selectors.category_rows(page)
        return paginator.get_paginated_response(CategorySerializer(rows, many=True).data)
