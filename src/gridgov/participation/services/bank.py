"""Writes of a points bank's keeping: opening the bank, its settings, its earning rules and
shop, the money put into its fund, and a household's consent to be named on the leaderboard.
What a household earns and spends is in points.py. Each write is audited in its transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.service_input import invalid
from gridgov.participation.audit_actions import PointsAction
from gridgov.participation.models import (
    AccountKind,
    EarningRule,
    FundContribution,
    FundSource,
    PointsAccount,
    PointsBank,
    ShopItem,
)
from gridgov.participation.services.points import amount_of, keeps, text_of

MAX_EXPIRY_MONTHS = 120
MAX_CONTRIBUTION = Decimal("10000000")  # yuan in one contribution


def bank_create(*, actor, name: str, org_code: str) -> PointsBank:
    """A village's bank with its own three accounts (issuer, hold, shop)."""
    from gridgov.core.models import OrgLevel, OrgUnit

    require(actor, Capability.KEEP_POINTS_BANK)
    if not in_scope(actor, org_code) or not OrgUnit.objects.filter(code=org_code, level=OrgLevel.VILLAGE).exists():
        raise NotFound(_("No such village in your area."))
    name = text_of(name, field="name", limit=100)
    taken = DomainError(_("A bank of this name serves this village already."), ErrorCode.DUPLICATE,
                        {"name": [_("A bank of this name serves this village already.")]})
    if PointsBank.objects.filter(org_code=org_code, name=name).exists():
        raise taken
    try:  # two keepers opening it at once: the unique name decides
        with transaction.atomic():
            bank = PointsBank.objects.create(name=name, org_code=org_code)
            PointsAccount.objects.bulk_create([PointsAccount(bank=bank, kind=kind, org_code=org_code) for kind in
                                               (AccountKind.ISSUER, AccountKind.HOLD, AccountKind.SHOP)])
            audit_record(actor=actor, action=PointsAction.BANK_CREATE, obj=bank, object_repr=name,
                         org_code=org_code)
    except IntegrityError:
        raise taken from None
    return bank


def rule_save(*, actor, bank: PointsBank, name: str, points: int, rule: EarningRule | None = None,
              is_active: bool = True) -> EarningRule:
    keeps(actor, bank)
    name = text_of(name, field="name", limit=100)
    points = amount_of(points, field="points")
    with transaction.atomic():
        if rule is None:
            rule = EarningRule.objects.create(bank=bank, name=name, points=points, is_active=is_active)
        else:
            if rule.bank_id != bank.pk:
                raise NotFound(_("No such rule of this bank."))
            rule.name, rule.points, rule.is_active = name, points, is_active
            rule.save(update_fields=["name", "points", "is_active"])
        audit_record(actor=actor, action=PointsAction.RULE_SAVE, obj=rule, object_repr=name, org_code=bank.org_code,
                     changes={"points": points, "active": is_active})
    return rule


def item_save(*, actor, bank: PointsBank, name: str, price: int, add_stock: int = 0, item: ShopItem | None = None,
              is_active: bool = True) -> ShopItem:
    """A shop item, and stock added to it (stock only grows here: it is taken by redemptions)."""
    keeps(actor, bank)
    name = text_of(name, field="name", limit=100)
    price = amount_of(price, field="price")
    if isinstance(add_stock, bool) or not isinstance(add_stock, int) or not 0 <= add_stock <= 10_000:
        raise invalid("add_stock", _("Add from 0 to 10000 pieces."))
    with transaction.atomic():
        if item is None:
            item = ShopItem.objects.create(bank=bank, name=name, price=price, stock=add_stock, is_active=is_active)
        else:
            if item.bank_id != bank.pk:
                raise NotFound(_("No such item of this shop."))
            ShopItem.objects.filter(pk=item.pk).update(name=name, price=price, is_active=is_active,
                                                       stock=F("stock") + add_stock)
            item.refresh_from_db()
        audit_record(actor=actor, action=PointsAction.ITEM_SAVE, obj=item, object_repr=name, org_code=bank.org_code,
                     changes={"price": price, "added": add_stock, "active": is_active})
    return item


def bank_settings(*, actor, bank: PointsBank, expiry_months: int | None) -> PointsBank:
    """The bank's expiry: points earned from now on expire `expiry_months` after the month they
    were earned in (None: they never do). Points earned before keep the expiry they were given."""
    keeps(actor, bank)
    if expiry_months is not None and (isinstance(expiry_months, bool) or not isinstance(expiry_months, int)
                                      or not 1 <= expiry_months <= MAX_EXPIRY_MONTHS):
        raise invalid("expiry_months", _("From 1 to %(n)d months, or empty for points that never expire.")
                      % {"n": MAX_EXPIRY_MONTHS})
    with transaction.atomic():
        before = bank.expiry_months
        PointsBank.objects.filter(pk=bank.pk).update(expiry_months=expiry_months)
        bank.expiry_months = expiry_months
        audit_record(actor=actor, action=PointsAction.BANK_SETTINGS, obj=bank, object_repr=bank.name,
                     org_code=bank.org_code, changes={"expiry_months": [before, expiry_months]})
    return bank


def fund_add(*, actor, bank: PointsBank, source: str, contributor: str, amount, received_on: datetime.date
             ) -> FundContribution:
    """Money received into the bank's fund (from the township's budget or a sponsor)."""
    keeps(actor, bank)
    if source not in FundSource.values:
        raise invalid("source", _("Choose where the money came from."))
    contributor = text_of(contributor, field="contributor", limit=100)
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise invalid("amount", _("An amount in yuan, such as 5000 or 1200.50.")) from None
    if not Decimal("0") < amount <= MAX_CONTRIBUTION:
        raise invalid("amount", _("An amount in yuan above 0 and at most %(max)s.") % {"max": MAX_CONTRIBUTION})
    if not isinstance(received_on, datetime.date) or received_on > timezone.localdate():
        raise invalid("received_on", _("The day the money was received, not in the future."))
    with transaction.atomic():
        contribution = FundContribution.objects.create(bank=bank, source=source, contributor=contributor,
                                                       amount=amount, received_on=received_on,
                                                       recorded_by=actor)
        audit_record(actor=actor, action=PointsAction.FUND_ADD, obj=contribution, object_repr=bank.name,
                     org_code=bank.org_code, changes={"amount": str(amount), "source": source})
    return contribution


def leaderboard_consent(*, actor, account: PointsAccount, agreed: bool) -> PointsAccount:
    """The household agreed (or no longer agrees) to be named on the village's leaderboard;
    the keeper records what it said, with the day."""
    keeps(actor, account.bank)
    if account.kind != AccountKind.HOUSEHOLD or not in_scope(actor, account.org_code):
        raise NotFound(_("No such account in your area."))
    since = timezone.localdate() if agreed else None
    with transaction.atomic():
        PointsAccount.objects.filter(pk=account.pk).update(named_on_leaderboard_since=since)
        account.named_on_leaderboard_since = since
        audit_record(actor=actor, action=PointsAction.LEADERBOARD_CONSENT, obj=account, object_repr=account.bank.name,
                     org_code=account.org_code, changes={"named": agreed})
    return account
