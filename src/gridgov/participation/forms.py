"""The forms of the points bank's pages. Each carries what its service needs; the services
check everything again (amounts, stock, scope), the forms give the first message next to
the field. A form that writes a movement carries a key made when the page was drawn
(`request_key`), so that pressing the button twice records it once."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.participation.models import FundSource
from gridgov.participation.services.bank import MAX_EXPIRY_MONTHS
from gridgov.participation.services.points import MAX_AMOUNT, MAX_QUANTITY


def request_key() -> str:
    return f"page-{secrets.token_urlsafe(18)}"


class _Keyed(forms.Form):
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", request_key())
        super().__init__(*args, **kwargs)


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Name of a household member"), required=False, max_length=30)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class OpenAccountForm(forms.Form):
    household = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class EarnForm(_Keyed):
    rule = forms.TypedChoiceField(label=_("Civic act"), coerce=int, required=False, empty_value=None)
    amount = forms.IntegerField(label=_("Points"), required=False, min_value=1, max_value=MAX_AMOUNT,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                help_text=_("Only for an act no rule names: the points the board decided."))
    reason = forms.CharField(label=_("What was done"), required=False, max_length=200,
                             help_text=_("Where and when, so the household and the board can check it."))
    photo = forms.FileField(label=_("Photo of the act (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = {r.pk: r for r in rules}
        self.fields["rule"].choices = [("", _("Another act (give the points)"))] + [
            (r.pk, _("%(act)s · %(n)d points") % {"act": r.name, "n": r.points}) for r in rules]

    def clean(self):
        data = super().clean()
        rule_id = data.get("rule")
        if rule_id is not None:
            if rule_id not in self.rules:
                self.add_error("rule", _("Choose a rule of this bank that is in use."))
            else:
                data["rule"] = self.rules[rule_id]
            if data.get("amount") is not None and rule_id in self.rules and data["amount"] != self.rules[rule_id].points:
                self.add_error("amount", _("The rule awards %(n)d points: leave the points empty.")
                               % {"n": self.rules[rule_id].points})
        elif "amount" in data:
            if data.get("amount") is None:
                self.add_error("amount", _("Give the points, or choose an act of the rules."))
            if not data.get("reason"):
                self.add_error("reason", _("Say what was done: an act outside the rules needs its reason."))
        return data


class RedeemForm(_Keyed):
    item = forms.TypedChoiceField(label=_("Item"), coerce=int)
    quantity = forms.IntegerField(label=_("How many"), min_value=1, max_value=MAX_QUANTITY, initial=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {i.pk: i for i in items}
        self.fields["item"].choices = [("", "—")] + [
            (i.pk, _("%(item)s · %(price)d points · %(stock)d in stock")
             % {"item": i.name, "price": i.price, "stock": i.stock}) for i in items]

    def clean_item(self):
        item = self.items.get(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError(_("Choose an item this shop offers."))
        return item


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(required=False)


class RuleForm(forms.Form):
    rule = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Civic act"), max_length=100)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_AMOUNT,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ItemForm(forms.Form):
    item = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Item"), max_length=100)
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=MAX_AMOUNT,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    add_stock = forms.IntegerField(label=_("Pieces to add to the stock"), min_value=0, max_value=10_000, initial=0,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    is_active = forms.BooleanField(label=_("On offer"), required=False, initial=True)


class SettingsForm(forms.Form):
    expiry_months = forms.IntegerField(label=_("Points expire after (months)"), required=False, min_value=1,
                                       max_value=MAX_EXPIRY_MONTHS,
                                       help_text=_("Counted from the end of the month the points were earned in. "
                                                   "Empty: points never expire. Points earned before keep their "
                                                   "expiry."))


class FundForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *FundSource.choices])
    contributor = forms.CharField(label=_("From"), max_length=100,
                                  help_text=_("The township, or the sponsor's name."))
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0.01, max_digits=10, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))


class MonthForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"])
