"""Security review of issue 11: a grid worker sees that a person needs a visit, not why.

Whether a case is high-risk (severe mental disorder, risk level 3 or more) is a health detail:
the enrollment API gives `high_risk: null` and the case page hides the team's state from a
grid worker ("to a grid worker it would tell that the case is high-risk"). The new surfaces
of issue 11 must not tell it either: the list of high-risk cases awaiting their team, the
workbench's confirmation item and the badges of "my care cases". The test flips one case's
`high_risk` flag and checks that nothing the grid worker reads changes.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.care import services
from gridgov.care.models import Enrollment
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.care.conftest import staff  # noqa: F401
from tests.factories import PersonFactory, Tree, make_api_token, make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def police(tree):
    return make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A)


def _case(staff, *, team, risk=4):  # noqa: F811
    person = PersonFactory(org_code=Tree.CELL_A1)
    return services.enrollment_create(
        actor=staff["officer"], person=person, program="smd", org_code=Tree.CELL_A1,
        start_date=TODAY - datetime.timedelta(days=30), legal_basis="《精神卫生法》第二十四条",
        details={"risk_level": risk, "classification": "unstable" if risk >= 3 else "basically_stable"},
        team=team)


def _what_the_grid_worker_reads(user) -> dict:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(user)
    unconfirmed = api.get("/api/v1/care/high-risk-unconfirmed/")
    bench = api.get("/api/v1/me/workbench/")
    cases = web.get(reverse("care-team-cases"))
    assert unconfirmed.status_code in (200, 403) and bench.status_code == 200 and cases.status_code == 200
    return {
        "unconfirmed": unconfirmed.json().get("results") if unconfirmed.status_code == 200 else None,
        "workbench": sorted((i["key"], i["label"], i["count"], i["url"]) for i in bench.json()["items"]),
        "badges": [(r["enrollment"].pk, r["unconfirmed"]) for r in cases.context["rows"]],
    }


def test_nothing_a_grid_worker_reads_tells_that_a_case_of_its_cells_is_high_risk(staff):  # noqa: F811
    on_team = _case(staff, team=[TeamSpec(role="grid_worker", user=staff["gw"]),
                                 TeamSpec(role="doctor", user=staff["doctor"])])
    in_cell = _case(staff, team=[TeamSpec(role="doctor", user=staff["doctor"])])  # in the cell, not on its team
    for enrollment in (on_team, in_cell):
        assert enrollment.high_risk

    high = _what_the_grid_worker_reads(staff["gw"])
    Enrollment.objects.filter(pk__in=[on_team.pk, in_cell.pk]).update(high_risk=False)
    low = _what_the_grid_worker_reads(staff["gw"])

    assert high == low


def test_the_police_liaison_still_sees_its_own_high_risk_cases_awaiting_the_team(staff, police):  # noqa: F811
    case = _case(staff, team=[TeamSpec(role="grid_worker", user=staff["gw"]),
                              TeamSpec(role="police_liaison", user=police)])
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(police)}")

    rows = api.get("/api/v1/care/high-risk-unconfirmed/").json()["results"]

    assert [r["enrollment"] for r in rows] == [case.pk]


def test_the_grid_worker_is_still_asked_to_confirm_its_cases(staff):  # noqa: F811
    case = _case(staff, team=[TeamSpec(role="grid_worker", user=staff["gw"])], risk=1)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(staff['gw'])}")

    items = {i["key"]: i for i in api.get("/api/v1/me/workbench/").json()["items"]}

    mine = items["care.confirm_mine"]
    assert mine["count"] == 1 and mine["url"] == reverse("care-enrollment", args=[case.pk])
    assert "high-risk" not in mine["label"].lower()
