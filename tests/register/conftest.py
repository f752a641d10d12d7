import datetime

import pytest

from gridgov.core.models import Role
from gridgov.register import services
from gridgov.register.models import Relation, ResidenceType
from tests.factories import PersonFactory, Tree, make_resident_id, make_user


@pytest.fixture
def screener(tree):
    return make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)


@pytest.fixture
def building(screener):
    return services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005, use="residential",
                                    units=["1单元101", "1单元102"])


def person(**kwargs):
    kwargs.setdefault("resident_id", make_resident_id(birth=kwargs.pop("birth", "19800101")))
    return PersonFactory(**kwargs)


@pytest.fixture
def household(screener, building):
    head = person(name="张大山")
    spouse = person(name="李小花")
    return services.household_create(
        actor=screener, building=building, unit_label="1单元101",
        members=[
            services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1)),
            services.MemberSpec(spouse, Relation.SPOUSE, ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1)),
        ],
    )
