"""The points bank's part of the home page (core.workbench): the redemptions of the keeper's
banks waiting to be handed over, counted over the rows the desk lists. Two queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.core.workbench import Urgency, WorkItem


def redemption_items(user) -> list[WorkItem]:
    from gridgov.participation.models import Redemption, RedemptionStatus
    from gridgov.participation.selectors import points as selectors

    banks = [b for b in selectors.banks_for(user) if selectors.keeps_bank(user, b)]
    waiting = Redemption.objects.filter(bank__in=banks, status=RedemptionStatus.RESERVED).count() if banks else 0
    url = reverse("points-bank", args=[banks[0].pk]) if len(banks) == 1 else reverse("points-banks")
    return [WorkItem("points.reserved", _("Redemptions to hand over"), waiting, url, Urgency.SOON)]


def register() -> None:
    """The section on the bank keeper's home page (from apps.ready)."""
    from gridgov.core.models import Role
    from gridgov.core.workbench import WorkSection, add_section

    add_section(WorkSection("points.bank", _("Points bank"), 50, redemption_items,
                            roles=frozenset({Role.BANK_KEEPER})))
