"""Coordinates: validation, WGS-84 ⇄ GCJ-02, and geometry helpers for grid cells.

Storage is always WGS-84. GCJ-02 is only for drawing on AMap/Tencent tiles, at the edge.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

_A = 6378245.0  # Krasovsky 1940 semi-major axis
_EE = 0.00669342162296594323  # its first eccentricity squared


def validate_lng_lat(lng: float, lat: float) -> None:
    errors = {}
    try:
        lng = float(lng)
        if not math.isfinite(lng) or not -180.0 <= lng <= 180.0:
            raise ValueError
    except (TypeError, ValueError):
        errors["lng"] = _("Longitude must be a number between -180 and 180.")
    try:
        lat = float(lat)
        if not math.isfinite(lat) or not -90.0 <= lat <= 90.0:
            raise ValueError
    except (TypeError, ValueError):
        errors["lat"] = _("Latitude must be a number between -90 and 90.")
    if errors:
        raise ValidationError(errors)


def out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lng: float, lat: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lng, d_lat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 to GCJ-02 ("Mars coordinates"); unchanged outside China's box."""
    if out_of_china(lng, lat):
        return lng, lat
    d_lng, d_lat = _gcj_offset(lng, lat)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 back to WGS-84 by fixed-point iteration (error well under a centimetre)."""
    if out_of_china(lng, lat):
        return lng, lat
    wgs_lng, wgs_lat = lng, lat
    for _i in range(30):
        gcj_lng, gcj_lat = wgs84_to_gcj02(wgs_lng, wgs_lat)
        err_lng, err_lat = gcj_lng - lng, gcj_lat - lat
        wgs_lng -= err_lng
        wgs_lat -= err_lat
        if abs(err_lng) < 1e-10 and abs(err_lat) < 1e-10:
            break
    return wgs_lng, wgs_lat


def polygon_from_geojson(geometry: dict):
    """A valid shapely Polygon from a GeoJSON Polygon geometry, or ValidationError."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        raise ValidationError(_("A grid cell boundary must be a GeoJSON Polygon."), code="invalid_polygon")
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValidationError(
            _("The boundary is not a readable GeoJSON Polygon."), code="invalid_polygon"
        ) from exc
    if polygon.is_empty or not polygon.is_valid:
        raise ValidationError(
            _("The boundary polygon is invalid: %(reason)s"),
            code="invalid_polygon",
            params={"reason": explain_validity(polygon) if not polygon.is_empty else "empty"},
        )
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    for lng, lat in ((min_lng, min_lat), (max_lng, max_lat)):
        validate_lng_lat(lng, lat)
    return polygon


def polygon_summary(polygon) -> dict:
    """Bounding box and centroid of a shapely polygon, as OrgUnit field values."""
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    centroid = polygon.representative_point() if not polygon.contains(polygon.centroid) else polygon.centroid
    return {
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "centroid_lng": centroid.x,
        "centroid_lat": centroid.y,
    }


def point_in_polygon(geometry: dict, lng: float, lat: float) -> bool:
    """True when the point lies inside the polygon or on its boundary."""
    return shape(geometry).covers(Point(lng, lat))
