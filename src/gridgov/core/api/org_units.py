"""Org units: the user's place in the tree, children, one unit, the cell under a point."""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import selectors
from gridgov.core.api.common import (
    OrgFilter,
    OrgFilteredListApi,
    errors,
    latitude_field,
    longitude_field,
)
from gridgov.core.exceptions import NotFound
from gridgov.core.models import OrgLevel
from gridgov.core.org_cache import org_tree_cached
from gridgov.core.permissions import in_scope
from gridgov.core.querysets import scope_of

POLYGON_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON Polygon geometry in WGS-84 (coordinates are [lng, lat]).",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon"]},
        "coordinates": {
            "type": "array",
            "items": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            },
        },
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field(POLYGON_SCHEMA)
class GeoJSONPolygonField(serializers.JSONField):
    pass


class LatLngSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


_GRID_ONLY = ("polygon", "centroid", "grid_workers")


# Output-only fields written as plain (not read-only) fields: drf-spectacular lists every
# read-only field as required, but these are absent for units that are not grid cells.
@extend_schema_field(LatLngSerializer(allow_null=True))
class _CentroidField(serializers.Field):
    def to_representation(self, unit):
        if unit.centroid_lat is None or unit.centroid_lng is None:
            return None
        return {"lat": unit.centroid_lat, "lng": unit.centroid_lng}


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class _GridWorkersField(serializers.Field):
    def to_representation(self, unit):
        # Lists prefetch the workers (selectors.org_unit_children); one unit costs a query.
        return sorted(user.username for user in unit.grid_workers.all())


@extend_schema_serializer(component_name="OrgUnit")
class OrgUnitSerializer(serializers.Serializer):
    """One org unit. Grid cells also carry `polygon`, `centroid` and `grid_workers`."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=OrgLevel.choices)
    parent = serializers.CharField(source="parent_id", allow_null=True)
    polygon = GeoJSONPolygonField(required=False, allow_null=True, help_text="Grid cells only.")
    centroid = _CentroidField(source="*", required=False, help_text="Grid cells only.")
    grid_workers = _GridWorkersField(source="*", required=False, help_text="Grid cells only: usernames.")

    def to_representation(self, unit):
        row = super().to_representation(unit)
        if unit.level != OrgLevel.GRID:
            for key in _GRID_ONLY:
                row.pop(key, None)
        return row

    def get_fields(self):
        fields = super().get_fields()
        # Absent for units that are not grid cells, so not required in the schema.
        for key in _GRID_ONLY:
            fields[key].required = False
        return fields


class OrgUnitListApi(OrgFilteredListApi):
    """Children of an org unit, or the user's scope root when no parent is given."""

    listing = OrgFilter("parent", OrgUnitSerializer, "org_units_list", "org units",
                        summary="Children of an org unit",
                        description="An org-unit code: list its children. Without it: the user's scope root.")

    def rows(self, request, parent: str | None):
        return selectors.org_unit_children(request.user, parent)


def _serve_from_the_tree_cache(get):
    """org tree cache (issue 12): one page of children per scope and query string (parent,
    cursor, page size), from `core.org_cache` while the tree is unchanged; errors (400, 404)
    are never cached."""

    @functools.wraps(get)
    def cached_get(self, request):
        what = f"api-children:{request.get_host()}:{request.get_full_path()}"
        data = org_tree_cached(scope_of(request.user), what, lambda: dict(get(self, request).data))
        return Response(data)

    return cached_get


OrgUnitListApi.get = _serve_from_the_tree_cache(OrgUnitListApi.get)


class OrgUnitDetailApi(APIView):
    OutputSerializer = OrgUnitSerializer

    @extend_schema(
        operation_id="org_units_retrieve",
        summary="One org unit",
        tags=["org units"],
        responses={200: OrgUnitSerializer, **errors(401, 404)},
    )
    def get(self, request, code: str):
        def one() -> dict:
            return {"unit": dict(self.OutputSerializer(selectors.access_org_unit(request.user, code)).data)}

        return Response(org_tree_cached(scope_of(request.user), f"api-unit:{code}", one)["unit"])


class OrgUnitLocateApi(APIView):
    """The grid cell that contains a WGS-84 point (a point on a shared edge goes to the
    cell with the lowest code)."""

    OutputSerializer = OrgUnitSerializer

    class FilterSerializer(serializers.Serializer):
        lat = latitude_field()
        lng = longitude_field()

    @extend_schema(
        operation_id="org_units_locate",
        summary="The grid cell containing a point",
        tags=["org units"],
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="WGS-84 latitude."),
            OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True, description="WGS-84 longitude."),
        ],
        responses={200: OrgUnitSerializer, **errors(400, 401, 404)},
    )
    def get(self, request):
        point = self.FilterSerializer(data=request.query_params)
        point.is_valid(raise_exception=True)
        cell = selectors.grid_cell_at(lng=point.validated_data["lng"], lat=point.validated_data["lat"])
        if cell is None or not in_scope(request.user, cell.code):
            raise NotFound(_("No grid cell in your area contains this point."))
        return Response(self.OutputSerializer(cell).data)
