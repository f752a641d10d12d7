import pytest
from django.test import Client

from gridgov.core.models import Role
from tests.factories import DepartmentFactory, PersonFactory, Tree, make_user


@pytest.fixture
def login():
    """A test client signed in as `user` (force_login: axes needs a request for passwords)."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def resident(tree):
    """A person in cell A1 with a known resident ID and phone."""
    return PersonFactory(name="王小明", resident_id="11010519491231002X", phone="13912345678",
                         address="示范市县1镇1村1 幸福路 8 号")


@pytest.fixture
def other_county_resident(tree):
    return PersonFactory(name="赵外县", org_code=Tree.CELL_B1)


@pytest.fixture
def dispatcher(tree):
    return make_user("disp", Role.DISPATCHER, scope=Tree.COUNTY_A)


@pytest.fixture
def market_department(tree):
    county = DepartmentFactory(code="990101-market", name="县市场监管局", org_code=Tree.COUNTY_A)
    DepartmentFactory(code="990101001-market", name="镇市场监管所", org_code=Tree.TOWNSHIP_A, kind="station",
                      parent=county)
    return county


@pytest.fixture
def department_staff(tree, market_department):
    return make_user("dept", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=market_department)


@pytest.fixture
def mediator(tree):
    return make_user("med", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def county_b_worker(tree):
    return make_user("gwb", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1])
