"""The points bank's API of CONTRACTS: accounts with balances, earning and redeeming with
their keys, 409 `insufficient_balance` / `out_of_stock` in the error shape, scope."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridgov.core.models import Role
from gridgov.participation.models import Movement
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from tests.factories import Tree, make_user
from tests.participation.conftest import household
from tests.security.races import assert_error_shape

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_accounts_of_my_village_with_their_balances(keeper, bank, account):
    points.earn(actor=keeper, account=account, amount=12, reason="巡逻", idempotency_key="k")

    rows = api(keeper).get("/api/v1/points/accounts/", {"org": Tree.VILLAGE_A}).json()["results"]

    assert rows == [{"id": account.pk, "household": account.household_id, "org_code": Tree.CELL_A1,
                     "bank": bank.pk, "balance": 12}]


def test_earn_then_redeem_through_the_api(keeper, bank, account, soap):
    client = api(keeper)
    rule = bank_services.rule_save(actor=keeper, bank=bank, name="志愿服务一小时", points=25)

    earned = client.post(f"/api/v1/points/accounts/{account.pk}/earn/", {"rule": rule.pk, "idempotency_key": "e1"},
                         format="json")
    retried = client.post(f"/api/v1/points/accounts/{account.pk}/earn/", {"rule": rule.pk, "idempotency_key": "e1"},
                          format="json")
    redeemed = client.post(f"/api/v1/points/accounts/{account.pk}/redeem/",
                           {"item": soap.pk, "idempotency_key": "r1"}, format="json")

    assert earned.status_code == 201 and earned.json()["balance"] == 25 and earned.json()["reason"] == "志愿服务一小时"
    assert retried.status_code == 201 and retried.json()["id"] == earned.json()["id"]
    assert redeemed.status_code == 201 and redeemed.json() | {"id": 0} == {
        "id": 0, "status": "reserved", "item": soap.pk, "quantity": 1, "amount": 20, "balance": 5}
    assert api(keeper).get(f"/api/v1/points/accounts/{account.pk}/").json()["balance"] == 5


def test_not_enough_points_or_stock_answers_409_in_the_error_shape(keeper, bank, account, soap):
    client = api(keeper)
    client.post(f"/api/v1/points/accounts/{account.pk}/earn/", {"amount": 200, "reason": "积分",
                                                                 "idempotency_key": "e"}, format="json")

    poor = client.post(f"/api/v1/points/accounts/{account.pk}/redeem/", {"amount": 500, "idempotency_key": "a"},
                       format="json")
    empty = client.post(f"/api/v1/points/accounts/{account.pk}/redeem/",
                        {"item": soap.pk, "quantity": 6, "idempotency_key": "b"}, format="json")

    assert_error_shape(poor, 409, {"insufficient_balance"})
    assert_error_shape(empty, 409, {"out_of_stock"})


@pytest.mark.parametrize("body", [
    {"amount": 0, "reason": "x", "idempotency_key": "k"},
    {"amount": -3, "reason": "x", "idempotency_key": "k"},
    {"amount": "十", "reason": "x", "idempotency_key": "k"},
    {"amount": 5, "reason": "x"},
    {"amount": 5, "reason": "x", "idempotency_key": "k" * 65},
    {"reason": "x", "idempotency_key": "k"},
    {"rule": 999999, "idempotency_key": "k"},
])
def test_hostile_earnings_are_a_400_and_nothing_moves(keeper, account, body):
    assert_error_shape(api(keeper).post(f"/api/v1/points/accounts/{account.pk}/earn/", body, format="json"), 400)
    assert not Movement.objects.filter(kind="earn").exists()


def test_other_villages_and_other_roles_reach_no_account(tree, keeper, account, grid_worker):
    other = make_user("bank_b", Role.BANK_KEEPER, scope=Tree.VILLAGE_B)
    mediator = make_user("m", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)

    assert_error_shape(api(other).get(f"/api/v1/points/accounts/{account.pk}/"), 404)
    assert api(other).get("/api/v1/points/accounts/").json()["results"] == []
    assert_error_shape(api(mediator).get("/api/v1/points/accounts/"), 403)
    assert_error_shape(api(grid_worker).post(f"/api/v1/points/accounts/{account.pk}/redeem/",
                                             {"amount": 1, "idempotency_key": "x"}, format="json"), 403)
    earned = api(grid_worker).post(f"/api/v1/points/accounts/{account.pk}/earn/",
                                   {"amount": 2, "reason": "清理河道", "idempotency_key": "gw"}, format="json")
    assert earned.status_code == 201


@pytest.mark.parametrize("n", [2, 12])
def test_the_account_list_query_count(keeper, bank, django_assert_num_queries, n):
    for i in range(n):
        points.account_for(actor=keeper, bank=bank, household=household(address=f"1组{i}号"))
    client = api(keeper)

    with django_assert_num_queries(QUERIES):
        rows = client.get("/api/v1/points/accounts/").json()["results"]

    assert len(rows) == n


QUERIES = 1
