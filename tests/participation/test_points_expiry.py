"""Points expiry as the household lives it: points earned in a month last until the end of
the month `expiry_months` later; spending uses the points that expire first; what is past its
day leaves by a ledger movement of its own, once; reversed earnings never expire."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from gridgov.core.exceptions import DomainError
from gridgov.participation.models import Movement, MovementKind, PointsAccount
from gridgov.participation.selectors import points as selectors
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points

pytestmark = pytest.mark.django_db


def on(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


def balance(account) -> int:
    return PointsAccount.objects.get(pk=account.pk).balance


def expired(account) -> int:
    return sum(m.amount for m in Movement.objects.filter(debit=account, kind=MovementKind.EXPIRY))


@pytest.mark.parametrize("earned, months, last_day", [
    ("2026-03-15", 12, "2027-03-31"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2027-11-02", 3, "2028-02-29"),  # a leap year's February
    ("2026-12-31", 1, "2027-01-31"),
])
def test_points_last_until_the_end_of_the_month_so_many_months_later(earned, months, last_day):
    assert points.expiry_date(datetime.date.fromisoformat(earned), months) == datetime.date.fromisoformat(last_day)
    assert points.expiry_date(datetime.date.fromisoformat(earned), None) is None


def test_unspent_points_expire_after_their_day_and_only_once(keeper, bank, account, soap):
    bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=1)
    with on("2026-03-10"):
        points.earn(actor=keeper, account=account, amount=50, reason="巡逻", idempotency_key="march")
    with on("2026-04-20"):
        points.earn(actor=keeper, account=account, amount=30, reason="巡逻", idempotency_key="april")
        points.redeem(actor=keeper, account=account, item=soap, idempotency_key="r")  # 20: from March's points

    with on("2026-04-30"):  # March's points last until the end of April
        assert points.expire_due(bank=bank) == 0
    with on("2026-05-01"):
        assert points.expire_due(bank=bank) == 30
        assert points.expire_due(bank=bank) == 0  # a second run the same day
    with on("2026-05-02"):
        assert points.expire_due(bank=bank) == 0  # nothing more is past its day
    assert balance(account) == 30 and expired(account) == 30
    with on("2026-06-01"):
        assert points.expire_due(bank=bank) == 30  # April's, unspent
    assert balance(account) == 0


def test_spending_after_the_day_does_not_save_points_already_past_it(keeper, bank, account, soap):
    bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=1)
    with on("2026-03-10"):
        points.earn(actor=keeper, account=account, amount=20, reason="巡逻", idempotency_key="march")
    with on("2026-05-03"):
        points.earn(actor=keeper, account=account, amount=20, reason="巡逻", idempotency_key="may")
        points.redeem(actor=keeper, account=account, item=soap, idempotency_key="r")  # May's: March's were past
        assert points.expire_due(bank=bank) == 20  # the sweep came late, March's points still leave
    assert balance(account) == 0


def test_reversed_earnings_never_expire_and_voided_redemptions_count_as_kept(keeper, bank, account, soap):
    bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=1)
    with on("2026-03-10"):
        mistake = points.earn(actor=keeper, account=account, amount=40, reason="错记", idempotency_key="m")
        points.earn(actor=keeper, account=account, amount=25, reason="巡逻", idempotency_key="ok")
        points.reverse(actor=keeper, movement=mistake, reason="错记")
        voided = points.redeem(actor=keeper, account=account, item=soap, idempotency_key="r")
        points.void(actor=keeper, redemption=voided, reason="没拿")

    with on("2026-05-01"):
        assert points.expire_due(bank=bank) == 25
    assert balance(account) == 0


def test_points_earned_before_an_expiry_was_set_never_expire(keeper, bank, account):
    with on("2026-01-10"):
        points.earn(actor=keeper, account=account, amount=10, reason="巡逻", idempotency_key="before")
        bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=1)
        points.earn(actor=keeper, account=account, amount=7, reason="巡逻", idempotency_key="after")
        bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=None)  # and taken off again

    with on("2026-09-01"):
        call_command("points_expire", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert balance(account) == 10 and expired(account) == 7  # what had an expiry keeps it


def test_the_page_and_the_statement_say_what_is_about_to_expire(keeper, bank, account, soap):
    bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=2)
    with on("2026-03-10"):
        points.earn(actor=keeper, account=account, amount=30, reason="巡逻", idempotency_key="a")
    with on("2026-04-10"):
        points.earn(actor=keeper, account=account, amount=25, reason="巡逻", idempotency_key="b")
        points.redeem(actor=keeper, account=account, item=soap, idempotency_key="r")

    with on("2026-04-11"):
        assert selectors.upcoming_expiries(account) == [(datetime.date(2026, 5, 31), 10),
                                                        (datetime.date(2026, 6, 30), 25)]


def test_the_expiry_is_a_whole_number_of_months_or_none(keeper, bank):
    for bad in (0, -1, 121, 1.5, True, "12"):
        with pytest.raises(DomainError):
            bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=bad)
    bank.refresh_from_db()
    assert bank.expiry_months is None
