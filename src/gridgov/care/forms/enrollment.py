"""Enrolling a person, the program's details, and the actions of the enrollment page."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.care.forms.common import _account, _area, _choice_labels, _date, _org_code_field, _text
from gridgov.care.forms.visits import RISK_LEVELS
from gridgov.care.models import Handover, StatusPeriod, TeamRole
from gridgov.care.programs import Program, SmdClass

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
