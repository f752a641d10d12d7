"""The points bank's pages as its keeper and a grid worker use them: the desk with its
figures and accounts by name, opening an account, earning with a photo, the shop's
redemptions, reversals, the bank's rules, shop, expiry and fund, the leaderboard that names
only households that agreed, and the monthly statement in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from gridgov.core.models import AuditEntry, Role
from gridgov.participation.models import (
    FundContribution,
    Movement,
    MovementKind,
    PointsAccount,
    Redemption,
    RedemptionStatus,
    ShopItem,
)
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from tests.factories import Tree, make_user
from tests.participation.conftest import household

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def jpeg(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 160, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile("act.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def named_account(keeper, bank):
    return points.account_for(actor=keeper, bank=bank, household=household(head="王秀英"))


@pytest.fixture
def clean_up(keeper, bank):
    return bank_services.rule_save(actor=keeper, bank=bank, name="参加环境整治", points=10)


# --- The desk -----------------------------------------------------------------------------------


def test_the_keeper_finds_the_bank_with_its_figures_and_households_by_name(client, keeper, bank, named_account,
                                                                           clean_up):
    points.earn(actor=keeper, account=named_account, rule=clean_up, reason="", idempotency_key="k")
    client = signed_in(client, keeper)

    home = client.get(reverse("points-banks"))
    assert home.status_code == 302 and home["Location"] == reverse("points-bank", args=[bank.pk])  # one bank: its desk
    desk = client.get(home["Location"])
    text = desk.content.decode()
    assert desk.status_code == 200
    assert "王秀英" in text and "幸福村1组8号" not in text  # the keeper sees names, addresses masked
    assert desk.context["figures"].balances == 10 and desk.context["figures"].households == 1

    found = client.get(reverse("points-bank", args=[bank.pk]), {"q": "秀英"})
    missing = client.get(reverse("points-bank", args=[bank.pk]), {"q": "李"})
    assert len(found.context["accounts"]) == 1 and missing.context["accounts"] == []
    assert "No account of a household with a member named" in missing.content.decode()


def test_the_keeper_opens_an_account_for_a_household_found_by_a_members_name(client, keeper, bank):
    home = household(head="赵志刚", address="幸福村3组2号")
    client = signed_in(client, keeper)

    found = client.get(reverse("points-bank", args=[bank.pk]), {"household": "志刚"})
    assert [row["household"].pk for row in found.context["candidates"]] == [home.pk]
    opened = client.post(reverse("points-account-open", args=[bank.pk]), {"household": home.pk})

    account = PointsAccount.objects.get(bank=bank, household=home)
    assert opened["Location"] == reverse("points-account", args=[account.pk])
    again = client.get(reverse("points-bank", args=[bank.pk]), {"household": "志刚"})
    assert again.context["candidates"] == []  # it has one now


def test_a_household_of_another_village_is_not_opened(client, keeper, bank):
    elsewhere = household(cell=Tree.CELL_B1, head="外村人", address="外村1号")

    response = signed_in(client, keeper).post(reverse("points-account-open", args=[bank.pk]), {"household": elsewhere.pk})

    assert response.status_code == 302 and not PointsAccount.objects.filter(household=elsewhere).exists()


def test_another_villages_keeper_and_a_grid_worker_are_kept_out_of_the_keeping(client, bank, grid_worker):
    other = make_user("bank2", Role.BANK_KEEPER, scope=Tree.VILLAGE_B)

    assert signed_in(client, other).get(reverse("points-bank", args=[bank.pk])).status_code == 404
    assert client.get(reverse("points-bank-setup", args=[bank.pk])).status_code == 404
    worker = signed_in(client, grid_worker)
    assert worker.get(reverse("points-bank", args=[bank.pk])).status_code == 200  # the bank of its village
    assert worker.get(reverse("points-bank-setup", args=[bank.pk])).status_code == 403
    assert worker.post(reverse("points-rule-save", args=[bank.pk]),
                       {"rule-name": "x", "rule-points": 5}).status_code == 403
    assert not bank.rules.exists()


# --- A household's account ----------------------------------------------------------------------


def test_a_grid_worker_records_points_with_a_photo_on_the_phone(client, keeper, bank, named_account, clean_up,
                                                                grid_worker, django_capture_on_commit_callbacks):
    client = signed_in(client, grid_worker)
    page = client.get(reverse("points-account", args=[named_account.pk]))
    key = page.context["earn_form"]["key"].value()

    with django_capture_on_commit_callbacks(execute=True):  # the photo is written when the earning commits
        response = client.post(reverse("points-account-earn", args=[named_account.pk]),
                               {"rule": clean_up.pk, "reason": "村口清运", "key": key, "photo": jpeg()})
    twice = client.post(reverse("points-account-earn", args=[named_account.pk]),
                        {"rule": clean_up.pk, "reason": "村口清运", "key": key})  # the button pressed again

    assert response.status_code == 302 and twice.status_code == 302
    movement = Movement.objects.get(credit=named_account, kind=MovementKind.EARN)
    named_account.refresh_from_db()
    assert named_account.balance == 10 and movement.actor == grid_worker and movement.evidence
    photo = client.get(reverse("points-movement-photo", args=[movement.pk]))
    assert photo.status_code == 200 and "no-store" in photo["Cache-Control"] and "private" in photo["Cache-Control"]
    assert "No points earned or spent yet." not in client.get(reverse("points-account", args=[named_account.pk])
                                                              ).content.decode()


def test_a_grid_worker_does_not_reach_an_account_outside_its_cells(client, keeper, bank, grid_worker):
    other = points.account_for(actor=keeper, bank=bank, household=household(cell=Tree.CELL_A2, head="别格"))

    client = signed_in(client, grid_worker)
    assert client.get(reverse("points-account", args=[other.pk])).status_code == 404
    assert client.post(reverse("points-account-earn", args=[other.pk]),
                       {"amount": 5, "reason": "x", "key": "k"}).status_code == 404
    assert not Movement.objects.filter(credit=other).exists()


@pytest.mark.parametrize("data, field", [
    ({"amount": "", "reason": "巡逻"}, "amount"),
    ({"amount": 0, "reason": "巡逻"}, "amount"),
    ({"amount": -5, "reason": "巡逻"}, "amount"),
    ({"amount": 100_001, "reason": "巡逻"}, "amount"),
    ({"amount": 5, "reason": ""}, "reason"),
    ({"rule": 999999, "reason": ""}, "rule"),
])
def test_bad_earnings_are_refused_next_to_their_field_and_nothing_moves(client, keeper, named_account, data, field):
    response = signed_in(client, keeper).post(reverse("points-account-earn", args=[named_account.pk]),
                                              {"key": "k", **data})

    assert response.status_code == 400 and response.context["earn_form"].errors[field]
    assert not Movement.objects.filter(credit=named_account).exists()


def test_a_file_that_is_no_image_is_refused_and_nothing_moves(client, keeper, named_account):
    fake = SimpleUploadedFile("act.jpg", b"<?php system($_GET['c']); ?>", content_type="image/jpeg")

    response = signed_in(client, keeper).post(reverse("points-account-earn", args=[named_account.pk]),
                                              {"amount": 5, "reason": "巡逻", "key": "k", "photo": fake})

    assert response.status_code == 400 and not Movement.objects.filter(credit=named_account).exists()


def test_the_keeper_reserves_hands_over_and_voids_at_the_shop(client, keeper, bank, named_account, soap):
    points.earn(actor=keeper, account=named_account, amount=100, reason="志愿服务", idempotency_key="e")
    client = signed_in(client, keeper)
    page = client.get(reverse("points-account", args=[named_account.pk]))

    reserved = client.post(reverse("points-account-redeem", args=[named_account.pk]),
                           {"item": soap.pk, "quantity": 2, "key": page.context["redeem_form"]["key"].value()})
    assert reserved.status_code == 302
    first = Redemption.objects.get(account=named_account)
    desk = client.get(reverse("points-bank", args=[bank.pk]))
    assert [row["redemption"].pk for row in desk.context["reserved"]] == [first.pk]
    client.post(reverse("points-redemption-hand-over", args=[first.pk]))

    second = points.redeem(actor=keeper, account=named_account, item=soap, quantity=1, idempotency_key="r2")
    without_reason = client.post(reverse("points-redemption-void", args=[second.pk]), {"reason": ""})
    client.post(reverse("points-redemption-void", args=[second.pk]), {"reason": "户主改主意", "next": "account"})

    first.refresh_from_db(), second.refresh_from_db(), named_account.refresh_from_db(), soap.refresh_from_db()
    assert without_reason.status_code == 302
    assert first.status == RedemptionStatus.HANDED_OVER and second.status == RedemptionStatus.VOIDED
    assert named_account.balance == 60 and soap.stock == 3


def test_more_than_the_balance_or_the_stock_is_refused_with_the_reason(client, keeper, named_account, soap):
    points.earn(actor=keeper, account=named_account, amount=30, reason="志愿服务", idempotency_key="e")
    client = signed_in(client, keeper)

    poor = client.post(reverse("points-account-redeem", args=[named_account.pk]),
                       {"item": soap.pk, "quantity": 2, "key": "a"})  # 40 points
    ShopItem.objects.filter(pk=soap.pk).update(stock=0)
    empty = client.post(reverse("points-account-redeem", args=[named_account.pk]),
                        {"item": soap.pk, "quantity": 1, "key": "b"})

    assert poor.status_code == 409 and "Not enough points" in poor.content.decode()
    assert empty.status_code == 409 and "Out of stock" in empty.content.decode()
    named_account.refresh_from_db()
    assert named_account.balance == 30 and not Redemption.objects.exists()


def test_the_keeper_reverses_an_earning_once(client, keeper, named_account):
    mistake = points.earn(actor=keeper, account=named_account, amount=5, reason="重复登记", idempotency_key="e")
    client = signed_in(client, keeper)

    client.post(reverse("points-movement-reverse", args=[mistake.pk]), {"reason": "同一次服务登记了两次"})
    client.post(reverse("points-movement-reverse", args=[mistake.pk]), {"reason": "again"})

    named_account.refresh_from_db()
    assert named_account.balance == 0 and Movement.objects.filter(kind=MovementKind.REVERSAL).count() == 1
    page = client.get(reverse("points-account", args=[named_account.pk]))
    assert not any(row["reversible"] for row in page.context["rows"])


# --- Keeping the bank ---------------------------------------------------------------------------


def test_the_keeper_sets_rules_shop_expiry_and_fund_from_the_page(client, keeper, bank):
    client = signed_in(client, keeper)
    url = reverse("points-bank-setup", args=[bank.pk])

    client.post(reverse("points-rule-save", args=[bank.pk]),
                {"rule-name": "巡逻一次", "rule-points": 8, "rule-is_active": "on"})
    client.post(reverse("points-item-save", args=[bank.pk]),
                {"item-name": "毛巾", "item-price": 15, "item-add_stock": 10, "item-is_active": "on"})
    towel = ShopItem.objects.get(bank=bank)
    client.post(reverse("points-item-save", args=[bank.pk]),
                {"item-item": towel.pk, "item-name": "毛巾", "item-price": 15, "item-add_stock": 5,
                 "item-is_active": "on"})
    client.post(reverse("points-settings-save", args=[bank.pk]), {"expiry_months": 12})
    client.post(reverse("points-fund-add", args=[bank.pk]),
                {"source": "township", "contributor": "镇综治办", "amount": "5000", "received_on": "2026-01-05"})

    towel.refresh_from_db(), bank.refresh_from_db()
    assert bank.rules.get().points == 8 and towel.stock == 15 and bank.expiry_months == 12
    text = client.get(url).content.decode()
    assert "巡逻一次" in text and "镇综治办" in text and "5000.00" in text


@pytest.mark.parametrize("target, data", [
    ("points-rule-save", {"rule-name": "", "rule-points": 5}),
    ("points-rule-save", {"rule-name": "扣分", "rule-points": -5}),
    ("points-item-save", {"item-name": "毛巾", "item-price": 0, "item-add_stock": 1}),
    ("points-item-save", {"item-name": "毛巾", "item-price": 5, "item-add_stock": -3}),
    ("points-settings-save", {"expiry_months": 0}),
    ("points-settings-save", {"expiry_months": 121}),
    ("points-fund-add", {"source": "township", "contributor": "镇", "amount": "-1", "received_on": "2026-01-05"}),
    ("points-fund-add", {"source": "township", "contributor": "镇", "amount": "100", "received_on": "2999-01-05"}),
    ("points-fund-add", {"source": "bribe", "contributor": "镇", "amount": "100", "received_on": "2026-01-05"}),
])
def test_bad_values_in_the_keeping_forms_are_400_and_change_nothing(client, keeper, bank, target, data):
    response = signed_in(client, keeper).post(reverse(target, args=[bank.pk]), data)

    bank.refresh_from_db()
    assert response.status_code == 400
    assert not bank.rules.exists() and not bank.items.exists() and bank.expiry_months is None
    assert not FundContribution.objects.exists()


# --- The leaderboard and the statement ----------------------------------------------------------


def test_the_leaderboard_names_only_the_households_that_agreed(client, keeper, bank, named_account):
    quiet = points.account_for(actor=keeper, bank=bank, household=household(head="不愿具名", address="2号"))
    points.earn(actor=keeper, account=named_account, amount=5, reason="巡逻", idempotency_key="a")
    points.earn(actor=keeper, account=quiet, amount=9, reason="巡逻", idempotency_key="b")
    client = signed_in(client, keeper)
    client.post(reverse("points-account-consent", args=[named_account.pk]), {"agreed": "on"})

    board = client.get(reverse("points-leaderboard", args=[bank.pk]))
    text = board.content.decode()

    assert [(r["row"].rank, r["row"].earned, r["row"].named) for r in board.context["rows"]] == [(1, 9, False),
                                                                                                (2, 5, True)]
    assert "王秀英" in text and "不愿具名" not in text and "A household (not named)" in text
    client.post(reverse("points-account-consent", args=[named_account.pk]), {})
    assert "王秀英" not in client.get(reverse("points-leaderboard", args=[bank.pk])).content.decode()


def test_spending_does_not_lower_a_place_and_a_reversed_earning_does_not_count(client, keeper, bank, named_account,
                                                                              soap):
    points.earn(actor=keeper, account=named_account, amount=40, reason="巡逻", idempotency_key="a")
    points.redeem(actor=keeper, account=named_account, item=soap, idempotency_key="r")
    mistake = points.earn(actor=keeper, account=named_account, amount=30, reason="错记", idempotency_key="b")
    points.reverse(actor=keeper, movement=mistake, reason="错记")

    board = signed_in(client, keeper).get(reverse("points-leaderboard", args=[bank.pk]))

    assert [r["row"].earned for r in board.context["rows"]] == [40]


def test_the_monthly_statement_is_a_chinese_pdf_with_the_months_movements(client, keeper, named_account, soap):
    points.earn(actor=keeper, account=named_account, amount=50, reason="协助调解", idempotency_key="a")
    points.redeem(actor=keeper, account=named_account, item=soap, idempotency_key="r")
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    response = signed_in(client, keeper).get(reverse("points-account-statement", args=[named_account.pk, month]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")
    assert "积分对账单" in text and "王秀英" in text and "协助调解" in text and "洗衣液" in text
    assert "+50" in text and "-20" in text and "30" in text
    assert AuditEntry.objects.filter(action="points.statement").count() == 1
    future = client.get(reverse("points-account-statement", args=[named_account.pk, "2999-01"]))
    nonsense = client.get(reverse("points-account-statement", args=[named_account.pk, "abc"]))
    assert future.status_code == 302 and nonsense.status_code == 302


# --- Home page and query counts -----------------------------------------------------------------


def test_the_keepers_home_page_counts_the_redemptions_to_hand_over(client, keeper, bank, named_account, soap):
    points.earn(actor=keeper, account=named_account, amount=60, reason="巡逻", idempotency_key="a")
    points.redeem(actor=keeper, account=named_account, item=soap, idempotency_key="r1")
    points.redeem(actor=keeper, account=named_account, item=soap, idempotency_key="r2")

    home = signed_in(client, keeper).get("/")

    text = home.content.decode()
    assert "Redemptions to hand over" in text and reverse("points-bank", args=[bank.pk]) in text
    items = [i for i in home.context["workbench"].items if i.key == "points.reserved"]
    assert [i.count for i in items] == [2]


@pytest.mark.parametrize("n", [2, 12])
def test_the_desk_costs_the_same_whatever_the_number_of_households(client, keeper, bank, soap, n,
                                                                   django_assert_num_queries):
    for i in range(n):
        account = points.account_for(actor=keeper, bank=bank, household=household(head=f"户主{i}", address=f"{i}号"))
        points.earn(actor=keeper, account=account, amount=30, reason="巡逻", idempotency_key=f"e{i}")
        points.redeem(actor=keeper, account=account, item=soap, idempotency_key=f"r{i}") if i < 5 else None
    client = signed_in(client, keeper)
    client.get(reverse("points-bank", args=[bank.pk]))

    # session, user, roles, scope name, notifications; the bank; the accounts page and their
    # heads; the figures (3); the reserved redemptions and their heads; the bank's name path
    with django_assert_num_queries(5 + 1 + 2 + 3 + 2 + 1):
        page = client.get(reverse("points-bank", args=[bank.pk]))
    assert len(page.context["accounts"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_account_page_costs_the_same_whatever_the_length_of_its_ledger(client, keeper, named_account, soap, n,
                                                                           django_assert_num_queries):
    for i in range(n):
        points.earn(actor=keeper, account=named_account, amount=30, reason="巡逻", idempotency_key=f"e{i}")
    points.redeem(actor=keeper, account=named_account, item=soap, idempotency_key="r")
    client = signed_in(client, keeper)
    client.get(reverse("points-account", args=[named_account.pk]))

    # session, user, roles, scope name, notifications; the account; its head; the ledger page;
    # rules; items; the household's reserved redemptions; its volunteers and the village's others
    # (2); the expiry schedule (1: nothing expires)
    with django_assert_num_queries(5 + 1 + 1 + 1 + 2 + 1 + 2 + 1):
        page = client.get(reverse("points-account", args=[named_account.pk]))
    assert len(page.context["rows"]) == min(n + 1, 30)


@pytest.mark.parametrize("n", [2, 6])
def test_the_list_of_an_areas_banks_costs_the_same_whatever_their_number(client, tree, n, django_assert_num_queries):
    township_keeper = make_user("bank-town", Role.BANK_KEEPER, scope=Tree.TOWNSHIP_A)
    for i in range(n):
        bank_services.bank_create(actor=township_keeper, name=f"银行{i}", org_code=Tree.VILLAGE_A)
    client = signed_in(client, township_keeper)
    client.get(reverse("points-banks"), {"all": 1})

    # session, user, roles, unread notifications; the banks; their figures (3); their name paths
    with django_assert_num_queries(4 + 1 + 3 + 1):
        page = client.get(reverse("points-banks"), {"all": 1})
    assert len(page.context["rows"]) == n and page.context["rows"][0]["figures"].households == 0
