"""Screening campaigns and their checklists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.care.forms.common import _date, _org_code_field, _text
from gridgov.care.models import Campaign, CampaignItem

# --- Screening campaigns ------------------------------------------------------------------------


class CampaignForm(forms.Form):
    org_code = _org_code_field(_("Area code"), required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—")])
    title = _text(_("Title"), required=True, max_length=100)
    starts_on = _date(_("Starts on"))
    due_on = _date(_("Due on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—")] + list(Campaign.Kind.choices)

    def clean(self):
        data = super().clean()
        starts_on, due_on = data.get("starts_on"), data.get("due_on")
        if starts_on and due_on and due_on < starts_on:
            self.add_error("due_on", _("The due date is before the start date."))
        return data


class CampaignItemForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect, choices=[])
    note = _text(_("Note"), max_length=1000)
    resident_id = forms.CharField(
        label=_("Resident ID of the person referred"), required=False, max_length=18, min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("For a referral: the complete 18-character number of a person registered in your area."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [c for c in CampaignItem.Result.choices if c[0] != CampaignItem.Result.PENDING]

    def clean(self):
        data = super().clean()
        if data.get("result") == CampaignItem.Result.REFERRED and not data.get("resident_id"):
            self.add_error("resident_id", _("Give the resident ID of the person referred."))
        return data


class CampaignListFilterForm(forms.Form):
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ChecklistFilterForm(CampaignListFilterForm):
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", _("All households"))] + list(CampaignItem.Result.choices)
