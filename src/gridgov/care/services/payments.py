"""Treatment subsidies, guardian agreements and their payments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import Enrollment, GuardianAgreement, Payment
from gridgov.care.services.common import _raise_if, program_settings
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error, lock_rows
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, in_scope, require

# --- Agreements and payments ------------------------------------------------------------------------

TREATMENT_RATES = {"with_guardian": Decimal("100"), "homeless": Decimal("200")}
TREATMENT_MAX_DAYS = 60


def treatment_subsidy_record(*, actor, enrollment: Enrollment, kind: str, period_start: datetime.date,
                             period_end: datetime.date, paid_on: datetime.date, note: str = "") -> Payment:
    """A treatment subsidy: a daily rate (100 yuan with a guardian present, 200 for an
    unidentified homeless patient), for at most 60 days per enrollment in all."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    settings = program_settings(enrollment.program)
    rates = {k: Decimal(str(settings.get(f"subsidy_{k}", v))) for k, v in TREATMENT_RATES.items()}
    max_days = int(settings.get("subsidy_max_days", TREATMENT_MAX_DAYS))
    errors: dict[str, list[str]] = {}
    if kind not in rates:
        errors["kind"] = [_("Choose the kind of subsidy.")]
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    _raise_if(errors)
    days = (period_end - period_start).days + 1
    with transaction.atomic():
        # Lock the enrollment, not its payments: before the first payment there is no row to
        # lock, and concurrent writers would each see 0 days used.
        lock_rows(Enrollment.objects, enrollment.pk)
        used = Payment.objects.filter(enrollment=enrollment, kind=Payment.Kind.TREATMENT_SUBSIDY).aggregate(
            used=Sum("days"))["used"] or 0
        if used + days > max_days:
            raise DomainError(_("The subsidy covers at most %(max)d days; %(used)d are already paid.")
                              % {"max": max_days, "used": used}, ErrorCode.CONFLICT)
        payment = Payment.objects.create(
            enrollment=enrollment, kind=Payment.Kind.TREATMENT_SUBSIDY, period_start=period_start,
            period_end=period_end, days=days, daily_rate=rates[kind], amount=rates[kind] * days, paid_on=paid_on,
            note=(note or "")[:200], org_code=enrollment.org_code, recorded_by=actor,
        )
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"kind": "treatment_subsidy", "days": days, "amount": str(payment.amount)})
    return payment


def guardian_agreement_sign(*, actor, enrollment: Enrollment, guardian_name: str, year: int,
                            annual_amount: Decimal, conditions: str, signed_on: datetime.date) -> GuardianAgreement:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    if not (guardian_name or "").strip() or annual_amount is None or Decimal(annual_amount) <= 0:
        raise DomainError(_("Give the guardian's name and a positive annual amount."), ErrorCode.INVALID)
    exists = _("An agreement for this year already exists.")
    with conflict_on_integrity_error(exists, code=ErrorCode.DUPLICATE), transaction.atomic():
        if GuardianAgreement.objects.filter(enrollment=enrollment, year=year).exists():
            raise DomainError(exists, ErrorCode.DUPLICATE)
        agreement = GuardianAgreement.objects.create(
            enrollment=enrollment, guardian_name=guardian_name.strip(), year=year,
            annual_amount=Decimal(annual_amount), conditions=conditions or "", signed_on=signed_on)
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"agreement": year, "annual_amount": str(agreement.annual_amount)})
    return agreement


def guardian_payment_record(*, actor, agreement: GuardianAgreement, amount: Decimal, period_start: datetime.date,
                            period_end: datetime.date, paid_on: datetime.date, conditions_met: bool,
                            note: str = "") -> Payment:
    require(actor, Capability.MANAGE_ENROLLMENTS)
    enrollment = agreement.enrollment
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    amount = Decimal(amount)
    with transaction.atomic():
        lock_rows(GuardianAgreement.objects, agreement.pk)  # the aggregate whose payments are summed
        paid = Payment.objects.filter(agreement=agreement).aggregate(paid=Sum("amount"))["paid"] or Decimal(0)
        if amount < 0 or paid + amount > agreement.annual_amount:
            raise DomainError(_("Payments would exceed the agreement's annual amount."), ErrorCode.CONFLICT)
        if not conditions_met and amount > 0:
            raise DomainError(_("The conditions were not met: nothing can be paid for this period."),
                              ErrorCode.CONFLICT)
        payment = Payment.objects.create(
            enrollment=enrollment, agreement=agreement, kind=Payment.Kind.GUARDIAN_REWARD, period_start=period_start,
            period_end=period_end, amount=amount, conditions_met=conditions_met, paid_on=paid_on,
            note=(note or "")[:200], org_code=enrollment.org_code, recorded_by=actor)
        audit_record(actor=actor, action=CareAudit.PAYMENT, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"kind": "guardian_reward", "amount": str(amount)})
    return payment
