"""The audit actions of participation (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class PointsAction(AuditActions):
    BANK_CREATE = "points.bank_create", _("Points bank opened")
    RULE_SAVE = "points.rule_save", _("Points earning rule saved")
    ITEM_SAVE = "points.item_save", _("Points shop item saved")
    EARN = "points.earn", _("Points earned")
    REDEEM = "points.redeem", _("Points redeemed at the shop")
    HAND_OVER = "points.hand_over", _("Redeemed goods handed over")
    VOID = "points.void", _("Redemption voided")
    REVERSE = "points.reverse", _("Points movement reversed")
    EXPIRE = "points.expire", _("Points expired")
    BANK_SETTINGS = "points.bank_settings", _("Points bank settings changed")
    FUND_ADD = "points.fund_add", _("Money received into a points bank's fund")
    LEADERBOARD_CONSENT = "points.leaderboard_consent", _("Household's consent to the points leaderboard recorded")
    STATEMENT = "points.statement", _("Points statement printed")


AUDIT_ACTIONS = (PointsAction,)
