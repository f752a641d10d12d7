"""Forms of the care pages. They parse input; the rules (scope, schedules, who may do what)
live in services.py and selectors.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.care.models import Campaign, CampaignItem, Crisis, Handover, Need, StatusPeriod, TeamRole, VisitForm
from gridgov.care.programs import Program, SmdClass
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


class TodayFilterForm(AreaForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Everyone"))] + list(STATUS_LABELS.items()))
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


def _choice_labels(fields: dict) -> dict:
    """{field: {value: label}} for the fields with choices (coded values shown by name)."""
    return {key: {str(k): v for k, v in field.choices if k != ""}
            for key, field in fields.items() if getattr(field, "choices", None)}


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


# --- The enrollment page's actions ---------------------------------------------------------------


class StatusChangeForm(forms.Form):
    """An admission or absence begins (`begin`), or ends (`end`)."""

    change = forms.ChoiceField(choices=[("begin", "begin"), ("end", "end")], widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=StatusPeriod.Kind.choices, widget=forms.HiddenInput)
    on = _date(_("Date"))
    note = _text(_("Note"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


def _account(label, required=False):
    """A colleague's username, with the user picker beside it (issue 11)."""
    return forms.CharField(label=label, required=required, max_length=150, widget=UserPicker())


class TeamMemberForm(forms.Form):
    username = _account(_("Account (username)"))
    name = _text(_("Name (family members without an account)"), max_length=50)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=100,
                              widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role on the team"), choices=TeamRole.choices)
    # notify (issue 11): recorded only for a member without an account, with a mobile number
    sms_consent = forms.BooleanField(label=_("Agreed to crisis alerts by SMS to this number"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("username") or "").strip() and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Give the member's account or name."))
        return data


class ExitForm(forms.Form):
    on = _date(_("Leaves the program on"))
    reason = _text(_("Reason for leaving"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class HandoverForm(forms.Form):
    to_org_code = _org_code_field(_("Receiving area (code)"), required=True)
    due_date = _date(_("Must be received by"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Handover.Reason.choices)
    note = _text(_("Note"), max_length=1000)


class RejectForm(forms.Form):
    reason = _text(_("Reason for rejecting"), required=True, max_length=1000)


# --- Enrollment ----------------------------------------------------------------------------------


class PersonLookupForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Resident ID number"), max_length=18, min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("The complete 18-character number of a person registered in your area."),
    )


class EnrollmentForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    program = forms.ChoiceField(label=_("Program"), choices=[("", "—")] + list(Program.choices),
                                widget=forms.Select(attrs={"data-program-select": ""}))
    org_code = _org_code_field(_("Area of the enrollment (code)"), required=True)
    start_date = _date(_("Start date"))
    legal_basis = _area(_("Legal basis"))
    consent = forms.BooleanField(label=_("Consent obtained and recorded"), required=False)
    retention_until = _date(_("Keep records until"), required=False,
                            help_text=_("Leave empty for five years after the start."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["legal_basis"].help_text = _("The law or decision the enrollment rests on. Give this, "
                                                 "or record the person's (or guardian's) consent.")

    def clean(self):
        data = super().clean()
        if not (data.get("legal_basis") or "").strip() and not data.get("consent"):
            self.add_error("legal_basis", _("Record the legal basis or the consent obtained."))
        return data


class StaffRowForm(forms.Form):
    username = _account(_("Account (username)"))
    role = forms.ChoiceField(label=_("Role on the team"), required=False,
                             choices=[(v, label) for v, label in TeamRole.choices
                                      if v not in (TeamRole.FAMILY, TeamRole.GUARDIAN)])

    def member(self) -> tuple[str, str] | None:
        username = (self.cleaned_data.get("username") or "").strip()
        return (username, self.cleaned_data.get("role")) if username else None


class FamilyRowForm(forms.Form):
    name = _text(_("Family member or guardian"), max_length=50)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=100,
                              widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role on the team"), required=False,
                             choices=[(TeamRole.GUARDIAN, TeamRole.GUARDIAN.label),
                                      (TeamRole.FAMILY, TeamRole.FAMILY.label)])
    # notify (issue 11): crisis alerts by SMS only where this consent is recorded
    sms_consent = forms.BooleanField(label=_("Agreed to crisis alerts by SMS to this number"), required=False)

    def member(self) -> tuple[str, str, str, bool] | None:
        name = (self.cleaned_data.get("name") or "").strip()
        return (name, (self.cleaned_data.get("contact") or "").strip(), self.cleaned_data.get("role"),
                bool(self.cleaned_data.get("sms_consent"))) if name else None


STAFF_ROWS = 4
FAMILY_ROWS = 2

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class ProgramDetailsForm(forms.Form):
    """The facts one program records at enrollment (services.PROGRAM_DETAIL_FIELDS)."""

    program = ""

    def details(self) -> dict:
        out = {}
        for key, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            if isinstance(self.fields[key], forms.ChoiceField) and self.fields[key].choices == YES_NO:
                value = value == "yes"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[key] = value
        return out


class SmdDetailsForm(ProgramDetailsForm):
    program = Program.SMD
    risk_level = forms.TypedChoiceField(label=_("Risk level"), choices=RISK_LEVELS, coerce=int, required=False)
    classification = forms.ChoiceField(label=_("Classification"), choices=[("", "—")] + list(SmdClass.choices),
                                       required=False)
    diagnosis = _text(_("Diagnosis"))
    guardian = _text(_("Guardian"), max_length=50)
    locked_at_home = forms.ChoiceField(label=_("Locked up at home"), choices=YES_NO, required=False)

    def clean(self):
        data = super().clean()
        if data.get("risk_level") is None or data.get("risk_level") == "":
            self.add_error("risk_level", _("Give the risk level, from 0 to 5."))
        if not data.get("classification"):
            self.add_error("classification", _("Give the classification."))
        return data


class ReentryDetailsForm(ProgramDetailsForm):
    program = Program.REENTRY
    release_date = _date(_("Release date"), required=False)
    prison = _text(_("Released from"))
    resettled = forms.ChoiceField(label=_("Resettled"), choices=YES_NO, required=False)
    employment = _text(_("Work"))
    support_base = _text(_("Transitional support base"))


class CorrectionsDetailsForm(ProgramDetailsForm):
    program = Program.COMMUNITY_CORRECTIONS
    order_start = _date(_("Order starts"), required=False)
    order_end = _date(_("Order ends"), required=False)
    checkin_every_days = forms.IntegerField(label=_("Check-in every (days)"), required=False, min_value=1,
                                            max_value=90)
    checkin_form = forms.ChoiceField(label=_("Check-in form"), required=False,
                                     choices=[("", "—"), ("in_person", _("In person")), ("phone", _("Phone call")),
                                              ("video", _("Video call"))])


class DrugRehabDetailsForm(ProgramDetailsForm):
    program = Program.DRUG_REHAB
    agreement_start = _date(_("Agreement starts"), required=False)
    agreement_end = _date(_("Agreement ends"), required=False)
    talk_every_days = forms.IntegerField(label=_("Talk every (days)"), required=False, min_value=1, max_value=90)
    test_every_days = forms.IntegerField(label=_("Test every (days)"), required=False, min_value=1, max_value=180)
    employment = _text(_("Work"))


class ChildDetailsForm(ProgramDetailsForm):
    program = Program.CHILD
    key_child = forms.ChoiceField(label=_("Key child (monthly visits)"), choices=YES_NO, required=False)
    situation = _text(_("Situation"))
    guardian = _text(_("Guardian"), max_length=50)
    school = _text(_("School"))
    mentor = _text(_("Mentor"), max_length=50)


class YouthDetailsForm(ProgramDetailsForm):
    program = Program.YOUTH
    situation = _text(_("Situation"))
    school = _text(_("School"))
    employment = _text(_("Work"))
    mentor = _text(_("Mentor"), max_length=50)


class ElderlyDetailsForm(ProgramDetailsForm):
    program = Program.ELDERLY
    living_alone = forms.ChoiceField(label=_("Lives alone"), choices=YES_NO, required=False)
    day_care_centre = _text(_("Day-care centre"))
    meal_service = forms.ChoiceField(label=_("Meal service"), choices=YES_NO, required=False)
    mobility = _text(_("Mobility"))


PROGRAM_DETAIL_FORMS: dict[str, type[ProgramDetailsForm]] = {
    form.program: form for form in (SmdDetailsForm, ReentryDetailsForm, CorrectionsDetailsForm,
                                    DrugRehabDetailsForm, ChildDetailsForm, YouthDetailsForm, ElderlyDetailsForm)
}


def program_detail_labels(program: str) -> dict:
    form = PROGRAM_DETAIL_FORMS.get(program)
    return {key: field.label for key, field in form.base_fields.items()} if form else {}


def program_value_labels(program: str) -> dict:
    form = PROGRAM_DETAIL_FORMS.get(program)
    return _choice_labels(form.base_fields) if form else {}


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
