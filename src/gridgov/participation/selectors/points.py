"""Reads of the points bank, scoped: the keeper of a bank and the grid workers read the
accounts of the households of their area, with their balances; the keeper also reads the
bank's own figures, its redemptions and its fund.

A household is shown by the name of its head (masked for a role that sees no names) and its
address as `register.selectors.display_address` allows (masked for the keeper).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.dates import shift_month, start_of_day
from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows, has_capability, in_scope
from gridgov.core.querysets import area_q, filter_q
from gridgov.participation.models import (
    AccountKind,
    EarningRule,
    FundContribution,
    Movement,
    MovementKind,
    PointsAccount,
    PointsBank,
    Redemption,
    RedemptionStatus,
    ShopItem,
)

POINTS_ROLES = {Capability.KEEP_POINTS_BANK, Capability.EARN_POINTS}
# The leaderboard: the first households of the village by points earned in the year.
LEADERBOARD_SIZE = 20


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else -1


def banks_for(user) -> QuerySet[PointsBank]:
    """The open banks of the villages in the user's area, and the bank of the village a grid
    worker's cells are in (the village is above the cell)."""
    if not allows(user, POINTS_ROLES):
        return PointsBank.objects.none()
    return filter_q(PointsBank.objects.filter(is_active=True), area_q(user, with_ancestors=True)).order_by(
        "org_code", "id")


def access_bank(user, bank_id) -> PointsBank:
    bank = banks_for(user).filter(pk=_as_int(bank_id)).first()
    if bank is None:
        raise NotFound(_("No such points bank in your area."))
    return bank


def keeps_bank(user, bank: PointsBank) -> bool:
    """Whether the user keeps this bank (its rules, shop, redemptions, fund): a keeper whose
    area holds the bank's village."""
    return has_capability(user, Capability.KEEP_POINTS_BANK) and in_scope(user, bank.org_code)


def accounts_for(user, *, org: str = "") -> QuerySet[PointsAccount]:
    if not allows(user, POINTS_ROLES):
        return PointsAccount.objects.none()
    qs = PointsAccount.objects.visible_to(user).filter(kind=AccountKind.HOUSEHOLD).select_related("bank")
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs


def access_account(user, account_id) -> PointsAccount:
    account = accounts_for(user).filter(pk=_as_int(account_id)).first()
    if account is None:
        raise NotFound(_("No such points account in your area."))
    return account


def movements_of(account: PointsAccount) -> QuerySet[Movement]:
    """The ledger rows of one account, either side."""
    return Movement.objects.filter(Q(debit=account) | Q(credit=account))


def access_movement(user, movement_id) -> Movement:
    """An earning or other movement of a household account the user may read."""
    movement = Movement.objects.filter(pk=_as_int(movement_id)).select_related("credit", "debit", "bank").first()
    if movement is not None:
        accounts = accounts_for(user).filter(pk__in=[movement.credit_id, movement.debit_id])
        if accounts.exists():
            return movement
    raise NotFound(_("No such movement in your area."))


# --- The bank's figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class BankFigures:
    households: int  # household accounts opened
    balances: int  # points the households hold
    held: int  # points of redemptions reserved, not yet handed over
    handed_over: int  # points spent at the shop: worth as many yuan of goods
    fund: object  # yuan received into the fund (Decimal)
    reserved: int  # redemptions waiting to be handed over

    @property
    def owed(self) -> int:
        """What the fund must still cover (1 point = 1 yuan): what households hold and reserved."""
        return self.balances + self.held


def bank_figures(bank: PointsBank) -> BankFigures:
    """Three queries, whatever the size of the bank."""
    return bank_figures_of([bank])[bank.pk]


