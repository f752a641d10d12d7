"""Issue 10, finding 13: statistics shown above the county suppress counts below 5 (DESIGN.md
"People and sensitive data"). The daily map's counts and the care metrics, over the API and
on the page, never show a count from 1 to 4, name what they hide in `suppressed`, and hide a
second count or the rates that would give a hidden one back. At the county, nothing is hidden."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.models import Role
from gridgov.core.suppression import suppress_group
from tests.care.conftest import enroll, staff  # noqa: F401
from tests.factories import PersonFactory, Tree, make_user

STABLE = {"risk_level": 0, "classification": "stable"}


@pytest.fixture
def area(staff):  # noqa: F811
    """In cell A1: 5 people in smd, 6 children, 2 elderly people living alone."""
    for _ in range(5):
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1), details=STABLE)
    for _ in range(6):
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1), program="child", details={"key_child": True},
               legal_basis="《未成年人保护法》")
    for _ in range(2):
        enroll(staff, PersonFactory(org_code=Tree.CELL_A1), program="elderly", details={"living_alone": True})
    return staff


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _counts_of(body) -> list:
    """Every count of a metrics or daily-map body."""
    found = []
    for row in body.get("results", []):
        found += [row.get(k) for k in ("enrolled", "overdue", "seen_90_days", "hospitalized", "crises")]
        found += list((row.get("crisis_outcomes") or {}).values())
    found += list((body.get("counts") or {}).values())
    return found


@pytest.mark.parametrize("who", ["city_officer", "city_admin"])
def test_above_the_county_no_count_from_1_to_4_is_shown(who, area):
    user = area["city_officer"] if who == "city_officer" else make_user("cityadmin", Role.CITY_ADMIN, scope="99")
    client = _api(user)

    metrics = client.get("/api/v1/care/metrics/").json()
    today = client.get("/api/v1/care/today/").json()

    for body in (metrics, today):
        assert not [n for n in _counts_of(body) if n is not None and 0 < n < 5], body
    # what is null is named, and nothing else is
    masked = {"hospitalized"} if who == "city_admin" else set()  # no VIEW_CARE_DETAILS: folded into away
    assert sorted(k for k, v in today["counts"].items() if v is None and k not in masked) == today["suppressed"]
    for row in metrics["results"]:
        hidden = set(row["suppressed"])
        for key in ("enrolled", "overdue", "seen_90_days", "crises"):
            assert (row[key] is None) == (key in hidden), (row, key)


def test_a_single_small_count_takes_another_with_it(area):
    rows = {r["program"]: r for r in _api(area["city_officer"]).get("/api/v1/care/metrics/").json()["results"]}

    # elderly (2) is small; the enrolled numbers add up to the area's total, so the smallest
    # other (smd, 5) is hidden too and the total minus the children does not give the 2 back
    assert rows["elderly"]["enrolled"] is None and rows["smd"]["enrolled"] is None
    assert rows["child"]["enrolled"] == 6
    assert {"enrolled", "management_rate", "visit_coverage"} <= set(rows["elderly"]["suppressed"])
    # no rate whose parts are hidden
    for row in rows.values():
        if row["management_rate"] is not None:
            assert row["enrolled"] is not None and row["overdue"] is not None


def test_at_the_county_nothing_is_suppressed(area):
    client = _api(area["officer"])

    rows = {r["program"]: r for r in client.get("/api/v1/care/metrics/").json()["results"]}
    today = client.get("/api/v1/care/today/").json()

    assert (rows["elderly"]["enrolled"], rows["smd"]["enrolled"], rows["child"]["enrolled"]) == (2, 5, 6)
    assert all(row["suppressed"] == [] for row in rows.values())
    assert today["suppressed"] == [] and sum(today["counts"].values()) == 13


def test_the_metrics_page_shows_less_than_5(area):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(area["city_officer"])

    body = page.get(reverse("care-metrics")).content.decode()

    assert "&lt;5" in body
    assert "data-suppressed" in body
    assert '<td>2</td>' not in body


def test_the_today_page_above_the_county_shows_less_than_5(area):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(area["city_officer"])

    body = page.get(reverse("care-today")).content.decode()

    shown = dict(re.findall(r'data-count="(\w+)">([^<]*)<', body))
    assert set(shown) == {"hospitalized", "away", "visited", "due", "not_due"}
    assert not [n for n in shown.values() if n in {"1", "2", "3", "4"}]


@pytest.mark.parametrize("values, hidden", [
    ({"a": 0, "b": 7, "c": 9}, set()),
    ({"a": 3, "b": 7, "c": 9}, {"a", "b"}),  # one small: the smallest other goes with it
    ({"a": 3, "b": 2, "c": 9}, {"a", "b"}),  # two small: the total gives only their sum
    ({"a": 1, "b": 0, "c": 0}, {"a"}),  # nothing else to hide
])
def test_group_suppression(values, hidden):
    shown, suppressed = suppress_group(values)

    assert suppressed == hidden
    assert all((shown[k] is None) == (k in hidden) for k in values)


def test_campaign_progress_above_the_county_hides_few_referrals(staff):  # noqa: F811
    from gridgov.register.models import Household

    for i in range(3):
        Household.objects.create(org_code=Tree.CELL_A1, address=f"A1-{i}")
    officer, worker, city = _api(staff["officer"]), _api(staff["gw"]), _api(staff["city_officer"])
    campaign = officer.post("/api/v1/campaigns/", {
        "org_code": Tree.COUNTY_A, "kind": "minors", "title": "入户走访", "starts_on": "2026-11-24",
        "due_on": "2026-12-31"}, format="json").json()
    item = worker.get(f"/api/v1/campaigns/{campaign['id']}/items/").json()["results"][0]
    child = PersonFactory(org_code=Tree.CELL_A1)
    assert worker.post(f"/api/v1/campaign-items/{item['id']}/", {"result": "referred", "referred_person": child.pk},
                       format="json").status_code == 200

    for level in ("grid", "village"):
        at_city = city.get(f"/api/v1/campaigns/{campaign['id']}/progress/", {"level": level}).json()["results"]
        at_county = officer.get(f"/api/v1/campaigns/{campaign['id']}/progress/", {"level": level}).json()["results"]
        assert [(r["referred"], r["suppressed"]) for r in at_city] == [(None, ["referred"])], level
        assert [r["referred"] for r in at_county] == [1], level
        assert at_city[0]["total"] == 3  # households, not people in care
