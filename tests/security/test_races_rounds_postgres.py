"""Two screeners opening a round over one area at the same moment make one open round
(one per kind): the area's row is locked while the service looks for an open one."""

import datetime

import pytest
from django.db import connection

from gridgov.core.exceptions import DomainError
from gridgov.core.models import Role
from gridgov.register import rounds
from gridgov.register.models import RoundKind, UpdateRound
from tests.factories import Tree, make_user
from tests.security.races import N, run_together

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("kind", [RoundKind.HOUSEHOLDS, RoundKind.PLACES])
def test_concurrent_opens_of_one_area_make_one_open_round(tree, kind):
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    day = datetime.date(2026, 12, 1)

    def attempt(i):
        try:
            return rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title=f"第{i}轮", starts_on=day,
                                     due_on=day + datetime.timedelta(days=14), kind=kind)
        except DomainError as error:
            return error.code

    results = run_together(N, attempt)

    assert sum(isinstance(r, UpdateRound) for r in results) == 1
    assert sorted(str(r) for r in results if not isinstance(r, UpdateRound)) == ["conflict"] * (N - 1)
    assert UpdateRound.objects.filter(org_code=Tree.VILLAGE_A, kind=kind, status="open").count() == 1
