"""Writes of the points bank: opening a bank, its rules and shop, what a household earns and
what it spends, and putting a movement right.

Every movement goes through `_move`, which locks the two accounts in the order of their ids
(two movements of the same household never wait on each other in a circle) and takes the
points off the debit account with a guarded update: `balance = balance - n` only where the
balance holds `n` (a household, the hold and the shop never go below zero; the issuer does,
it is what the bank owes). The check constraints of the table are the last guard. A shop
item's stock is taken the same way, and always before the accounts.

Earning and redeeming take an idempotency key: the same key again gets the first answer.
An award from a source (an approved volunteer shift, a meeting attended) takes a source key,
awarded once. The audit entry is written in the same transaction as the movement.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.dates import shift_month
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.images import store_on_commit
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.service_input import clean_text, invalid
from gridgov.participation.audit_actions import PointsAction
from gridgov.participation.models import (
    AccountKind,
    EarningRule,
    Movement,
    MovementKind,
    PointsAccount,
    PointsBank,
    Redemption,
    RedemptionStatus,
    ShopItem,
)
from gridgov.participation.selectors.points import expiry_schedule

MAX_AMOUNT = 100_000  # points in one movement (1 point = 1 yuan: far above any civic award or gift)
MAX_QUANTITY = 100
KEY_LENGTH = 64


def amount_of(value, *, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_AMOUNT:
        raise invalid(field, _("A whole number of points from 1 to %(max)d.") % {"max": MAX_AMOUNT})
    return value


def _key(value: str, *, field: str = "idempotency_key") -> str:
    key = (value or "").strip()
    if not key or len(key) > KEY_LENGTH:
        raise invalid(field, _("Give a key of at most %(n)d characters that names this request, so that a retry "
                                "is not counted twice.") % {"n": KEY_LENGTH})
    return key


def text_of(value: str, *, field: str, limit: int = 200, required: bool = True) -> str:
    return clean_text(value, field=field, limit=limit, required=required)


def keeps(actor, bank: PointsBank) -> None:
    require(actor, Capability.KEEP_POINTS_BANK)
    if not in_scope(actor, bank.org_code):
        raise NotFound(_("No such points bank in your area."))


def account_for(*, actor, bank: PointsBank, household) -> PointsAccount:
    """The household's account at the bank, opened on first use: a household of the bank's
    village and of the actor's area."""
    if not (has_capability(actor, Capability.KEEP_POINTS_BANK) or has_capability(actor, Capability.EARN_POINTS)):
        require(actor, Capability.KEEP_POINTS_BANK)
    if not household.org_code.startswith(bank.org_code) or not in_scope(actor, household.org_code):
        raise NotFound(_("No such household in your area."))
    try:
        with transaction.atomic():
            account, _created = PointsAccount.objects.get_or_create(
                bank=bank, household=household, defaults={"kind": AccountKind.HOUSEHOLD, "org_code": household.org_code})
    except IntegrityError:  # opened by another request at the same moment
        account = PointsAccount.objects.get(bank=bank, household=household)
    return account


# --- Movements ----------------------------------------------------------------------------------


def _system(bank: PointsBank, kind: str) -> PointsAccount:
    return PointsAccount.objects.get(bank=bank, kind=kind)


def _move(*, bank, kind: str, debit: PointsAccount, credit: PointsAccount, amount: int, actor, reason: str = "",
          rule=None, redemption=None, reverses=None, source_key: str = "", idempotency_key: str = "",
          evidence=None, expires_on=None) -> Movement:
    """Take `amount` from `debit` to `credit` (in the caller's transaction): the two rows
    locked in id order, the debit guarded. Not enough points: a 409 `insufficient_balance`."""
    list(PointsAccount.objects.select_for_update().filter(pk__in=[debit.pk, credit.pk]).order_by("pk"))
    guarded = PointsAccount.objects.filter(pk=debit.pk).filter(Q(kind=AccountKind.ISSUER) | Q(balance__gte=amount))
    if not guarded.update(balance=F("balance") - amount):
        raise DomainError(_("Not enough points: this account holds fewer than %(n)d.") % {"n": amount},
                          ErrorCode.INSUFFICIENT_BALANCE)
    PointsAccount.objects.filter(pk=credit.pk).update(balance=F("balance") + amount)
    movement = Movement(bank=bank, kind=kind, debit=debit, credit=credit, amount=amount, reason=reason, rule=rule,
                        redemption=redemption, reverses=reverses, source_key=source_key,
                        idempotency_key=idempotency_key, actor=actor, expires_on=expires_on)
    if evidence is not None:  # written when the transaction commits (core.images)
        store_on_commit(movement, "evidence", f"earn-{bank.pk}{evidence.extension}", evidence.content)
    movement.save()
    return movement