def bank_figures_of(banks) -> dict[int, BankFigures]:
    """`bank_figures` of many banks in the same three queries (the list of an area's banks)."""
    ids = [b.pk for b in banks]
    by_kind: dict[int, dict] = {pk: {} for pk in ids}
    for row in (PointsAccount.objects.filter(bank_id__in=ids).values("bank_id", "kind")
                .annotate(total=Sum("balance"), n=Count("pk"))):
        by_kind[row["bank_id"]][row["kind"]] = row
    funds = dict(FundContribution.objects.filter(bank_id__in=ids).values("bank_id").annotate(total=Sum("amount"))
                 .values_list("bank_id", "total"))
    reserved = dict(Redemption.objects.filter(bank_id__in=ids, status=RedemptionStatus.RESERVED).values("bank_id")
                    .annotate(n=Count("pk")).values_list("bank_id", "n"))
    figures = {}
    for pk in ids:
        kinds = by_kind[pk]
        household = kinds.get(AccountKind.HOUSEHOLD, {})
        figures[pk] = BankFigures(households=household.get("n") or 0, balances=household.get("total") or 0,
                                  held=kinds.get(AccountKind.HOLD, {}).get("total") or 0,
                                  handed_over=kinds.get(AccountKind.SHOP, {}).get("total") or 0,
                                  fund=funds.get(pk) or 0, reserved=reserved.get(pk, 0))
    return figures


def rules_in_use(bank: PointsBank):
    return EarningRule.objects.filter(bank=bank, is_active=True).order_by("name", "id")


def items_on_offer(bank: PointsBank, *, in_stock: bool = False):
    qs = ShopItem.objects.filter(bank=bank, is_active=True).order_by("name", "id")
    return qs.filter(stock__gt=0) if in_stock else qs


def access_redemption(user, redemption_id) -> Redemption:
    """A redemption at a bank of the user's area."""
    redemption = (Redemption.objects.select_related("bank", "account", "item")
                  .filter(pk=_as_int(redemption_id), bank__in=banks_for(user)).first())
    if redemption is None:
        raise NotFound(_("No such redemption in your area."))
    return redemption


def village_household(user, bank: PointsBank, household_id):
    """A household of the bank's village in the user's area (to open its account), or None."""
    from gridgov.register.models import Household

    return (Household.objects.visible_to(user).filter(pk=_as_int(household_id), dissolved_on__isnull=True,
                                                      org_code__startswith=bank.org_code).first())


def bank_accounts(user, bank: PointsBank, *, name: str = "") -> QuerySet[PointsAccount]:
    """The bank's household accounts the user may read, by the name of a current member for
    a role that sees names; in order of opening."""
    qs = accounts_for(user).filter(bank=bank).select_related("household")
    if name and has_capability(user, Capability.VIEW_PERSON_NAMES):
        qs = qs.filter(_member_named(name, "household"))
    return qs


def _member_named(name: str, household_ref: str):
    from gridgov.register.models import Membership

    return Q(Exists(Membership.objects.filter(household=OuterRef(household_ref), is_current=True,
                                              person__name__contains=name)))


def households_without_account(user, bank: PointsBank, *, name: str):
    """Households of the bank's village in the user's area, with a current member of that name,
    that have no account at the bank yet (to open one). Nothing without a name."""
    from gridgov.register.models import Household

    if not name or not has_capability(user, Capability.VIEW_PERSON_NAMES):
        return Household.objects.none()
    return (Household.objects.visible_to(user).filter(org_code__startswith=bank.org_code, dissolved_on__isnull=True)
            .filter(_member_named(name, "pk"))
            .exclude(Exists(PointsAccount.objects.filter(bank=bank, household=OuterRef("pk")))).order_by("id"))


@dataclass(frozen=True)
class HouseholdLabel:
    head: str  # the head's name (masked for a role that sees none), or another member's
    address: str  # as the user may see it


def household_labels(user, households) -> dict[int, HouseholdLabel]:
    """The head and address of each household, in one query."""
    from gridgov.register.models import Membership, Relation
    from gridgov.register.selectors import display_address, display_name

    households = list(households)
    heads: dict[int, object] = {}
    members = (Membership.objects.filter(household__in=[h.pk for h in households], is_current=True)
               .select_related("person").only("household_id", "relation", "person__name").order_by("id"))
    for member in members:  # the head, else the first member
        current = heads.get(member.household_id)
        if current is None or (member.relation == Relation.HEAD and current.relation != Relation.HEAD):
            heads[member.household_id] = member
    return {h.pk: HouseholdLabel(head=display_name(user, heads[h.pk].person) if h.pk in heads else "",
                                 address=display_address(user, h.address, h.org_code)) for h in households}


