import datetime

import pytest
from django.utils import translation

from gridgov.core.validators import (
    is_valid_mobile,
    is_valid_resident_id,
    resident_id_birth_date,
    resident_id_error,
    resident_id_gender,
)
from tests.factories import make_resident_id


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", " 11010519491231002X "])
def test_the_standard_example_is_valid(value):
    assert is_valid_resident_id(value)


def test_generated_ids_are_valid_and_carry_birth_date_and_gender():
    value = make_resident_id(region="990101", birth="20000229", seq=17)

    assert is_valid_resident_id(value)
    assert resident_id_birth_date(value) == datetime.date(2000, 2, 29)
    assert resident_id_gender(value) == "M"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def test_wrong_check_digit_is_rejected_with_a_reason():
    assert not is_valid_resident_id("110105194912310021")
    assert "check digit" in resident_id_error("110105194912310021")


@pytest.mark.parametrize(
    "birth", ["19900230", "19901301", "19000000", "18000101"],
)
def test_impossible_birth_dates_are_rejected_even_with_a_correct_check_digit(birth):
    value = make_resident_id(birth=birth, seq=1)

    assert not is_valid_resident_id(value)
    assert "birth date" in resident_id_error(value)


def test_birth_date_in_the_future_is_rejected():
    value = make_resident_id(birth="20990101", seq=1)

    assert "birth date" in resident_id_error(value, today=datetime.date(2026, 11, 24))


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002Y", "A1010519491231002X", "110105194912310020X"])
def test_malformed_ids_are_rejected(value):
    assert not is_valid_resident_id(value)


@pytest.mark.parametrize("value,ok", [
    ("13800138000", True), ("19912345678", True), ("+86 138-0013-8000", True),
    ("12800138000", False), ("1380013800", False), ("138001380001", False), ("", False),
])
def test_mobile_numbers(value, ok):
    assert is_valid_mobile(value) is ok
