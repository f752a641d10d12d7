"""Recording a visit (the follow-up record of DOMAIN.md), and a crisis and what was done."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.care.forms.common import _area, _checks, _choice_labels, _count, _date, _radio, _text
from gridgov.care.models import Crisis, Need, VisitForm
from gridgov.care.programs import SmdClass

# --- Visits ---------------------------------------------------------------------------------------

RISK_LEVELS = [
    (0, _("0 — No dangerous behaviour")),
    (1, _("1 — Verbal threats or shouting, no damage")),
    (2, _("2 — Smashing things at home, can be stopped")),
    (3, _("3 — Obvious smashing regardless of place, cannot be stopped")),
    (4, _("4 — Persistent smashing of property or hitting people, or self-harm or suicide")),
    (5, _("5 — Armed violence against people, arson or explosion, regardless of place")),
]
LEVEL_OF_FUNCTION = [("", "—"), ("good", _("Good")), ("fair", _("Fair")), ("poor", _("Poor"))]
INSIGHT = [("", "—"), ("full", _("Full insight")), ("partial", _("Partial insight")), ("none", _("No insight"))]
MEDICATION_ADHERENCE = [
    ("regular", _("Takes them regularly")),
    ("intermittent", _("Takes them intermittently")),
    ("none", _("Does not take them")),
    ("not_prescribed", _("None prescribed")),
]
LOCKED_AT_HOME = [("", "—"), ("never", _("Not locked up")), ("locked", _("Locked up at home")),
                  ("released", _("Was locked up, now released"))]
HOSPITALISED_SINCE_LAST = [("", "—"), ("no", _("Not in hospital")), ("now", _("In hospital now")),
                           ("was", _("Was in hospital, now home"))]
REHABILITATION = [
    ("daily_living", _("Daily living skills")),
    ("vocational", _("Vocational training")),
    ("learning", _("Learning")),
    ("social", _("Social skills")),
    ("other", _("Other")),
]
# Dangerous behaviour since the last follow-up: how many times of each.
DANGEROUS_BEHAVIOUR = [
    ("minor_nuisance", _("Minor nuisance")),
    ("causing_trouble", _("Causing trouble")),
    ("serious_incident", _("Causing a serious incident")),
    ("self_harm", _("Self-harm")),
    ("suicide_attempt", _("Attempted suicide")),
    ("other", _("Other harm")),
]
SMD_TEXT_FIELDS = ("symptoms", "side_effects", "medicines", "signature")
SMD_CHOICE_FIELDS = ("insight", "sleep", "diet", "social_functioning", "locked_at_home",
                     "hospitalised_since_last", "medication_adherence")


class VisitRecordForm(forms.Form):
    """A visit from the phone; for `smd` (where the user may see it) the follow-up record of
    the national basic public health service."""

    date = _date(_("Date of the visit"))
    form = _radio(_("How the person was seen"), VisitForm.choices)
    missed = forms.BooleanField(label=_("The person could not be seen"), required=False)
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Take a photo with the phone's camera."),
    )
    needs = _checks(_("Needs found"), Need.choices)
    help_given = _checks(_("Help given"), Need.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    org = forms.CharField(required=False, max_length=15, widget=forms.HiddenInput)  # the map to return to

    def __init__(self, *args, smd: bool = False, signature: str = "", masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.smd = smd
        if masked:  # a visit "at the clinic" would tell why (issue 10)
            self.fields["form"].choices = [(v, label) for v, label in VisitForm.choices if v != VisitForm.CLINIC]
        self.fields["date"].initial = timezone.localdate()
        self.fields["form"].initial = VisitForm.HOME
        if smd:
            self.fields.update(self._smd_fields(signature))

    @staticmethod
    def _smd_fields(signature: str) -> dict:
        fields = {
            "risk_level": forms.TypedChoiceField(label=_("Risk level"), choices=RISK_LEVELS, coerce=int,
                                                 required=False, widget=forms.RadioSelect),
            "classification": _radio(_("Classification"), SmdClass.choices, required=False, help_text=_(
                "Unstable: risk 3–5, marked symptoms or serious side effects — refer to hospital, follow up "
                "within 2 weeks. Basically stable: risk 1–2 — follow up in 2 weeks. Stable: risk 0, symptoms "
                "controlled — follow up in 3 months.")),
            "marked_symptoms": forms.BooleanField(label=_("Marked symptoms"), required=False),
            "symptoms": _area(_("Symptoms")),
            "insight": forms.ChoiceField(label=_("Insight"), choices=INSIGHT, required=False),
            "sleep": forms.ChoiceField(label=_("Sleep"), choices=LEVEL_OF_FUNCTION, required=False),
            "diet": forms.ChoiceField(label=_("Diet"), choices=LEVEL_OF_FUNCTION, required=False),
            "social_functioning": forms.ChoiceField(label=_("Social functioning"), choices=LEVEL_OF_FUNCTION,
                                                    required=False),
            "locked_at_home": forms.ChoiceField(label=_("Locked up at home"), choices=LOCKED_AT_HOME,
                                                required=False),
            "hospitalised_since_last": forms.ChoiceField(label=_("Hospital since the last follow-up"),
                                                         choices=HOSPITALISED_SINCE_LAST, required=False),
            "medication_adherence": _radio(_("Medication adherence"), MEDICATION_ADHERENCE, required=False),
            "side_effects": _text(_("Side effects"), help_text=_("Leave empty when there are none.")),
            "serious_side_effects": forms.BooleanField(label=_("Serious side effects"), required=False),
            "medicines": _area(_("Medicines (name, dose, how often)")),
            "rehabilitation": _checks(_("Rehabilitation measures"), REHABILITATION),
            "referred": forms.BooleanField(label=_("Referred to hospital"), required=False),
            "missed_reason": _text(_("Why the person could not be seen")),
            "signature": _text(_("Signature"), required=True, max_length=50),
        }
        for key, label in DANGEROUS_BEHAVIOUR:
            fields[f"danger_{key}"] = _count(label)
        fields["signature"].initial = signature
        return fields

    @property
    def danger_fields(self):
        return [self[f"danger_{key}"] for key, _label in DANGEROUS_BEHAVIOUR]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be dated in the future."))
        return date

    def clean(self):
        data = super().clean()
        if self.smd and not data.get("missed"):
            if data.get("risk_level") in (None, ""):
                self.add_error("risk_level", _("Give the risk level, from 0 to 5."))
            if not data.get("classification"):
                self.add_error("classification", _("Give the classification."))
        return data

    def visit_kwargs(self) -> dict:
        """Keyword arguments for services.visit_record."""
        data = self.cleaned_data
        notes = (data.get("notes") or "").strip()
        details: dict = {}
        if self.smd and data.get("missed"):
            # A missed follow-up records why, not a new assessment.
            for key in ("missed_reason", "signature"):
                value = (data.get(key) or "").strip()
                if value:
                    details[key] = value
        elif self.smd:
            details = {"risk_level": data["risk_level"], "classification": data["classification"]}
            for key in SMD_TEXT_FIELDS + SMD_CHOICE_FIELDS:
                value = (data.get(key) or "").strip()
                if value:
                    details[key] = value
            for key in ("marked_symptoms", "serious_side_effects", "referred"):
                if data.get(key):
                    details[key] = True
            if data.get("rehabilitation"):
                details["rehabilitation"] = sorted(data["rehabilitation"])
            danger = {key: data.get(f"danger_{key}") or 0 for key, _label in DANGEROUS_BEHAVIOUR}
            details["dangerous_behaviour"] = {k: v for k, v in danger.items() if v}
        return {
            "date": data["date"], "form": data["form"], "notes": notes, "details": details,
            "needs": data.get("needs") or [], "help_given": data.get("help_given") or [],
            "missed": bool(data.get("missed")), "photo": data.get("photo"),
        }


# Labels of the follow-up record's keys and values, for showing a recorded visit.
def smd_detail_labels() -> dict:
    fields = VisitRecordForm._smd_fields("")
    labels = {key: field.label for key, field in fields.items() if not key.startswith("danger_")}
    labels["dangerous_behaviour"] = _("Dangerous behaviour (times)")
    return labels


def smd_value_labels() -> dict:
    values = _choice_labels(VisitRecordForm._smd_fields(""))
    values["dangerous_behaviour"] = dict(DANGEROUS_BEHAVIOUR)
    return values


# --- Crises ---------------------------------------------------------------------------------------


class CrisisReportForm(forms.Form):
    description = forms.CharField(label=_("What is happening"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    reported_by = _radio(_("Who reported it"), Crisis.ReportedBy.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    org = forms.CharField(required=False, max_length=15, widget=forms.HiddenInput)

    def __init__(self, *args, masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if masked:  # a doctor or the police reporting would tell why (issue 10)
            from gridgov.care.selectors import PLAIN_REPORTERS

            self.fields["reported_by"].choices = [
                (value, label) for value, label in Crisis.ReportedBy.choices if value in PLAIN_REPORTERS]


class CrisisActionForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("Not settled yet"))] + list(Crisis.Outcome.choices))
    at = forms.DateTimeField(
        label=_("When"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )

    # Outcomes that tell nothing about health (issue 10), for those who see no details.
    PLAIN_OUTCOMES = (Crisis.Outcome.CALMED_AT_HOME, Crisis.Outcome.OTHER)

    def __init__(self, *args, masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if masked:
            self.fields["outcome"].choices = [("", _("Not settled yet"))] + [
                (value, label) for value, label in Crisis.Outcome.choices if value in self.PLAIN_OUTCOMES]
