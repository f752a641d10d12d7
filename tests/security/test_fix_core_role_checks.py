"""A role that may never do something gets 403 before anything else is looked at: before
the object is looked up (so not 404, even for an id that does not exist) and before the
body is validated (so not 400) — CONTRACTS "Errors". Corrections, role grants, the care
team's visits and screening campaigns (issue 10, permission matrix)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.models import Role
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.factories import Tree, make_user

MISSING = 999_999


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def page_as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.MEDIATOR, Role.CITY_ADMIN, Role.AUDITOR])
def test_roles_outside_corrections_get_403_even_for_a_missing_request(tree, role):
    user = make_user(f"u_{role}", role, scope="99" if role in (Role.CITY_ADMIN, Role.AUDITOR) else Tree.COUNTY_A)
    api = api_as(user)

    assert api.get(reverse("api-corrections")).status_code == 403
    assert api.get(reverse("api-correction", args=[MISSING])).status_code == 403
    refused = api.post(reverse("api-correction-approve", args=[MISSING]), {}, format="json")
    assert refused.status_code == 403 and {"code", "message", "fields"} <= set(refused.json())
    assert page_as(user).get(reverse("correction-detail", args=[MISSING])).status_code == 403
    assert page_as(user).post(reverse("correction-decide", args=[MISSING]), {}).status_code == 403


@pytest.mark.django_db
def test_a_grid_worker_still_gets_404_for_a_missing_correction(tree):
    user = make_user("gw_c", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])

    assert api_as(user).get(reverse("api-correction", args=[MISSING])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROGRAM_OFFICER, Role.SCREENER, Role.AUDITOR])
def test_only_administrators_see_or_ask_for_role_grants(tree, role):
    user = make_user(f"rg_{role}", role, scope="99" if role == Role.AUDITOR else Tree.COUNTY_A)
    api = api_as(user)

    assert api.get(reverse("api-role-grants")).status_code == 403
    assert api.post(reverse("api-role-grants"), {}, format="json").status_code == 403  # not 400
    assert api.post(reverse("api-role-grant-approve", args=[MISSING]), {}, format="json").status_code == 403
    assert api.post(reverse("api-role-grant-refuse", args=[MISSING]), {}, format="json").status_code == 403


@pytest.mark.django_db
def test_a_grid_worker_not_on_the_team_gets_403_before_the_body(staff, patient):  # noqa: F811
    case = enroll(staff, patient)
    outsider = make_user("gw_out", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])

    response = api_as(outsider).post(reverse("api-care-visits", args=[case.pk]), {}, format="json")

    assert response.status_code == 403, response.content
    assert response.json()["fields"] == {}


@pytest.mark.django_db
def test_a_care_worker_never_opens_a_campaign(staff):  # noqa: F811
    doctor = staff["doctor"]
    api = api_as(doctor)

    assert api.get(reverse("api-care-campaign-items", args=[MISSING])).status_code == 403
    assert api.get(reverse("api-care-campaign-progress", args=[MISSING])).status_code == 403
    assert api.post(reverse("api-care-campaign-item", args=[MISSING]), {}, format="json").status_code == 403
    assert page_as(doctor).get(reverse("care-campaign", args=[MISSING])).status_code == 403
    assert page_as(doctor).get(reverse("care-campaign-checklist", args=[MISSING])).status_code == 403
    # the grid worker, whose checklist it is, is told the campaign does not exist
    assert api_as(staff["gw"]).get(reverse("api-care-campaign-items", args=[MISSING])).status_code == 404
