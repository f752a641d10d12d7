"""Treatment subsidies, guardian agreements and their payments."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.care.forms.common import _area, _date, _text

# --- Payments ------------------------------------------------------------------------------------


class SubsidyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Daily rate"), choices=[
        ("with_guardian", _("With a guardian present")),
        ("homeless", _("Unidentified homeless patient")),
    ], widget=forms.RadioSelect)
    period_start = _date(_("From"))
    period_end = _date(_("To (inclusive)"))
    paid_on = _date(_("Paid on"))
    note = _text(_("Note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class AgreementForm(forms.Form):
    guardian_name = _text(_("Guardian"), required=True, max_length=50)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    annual_amount = forms.DecimalField(label=_("Annual amount (yuan)"), min_value=Decimal("0.01"), max_digits=10,
                                       decimal_places=2)
    conditions = _area(_("Conditions"))
    signed_on = _date(_("Signed on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["signed_on"].initial = today
        self.fields["conditions"].initial = _("Takes the prescribed medicines; no incident in the period.")


class GuardianPaymentForm(forms.Form):
    agreement = forms.TypedChoiceField(label=_("Agreement"), coerce=int, choices=[])
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0"), max_digits=10, decimal_places=2)
    period_start = _date(_("From"))
    period_end = _date(_("To (inclusive)"))
    conditions_met = forms.BooleanField(label=_("The conditions were met"), required=False, initial=True)
    paid_on = _date(_("Paid on"))
    note = _text(_("Note"))

    def __init__(self, *args, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [(a.pk, f"{a.year} · {a.annual_amount}") for a in agreements]
        self.fields["paid_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return data
