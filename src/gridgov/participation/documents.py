"""The printed documents of participation, in Chinese and printed by `core.pdf`: a
household's monthly points statement, and a volunteer's record of service (志愿服务记录证明)
with what the civil-affairs ministry's rules on volunteer records name: the volunteer, each
service (day, activity, place, hours), the total, the organisation that certifies it, the
date and the place for its seal. Callers checked who reads them."""

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


def certificate_pdf(volunteer) -> bytes:
    from gridgov.core.orgnames import org_name_paths
    from gridgov.participation.selectors import volunteers as volunteer_selectors

    rows = list(volunteer_selectors.certificate_hours(volunteer))
    total = sum(r.minutes for r in rows)
    names = org_name_paths([volunteer.org_code, *(r.activity.org_code for r in rows)])
    return render_pdf("participation/pdf/certificate.html", {
        "volunteer": volunteer, "total_hours": total // 60, "total_minutes": total % 60,
        "rows": [{"hours": r, "area": names.get(r.activity.org_code, "")} for r in rows],
        "organisation": names.get(volunteer.org_code, ""), "printed_on": timezone.localdate(),
        "first": rows[0].served_on if rows else None, "last": rows[-1].served_on if rows else None,
    })