def _same_request(existing, account: PointsAccount, amount: int):
    """A retry with the key of an earlier request gets its answer; the key of another
    request (another account or amount) is a 409."""
    if existing.amount != amount or account.pk not in {getattr(existing, "credit_id", None),
                                                       getattr(existing, "account_id", None)}:
        raise DomainError(_("This key was used for another request."), ErrorCode.CONFLICT,
                          {"idempotency_key": [_("This key was used for another request.")]})
    return existing


def earn(*, actor, account: PointsAccount, reason: str, idempotency_key: str, amount: int | None = None,
         rule: EarningRule | None = None, source_key: str = "", evidence=None) -> Movement:
    """Points a household earned for a civic act (by a rule, or an amount with the reason),
    recorded by a grid worker or the bank's keeper: from the issuer to the household.
    `evidence` is a photo checked by `core.images.check_image`. When the bank sets an expiry,
    the points expire at the end of the month `expiry_months` after this one."""
    if not (has_capability(actor, Capability.EARN_POINTS) or has_capability(actor, Capability.KEEP_POINTS_BANK)):
        require(actor, Capability.EARN_POINTS)
    if account.kind != AccountKind.HOUSEHOLD or not in_scope(actor, account.org_code):
        raise NotFound(_("No such account in your area."))
    bank = account.bank
    if rule is not None:
        if rule.bank_id != bank.pk or not rule.is_active:
            raise invalid("rule", _("Choose a rule of this bank that is in use."))
        amount = rule.points if amount is None else amount
        if amount != rule.points:
            raise invalid("amount", _("The rule awards %(n)d points.") % {"n": rule.points})
    amount = amount_of(amount)
    reason = text_of(reason or (rule.name if rule else ""), field="reason")
    key = _key(idempotency_key)
    source_key = (source_key or "").strip()[:80]
    existing = Movement.objects.filter(bank=bank, idempotency_key=key).first()
    if existing is not None:
        return _same_request(existing, account, amount)
    if source_key and Movement.objects.filter(bank=bank, source_key=source_key).exists():
        raise DomainError(_("This was awarded already."), ErrorCode.DUPLICATE)
    try:
        with transaction.atomic():
            movement = _move(bank=bank, kind=MovementKind.EARN, debit=_system(bank, AccountKind.ISSUER),
                             credit=account, amount=amount, actor=actor, reason=reason, rule=rule,
                             source_key=source_key, idempotency_key=key, evidence=evidence,
                             expires_on=expiry_date(timezone.localdate(), bank.expiry_months))
            audit_record(actor=actor, action=PointsAction.EARN, obj=movement, object_repr=bank.name,
                         org_code=account.org_code, changes={"account": account.pk, "points": amount,
                                                             "rule": rule.pk if rule else None})
    except IntegrityError:
        # the same key (or source) written by a request at the same moment: its answer
        existing = Movement.objects.filter(bank=bank, idempotency_key=key).first()
        if existing is not None:
            return _same_request(existing, account, amount)
        raise DomainError(_("This was awarded already."), ErrorCode.DUPLICATE) from None
    return movement


