"""Volunteering as the organiser and a volunteer live it: sign-ups that respect places,
qualifications and other shifts; check-in with the shift's code or by the organiser; hours
kept apart by who recorded them, approved once, crediting the household's points once;
reminders told once; a volunteer never reaches another's record."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import Notification, Role
from gridgov.participation.models import (
    HoursSource,
    HoursStatus,
    Movement,
    PointsAccount,
    ServiceHours,
    Shift,
    SignUpStatus,
)
from gridgov.participation.reminders import send_shift_reminders
from gridgov.participation.selectors import volunteers as selectors
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from gridgov.participation.services import volunteers as services
from tests.factories import Tree, make_user
from tests.participation.conftest import household

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def organiser(tree):
    return make_user("organiser", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)


@pytest.fixture
def volunteer_user(tree):
    return make_user("volunteer", Role.VOLUNTEER, scope=Tree.VILLAGE_A)


@pytest.fixture
def volunteer(organiser, volunteer_user):
    return services.volunteer_register(actor=organiser, name="陈晓", org_code=Tree.VILLAGE_A, user=volunteer_user,
                                       availability=["sat_am"])


@pytest.fixture
def activity(organiser):
    return services.activity_create(actor=organiser, org_code=Tree.VILLAGE_A, title="村道环境整治", place="村委会")


def tomorrow(hour=9):
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def shift(organiser, activity):
    return services.shift_add(actor=organiser, activity=activity, starts_at=tomorrow(), ends_at=tomorrow(11),
                              capacity=2)


def others(organiser, n):
    return [services.volunteer_register(actor=organiser, name=f"志愿者{i}", org_code=Tree.VILLAGE_A) for i in range(n)]


# --- Sign-ups -----------------------------------------------------------------------------------


def test_a_volunteer_takes_a_place_and_the_shift_fills_up(organiser, volunteer_user, volunteer, shift):
    signup = services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)
    second, third = others(organiser, 2)
    services.sign_up(actor=organiser, shift=shift, volunteer=second)

    with pytest.raises(DomainError) as full:
        services.sign_up(actor=organiser, shift=shift, volunteer=third)
    assert full.value.code == ErrorCode.FULL and Shift.objects.get(pk=shift.pk).taken == 2
    assert shift not in selectors.shifts_i_can_take(third)  # no place left: not offered

    services.cancel_signup(actor=volunteer_user, signup=signup)
    assert Shift.objects.get(pk=shift.pk).taken == 1
    services.sign_up(actor=organiser, shift=shift, volunteer=third)  # the place freed is taken again


def test_a_volunteer_signs_up_once_and_not_to_two_shifts_at_the_same_time(organiser, volunteer_user, volunteer,
                                                                           activity, shift):
    services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)
    overlapping = services.shift_add(actor=organiser, activity=activity, starts_at=tomorrow(10),
                                     ends_at=tomorrow(12), capacity=5)

    with pytest.raises(DomainError) as twice:
        services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)
    with pytest.raises(DomainError) as clash:
        services.sign_up(actor=volunteer_user, shift=overlapping, volunteer=volunteer)
    assert twice.value.code == ErrorCode.DUPLICATE and clash.value.code == ErrorCode.CONFLICT
    assert Shift.objects.get(pk=shift.pk).taken == 1 and Shift.objects.get(pk=overlapping.pk).taken == 0


def test_a_duty_needs_its_qualification_valid_on_the_day(organiser, volunteer_user, volunteer):
    gate = services.activity_create(actor=organiser, org_code=Tree.VILLAGE_A, title="护学岗", place="东门",
                                    kind="duty_post", required_qualification="护学岗培训")
    later = services.shift_add(actor=organiser, activity=gate, starts_at=tomorrow() + 10 * 24 * HOUR,
                               ends_at=tomorrow(10) + 10 * 24 * HOUR, capacity=3)

    assert later not in selectors.shifts_i_can_take(volunteer)
    with pytest.raises(DomainError):
        services.sign_up(actor=volunteer_user, shift=later, volunteer=volunteer)
    services.qualification_add(actor=organiser, volunteer=volunteer, name="护学岗培训",
                               valid_until=timezone.localdate() + datetime.timedelta(days=5))  # expires before
    assert later not in selectors.shifts_i_can_take(volunteer)
    services.qualification_add(actor=organiser, volunteer=volunteer, name="护学岗培训", valid_until=None)
    assert later in selectors.shifts_i_can_take(volunteer)
    services.sign_up(actor=volunteer_user, shift=later, volunteer=volunteer)


def test_a_volunteer_acts_for_itself_only_and_an_organiser_for_its_area_only(organiser, volunteer, shift):
    stranger = make_user("v2", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    outsider = make_user("org-b", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_B)

    with pytest.raises(NotFound):
        services.sign_up(actor=stranger, shift=shift, volunteer=volunteer)
    with pytest.raises(NotFound):
        services.sign_up(actor=outsider, shift=shift, volunteer=volunteer)
    with pytest.raises(Forbidden):
        services.activity_create(actor=stranger, org_code=Tree.VILLAGE_A, title="x", place="y")
    with pytest.raises(NotFound):
        selectors.access_volunteer(outsider, volunteer.pk)


def test_a_cancelled_shift_frees_its_places_and_tells_who_signed_up(organiser, volunteer_user, volunteer, shift):
    services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)

    services.shift_cancel(actor=organiser, shift=shift)

    shift.refresh_from_db()
    assert shift.is_cancelled and shift.taken == 0
    assert shift.signups.get().status == SignUpStatus.CANCELLED
    told = Notification.objects.get(user=volunteer_user, kind=services.SHIFT_CANCELLED)
    assert "村道环境整治" in told.text
    with pytest.raises(DomainError):
        services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)


@pytest.mark.parametrize("capacity, starts, hours", [(0, 1, 2), (501, 1, 2), (5, -1, 2), (5, 1, 13), (5, 1, 0)])
def test_a_shift_needs_places_a_future_start_and_a_sensible_length(organiser, activity, capacity, starts, hours):
    start = timezone.now() + starts * 24 * HOUR
    with pytest.raises(DomainError):
        services.shift_add(actor=organiser, activity=activity, starts_at=start, ends_at=start + hours * HOUR,
                           capacity=capacity)
    assert not Shift.objects.exists()


# --- Check-in, check-out and hours --------------------------------------------------------------


def test_checking_in_with_the_code_only_while_the_shift_is_on(volunteer_user, volunteer, shift):
    services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)

    with time_machine.travel(shift.starts_at - 2 * HOUR, tick=False), pytest.raises(DomainError):
        services.check_in_with_code(actor=volunteer_user, code=shift.code)
    with time_machine.travel(shift.starts_at + HOUR / 2, tick=False):
        with pytest.raises(DomainError):
            services.check_in_with_code(actor=volunteer_user, code="000000" if shift.code != "000000" else "111111")
        signup = services.check_in_with_code(actor=volunteer_user, code=shift.code)
    assert signup.status == SignUpStatus.CHECKED_IN


def test_self_recorded_hours_wait_for_approval_and_organiser_hours_are_approved(organiser, volunteer_user, volunteer,
                                                                              shift):
    mine = services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)
    seen = services.sign_up(actor=organiser, shift=shift, volunteer=others(organiser, 1)[0])
    with time_machine.travel(shift.starts_at, tick=False):
        services.check_in_with_code(actor=volunteer_user, code=shift.code)
        services.check_in(actor=organiser, signup=seen)
    with time_machine.travel(shift.starts_at + 90 * datetime.timedelta(minutes=1), tick=False):
        own = services.check_out(actor=volunteer_user, signup=mine)
    with time_machine.travel(shift.ends_at + 2 * HOUR, tick=False):  # left late: counted to the end only
        witnessed = services.check_out(actor=organiser, signup=seen)

    assert (own.source, own.status, own.minutes) == (HoursSource.SELF, HoursStatus.PENDING, 90)
    assert (witnessed.source, witnessed.status, witnessed.minutes) == (HoursSource.ORGANISER, HoursStatus.APPROVED,
                                                                      120)
    assert list(selectors.pending_hours(organiser)) == [own]


def test_approved_hours_credit_the_households_points_once_by_the_rule(organiser, volunteer_user, volunteer, keeper,
                                                                     bank):
    hour = bank_services.rule_save(actor=keeper, bank=bank, name="志愿服务一小时", points=5)
    account = points.account_for(actor=keeper, bank=bank, household=household())
    services.link_points(actor=keeper, volunteer=volunteer, account=account)
    clean_up = services.activity_create(actor=organiser, org_code=Tree.VILLAGE_A, title="清扫", place="村道",
                                        earning_rule=hour)
    today = timezone.localdate()
    hours = services.hours_record(actor=volunteer_user, volunteer=volunteer, activity=clean_up, served_on=today,
                                  minutes=150, note="清扫村道")

    services.hours_decide(actor=organiser, hours=hours, approve=True)
    with pytest.raises(DomainError):
        services.hours_decide(actor=organiser, hours=ServiceHours.objects.get(pk=hours.pk), approve=True)

    assert PointsAccount.objects.get(pk=account.pk).balance == 10  # two whole hours × 5
    award = Movement.objects.get(credit=account)
    assert award.source_key == f"volunteer-hours:{hours.pk}" and award.rule == hour
    assert Notification.objects.filter(user=volunteer_user, kind=services.HOURS_DECIDED).count() == 1


def test_declined_hours_need_a_reason_and_credit_nothing(organiser, volunteer_user, volunteer, activity):
    hours = services.hours_record(actor=volunteer_user, volunteer=volunteer, activity=activity,
                                  served_on=timezone.localdate(), minutes=60, note="巡逻")

    with pytest.raises(DomainError):
        services.hours_decide(actor=organiser, hours=hours, approve=False, reason="")
    services.hours_decide(actor=organiser, hours=hours, approve=False, reason="当天没有排班")

    hours.refresh_from_db()
    assert hours.status == HoursStatus.DECLINED and hours.decline_reason == "当天没有排班" and hours.points is None


@pytest.mark.parametrize("days_ago, minutes", [(-1, 60), (61, 60), (1, 0), (1, 12 * 60 + 1), (1, True)])
def test_hours_are_a_recent_day_and_a_sensible_time(volunteer_user, volunteer, activity, days_ago, minutes):
    with pytest.raises(DomainError):
        services.hours_record(actor=volunteer_user, volunteer=volunteer, activity=activity, minutes=minutes,
                              served_on=timezone.localdate() - datetime.timedelta(days=days_ago), note="巡逻")
    assert not ServiceHours.objects.exists()


def test_a_volunteer_never_reaches_another_volunteers_signup(organiser, volunteer, shift):
    other_user = make_user("v2", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    services.volunteer_register(actor=organiser, name="黄建国", org_code=Tree.VILLAGE_A, user=other_user)
    signup = services.sign_up(actor=organiser, shift=shift, volunteer=volunteer)

    with pytest.raises(NotFound):
        selectors.access_signup(other_user, signup.pk)
    with pytest.raises(NotFound):
        services.cancel_signup(actor=other_user, signup=signup)


# --- Reminders and "shifts I can take" ----------------------------------------------------------


def test_the_reminder_before_a_shift_is_told_once(organiser, volunteer_user, volunteer, activity):
    soon = services.shift_add(actor=organiser, activity=activity, starts_at=timezone.now() + 5 * HOUR,
                              ends_at=timezone.now() + 7 * HOUR, capacity=3)
    later = services.shift_add(actor=organiser, activity=activity, starts_at=timezone.now() + 50 * HOUR,
                               ends_at=timezone.now() + 52 * HOUR, capacity=3)
    services.sign_up(actor=volunteer_user, shift=soon, volunteer=volunteer)
    services.sign_up(actor=volunteer_user, shift=later, volunteer=volunteer)

    assert send_shift_reminders() == 1
    assert send_shift_reminders() == 0
    told = Notification.objects.get(user=volunteer_user, kind="volunteer_shift_soon")
    assert "村道环境整治" in told.text and "村委会" in told.text


def test_shifts_i_can_take_leave_out_started_cancelled_far_and_mine(organiser, volunteer_user, volunteer, activity,
                                                                    shift):
    elsewhere = services.activity_create(
        actor=make_user("org-b", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_B), org_code=Tree.VILLAGE_B,
        title="外村活动", place="外村")
    far = services.shift_add(actor=make_user("org-b2", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_B),
                             activity=elsewhere, starts_at=tomorrow(), ends_at=tomorrow(10), capacity=5)
    called_off = services.shift_add(actor=organiser, activity=activity, starts_at=tomorrow(14),
                                    ends_at=tomorrow(15), capacity=5)
    services.shift_cancel(actor=organiser, shift=called_off)
    mine = services.shift_add(actor=organiser, activity=activity, starts_at=tomorrow(16), ends_at=tomorrow(17),
                              capacity=5)
    services.sign_up(actor=volunteer_user, shift=mine, volunteer=volunteer)

    assert list(selectors.shifts_i_can_take(volunteer)) == [shift]
    assert far.pk not in [s.pk for s in selectors.shifts_i_can_take(volunteer)]
