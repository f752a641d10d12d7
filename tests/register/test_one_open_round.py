"""The database keeps one open round per area and kind, whatever path writes it."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from gridgov.register.models import RoundKind, UpdateRound
from tests.factories import Tree

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def _round(kind=RoundKind.HOUSEHOLDS, status=UpdateRound.Status.OPEN, org_code=Tree.VILLAGE_A):
    return UpdateRound.objects.create(org_code=org_code, kind=kind, status=status, title="半月更新",
                                      starts_on=TODAY, due_on=TODAY + datetime.timedelta(days=10))


def test_a_second_open_round_of_one_area_and_kind_is_refused_by_the_database(tree):
    _round()

    with pytest.raises(IntegrityError), transaction.atomic():
        _round()

    assert UpdateRound.objects.filter(status=UpdateRound.Status.OPEN).count() == 1


def test_closed_rounds_another_kind_and_another_area_may_stand_beside_the_open_one(tree):
    _round()
    _round(status=UpdateRound.Status.CLOSED)
    _round(status=UpdateRound.Status.CLOSED)
    _round(kind=RoundKind.PLACES)
    _round(org_code=Tree.VILLAGE_B)

    assert UpdateRound.objects.count() == 5