def redeem(*, actor, account: PointsAccount, idempotency_key: str, item: ShopItem | None = None, quantity: int = 1,
           amount: int | None = None) -> Redemption:
    """A household spends points at the shop: an item (its price × quantity, taken from the
    stock) or an amount. The points are held until the goods are handed over."""
    require(actor, Capability.KEEP_POINTS_BANK)
    if account.kind != AccountKind.HOUSEHOLD or not in_scope(actor, account.org_code):
        raise NotFound(_("No such account in your area."))
    bank = account.bank
    keeps(actor, bank)  # the keeper of this bank's village
    if (item is None) == (amount is None):
        raise invalid("item", _("Give an item of the shop or an amount of points, not both."))
    if item is not None:
        if item.bank_id != bank.pk or not item.is_active:
            raise invalid("item", _("Choose an item this shop offers."))
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
            raise invalid("quantity", _("From 1 to %(n)d pieces.") % {"n": MAX_QUANTITY})
        amount = item.price * quantity
    else:
        quantity = 1
    amount = amount_of(amount)
    key = _key(idempotency_key)
    existing = Redemption.objects.filter(bank=bank, idempotency_key=key).first()
    if existing is not None:
        return _same_request(existing, account, amount)
    try:
        with transaction.atomic():
            if item is not None and not ShopItem.objects.filter(pk=item.pk, stock__gte=quantity).update(
                    stock=F("stock") - quantity):
                raise DomainError(_("Out of stock: fewer than %(n)d left.") % {"n": quantity}, ErrorCode.OUT_OF_STOCK)
            redemption = Redemption.objects.create(bank=bank, account=account, item=item, quantity=quantity,
                                                   amount=amount, idempotency_key=key, created_by=actor)
            _move(bank=bank, kind=MovementKind.REDEEM, debit=account, credit=_system(bank, AccountKind.HOLD),
                  amount=amount, actor=actor, redemption=redemption, reason=item.name if item else "")
            audit_record(actor=actor, action=PointsAction.REDEEM, obj=redemption, object_repr=bank.name,
                         org_code=account.org_code, changes={"account": account.pk, "points": amount,
                                                             "item": item.pk if item else None, "quantity": quantity})
    except IntegrityError:
        existing = Redemption.objects.filter(bank=bank, idempotency_key=key).first()
        if existing is None:
            raise
        return _same_request(existing, account, amount)
    return redemption


def _decide(*, actor, redemption: Redemption, status: str, action, build) -> Redemption:
    keeps(actor, redemption.bank)
    with transaction.atomic():
        if not Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.RESERVED).update(
                status=status, decided_at=timezone.now()):
            raise DomainError(_("This redemption was handed over or voided already."), ErrorCode.ILLEGAL_TRANSITION)
        build()
        audit_record(actor=actor, action=action, obj=redemption, object_repr=redemption.bank.name,
                     org_code=redemption.account.org_code, changes={"points": redemption.amount})
    redemption.refresh_from_db()
    return redemption


def hand_over(*, actor, redemption: Redemption) -> Redemption:
    """The goods are handed over: the held points are posted to the shop."""
    bank = redemption.bank

    def post():
        _move(bank=bank, kind=MovementKind.HAND_OVER, debit=_system(bank, AccountKind.HOLD),
              credit=_system(bank, AccountKind.SHOP), amount=redemption.amount, actor=actor, redemption=redemption)

    return _decide(actor=actor, redemption=redemption, status=RedemptionStatus.HANDED_OVER,
                   action=PointsAction.HAND_OVER, build=post)


def void(*, actor, redemption: Redemption, reason: str) -> Redemption:
    """Not handed over after all: the stock back first, then the points to the household."""
    bank = redemption.bank
    reason = text_of(reason, field="reason")

    def give_back():
        if redemption.item_id:
            ShopItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + redemption.quantity)
        _move(bank=bank, kind=MovementKind.VOID, debit=_system(bank, AccountKind.HOLD), credit=redemption.account,
              amount=redemption.amount, actor=actor, redemption=redemption, reason=reason)

    return _decide(actor=actor, redemption=redemption, status=RedemptionStatus.VOIDED, action=PointsAction.VOID,
                   build=give_back)


def reverse(*, actor, movement: Movement, reason: str) -> Movement:
    """An earning recorded by mistake, put right by the opposite movement (never an edit).
    The household must still hold the points (what it spent is spent: a 409)."""
    keeps(actor, movement.bank)
    if movement.kind != MovementKind.EARN:
        raise DomainError(_("Only an earning is reversed; a redemption is voided."), ErrorCode.ILLEGAL_TRANSITION)
    reason = text_of(reason, field="reason")
    if Movement.objects.filter(reverses=movement).exists():
        raise DomainError(_("This movement was reversed already."), ErrorCode.CONFLICT)
    try:  # the one-to-one `reverses` still decides between two reversals sent at once
        with transaction.atomic():
            reversal = _move(bank=movement.bank, kind=MovementKind.REVERSAL, debit=movement.credit,
                             credit=movement.debit, amount=movement.amount, actor=actor, reason=reason,
                             reverses=movement)
            audit_record(actor=actor, action=PointsAction.REVERSE, obj=reversal, object_repr=movement.bank.name,
                         org_code=movement.credit.org_code, changes={"reverses": movement.pk, "points": movement.amount})
    except IntegrityError:
        raise DomainError(_("This movement was reversed already."), ErrorCode.CONFLICT) from None
    return reversal


