import datetime

import pytest
from django.test import Client

from gridgov.core.models import Role
from gridgov.register import rounds, services
from gridgov.register.models import Relation, ResidenceType
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

TODAY = datetime.date.today()


def person(**kwargs):
    kwargs.setdefault("resident_id", make_resident_id(birth=kwargs.pop("birth", "19800101")))
    return PersonFactory(**kwargs)


@pytest.fixture
def login():
    """A client signed in as `user`, asking for English (the msgids) so tests read the texts."""

    def _login(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def worker(tree):
    return make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")


@pytest.fixture
def screener(tree):
    return make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="周审核")


@pytest.fixture
def second_screener(tree):
    return make_user("screener2", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="吴审核")


@pytest.fixture
def station(tree):
    return make_user("st", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def admin(tree):
    return make_user("cityadmin", Role.CITY_ADMIN, scope="99")


@pytest.fixture
def building(screener):
    return services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                    use="residential", units=["1单元101", "1单元102"])


@pytest.fixture
def household(screener, building):
    head = person(name="张大山", phone="13912345678")
    spouse = person(name="李小花", phone="13987654321")
    return services.household_create(
        actor=screener, building=building, unit_label="1单元101",
        members=[
            services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1)),
            services.MemberSpec(spouse, Relation.SPOUSE, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1)),
        ],
    )


def make_households(screener, building, n: int, *, prefix: str = "h") -> list:
    return [
        services.household_create(actor=screener, building=building, unit_label=f"{prefix}{i}", members=[
            services.MemberSpec(person(), Relation.HEAD, ResidenceType.REGISTERED_HERE),
            services.MemberSpec(person(), Relation.SPOUSE, ResidenceType.MOVED_IN),
        ])
        for i in range(n)
    ]


@pytest.fixture
def update_round(screener, worker, household):
    return rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="十一月下半月", starts_on=TODAY,
                             due_on=TODAY + datetime.timedelta(days=10))


@pytest.fixture
def item(update_round):
    return update_round.items.get()


def head_of(household):
    return household.memberships.get(relation=Relation.HEAD)
