"""Security review of issue 11: above the county, statistics only — for the police liaison too.

The police liaison sees the cases of its teams wherever they are (`sees_team_only`), and a
team may take an account whose area lies above the person's (the city's). Such an account
must still see no named person in a list ("Above the county level, users see statistics
about people in care programs, never lists of named people"), as it cannot open one.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care import services
from gridgov.care.models import Enrollment
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.factories import PersonFactory, Tree, make_api_token, make_user

pytestmark = pytest.mark.django_db


def test_a_city_level_police_liaison_on_a_team_lists_no_named_person(tree):
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    city_police = make_user("city_police", Role.POLICE_LIAISON, scope="9901")
    person = PersonFactory(name="陈明", org_code=Tree.CELL_A1)
    enrollment = services.enrollment_create(
        actor=officer, person=person, program="smd", org_code=Tree.CELL_A1,
        start_date=timezone.localdate() - datetime.timedelta(days=10), legal_basis="《精神卫生法》第二十四条",
        details={"risk_level": 4, "classification": "unstable"},
        team=[TeamSpec(role="police_liaison", user=city_police)])
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(city_police)}")
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(city_police)

    assert not Enrollment.objects.visible_to(city_police).exists()
    listed = api.get("/api/v1/enrollments/")
    assert listed.status_code in (200, 403)
    assert "陈明" not in listed.content.decode()
    assert "陈明" not in web.get(reverse("care-team-cases")).content.decode()
    assert "陈明" not in api.get("/api/v1/care/high-risk-unconfirmed/").content.decode()
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 404