def award(*, account: PointsAccount, amount: int, reason: str, source_key: str, actor, rule=None) -> Movement:
    """Points minted from an approved source (volunteer hours, a meeting attended), inside the
    caller's transaction: the caller checked who approved the source. Awarded once per source
    key: a second call returns the first award."""
    if account.kind != AccountKind.HOUSEHOLD:
        raise NotFound(_("No such account in your area."))
    bank = account.bank
    existing = Movement.objects.filter(bank=bank, source_key=source_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():  # a savepoint: the caller's work goes on after a lost race
        movement = _move(bank=bank, kind=MovementKind.EARN, debit=_system(bank, AccountKind.ISSUER), credit=account,
                         amount=amount_of(amount), actor=actor if getattr(actor, "pk", None) else None,
                         reason=text_of(reason, field="reason"), rule=rule, source_key=source_key,
                         expires_on=expiry_date(timezone.localdate(), bank.expiry_months))
        audit_record(actor=actor, action=PointsAction.EARN, obj=movement, object_repr=bank.name,
                     org_code=account.org_code, changes={"account": account.pk, "points": amount,
                                                         "source": source_key})
    return movement


# --- Expiry -------------------------------------------------------------------------------------


def expiry_date(earned_on: datetime.date, months: int | None) -> datetime.date | None:
    """The last day points earned on `earned_on` may be spent: the end of the month `months`
    after it (earned in March 2026, 12 months: until 31 March 2027). None: they never expire."""
    if not months:
        return None
    return shift_month(earned_on, months + 1) - datetime.timedelta(days=1)


def expire_due(*, bank: PointsBank, today: datetime.date | None = None) -> int:
    """Expire what is past its day in every household account of the bank: an `expiry`
    movement from the household back to the issuer, once a day per account (its source key).
    Returns the points expired."""
    today = today or timezone.localdate()
    issuer = _system(bank, AccountKind.ISSUER)
    accounts = PointsAccount.objects.filter(bank=bank, kind=AccountKind.HOUSEHOLD, balance__gt=0).filter(
        Exists(Movement.objects.filter(credit=OuterRef("pk"), kind=MovementKind.EARN, expires_on__lt=today)))
    system = SystemActor("points_expiry")
    total = 0
    for account_id in accounts.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                # read under the account's lock: a redemption at this moment takes its points first
                account = PointsAccount.objects.select_for_update().get(pk=account_id)
                due = min(expiry_schedule(account, today=today).due, account.balance)
                if due <= 0:
                    continue
                _move(bank=bank, kind=MovementKind.EXPIRY, debit=account, credit=issuer, amount=due, actor=None,
                      reason=_("Points past their expiry"), source_key=f"expiry:{account.pk}:{today.isoformat()}")
                audit_record(actor=system, action=PointsAction.EXPIRE, obj=account, object_repr=bank.name,
                             org_code=account.org_code, changes={"points": due})
        except IntegrityError:
            continue  # expired today already, by a run at the same moment
        total += due
    return total


def expire_all(*, today: datetime.date | None = None) -> int:
    """`expire_due` for every open bank that sets an expiry (the daily `points_expire`)."""
    return sum(expire_due(bank=bank, today=today)
               for bank in PointsBank.objects.filter(is_active=True))


# --- The monthly statement ----------------------------------------------------------------------


def statement_pdf(*, actor, account: PointsAccount, month: datetime.date) -> bytes:
    """The household's statement of `month` (its first day) as a PDF, in Chinese: it goes to
    the household. For whoever may read the account (the caller read it through
    `selectors.access_account`); each print is audited."""
    from django.utils import translation

    from gridgov.core.pdf import DOCUMENT_LANGUAGE
    from gridgov.participation import documents

    with translation.override(DOCUMENT_LANGUAGE):
        content = documents.statement_pdf(actor, account, month)
    with transaction.atomic():
        audit_record(actor=actor, action=PointsAction.STATEMENT, obj=account, object_repr=account.bank.name,
                     org_code=account.org_code, changes={"month": month.strftime("%Y-%m")})
    return content
