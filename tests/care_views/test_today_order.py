"""The daily list reads in order of urgency: the longest overdue first, then in hospital and
away, then the soonest due, visited today last — across pages without losing anyone, and
without telling a role that may not know who is in hospital apart from who is away."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care import services
from gridgov.care.views import today as today_view
from tests.care_views.conftest import TODAY, Tree, enroll_due
from tests.factories import PersonFactory

STABLE = {"risk_level": 0, "classification": "stable"}


@pytest.fixture
def day(staff):
    def person(name):
        return PersonFactory(name=name, org_code=Tree.CELL_A1, lat=31.005, lng=120.005)

    cases = {
        "overdue_long": enroll_due(staff, person("甲"), start_date=TODAY - datetime.timedelta(days=60)),
        "overdue_short": enroll_due(staff, person("乙"), start_date=TODAY - datetime.timedelta(days=20)),
        "not_due_far": enroll_due(staff, person("丙"), details=dict(STABLE), start_date=TODAY),
        "not_due_near": enroll_due(staff, person("丁"), details=dict(STABLE),
                                   start_date=TODAY - datetime.timedelta(days=80)),
        "hospital": enroll_due(staff, person("戊")),
        # away since longer overdue than the one in hospital: a shared rank puts it first
        "away": enroll_due(staff, person("己"), start_date=TODAY - datetime.timedelta(days=40)),
        "visited": enroll_due(staff, person("庚")),
    }
    services.status_begin(actor=staff["doctor"], enrollment=cases["hospital"], kind="hospital", start=TODAY)
    services.status_begin(actor=staff["doctor"], enrollment=cases["away"], kind="away", start=TODAY)
    services.visit_record(actor=staff["doctor"], enrollment=cases["visited"], date=TODAY, form="phone",
                          details={"risk_level": 0, "classification": "stable"})
    return cases


def _names(client, org=Tree.TOWNSHIP_A, **params) -> tuple[list[str], str | None]:
    response = client.get(reverse("care-today"), {"org": org, **params})
    assert response.status_code == 200
    return [row["name"] for row in response.context["rows"]], response.context["next_url"]


def test_the_list_reads_most_urgent_first(login, staff, day):
    names, _next = _names(login(staff["doctor"]))

    assert names == ["甲", "乙", "戊", "己", "丁", "丙", "庚"]


def test_paging_in_urgency_order_shows_everyone_once(login, staff, day, monkeypatch):
    monkeypatch.setattr(today_view, "PAGE_SIZE", 3)
    client = login(staff["doctor"])
    seen, params = [], {}
    for _page in range(5):
        names, next_url = _names(client, **params)
        seen += names
        if not next_url:
            break
        params = {"after": next_url.split("after=")[1].split("&")[0]}

    assert seen == ["甲", "乙", "戊", "己", "丁", "丙", "庚"]


def test_a_grid_worker_cannot_tell_hospital_from_away_by_the_order(login, staff, day):
    names, _next = _names(login(staff["gw"]), org=Tree.CELL_A1)

    # both read "away" for a grid worker and share one rank: the order is by due date alone,
    # where the doctor's list puts the one in hospital first
    assert names.index("己") + 1 == names.index("戊")


@pytest.mark.parametrize("after", ["x", "1-2026-5", "9-99999999-1", "1-20261301-4"])
def test_a_broken_page_link_is_refused(login, staff, day, after):
    response = login(staff["doctor"]).get(reverse("care-today"), {"after": after})

    assert response.status_code == 400
