"""Property tests (issue 10, "Fuzzing in CI"): the identifier validators, the masks and the
working-time deadline arithmetic hold for every generated input, not only the examples
the other tests chose. Bounded (`max_examples`), no deadline: CI runs them on a loaded
machine."""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gridgov.core import masking
from gridgov.core.validators import (
    RESIDENT_ID_WEIGHTS,
    is_valid_mobile,
    is_valid_resident_id,
    normalize_mobile,
    normalize_resident_id,
    resident_id_check_char,
)
from gridgov.core.workcal import Light, WorkCalendar, add_working_hours, traffic_light, working_seconds_between

BOUNDED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date.today()

# --- GB 11643 resident ID numbers ----------------------------------------------------------

regions = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
births = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def resident_ids(draw, birth=births):
    first17 = f"{draw(regions)}{draw(birth):%Y%m%d}{draw(sequences):03d}"
    return first17 + resident_id_check_char(first17)


@BOUNDED
@given(resident_ids())
def test_every_generated_resident_id_is_valid(value):
    assert is_valid_resident_id(value)
    assert is_valid_resident_id(value.lower())  # a lower-case x is the same number
    assert is_valid_resident_id(f"  {value} ")


@BOUNDED
@given(resident_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_every_single_digit_change_is_refused(value, position, delta):
    """GB 11643's weights are all non-zero mod 11, so any one changed digit changes the
    checksum: the changed number is refused, whatever the digit (or it is not a date)."""
    digit = (int(value[position]) + delta) % 10
    changed = value[:position] + str(digit) + value[position + 1:]
    assert not is_valid_resident_id(changed)


@BOUNDED
@given(resident_ids(), st.sampled_from("0123456789X"))
def test_every_other_check_character_is_refused(value, check):
    assume(check != value[17])
    assert not is_valid_resident_id(value[:17] + check)


@BOUNDED
@given(resident_ids(), st.integers(min_value=0, max_value=15))
def test_swapping_two_different_neighbouring_digits_is_refused(value, position):
    a, b = value[position], value[position + 1]
    assume(a != b)
    swapped = value[:position] + b + a + value[position + 2:]
    assert not is_valid_resident_id(swapped)


@BOUNDED
@given(st.text(max_size=25))
def test_resident_id_normalisation_is_idempotent_and_validity_follows_it(text):
    once = normalize_resident_id(text)
    assert normalize_resident_id(once) == once
    assert is_valid_resident_id(text) == is_valid_resident_id(once)


@BOUNDED
@given(st.text(alphabet="0123456789Xx -", max_size=20))
def test_only_the_gb11643_shape_is_valid(text):
    value = normalize_resident_id(text)
    if is_valid_resident_id(text):
        assert len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789X"
        assert resident_id_check_char(value[:17]) == value[17]


@BOUNDED
@given(st.dates(min_value=TODAY + datetime.timedelta(days=1), max_value=datetime.date(2999, 12, 31)), regions,
       sequences)
def test_a_birth_date_in_the_future_is_refused(birth, region, seq):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    assert not is_valid_resident_id(first17 + resident_id_check_char(first17))


# --- mainland mobile numbers ---------------------------------------------------------------

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@BOUNDED
@given(mobiles, st.sampled_from(["", "+86", "+86 "]), st.booleans())
def test_every_mainland_mobile_is_valid_however_it_is_written(number, prefix, grouped):
    written = f"{number[:3]} {number[3:7]}-{number[7:]}" if grouped else number
    assert is_valid_mobile(prefix + written)
    assert normalize_mobile(prefix + written) == number
    assert normalize_mobile(normalize_mobile(prefix + written)) == number


@BOUNDED
@given(st.text(max_size=16))
def test_a_valid_mobile_is_always_eleven_digits_from_13_to_19(text):
    if is_valid_mobile(text):
        value = normalize_mobile(text)
        assert len(value) == 11 and value.isdigit() and value[0] == "1" and value[1] in "3456789"


@BOUNDED
@given(mobiles, st.integers(min_value=0, max_value=10), st.characters(categories=["L", "P"]))
def test_a_mobile_with_a_letter_or_a_missing_digit_is_refused(number, position, other):
    assert not is_valid_mobile(number[:position] + number[position + 1:])
    assert not is_valid_mobile(number[:position] + other + number[position + 1:])


# --- masks ---------------------------------------------------------------------------------

def _shown(masked: str, original: str) -> list[int]:
    """Positions where the mask shows a character; each must be the original's."""
    shown = [i for i, c in enumerate(masked) if c != "*"]
    for i in shown:
        assert masked[i] == original[i]
    return shown


@BOUNDED
@given(st.one_of(resident_ids(), st.text(alphabet="0123456789X", max_size=20)))
def test_the_resident_id_mask_keeps_the_length_and_shows_no_birth_or_sequence_digit(value):
    masked = masking.mask_resident_id(value)
    assert len(masked) == len(value)
    shown = _shown(masked, value)
    assert len(shown) <= masking.RESIDENT_ID_SHOWN_HEAD + masking.RESIDENT_ID_SHOWN_TAIL
    if len(value) == 18:
        # Digits 7–17 (birth date and sequence) are never shown.
        assert not [i for i in shown if 6 <= i <= 16]


@functools.cache
def _sequence_residues(parity: int) -> tuple[int, ...]:
    """How many 3-digit sequences of one gender (parity of the last digit) give each
    weighted sum mod 11."""
    counts = [0] * 11
    for seq in range(1000):
        if seq % 2 == parity:
            digits = f"{seq:03d}"
            counts[sum(int(d) * w for d, w in zip(digits, RESIDENT_ID_WEIGHTS[14:])) % 11] += 1
    return tuple(counts)


def candidates(region: str, year: int, parity: int, check: str, today: datetime.date) -> int:
    """The resident ID numbers someone who sees a masked ID (its check character), the
    masked birth date (the year), the gender and the org code (the county: all six region
    digits) cannot tell apart."""
    from gridgov.core.validators import RESIDENT_ID_CHECK_CHARS

    needed = RESIDENT_ID_CHECK_CHARS.index(check)
    residues = _sequence_residues(parity)
    day, total = datetime.date(year, 1, 1), 0
    while day.year == year and day <= today:
        head = f"{region}{day:%Y%m%d}"
        partial = sum(int(d) * w for d, w in zip(head, RESIDENT_ID_WEIGHTS))
        total += residues[(needed - partial) % 11]
        day += datetime.timedelta(days=1)
    return total


@settings(max_examples=40, deadline=None)
@given(resident_ids(birth=st.dates(min_value=datetime.date(1900, 1, 1),
                                   max_value=datetime.date(TODAY.year - 1, 12, 31))))
def test_a_masked_id_with_birth_year_gender_and_county_leaves_thousands_of_numbers(value):
    """Finding 1: what a role that sees the masked ID also sees about the person (org code,
    masked birth date, gender) must leave too many numbers for exact searches to confirm."""
    from gridgov.core.validators import resident_id_birth_date

    masked = masking.mask_resident_id(value)
    birth = masking.mask_birth_date(resident_id_birth_date(value))
    assert birth.endswith("-**-**")
    year, parity, check = int(birth[:4]), int(value[16]) % 2, masked[-1]
    count = candidates(value[:6], year, parity, check, TODAY)
    assert count >= 5000, f"{masked} + {birth}: only {count} candidates"


@BOUNDED
@given(st.one_of(mobiles, st.text(alphabet="0123456789", max_size=15)))
def test_the_phone_mask_keeps_the_length_and_hides_at_least_six_digits(value):
    masked = masking.mask_phone(value)
    assert len(masked) == len(value)
    shown = _shown(masked, value)
    assert len(shown) <= masking.PHONE_SHOWN_HEAD + masking.PHONE_SHOWN_TAIL
    if len(value) == 11:
        assert masked.count("*") >= 6  # a mobile: a million numbers left
    elif value:
        assert masked.count("*") >= min(len(value), len(value) - 5)


@BOUNDED
@given(st.text(min_size=2, max_size=12))
def test_the_name_mask_keeps_the_length_and_shows_only_the_surname_character(value):
    masked = masking.mask_name(value)
    assert len(masked) == len(value)
    assert _shown(masked, value) == [0] or masked[0] == "*"


@given(st.characters(categories=["Lo"]))
@settings(max_examples=5, deadline=None)
def test_a_one_character_name_is_not_shown_in_full(value):
    masked = masking.mask_name(value)
    assert value not in masked and len(masked) == len(value)


@BOUNDED
@given(st.text(min_size=1, max_size=80))
def test_the_address_mask_shows_at_most_a_third_and_never_more_than_six_characters(value):
    masked = masking.mask_address(value)
    shown = masked.rstrip("*")
    assert value.startswith(shown)
    assert len(shown) <= max(6 if len(value) >= 18 else len(value) // 3, 1)
    assert masked.endswith("****")


@BOUNDED
@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_the_birth_date_mask_shows_the_year_only_and_keeps_the_shape(value):
    masked = masking.mask_birth_date(value)
    assert len(masked) == len(value.isoformat())
    assert masked == f"{value.year:04d}-**-**"
    assert masking.mask_birth_date(value, full=True) == value.isoformat()


# --- working time (core/workcal.py) ----------------------------------------------------------

CAL = WorkCalendar()
moments = st.datetimes(min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2026, 12, 31),
                       timezones=st.just(TZ)).map(lambda d: d.replace(microsecond=0))
durations = st.integers(min_value=0, max_value=40 * 60).map(lambda minutes: minutes / 60)  # up to 40 h, in minutes


def _in_working_time(moment: datetime.datetime, cal: WorkCalendar) -> bool:
    if not cal.is_workday(moment.date()):
        return False
    t = moment.timetz().replace(tzinfo=None)
    return any(start <= t <= end for start, end in cal.periods)


def _close(a: datetime.datetime, b: datetime.datetime) -> bool:
    return abs((a - b).total_seconds()) < 0.01


@BOUNDED
@given(moments, durations)
def test_a_deadline_is_in_working_time_on_a_workday(start, hours):
    deadline = add_working_hours(start, hours, CAL)
    assert deadline >= start
    if hours > 0:
        assert _in_working_time(deadline, CAL), deadline
        assert abs(working_seconds_between(start, deadline, CAL) - hours * 3600) < 0.01


@BOUNDED
@given(moments, durations, durations)
def test_adding_more_working_hours_never_gives_an_earlier_deadline(start, a, b):
    low, high = sorted((a, b))
    assert add_working_hours(start, low, CAL) <= add_working_hours(start, high, CAL)


@BOUNDED
@given(moments, moments, durations)
def test_a_later_start_never_gives_an_earlier_deadline(first, second, hours):
    early, late = sorted((first, second))
    assert add_working_hours(early, hours, CAL) <= add_working_hours(late, hours, CAL)


@BOUNDED
@given(moments, durations, durations)
@example(datetime.datetime(2026, 11, 24, 8, 30, tzinfo=TZ), 3.5, 0.5)  # ends at noon, then the afternoon
@example(datetime.datetime(2026, 9, 30, 17, 0, tzinfo=TZ), 0.5, 1.0)  # National Day holidays in between
@example(datetime.datetime(2024, 1, 1, 0, 0, tzinfo=TZ), 3.5, 0.0)  # lands on noon, then adds nothing
def test_adding_a_then_b_equals_adding_a_plus_b(start, a, b):
    assert _close(add_working_hours(add_working_hours(start, a, CAL), b, CAL), add_working_hours(start, a + b, CAL))


@BOUNDED
@given(moments, st.integers(min_value=1, max_value=40 * 60).map(lambda m: m / 60),
       st.floats(min_value=0, max_value=1.5))
def test_the_traffic_light_follows_the_80_and_100_percent_thresholds(start, hours, fraction):
    deadline = add_working_hours(start, hours, CAL)
    now = add_working_hours(start, hours * fraction, CAL) if fraction <= 1 else (
        deadline + datetime.timedelta(hours=(fraction - 1) * 24))
    light = traffic_light(started=start, deadline=deadline, now=now, cal=CAL)
    used = working_seconds_between(start, now, CAL) / (hours * 3600)
    if now >= deadline:
        assert light == Light.RED
    elif used >= 0.8 + 1e-6:
        assert light == Light.YELLOW
    elif used < 0.8 - 1e-6:
        assert light == Light.GREEN


@BOUNDED
@given(moments, durations, st.sets(st.dates(min_value=datetime.date(2024, 1, 1),
                                             max_value=datetime.date(2027, 3, 1)), max_size=10), st.booleans())
def test_overrides_are_followed_for_holidays_and_make_up_workdays(start, hours, days, working):
    """An administrator's holiday (or 调休 make-up workday) is a non-working (working) day."""
    cal = WorkCalendar(overrides={d: working for d in days})
    deadline = add_working_hours(start, hours, cal)
    if hours > 0:
        assert _in_working_time(deadline, cal)
        if not working:
            assert deadline.date() not in days
