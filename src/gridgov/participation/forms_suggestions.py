"""The forms of suggestions and projects: the public's (a suggestion, a report, a tracking
code) and the staff's (assign, answer, moderate, a project and its progress)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.participation.models import ProjectStatus, ReportReason, SuggestionOutcome, SuggestionTopic
from gridgov.participation.services.suggestions import ANSWER_LIMIT, TEXT_LIMIT, TITLE_LIMIT


def _blank(choices):
    return [("", "—"), *choices]


class SuggestionForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=_blank(SuggestionTopic.choices))
    title = forms.CharField(label=_("Your suggestion in one line"), max_length=TITLE_LIMIT)
    text = forms.CharField(label=_("What you suggest, and why"), max_length=TEXT_LIMIT, min_length=10,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Please do not name other people: the suggestion is published."))
    # the place, filled by the browser's location or a tap on the map (events.js)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput(attrs={"data-lat": True}))
    lng = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput(attrs={"data-lng": True}))
    contact = forms.CharField(label=_("Mobile or e-mail (optional)"), max_length=254, required=False,
                              help_text=_("Only to tell you what happens to your suggestion; never published."))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # a field people leave empty

    def clean(self):
        data = super().clean()
        if "lat" not in self.errors and (data.get("lat") is None or data.get("lng") is None):
            self.add_error("lat", _("Use your location or tap the map where your suggestion is about."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12, min_length=12)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should it not be published?"), choices=ReportReason.choices,
                               widget=forms.RadioSelect)


class AssignForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department that answers"), coerce=int)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in departments}
        self.fields["department"].choices = _blank([(d.pk, d.name) for d in departments])

    def clean_department(self):
        department = self.departments.get(self.cleaned_data["department"])
        if department is None:
            raise forms.ValidationError(_("Choose a department that serves this area."))
        return department


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SuggestionOutcome.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Official answer"), max_length=ANSWER_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Published with the suggestion. Not adopted: say why."))


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not for your department"), max_length=300)


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("keep", _("Publish it again")), ("remove", _("Remove it"))],
                                 widget=forms.RadioSelect, label=_("Decision"))
    note = forms.CharField(label=_("Reason (told to the author when removed)"), max_length=300, required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("What it does"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    org_code = forms.CharField(label=_("Area"), max_length=15)
    budget = forms.DecimalField(label=_("Budget (10,000 yuan, optional)"), required=False, min_value=0,
                                max_digits=12, decimal_places=2)
    parent = forms.TypedChoiceField(label=_("Part of (optional)"), coerce=int, required=False, empty_value=None)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("To be completed by"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, areas=(), parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].widget = forms.Select(choices=[(a.code, a.name) for a in areas])
        self.parents = {p.pk: p for p in parents}
        self.fields["parent"].choices = [("", _("A project of its own"))] + [(p.pk, p.title) for p in parents]

    def clean_parent(self):
        parent_id = self.cleaned_data["parent"]
        return None if parent_id is None else self.parents.get(parent_id)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    note = forms.CharField(label=_("What was done"), max_length=300)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(label=_("Planned for"), widget=forms.DateInput(attrs={"type": "date"}))


class LinkProjectForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = {p.pk: p for p in projects}
        self.fields["project"].choices = _blank([(p.pk, p.title) for p in projects])

    def clean_project(self):
        project = self.projects.get(self.cleaned_data["project"])
        if project is None:
            raise forms.ValidationError(_("Choose a project of your department."))
        return project
