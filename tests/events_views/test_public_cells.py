"""The public report page draws only the grid cells around the reporter, fetched for the
part of the map in view, instead of every polygon of the city in the page."""

import json

import pytest
from django.urls import reverse

from tests.factories import Tree


def _cells(client, bbox: str, **extra):
    return client.get(reverse("events-public-cells"), {"bbox": bbox}, **extra)


def test_the_report_page_carries_no_polygons_only_where_to_fetch_them(client, tree):
    page = client.get(reverse("events-report-public"))

    data = json.loads(page.content.decode().split('id="picker-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["cells"]["features"] == []
    assert data["cells_url"] == reverse("events-public-cells")
    # the map opens over the deployment's grid (the test tree's cells lie near 120.1 E, 31.005 N)
    assert data["centre"] == pytest.approx([31.005, 120.06])


def test_the_cells_around_a_point_are_the_ones_whose_box_meets_the_view(client, tree):
    # a view around county A's first cell, not reaching county B (0.1 degrees east)
    response = _cells(client, "119.995,30.995,120.015,31.015")

    assert response.status_code == 200
    codes = [feature["properties"]["code"] for feature in response.json()["features"]]
    assert codes == [Tree.CELL_A1, Tree.CELL_A2]
    assert response.json()["features"][0]["properties"]["name"] == "网格1"


def test_a_view_over_nothing_gets_an_empty_collection(client, tree):
    assert _cells(client, "100.0,20.0,100.1,20.1").json()["features"] == []


@pytest.mark.parametrize("bbox", ["", "a,b,c,d", "120,31", "120.2,31,120.0,31.1", "119,30,120,31",
                                  "119.9,30.9,120.2,31.0", "nan,nan,nan,nan", "-200,0,-199.9,0.1"])
def test_a_missing_malformed_or_too_large_box_is_refused_with_the_reason(client, tree, bbox):
    response = _cells(client, bbox)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "bbox" in response.json()["fields"]


def test_the_cells_are_fetched_in_one_query(client, tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        _cells(client, "119.995,30.995,120.015,31.015")


def test_one_address_asking_too_often_is_throttled_with_429(client, tree, settings):
    # given: an address that used up its requests of the minute
    from gridgov.events.views import public

    for _ in range(public.CELL_REQUESTS_PER_MINUTE):
        assert _cells(client, "119.995,30.995,120.015,31.015").status_code == 200

    # when: one more, even a well-formed one
    response = _cells(client, "119.995,30.995,120.015,31.015")

    # then: refused, with when to come back; another address is not affected
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "60"
    assert _cells(client, "119.995,30.995,120.015,31.015", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_refused_box_still_counts_against_the_limit(client, tree):
    from gridgov.events.views import public

    for _ in range(public.CELL_REQUESTS_PER_MINUTE):
        assert _cells(client, "0,0,90,90").status_code == 400
    assert _cells(client, "119.995,30.995,120.015,31.015").status_code == 429
