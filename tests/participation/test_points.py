"""The points bank as its keeper and a grid worker use it: earning by rule or amount, the
shop's redemptions reserved, handed over or voided, reversals, and the rules that hold the
ledger exact — never below zero, append-only, each key and each source once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import Role
from gridgov.participation.models import AccountKind, Movement, PointsAccount, ShopItem
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from tests.factories import Tree, make_user
from tests.participation.conftest import household

pytestmark = pytest.mark.django_db


def balances(bank) -> dict:
    return {a.kind if a.kind != AccountKind.HOUSEHOLD else a.household_id: a.balance
            for a in PointsAccount.objects.filter(bank=bank)}


def test_earned_points_come_from_the_issuer_and_the_ledger_adds_up(keeper, bank, account):
    clean_up = bank_services.rule_save(actor=keeper, bank=bank, name="参加环境整治", points=10)

    points.earn(actor=keeper, account=account, rule=clean_up, reason="", idempotency_key="k1")
    points.earn(actor=keeper, account=account, amount=5, reason="调解邻里纠纷帮忙", idempotency_key="k2")

    account.refresh_from_db()
    assert account.balance == 15
    assert balances(bank) == {"issuer": -15, "hold": 0, "shop": 0, account.household_id: 15}
    assert sum(balances(bank).values()) == 0  # double entry: what the bank owes is what the households hold


def test_a_grid_worker_records_earnings_of_its_cell_only(keeper, bank, account, grid_worker):
    other = points.account_for(actor=keeper, bank=bank, household=household(cell=Tree.CELL_A2, address="2组1号"))

    points.earn(actor=grid_worker, account=account, amount=3, reason="志愿服务1小时", idempotency_key="g1")
    with pytest.raises(NotFound):
        points.earn(actor=grid_worker, account=other, amount=3, reason="志愿服务", idempotency_key="g2")
    with pytest.raises(Forbidden):  # the shop is the keeper's
        points.redeem(actor=grid_worker, account=account, amount=1, idempotency_key="g3")


def test_the_same_key_gets_the_first_answer_and_a_source_is_awarded_once(keeper, bank, account):
    first = points.earn(actor=keeper, account=account, amount=8, reason="巡逻", idempotency_key="same")
    again = points.earn(actor=keeper, account=account, amount=8, reason="巡逻", idempotency_key="same")
    with pytest.raises(DomainError) as other_request:
        points.earn(actor=keeper, account=account, amount=9, reason="巡逻", idempotency_key="same")

    points.earn(actor=keeper, account=account, amount=4, reason="志愿服务", idempotency_key="a",
                source_key="shift:17")
    with pytest.raises(DomainError) as twice:
        points.earn(actor=keeper, account=account, amount=4, reason="志愿服务", idempotency_key="b",
                    source_key="shift:17")

    assert again.pk == first.pk and other_request.value.code == ErrorCode.CONFLICT
    assert twice.value.code == ErrorCode.DUPLICATE
    account.refresh_from_db()
    assert account.balance == 12


def test_a_redemption_holds_the_points_until_handed_over_or_voided(keeper, bank, account, soap):
    points.earn(actor=keeper, account=account, amount=70, reason="积分", idempotency_key="e")

    reserved = points.redeem(actor=keeper, account=account, item=soap, quantity=2, idempotency_key="r1")
    assert reserved.amount == 40 and ShopItem.objects.get(pk=soap.pk).stock == 3
    assert balances(bank) == {"issuer": -70, "hold": 40, "shop": 0, account.household_id: 30}
    handed = points.hand_over(actor=keeper, redemption=reserved)
    assert handed.status == "handed_over" and balances(bank)["shop"] == 40 and balances(bank)["hold"] == 0

    second = points.redeem(actor=keeper, account=account, item=soap, quantity=1, idempotency_key="r2")
    with pytest.raises(DomainError) as late:
        points.hand_over(actor=keeper, redemption=points.void(actor=keeper, redemption=second, reason="换货"))
    assert late.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert ShopItem.objects.get(pk=soap.pk).stock == 3
    assert balances(bank) == {"issuer": -70, "hold": 0, "shop": 40, account.household_id: 30}


def test_not_enough_points_or_stock_is_a_409_and_nothing_moves(keeper, bank, account, soap):
    points.earn(actor=keeper, account=account, amount=30, reason="积分", idempotency_key="e")

    with pytest.raises(DomainError) as poor:
        points.redeem(actor=keeper, account=account, item=soap, quantity=2, idempotency_key="r1")
    with pytest.raises(DomainError) as empty:
        points.redeem(actor=keeper, account=account, item=soap, quantity=6, idempotency_key="r2")

    assert poor.value.code == ErrorCode.INSUFFICIENT_BALANCE and empty.value.code == ErrorCode.OUT_OF_STOCK
    assert ShopItem.objects.get(pk=soap.pk).stock == 5
    assert balances(bank)[account.household_id] == 30 and not bank.redemptions.exists()


@pytest.mark.parametrize("amount", [0, -5, 100_001, 2.5, True, None])
def test_zero_negative_or_absurd_amounts_are_refused(keeper, bank, account, amount):
    with pytest.raises(DomainError) as refused:
        points.earn(actor=keeper, account=account, amount=amount, reason="x", idempotency_key="k")

    assert refused.value.code == ErrorCode.INVALID and not Movement.objects.filter(kind="earn").exists()


def test_a_mistaken_earning_is_reversed_not_edited_and_only_while_the_points_are_there(keeper, bank, account, soap):
    mistake = points.earn(actor=keeper, account=account, amount=20, reason="记错", idempotency_key="m")
    spent = points.earn(actor=keeper, account=account, amount=20, reason="巡逻", idempotency_key="s")
    points.redeem(actor=keeper, account=account, item=soap, quantity=1, idempotency_key="r")

    points.reverse(actor=keeper, movement=mistake, reason="重复登记")
    with pytest.raises(DomainError) as gone:  # the other 20 were spent
        points.reverse(actor=keeper, movement=spent, reason="重复登记")
    with pytest.raises(DomainError) as twice:
        points.reverse(actor=keeper, movement=mistake, reason="再次")

    assert gone.value.code == ErrorCode.INSUFFICIENT_BALANCE
    assert twice.value.code in (ErrorCode.CONFLICT, ErrorCode.INSUFFICIENT_BALANCE)
    account.refresh_from_db()
    assert account.balance == 0 and Movement.objects.get(reverses=mistake).amount == 20
    with pytest.raises(TypeError):
        mistake.save()
    with pytest.raises(TypeError):
        mistake.delete()


def test_the_database_itself_refuses_a_negative_balance_or_stock(account, soap):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=account.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopItem.objects.filter(pk=soap.pk).update(stock=-1)


def test_a_bank_and_its_accounts_are_of_the_keepers_village(tree, keeper, bank):
    other_keeper = make_user("bank_b", Role.BANK_KEEPER, scope=Tree.VILLAGE_B)

    with pytest.raises(NotFound):
        bank_services.bank_create(actor=other_keeper, name="外村银行", org_code=Tree.VILLAGE_A)
    with pytest.raises(NotFound):
        points.account_for(actor=other_keeper, bank=bank, household=household())
    with pytest.raises(NotFound):
        points.account_for(actor=keeper, bank=bank, household=household(cell=Tree.CELL_B1, address="外村"))