def redemptions_of(bank: PointsBank, *, status: str = RedemptionStatus.RESERVED) -> QuerySet[Redemption]:
    return (Redemption.objects.filter(bank=bank, status=status).select_related("item", "account__household")
            .order_by("id"))


def redemptions_waiting(banks) -> int:
    """Redemptions reserved at these banks, to be handed over (the keeper's home page)."""
    return Redemption.objects.filter(bank__in=banks, status=RedemptionStatus.RESERVED).count()


def contributions_of(bank: PointsBank) -> QuerySet[FundContribution]:
    return FundContribution.objects.filter(bank=bank).select_related("recorded_by")


# --- A household's account ----------------------------------------------------------------------


def held_by(account: PointsAccount) -> int:
    """Points of the household's redemptions reserved, not yet handed over."""
    return (Redemption.objects.filter(account=account, status=RedemptionStatus.RESERVED)
            .aggregate(n=Sum("amount"))["n"] or 0)


def ledger(account: PointsAccount) -> QuerySet[Movement]:
    """The account's movements, newest first, with what a row shows (rule, item, reversal)."""
    return (movements_of(account).select_related("rule", "redemption__item", "actor")
            .annotate(was_reversed=Exists(Movement.objects.filter(reverses=OuterRef("pk")))).order_by("-id"))


@dataclass(frozen=True)
class StatementLine:
    movement: Movement
    points: int  # + in, − out of the household
    balance: int  # after it


@dataclass(frozen=True)
class Statement:
    month: datetime.date  # its first day
    opening: int
    lines: list[StatementLine]
    closing: int
    earned: int
    spent: int  # reserved at the shop less what came back
    expired: int
    reversed: int


def statement(account: PointsAccount, month: datetime.date) -> Statement:
    """The household's month: the balance at its start, each movement with the balance after
    it, and the balance at its end. Two queries."""
    start, end = start_of_day(month), start_of_day(shift_month(month, 1))
    before = movements_of(account).filter(created_at__lt=start).aggregate(
        into=Sum("amount", filter=Q(credit=account)), out=Sum("amount", filter=Q(debit=account)))
    opening = (before["into"] or 0) - (before["out"] or 0)
    balance, lines = opening, []
    totals = {MovementKind.EARN: 0, MovementKind.REDEEM: 0, MovementKind.VOID: 0, MovementKind.EXPIRY: 0,
              MovementKind.REVERSAL: 0}
    rows = (movements_of(account).filter(created_at__gte=start, created_at__lt=end)
            .select_related("rule", "redemption__item").order_by("id"))
    for movement in rows:
        points = movement.amount if movement.credit_id == account.pk else -movement.amount
        balance += points
        lines.append(StatementLine(movement=movement, points=points, balance=balance))
        if movement.kind in totals:
            totals[movement.kind] += movement.amount
    return Statement(month=month, opening=opening, lines=lines, closing=balance,
                     earned=totals[MovementKind.EARN],
                     spent=totals[MovementKind.REDEEM] - totals[MovementKind.VOID],
                     expired=totals[MovementKind.EXPIRY], reversed=totals[MovementKind.REVERSAL])


# --- Expiry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpirySchedule:
    due: int  # points past their day not yet expired (what the sweep takes now)
    upcoming: list[tuple[datetime.date, int]]  # (last day, points) if the household spends nothing more


