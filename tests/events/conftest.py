import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core.models import Department, Role
from gridgov.events.models import Category, CategoryLimit, RoutingRule
from tests.factories import Tree, make_user


def jpeg(name="photo.jpg", with_gps=True) -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    if with_gps:
        exif[0x8825] = {1: "N", 2: (31.0, 0.0, 18.0), 3: "E", 4: (120.0, 0.0, 18.0)}
    exif[0x010F] = "TestCam"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def categories(db):
    """The seeded categories (from the migration), with limits pinned for these tests."""
    codes = ["food", "food.unlicensed", "fire", "fire.lane"]
    found = {c.code: c for c in Category.objects.filter(code__in=codes)}
    for code, hours in (("food", ("0.5", "4", "24", "2")), ("fire", ("0.17", "1", "4", "1"))):
        CategoryLimit.objects.update_or_create(
            category=found[code], urgency="ordinary",
            defaults=dict(zip(("dispatch_hours", "accept_hours", "handle_hours", "verify_hours"),
                              (Decimal(h) for h in hours))),
        )
    assert found["fire.lane"].fixable_on_site and not found["food.unlicensed"].fixable_on_site
    return found


@pytest.fixture
def departments(tree):
    market = Department.objects.create(code="990101-market", name="县市场监督管理局", kind="department",
                                       function="market", org_code=Tree.COUNTY_A)
    station = Department.objects.create(code="990101001-market", name="镇市场监管所", kind="station",
                                        function="market", org_code=Tree.TOWNSHIP_A, parent=market)
    housing = Department.objects.create(code="990101-housing", name="县住建局", kind="department",
                                        function="housing", org_code=Tree.COUNTY_A)
    other_station = Department.objects.create(code="990102001-market", name="外县市场监管所", kind="station",
                                              function="market", org_code=Tree.TOWNSHIP_B,
                                              parent=Department.objects.create(
                                                  code="990102-market", name="外县市场局", kind="department",
                                                  function="market", org_code=Tree.COUNTY_B))
    return {"market": market, "station": station, "housing": housing, "other_station": other_station}


@pytest.fixture
def food_rule(categories, departments):
    return RoutingRule.objects.create(category=categories["food.unlicensed"], org_prefix=Tree.COUNTY_A,
                                      department=departments["market"])


@pytest.fixture
def people(tree, departments):
    return {
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "dispatcher": make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A),
        "department": make_user("dept", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A,
                                department=departments["market"]),
        "station": make_user("stat", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A, department=departments["station"]),
        "other_station": make_user("ostat", Role.STATION_STAFF, scope=Tree.TOWNSHIP_B,
                                   department=departments["other_station"]),
        "housing": make_user("hous", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=departments["housing"]),
    }
