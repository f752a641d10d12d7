import pytest
from django.utils import translation

from gridgov.core.models import Role
from tests.factories import Tree, make_user


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); the zh_Hans catalog translates them."""
    with translation.override("en"):
        yield


@pytest.fixture
def county_admin(tree):
    return make_user("county-admin", Role.CITY_ADMIN, scope=Tree.COUNTY_A)
