"""Forms of the care pages of issue 11: confirming for a family member, schedules per person,
mentors and family files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.care.children_models import ChildNeed
from gridgov.care.schedule_models import DrugTestResult, ScheduleKind
from gridgov.core.picker_widgets import UserPicker

CONFIRMATION_CHOICES = [("in_person", _("Face to face")), ("phone", _("By phone")), ("video", _("By video call")),
                        ("in_writing", _("In writing"))]


class ConfirmOnBehalfForm(forms.Form):
    how = forms.ChoiceField(label=_("How did they confirm?"), choices=CONFIRMATION_CHOICES)


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=ScheduleKind.choices)
    interval_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=366, initial=1)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # names, not codes (issue 11): the user picker beside the username
    assignee = forms.CharField(label=_("Who (username of a team member)"), required=False, max_length=150,
                               widget=UserPicker())


class ScheduleRecordForm(forms.Form):
    done_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    done = forms.BooleanField(label=_("Done"), required=False, initial=True)
    result = forms.ChoiceField(label=_("Result"), required=False,
                               choices=[("", "—"), *DrugTestResult.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class MentorForm(forms.Form):
    name = forms.CharField(label=_("Mentor's name"), max_length=100)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=100)
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    since = forms.DateField(label=_("Since"), widget=forms.DateInput(attrs={"type": "date"}))


class FamilyFileForm(forms.Form):
    needs = forms.MultipleChoiceField(label=_("The family's needs"), required=False, choices=ChildNeed.choices,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
