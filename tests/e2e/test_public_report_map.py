"""A resident's phone opens the report page: the map shows the cells around where they stand,
fetched for the view, not every cell of the city in the page."""

import pytest

from gridgov.events.catalog import seed_categories
from tests.e2e.conftest import PHONE
from tests.factories import build_tree, org_unit, square

pytestmark = pytest.mark.e2e

HERE = {"latitude": 31.005, "longitude": 120.005}  # inside county A's first cell


@pytest.fixture
def far_cells(transactional_db):
    build_tree()
    seed_categories()
    # forty more cells a degree away: in the city, but nowhere near the reporter
    for index in range(40):
        org_unit(f"990102001001{index + 100:03d}", f"远处网格{index}", square(121.0 + index * 0.01, 32.0))


def test_the_report_map_draws_only_the_cells_around_the_reporter(browser, live_server, far_cells):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                  geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cell_requests: list[str] = []
    page.on("request", lambda r: cell_requests.append(r.url) if "/track/cells/" in r.url else None)

    page.goto(f"{live_server.url}/track/report/")
    html_size = len(page.content())
    page.click("[data-locate]")
    page.locator(".picker-map path.leaflet-interactive").nth(1).wait_for()  # (the CSP forbids eval'd waits)
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/lead-public-report-map.png")

    drawn = page.locator(".picker-map path.leaflet-interactive").count()
    assert 2 <= drawn <= 4  # the two cells at hand (and the picked point), none of the forty far ones
    assert cell_requests and all("bbox=" in url for url in cell_requests)
    assert "远处网格" not in page.content()
    assert html_size < 60_000
    assert errors == []
    context.close()
