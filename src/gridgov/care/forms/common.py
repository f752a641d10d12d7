"""Field helpers shared by the care forms, and the filters of the lists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.care.selectors.daily import ONLY_OPEN_CRISIS, ONLY_TASKS_DUE, ONLY_TO_CONFIRM
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.picker_widgets import UserPicker

PAGE_SIZE = 50

# The map's statuses, as people read them (selectors.STATUSES order).
STATUS_LABELS = {
    "hospitalized": _("In hospital"),
    "away": _("Away from home"),
    "visited": _("Visited today"),
    "due": _("Due or overdue"),
    "not_due": _("Not due yet"),
}


def _org_code_field(label, required=False):
    return org_code_form_field(label, required=required)


def _date(label, required=True, **kwargs):
    # A date input takes ISO dates whatever the language's date format.
    return forms.DateField(label=label, required=required, **kwargs,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _text(label, required=False, max_length=200, **kwargs):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}), **kwargs)


def _area(label, required=False):
    return forms.CharField(label=label, required=required, max_length=400,
                           widget=forms.Textarea(attrs={"rows": 3}))


def _radio(label, choices, required=True, **kwargs):
    return forms.ChoiceField(label=label, choices=choices, required=required, widget=forms.RadioSelect, **kwargs)


def _checks(label, choices):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)


def _count(label):
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=999, initial=0,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


# --- Filters ---------------------------------------------------------------------------------


class AreaForm(forms.Form):
    org = _org_code_field(_("Area code"))


# What the home page counts, as filters of the daily list (selectors.only_q).
ONLY_LABELS = {
    ONLY_OPEN_CRISIS: _("People with an open crisis"),
    ONLY_TO_CONFIRM: _("Cases waiting for your confirmation"),
    ONLY_TASKS_DUE: _("People with a task due"),
}


class TodayFilterForm(AreaForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Everyone"))] + list(STATUS_LABELS.items()))
    only = forms.ChoiceField(required=False, choices=[("", _("Everyone"))] + list(ONLY_LABELS.items()),
                             widget=forms.HiddenInput)
    # the list's position in its order of urgency: rank-yyyymmdd-id of the last row shown
    after = forms.RegexField(regex=r"^[0-9]-[0-9]{8}-[0-9]{1,18}$", required=False, widget=forms.HiddenInput)

    def clean_after(self):
        from gridgov.care.selectors import parse_urgency_cursor

        value = self.cleaned_data.get("after") or ""
        if not value:
            return None
        cursor = parse_urgency_cursor(value)
        if cursor is None:
            raise forms.ValidationError(_("This page link is not valid: start from the first page."))
        return cursor


class PaymentsFilterForm(AreaForm):
    since = _date(_("Paid from"), required=False)
    until = _date(_("Paid until (inclusive)"), required=False)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


def _choice_labels(fields: dict) -> dict:
    """{field: {value: label}} for the fields with choices (coded values shown by name)."""
    return {key: {str(k): v for k, v in field.choices if k != ""}
            for key, field in fields.items() if getattr(field, "choices", None)}


def _account(label, required=False):
    """A colleague's username, with the user picker beside it (issue 11)."""
    return forms.CharField(label=label, required=required, max_length=150, widget=UserPicker())
