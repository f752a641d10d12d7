"""The printed documents of participation: a household's monthly points statement (in
Chinese, for the household), printed by `core.pdf`. Callers checked who reads it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gridgov.core.pdf import render_pdf
from gridgov.participation.models import PointsAccount
from gridgov.participation.selectors import points as selectors


def statement_pdf(viewer, account: PointsAccount, month: datetime.date) -> bytes:
    """The statement of `month`: the balance at its start, each movement with the balance
    after it, the month's totals, the balance at its end and the points about to expire.
    The household is named as `viewer` may see it (its head's name, the address masked)."""
    label = selectors.household_labels(viewer, [account.household])[account.household_id]
    return render_pdf("participation/pdf/statement.html", {
        "account": account, "bank": account.bank, "statement": selectors.statement(account, month),
        "label": label, "expiries": selectors.upcoming_expiries(account), "printed_on": timezone.localdate(),
    })
