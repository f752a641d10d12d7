"""Participation (issue 14). The points bank (综治银行 / 积分银行): a village's bank, its
earning rules and shop, household accounts, and the ledger of every movement.

The ledger is double-entry and append-only: a movement takes `amount` points from one
account (`debit`) to another (`credit`) of the same bank, and is never changed or removed —
a mistake is put right by a reversal, a movement the other way that names the one it
reverses. Each bank has three accounts of its own: the issuer (where earned points come
from: its balance is what the bank owes, so it runs below zero), the hold (points of
redemptions reserved but not yet handed over) and the shop (points spent). A household's
balance and an item's stock never go below zero: guarded updates in the services and check
constraints in the database, under any number of concurrent requests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class PointsBank(models.Model):
    """One village's (or natural village's) points bank; 1 point is worth 1 yuan at its shop."""

    name = models.CharField(_("name"), max_length=100)
    org_code = models.CharField(_("village"), max_length=15)
    is_active = models.BooleanField(_("open"), default=True)
    # Points earned expire this many months after the month they were earned in (empty: never);
    # the expiry is a ledger movement of its own (services.points.expire_due).
    expiry_months = models.PositiveSmallIntegerField(_("points expire after (months)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points bank")
        verbose_name_plural = _("points banks")
        constraints = [models.UniqueConstraint(fields=["org_code", "name"], name="points_bank_unique_name")]

    def __str__(self) -> str:
        return self.name


class FundSource(models.TextChoices):
    TOWNSHIP = "township", _("Township budget")
    SPONSOR = "sponsor", _("Sponsor")
    OTHER = "other", _("Other")


class FundContribution(models.Model):
    """Money put into the bank's fund, which pays for what the shop hands over (1 point = 1 yuan)."""

    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="contributions")
    source = models.CharField(_("source"), max_length=10, choices=FundSource.choices)
    contributor = models.CharField(_("from"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="points_fund_positive")]


class EarningRule(models.Model):
    """A civic act and the points it earns (volunteering an hour, a clean-up, helping a
    mediation). Earning only: no rule takes points away for conduct."""

    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(_("act"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="points_rule_positive")]

    def __str__(self) -> str:
        return self.name


class ShopItem(models.Model):
    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("item"), max_length=100)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("on offer"), default=True)

    class Meta:
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_item_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_item_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    ISSUER = "issuer", _("Points issued by the bank")
    HOLD = "hold", _("Reserved at the shop")
    SHOP = "shop", _("Spent at the shop")


class PointsAccount(models.Model):
    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.HOUSEHOLD)
    household = models.ForeignKey("register.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="points_accounts", verbose_name=_("household"))
    org_code = models.CharField(max_length=15)  # the household's cell; the bank's village for its own
    balance = models.BigIntegerField(_("balance"), default=0)
    # The village's leaderboard names the household only when it agreed (the date it said so);
    # otherwise its row is there without a name.
    named_on_leaderboard_since = models.DateField(_("agreed to be named on the leaderboard on"), null=True,
                                                  blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        indexes = [PrefixIndex(fields=["org_code"], name="points_account_org_prefix")]
        constraints = [
            # only the issuer runs below zero (what the bank owes); never a household, the hold or the shop
            models.CheckConstraint(condition=Q(kind=AccountKind.ISSUER) | Q(balance__gte=0),
                                   name="points_balance_not_negative"),
            models.CheckConstraint(condition=Q(kind=AccountKind.HOUSEHOLD, household__isnull=False)
                                   | (~Q(kind=AccountKind.HOUSEHOLD) & Q(household__isnull=True)),
                                   name="points_account_household_iff_kind"),
            models.UniqueConstraint(fields=["bank", "household"], name="points_one_account_per_household",
                                    condition=Q(household__isnull=False)),
            models.UniqueConstraint(fields=["bank", "kind"], name="points_one_system_account_per_kind",
                                    condition=~Q(kind=AccountKind.HOUSEHOLD)),
        ]

    def __str__(self) -> str:
        return f"{self.bank_id}:{self.kind}:{self.household_id or ''}"


class MovementKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Reserved at the shop")
    HAND_OVER = "hand_over", _("Handed over at the shop")
    VOID = "void", _("Redemption voided")
    REVERSAL = "reversal", _("Reversal")
    EXPIRY = "expiry", _("Expired")


class RedemptionStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved, to be handed over")
    HANDED_OVER = "handed_over", _("Handed over")
    VOIDED = "voided", _("Voided")


class Redemption(models.Model):
    """A household spends points at the shop: reserved (points held, stock taken), then handed
    over (the points posted to the shop) or voided (points and stock back)."""

    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="redemptions")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions")
    quantity = models.PositiveIntegerField(default=1)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=12, choices=RedemptionStatus.choices, default=RedemptionStatus.RESERVED)
    idempotency_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(quantity__gt=0), name="points_redemption_positive"),
            models.UniqueConstraint(fields=["bank", "idempotency_key"], name="points_redemption_key_once"),
        ]


class Movement(models.Model):
    """One row of the ledger: `amount` points from `debit` to `credit`. Append-only."""

    bank = models.ForeignKey(PointsBank, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=10, choices=MovementKind.choices)
    debit = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="credits")
    amount = models.PositiveBigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    rule = models.ForeignKey(EarningRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="movements")
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by")
    # One award per source (an approved volunteer shift, a meeting attended): its key, once.
    source_key = models.CharField(max_length=80, blank=True)
    # A client's retry of the same earning gets the first answer (CONTRACTS: `idempotency_key`).
    idempotency_key = models.CharField(max_length=64, blank=True)
    # An earning: the photo that shows the act (optional), and the day its points expire when
    # the bank sets an expiry.
    evidence = models.ImageField(_("photo"), upload_to="private/points-evidence/", blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_movement_positive"),
            models.CheckConstraint(condition=~Q(debit=models.F("credit")), name="points_movement_two_accounts"),
            models.UniqueConstraint(fields=["bank", "source_key"], name="points_one_award_per_source",
                                    condition=~Q(source_key="")),
            models.UniqueConstraint(fields=["bank", "idempotency_key"], name="points_movement_key_once",
                                    condition=~Q(idempotency_key="")),
        ]
        indexes = [models.Index(fields=["debit", "id"], name="points_movement_debit"),
                   models.Index(fields=["credit", "id"], name="points_movement_credit")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the points ledger is append-only: reverse a movement, never change it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the points ledger is append-only: reverse a movement, never delete it")


from gridgov.participation.models_consultations import (  # noqa: E402,F401
    CommentSource,
    Consultation,
    ConsultationComment,
    ConsultationDocument,
    Theme,
)
from gridgov.participation.models_meetings import (  # noqa: E402,F401
    Concern,
    ConcernRoute,
    ConcernStatus,
    MeetingAttendance,
    MeetingOfficial,
    MeetingPhoto,
    ServiceDay,
    VillageLiaison,
    VillageMeeting,
)
from gridgov.participation.models_suggestions import (  # noqa: E402,F401
    Milestone,
    Project,
    ProjectStatus,
    ProjectUpdate,
    ReportReason,
    Suggestion,
    SuggestionEvent,
    SuggestionOutcome,
    SuggestionReport,
    SuggestionStatus,
    SuggestionTopic,
)
from gridgov.participation.models_volunteers import (  # noqa: E402,F401
    MAX_MINUTES,
    Activity,
    ActivityKind,
    HoursSource,
    HoursStatus,
    Qualification,
    ServiceHours,
    Shift,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerKind,
)