def expiry_schedule(account: PointsAccount, *, today: datetime.date | None = None,
                    limit: int = 3) -> ExpirySchedule:
    """What has expired and what will. Spending uses the points that expire first, the rule
    most favourable to the household: by the end of an expiry day, what the household earned
    with expiries up to that day and had not spent by then has expired. Reversed earnings and
    their reversals count for nothing. Three queries."""
    today = today or timezone.localdate()
    earnings = list(Movement.objects.filter(credit=account, kind=MovementKind.EARN, expires_on__isnull=False)
                    .exclude(Exists(Movement.objects.filter(reverses=OuterRef("pk"))))
                    .values("expires_on").annotate(points=Sum("amount")).order_by("expires_on")
                    .values_list("expires_on", "points"))
    if not earnings:
        return ExpirySchedule(due=0, upcoming=[])
    # what went to the shop for good, in order: reserved (+), given back when voided (−)
    shop = [(at, amount if kind == MovementKind.REDEEM else -amount) for at, amount, kind in
            movements_of(account).filter(kind__in=[MovementKind.REDEEM, MovementKind.VOID])
            .order_by("created_at", "id").values_list("created_at", "amount", "kind")]
    expired_already = (Movement.objects.filter(debit=account, kind=MovementKind.EXPIRY)
                       .aggregate(n=Sum("amount"))["n"] or 0)
    earned = spent = expired = position = 0
    upcoming: list[tuple[datetime.date, int]] = []
    projected = None
    for day, points in earnings:
        earned += points
        if day < today:
            end = start_of_day(day + datetime.timedelta(days=1))
            while position < len(shop) and shop[position][0] < end:
                spent += shop[position][1]
                position += 1
            expired = max(expired, earned - spent)
            continue
        if projected is None:
            spent += sum(amount for _at, amount in shop[position:])
            position = len(shop)
            projected = max(expired, expired_already)
        will_have = max(projected, earned - spent)
        if will_have > projected and len(upcoming) < limit:
            upcoming.append((day, will_have - projected))
        projected = will_have
    return ExpirySchedule(due=max(0, expired - expired_already), upcoming=upcoming)


def upcoming_expiries(account: PointsAccount, *, limit: int = 3) -> list[tuple[datetime.date, int]]:
    """(last day, points) of the coming expiries, for the household's page and statement."""
    return expiry_schedule(account, limit=limit).upcoming


# --- Volunteers of a household -----------------------------------------------------------------


def volunteers_of_account(account: PointsAccount, *, keeps: bool) -> tuple[list, list]:
    """The volunteers whose approved hours credit the account, and (for the keeper) the
    volunteers of the bank's village it may name: those crediting no household yet."""
    from gridgov.participation.models import Volunteer

    linked = list(Volunteer.objects.filter(points_account=account).order_by("name", "id"))
    linkable = list(Volunteer.objects.filter(org_code__startswith=account.bank.org_code, is_active=True,
                                             points_account__isnull=True).order_by("name", "id")[:100]) if keeps else []
    return linked, linkable


def village_volunteer(account: PointsAccount, volunteer_id):
    from gridgov.participation.models import Volunteer

    volunteer = Volunteer.objects.filter(pk=_as_int(volunteer_id), org_code__startswith=account.bank.org_code).first()
    if volunteer is None:
        raise NotFound(_("No such volunteer in your area."))
    return volunteer


# --- The leaderboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    account: PointsAccount
    earned: int
    named: bool  # the household agreed to be named


def leaderboard(bank: PointsBank, year: int) -> list[LeaderboardRow]:
    """The households of the village by points earned in the year (earnings less their
    reversals; spending does not lower a rank). A household is named only if it agreed."""
    start, end = start_of_day(datetime.date(year, 1, 1)), start_of_day(datetime.date(year + 1, 1, 1))
    in_year = Q(credits__created_at__gte=start, credits__created_at__lt=end, credits__kind=MovementKind.EARN,
                credits__reversed_by__isnull=True)
    accounts = (PointsAccount.objects.filter(bank=bank, kind=AccountKind.HOUSEHOLD)
                .annotate(earned=Sum("credits__amount", filter=in_year)).filter(earned__gt=0)
                .select_related("household").order_by("-earned", "id")[:LEADERBOARD_SIZE])
    rows, rank, previous = [], 0, None
    for position, account in enumerate(accounts, 1):
        if account.earned != previous:
            rank, previous = position, account.earned
        rows.append(LeaderboardRow(rank=rank, account=account, earned=account.earned,
                                   named=account.named_on_leaderboard_since is not None))
    return rows
