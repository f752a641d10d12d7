import pytest
from django.core.exceptions import ValidationError

from gridgov.core.geo import gcj02_to_wgs84, polygon_from_geojson, validate_lng_lat, wgs84_to_gcj02
from gridgov.core.selectors import grid_cell_at
from tests.factories import Tree


def test_gcj02_offsets_a_point_in_beijing_by_the_known_amount():
    # Tiananmen, WGS-84 → GCJ-02: the published offset is about +0.0062° lng, +0.0014° lat.
    lng, lat = wgs84_to_gcj02(116.391275, 39.907172)

    assert lng == pytest.approx(116.397511, abs=2e-5)
    assert lat == pytest.approx(39.908571, abs=2e-5)


def test_gcj02_round_trip_is_accurate_to_a_centimetre():
    for lng, lat in [(120.585, 31.299), (113.264, 23.129), (87.617, 43.793), (126.535, 45.803)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))

        assert back == pytest.approx((lng, lat), abs=1e-7)


def test_points_outside_china_are_not_shifted():
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)
    assert gcj02_to_wgs84(-74.006, 40.7128) == (-74.006, 40.7128)


@pytest.mark.parametrize("lng,lat", [(181, 30), (120, -91), ("abc", 30), (float("nan"), 30)])
def test_out_of_range_coordinates_are_rejected(lng, lat):
    with pytest.raises(ValidationError):
        validate_lng_lat(lng, lat)


def test_self_intersecting_polygon_is_rejected():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

    with pytest.raises(ValidationError):
        polygon_from_geojson(bow_tie)


def test_point_is_placed_in_its_grid_cell(tree):
    assert grid_cell_at(lng=120.005, lat=31.005).code == Tree.CELL_A1
    assert grid_cell_at(lng=120.015, lat=31.005).code == Tree.CELL_A2
    assert grid_cell_at(lng=120.105, lat=31.005).code == Tree.CELL_B1


def test_point_on_a_shared_edge_goes_to_the_lower_code(tree):
    assert grid_cell_at(lng=120.01, lat=31.005).code == Tree.CELL_A1


def test_point_outside_every_cell_has_no_cell(tree):
    assert grid_cell_at(lng=121.5, lat=31.005) is None
    # Inside the bounding box of the whole grid but in the gap between the two counties.
    assert grid_cell_at(lng=120.05, lat=31.005) is None


def test_point_in_the_bounding_box_but_outside_an_l_shaped_cell(db):
    from tests.factories import org_unit

    for code in ["98", "9801", "980101", "980101001", "980101001001"]:
        org_unit(code)
    l_shape = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]]}
    org_unit("980101001001001", polygon=l_shape)

    assert grid_cell_at(lng=0.5, lat=1.5).code == "980101001001001"
    assert grid_cell_at(lng=1.5, lat=1.5) is None
