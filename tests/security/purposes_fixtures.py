"""Fixtures of the purposes tests (issue 10): staff of county A, a person who has data in
every app, signed-in API and page clients. Imported by tests/security/test_purposes_*.py."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from gridgov.care import services as care_services
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from gridgov.events.models import Category, Channel
from gridgov.events.services import Submission, event_submit
from gridgov.register import services as register_services
from gridgov.register.services import MemberSpec
from tests.factories import PersonFactory, Tree, make_api_token, make_resident_id, make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(tree):
    return {
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "screener": make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A),
        "auditor": make_user("auditor", Role.AUDITOR, scope="99"),
        "city_admin": make_user("cityadmin", Role.CITY_ADMIN, scope="99"),
        "officer_b": make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B),
    }


@pytest.fixture
def api(staff):
    """`api[name]`: an API client signed in as that staff member (token auth, in English)."""

    class Clients(dict):
        def __missing__(self, name):
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(staff[name])}")
            self[name] = client
            return client

    return Clients()


@pytest.fixture
def page(staff):
    """`page[name]`: a browser session signed in as that staff member, in English."""

    class Clients(dict):
        def __missing__(self, name):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(staff[name])
            self[name] = client
            return client

    return Clients()


@pytest.fixture
def resident(tree):
    return PersonFactory(name="陈明", resident_id=make_resident_id(birth="19800505", seq=21), org_code=Tree.CELL_A1,
                         phone="13912345678", address="幸福路 8 号 2 单元 301")


@pytest.fixture
def everywhere(staff, resident):
    """The resident has data in every app: a household and a move, a place they run (with an
    event about it), and an enrollment with a visit."""
    household = register_services.household_create(
        actor=staff["screener"], org_code=Tree.CELL_A1, address="幸福路 8 号 2 单元 301",
        members=[MemberSpec(person=resident, relation="head", residence_type="registered_here",
                            moved_in_on=datetime.date(2020, 5, 1))],
    )
    place = register_services.place_create(
        actor=staff["screener"], name="陈记小吃店", kind="restaurant", lat=31.002, lng=120.002,
        responsible_person=resident, contact_phone="13900001111",
    )
    # Seeded by a migration; a transactional test run before may have flushed them.
    food, _ = Category.objects.get_or_create(code="food", defaults={"name": "食品安全"})
    Category.objects.get_or_create(code="food.unlicensed", defaults={"name": "无证经营", "parent": food})
    event = event_submit(actor=staff["gw"], submission=Submission(
        category_code="food.unlicensed", description="小吃店后厨无证经营", channel=Channel.GRID_WORKER,
        lat=31.002, lng=120.002, place_id=place.pk,
    ))
    enrollment = care_services.enrollment_create(
        actor=staff["officer"], person=resident, program="smd", org_code=resident.org_code,
        start_date=datetime.date(2026, 11, 2), legal_basis="《精神卫生法》第二十四条",
        team=[TeamSpec(role="grid_worker", user=staff["gw"]), TeamSpec(role="doctor", user=staff["doctor"])],
        details={"risk_level": 0, "classification": "stable", "diagnosis": "精神分裂症"},
    )
    care_services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=datetime.date(2026, 11, 20),
                               form="home", notes="情况稳定，按时服药", details={"risk_level": 0, "classification": "stable"})
    return {"household": household, "place": place, "event": event, "enrollment": enrollment}
