import pytest

from gridgov.core.models import Role
from tests.factories import Tree, build_tree, make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the org tree cache (issue 12) outlives the
    database rows a test rolls back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def grid_worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])


@pytest.fixture
def city_admin(tree):
    return make_user("cityadmin", Role.CITY_ADMIN, scope="99")


@pytest.fixture
def auditor(tree):
    return make_user("aud", Role.AUDITOR, scope="99")


@pytest.fixture
def station_staff(tree):
    return make_user("st", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def care_worker(tree):
    return make_user("doc", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def legacy_duplicate_people(db):
    """A database from before migration core 0004, where two live records could share a
    resident ID: the test's transaction drops the constraint's index (rolled back after)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX core_person_one_live_per_resident_id")
