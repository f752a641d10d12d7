"""Filters of the lists (the queue, the inbox), the evaluation's month and the routing-rule
editor."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.orgcodes import org_code_form_field
from gridgov.events.workflow import Status

# --- Lists ---------------------------------------------------------------------------------

OPEN = "open"
ALL = "all"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    org = org_code_form_field(_("Area (org code)"))
    department = forms.ChoiceField(label=_("Department"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    supervised = forms.BooleanField(label=_("Under supervision only"), required=False)
    since = forms.DateField(label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, categories: list, departments: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(OPEN, _("Open")), (ALL, _("All"))] + list(Status.choices)
        self.fields["category"].choices = [("", _("All"))] + [
            (c.code, ("— " * (c.depth - 1)) + c.name) for c in categories]
        self.fields["department"].choices = [("", _("All"))] + [(d.code, d.name) for d in departments]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def statuses(self) -> tuple[str, ...]:
        from gridgov.events.workflow import OPEN_STATUSES

        status = self.cleaned_data.get("status") or OPEN
        if status == OPEN:
            return tuple(sorted(OPEN_STATUSES))
        if status == ALL:
            return ()
        return (status,)


class AfterForm(forms.Form):
    after = forms.IntegerField(required=False, min_value=1)


class InboxForm(AfterForm):
    TABS = [
        ("to_accept", _("To accept")),
        ("handling", _("In hand")),
        ("rework", _("Rework")),
        ("stations", _("At our stations")),
    ]
    tab = forms.ChoiceField(choices=TABS, required=False)
    # workbench (issue 11): the unit's events by deadline, linked from the home page
    DUE = [("soon", _("Due within a day")), ("overdue", _("Overdue"))]
    due = forms.ChoiceField(choices=DUE, required=False)


# --- Evaluation -----------------------------------------------------------------------------


class RankingForm(forms.Form):
    TABS = [
        ("department", _("Departments")),
        ("station", _("Stations")),
        ("county", _("Counties")),
        ("township", _("Townships")),
        ("village", _("Villages")),
        ("grid_worker", _("Grid workers")),
    ]
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                             error_messages={"invalid": _("Choose a month.")},
                             widget=forms.TextInput(attrs={"type": "month"}))
    tab = forms.ChoiceField(choices=TABS, required=False)

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The first day of the month and the first day of the next (exclusive)."""
        value = self.cleaned_data.get("month") if self.is_bound and self.is_valid() else ""
        if value:
            start = datetime.date(int(value[:4]), int(value[5:7]), 1)
        else:
            start = timezone.localdate().replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        return start, end


# --- Routing rules --------------------------------------------------------------------------


class RoutingRuleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    org_prefix = org_code_form_field(_("Area (org code)"), required=True,
                                     help_text=_("The rule covers this org unit and everything in it."))
    department = forms.ChoiceField(label=_("Responsible department"))
    to_local_station = forms.BooleanField(label=_("Hand on to the department's local station"), required=False,
                                          initial=True)

    def __init__(self, *args, categories: list, departments: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose…"))] + [
            (c.code, ("— " * (c.depth - 1)) + c.name) for c in categories]
        self.fields["department"].choices = [("", _("Choose…"))] + [
            (d.code, d.name) for d in departments]  # names, not codes (issue 11)
