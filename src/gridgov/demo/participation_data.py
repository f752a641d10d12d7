"""The demo's points bank (issue 14): the first village's bank with its earning rules, shop,
fund and a 12-month expiry; accounts of the village's first households, what they earned over
the past weeks (by the grid worker and the keeper, one with a photo), redemptions handed over,
one still reserved and one voided, one earning reversed, points of last year expired, and two
households that agreed to be named on the leaderboard — every movement through the services
on its own day."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.core.images import check_image
from gridgov.core.models import User
from gridgov.participation.models import FundSource
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from gridgov.register.models import Household

RULES = (("参加环境卫生整治", 10), ("志愿服务一小时", 5), ("协助化解矛盾纠纷", 20), ("参加屋场会", 3))
ITEMS = (("洗衣液", 20, 30), ("大米（5公斤）", 40, 12), ("食用油（1.8升）", 60, 0))  # the oil is sold out


def _on(days_ago: int):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    return time_machine.travel(moment.replace(hour=10, minute=0), tick=False)


def _clean_up_photo():
    """A photographed clean-up: a green verge and a swept grey road."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (120, 170, 90))
    ImageDraw.Draw(image).rectangle((0, 220, 480, 360), fill=(150, 150, 150))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return check_image(SimpleUploadedFile("clean-up.jpg", buffer.getvalue(), content_type="image/jpeg"))


def write_points(*, village_code: str) -> dict[str, int]:
    keeper = User.objects.filter(username="bank").first()
    worker = User.objects.filter(username="gridworker").first()
    households = list(Household.objects.filter(org_code__startswith=village_code).order_by("id")[:6])
    if keeper is None or not households:
        return {}
    with _on(420):
        bank = bank_services.bank_create(actor=keeper, name="村综治银行", org_code=village_code)
        rules = [bank_services.rule_save(actor=keeper, bank=bank, name=name, points=n) for name, n in RULES]
        items = [bank_services.item_save(actor=keeper, bank=bank, name=name, price=price, add_stock=stock)
                 for name, price, stock in ITEMS]
        bank_services.bank_settings(actor=keeper, bank=bank, expiry_months=12)
        bank_services.fund_add(actor=keeper, bank=bank, source=FundSource.TOWNSHIP, contributor="镇综治办",
                               amount="5000", received_on=timezone.localdate())
    with _on(60):
        bank_services.fund_add(actor=keeper, bank=bank, source=FundSource.SPONSOR, contributor="县供销社",
                               amount="1200.50", received_on=timezone.localdate())
    accounts = []
    for n, household in enumerate(households):
        with _on(419 - n):
            accounts.append(points.account_for(actor=keeper, bank=bank, household=household))
    with _on(400):  # last year's points, unspent: they expire (below)
        points.earn(actor=keeper, account=accounts[-1], rule=rules[0], reason="", idempotency_key="demo-old-0")
        points.earn(actor=keeper, account=accounts[-1], rule=rules[1], reason="", idempotency_key="demo-old-1")
    with _on(30):
        points.earn(actor=keeper, account=accounts[0], rule=rules[0], reason="村口垃圾清运", evidence=_clean_up_photo(),
                    idempotency_key="demo-photo")
    made = 0
    for n, account in enumerate(accounts):
        earner = worker if worker is not None and account.org_code.startswith(worker.scope_code or "-") else keeper
        for week, rule in enumerate(rules[: 1 + (n + 2) % len(rules)]):
            with _on(35 - 7 * week):
                points.earn(actor=earner, account=account, rule=rule, reason="", idempotency_key=f"demo-{n}-{week}")
                made += 1
    soap, rice, _oil = items
    with _on(20):
        handed = points.redeem(actor=keeper, account=accounts[0], item=soap, idempotency_key="demo-redeem-0")
        points.hand_over(actor=keeper, redemption=handed)
    if len(accounts) > 3:
        with _on(10):
            points.earn(actor=keeper, account=accounts[3], amount=40, reason="协助化解矛盾纠纷（两次）",
                        idempotency_key="demo-extra-3")
            voided = points.redeem(actor=keeper, account=accounts[3], item=rice, idempotency_key="demo-redeem-3")
            points.void(actor=keeper, redemption=voided, reason="户主改选洗衣液")
        with _on(2):
            points.redeem(actor=keeper, account=accounts[3], item=soap, idempotency_key="demo-redeem-3b")
        mistake = None
        with _on(5):
            mistake = points.earn(actor=keeper, account=accounts[1], amount=5, reason="志愿服务一小时（重复登记）",
                                  idempotency_key="demo-mistake")
        with _on(4):
            points.reverse(actor=keeper, movement=mistake, reason="同一次服务登记了两次")
    for account in accounts[:2]:
        bank_services.leaderboard_consent(actor=keeper, account=account, agreed=True)
    expired = points.expire_due(bank=bank)
    return {"banks": 1, "accounts": len(accounts), "earnings": made, "expired": expired}
