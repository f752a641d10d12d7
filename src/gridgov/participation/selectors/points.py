"""Reads of the points bank, scoped: the keeper of a bank and the grid workers read the
accounts of the households of their area, with their balances."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows
from gridgov.participation.models import AccountKind, Movement, PointsAccount, PointsBank

POINTS_ROLES = {Capability.KEEP_POINTS_BANK, Capability.EARN_POINTS}


def banks_for(user) -> QuerySet[PointsBank]:
    return PointsBank.objects.visible_to(user).filter(is_active=True).order_by("org_code", "id")


def accounts_for(user, *, org: str = "") -> QuerySet[PointsAccount]:
    if not allows(user, POINTS_ROLES):
        return PointsAccount.objects.none()
    qs = PointsAccount.objects.visible_to(user).filter(kind=AccountKind.HOUSEHOLD).select_related("bank")
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs


def access_account(user, account_id) -> PointsAccount:
    account = accounts_for(user).filter(pk=account_id).first() if str(account_id).isdigit() else None
    if account is None:
        raise NotFound(_("No such points account in your area."))
    return account


def movements_of(account: PointsAccount) -> QuerySet[Movement]:
    """The ledger rows of one account, either side."""
    from django.db.models import Q

    return Movement.objects.filter(Q(debit=account) | Q(credit=account))
