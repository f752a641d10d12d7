"""The forms of the points bank's pages. Each carries what its service needs; the services
check everything again (amounts, stock, scope), the forms give the first message next to
the field. A form that writes a movement carries a key made when the page was drawn
(`request_key`), so that pressing the button twice records it once."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.participation.models import ActivityKind, FundSource, VolunteerKind
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
    prefix = "rule"  # the setup page has several forms with a name
    rule = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Civic act"), max_length=100)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_AMOUNT,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ItemForm(forms.Form):
    prefix = "item"
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


# --- Volunteers ---------------------------------------------------------------------------------


def _availability_choices():
    from gridgov.participation.services.volunteers import AVAILABILITY

    days = {"mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"), "sat": _("Sat"),
            "sun": _("Sun")}
    parts = {"am": _("morning"), "pm": _("afternoon"), "eve": _("evening")}
    return [(code, f"{days[code[:3]]} {parts[code[4:]]}") for code in AVAILABILITY]


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile (optional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    org_code = forms.CharField(label=_("Village"), max_length=15)
    kinds = forms.MultipleChoiceField(label=_("Kinds of service"), required=False, widget=forms.CheckboxSelectMultiple)
    skills = forms.CharField(label=_("Skills (optional)"), max_length=200, required=False)
    availability = forms.MultipleChoiceField(label=_("Usually free"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    username = forms.CharField(label=_("Account (optional)"), max_length=150, required=False,
                               help_text=_("The volunteer's own account, with which it takes shifts and records "
                                           "its hours."))

    def __init__(self, *args, villages=(), **kwargs):
        from gridgov.core.picker_widgets import UserPicker

        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = VolunteerKind.choices
        self.fields["availability"].choices = _availability_choices()
        self.fields["org_code"].widget = forms.Select(choices=[(v.code, v.name) for v in villages])
        self.fields["username"].widget = UserPicker()


class QualificationForm(forms.Form):
    name = forms.CharField(label=_("Qualification"), max_length=50,
                           help_text=_("As a duty names it, e.g. first aid, school-gate training."))
    valid_until = forms.DateField(label=_("Valid until (optional)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    org_code = forms.CharField(label=_("Area"), max_length=15)
    place = forms.CharField(label=_("Place"), max_length=100)
    description = forms.CharField(label=_("What volunteers do (optional)"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    required_qualification = forms.CharField(label=_("Qualification needed (optional)"), max_length=50,
                                             required=False)
    earning_rule = forms.TypedChoiceField(label=_("Points per hour served"), coerce=int, required=False,
                                          empty_value=None)

    def __init__(self, *args, areas=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].widget = forms.Select(choices=[(a.code, a.name) for a in areas])
        self.rules = {r.pk: r for r in rules}
        self.fields["earning_rule"].choices = [("", _("No points"))] + [
            (r.pk, _("%(bank)s: %(act)s, %(n)d points") % {"bank": r.bank.name, "act": r.name, "n": r.points})
            for r in rules]

    def clean_earning_rule(self):
        rule_id = self.cleaned_data["earning_rule"]
        return None if rule_id is None else self.rules.get(rule_id)


class ShiftForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    weeks = forms.IntegerField(label=_("Repeat on the same weekday for (weeks)"), min_value=1, max_value=12,
                               initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                               help_text=_("A duty post (a school gate) takes the same shift every week."))


class HoursForm(forms.Form):
    activity = forms.TypedChoiceField(label=_("Activity"), coerce=int)
    served_on = forms.DateField(label=_("Day served"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=12, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    minutes = forms.IntegerField(label=_("and minutes"), min_value=0, max_value=59, initial=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("What was done"), max_length=200)

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = {a.pk: a for a in activities}
        self.fields["activity"].choices = [("", "—")] + [(a.pk, a.title) for a in activities]

    def clean(self):
        data = super().clean()
        if "activity" in data:
            data["activity"] = self.activities.get(data["activity"])
            if data["activity"] is None:
                self.add_error("activity", _("Choose an activity of your area."))
        if data.get("hours") is not None and data.get("minutes") is not None:
            data["total_minutes"] = data["hours"] * 60 + data["minutes"]
            if not data["total_minutes"]:
                self.add_error("hours", _("Give the time served."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Shift code"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                           help_text=_("The six digits the organiser reads out at the place."))
