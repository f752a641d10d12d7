"""Forms of the case pages. They parse input; the rules live in the services.

`ACTION_FORMS` has one form per step of a case (`workflow.CaseAction`); the case page shows
the forms of the steps the user may take now, and `views.cases.case_act` posts to the step's
service through the form's `perform`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.images import check_images
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.validators import normalize_mobile, normalize_resident_id, resident_id_error, validate_mobile
from gridgov.events.forms.fields import PhotosField, textarea
from gridgov.mediation import services
from gridgov.mediation.models import (
    AgreementForm,
    AttachmentKind,
    CaseSource,
    CaseType,
    Channel,
    Diversion,
    FailureReason,
    PartyRole,
    Performance,
    SessionKind,
)
from gridgov.mediation.services.common import MAX_TEXT
from gridgov.mediation.workflow import CaseAction, CaseStatus

PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"})


def _choices(choices, *, exclude=()) -> list:
    return [("", _("Choose…"))] + [(value, label) for value, label in choices if value not in exclude]


# --- The list ------------------------------------------------------------------------------------

OPEN, ALL = "open", "all"
DUE_SOON, DUE_OVERDUE, DUE_FOLLOW_UP = "soon", "overdue", "followup"


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[(OPEN, _("Open cases")), (ALL, _("All cases"))] + list(CaseStatus.choices))
    due = forms.ChoiceField(label=_("Time"), required=False, choices=[
        ("", _("Any")), (DUE_SOON, _("Time limit within 3 days")), (DUE_OVERDUE, _("Past the time limit")),
        (DUE_FOLLOW_UP, _("Follow-up visit due"))])
    committee = forms.TypedChoiceField(label=_("Committee"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Case number or party"), required=False, max_length=50,
                        help_text=_("A part of the case number, or a party's name."))
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", _("All committees"))] + [(c.pk, c.name) for c in committees]

    def clean_status(self):
        status = self.cleaned_data["status"]
        return "" if status == ALL else status


# --- Opening a case ------------------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    """A dispute brought to the committee (at the office, by phone) or taken up on its own
    initiative, with one applicant and one respondent (more are added on the case's page)."""

    committee = forms.TypedChoiceField(label=_("Committee"), coerce=int)
    type = forms.ChoiceField(label=_("Kind of dispute"), choices=_choices(CaseType.choices))
    source = forms.ChoiceField(label=_("How it came"), choices=_choices(CaseSource.choices,
                                                                         exclude=(CaseSource.EVENT,)))
    channel = forms.ChoiceField(label=_("Channel"), choices=_choices(Channel.choices,
                                                                     exclude=(Channel.ONLINE, Channel.GRID)))
    org_code = org_code_form_field(_("Place of the dispute"), required=True)
    matters = forms.CharField(label=_("Matters in dispute"), max_length=MAX_TEXT, widget=textarea(4))
    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=50)
    applicant_phone = forms.CharField(label=_("Applicant's mobile"), max_length=20, required=False)
    applicant_resident_id = forms.CharField(label=_("Applicant's ID number"), max_length=18, required=False)
    respondent_name = forms.CharField(label=_("Respondent's name"), max_length=50)
    respondent_phone = forms.CharField(label=_("Respondent's mobile"), max_length=20, required=False)
    respondent_resident_id = forms.CharField(label=_("Respondent's ID number"), max_length=18, required=False)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = {c.pk: c for c in committees}
        self.fields["committee"].choices = [(c.pk, c.name) for c in committees]

    def _clean_phone(self, name):
        value = normalize_mobile(self.cleaned_data.get(name) or "")
        if value:
            validate_mobile(value)
        return value

    def _clean_resident_id(self, name):
        value = normalize_resident_id(self.cleaned_data.get(name) or "")
        if value and (error := resident_id_error(value)):
            raise forms.ValidationError(error)
        return value

    def clean_applicant_phone(self):
        return self._clean_phone("applicant_phone")

    def clean_respondent_phone(self):
        return self._clean_phone("respondent_phone")

    def clean_applicant_resident_id(self):
        return self._clean_resident_id("applicant_resident_id")

    def clean_respondent_resident_id(self):
        return self._clean_resident_id("respondent_resident_id")

    def parties(self) -> list[services.PartySpec]:
        data = self.cleaned_data
        return [services.PartySpec(role=role, name=data[f"{role}_name"], phone=data[f"{role}_phone"],
                                   resident_id=data[f"{role}_resident_id"])
                for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)]


class HandOverForm(forms.Form):
    committee = forms.TypedChoiceField(label=_("Committee"), coerce=int)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c.pk, c.name) for c in committees]


# --- The steps of a case -------------------------------------------------------------------------


class StepForm(forms.Form):
    """One step; subclasses add its fields and call its service in `perform`. Rendered with the
    step as prefix so that several forms share a page without clashing ids."""

    action: str = ""
    title = ""
    submit_label = _("Confirm")
    has_files = False
    field_names: dict = {}  # the service's name of a field, where the form's differs

    def __init__(self, *args, case=None, context: dict | None = None, **kwargs):
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.case = case
        self.context = context or {}

    def perform(self, actor):
        raise NotImplementedError


def decoded_pages(files) -> list:
    """Uploaded pages checked and re-encoded (core.images), counted first: no more than the
    services take are decoded."""
    if len(files) > services.MAX_PAGES:
        raise services.invalid_pages()
    return check_images(files, field="pages")


class PagesMixin:
    has_files = True

    def pages(self):
        return decoded_pages(self.cleaned_data.get("pages") or [])


class AcceptForm(StepForm):
    action = CaseAction.ACCEPT
    title = _("Accept the case")
    submit_label = _("Accept: fit for people's mediation")

    def perform(self, actor):
        return services.case_accept(actor=actor, case=self.case)


class DeclineForm(StepForm):
    action = CaseAction.DECLINE
    title = _("Not for people's mediation")
    submit_label = _("Decline and point elsewhere")
    diversion = forms.ChoiceField(label=_("Where it belongs"),
                                  choices=_choices(Diversion.choices, exclude=(Diversion.OTHER_COMMITTEE,)))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=textarea(2))

    def perform(self, actor):
        return services.case_decline(actor=actor, case=self.case, diversion=self.cleaned_data["diversion"],
                                     reason=self.cleaned_data["reason"])


class TransferForm(StepForm):
    action = CaseAction.TRANSFER
    title = _("Transfer to another committee")
    submit_label = _("Transfer")
    committee = forms.TypedChoiceField(label=_("Committee"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {c.pk: c for c in self.context.get("transfer_to", [])}
        self.fields["committee"].choices = _choices([(pk, c.name) for pk, c in self.others.items()])

    def perform(self, actor):
        return services.case_transfer(actor=actor, case=self.case, committee=self.others[self.cleaned_data["committee"]],
                                      reason=self.cleaned_data["reason"])


class AssignForm(StepForm):
    action = CaseAction.ASSIGN
    title = _("Assign a mediator")
    submit_label = _("Assign")
    mediator = forms.TypedChoiceField(label=_("Mediator"), coerce=int)
    no_conflict = forms.BooleanField(label=_("I declare that the mediator is no party to this dispute, nor a "
                                             "party's relative, nor otherwise interested in it."), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mediators = {m.pk: m for m in self.context.get("mediators", [])}
        self.fields["mediator"].choices = _choices([(pk, m.name) for pk, m in self.mediators.items()])

    def perform(self, actor):
        return services.case_assign(actor=actor, case=self.case, mediator=self.mediators[self.cleaned_data["mediator"]],
                                    no_conflict=self.cleaned_data["no_conflict"])


class AddPartyForm(StepForm):
    action = CaseAction.ADD_PARTY
    title = _("Add a party")
    submit_label = _("Add the party")
    role = forms.ChoiceField(label=_("Role"), choices=_choices(PartyRole.choices))
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    resident_id = forms.CharField(label=_("ID number"), max_length=18, required=False)

    def perform(self, actor):
        data = self.cleaned_data
        return services.party_add(actor=actor, case=self.case, party=services.PartySpec(
            role=data["role"], name=data["name"], phone=data["phone"], resident_id=data["resident_id"]))


class SessionForm(StepForm):
    action = CaseAction.RECORD_SESSION
    field_names = {"date": "held_on"}  # the service's name of a field → the form's
    title = _("Record a session")
    submit_label = _("Save the record")
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, initial=SessionKind.MEDIATION)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=100)
    attendees = forms.CharField(label=_("Present"), max_length=300, required=False)
    record = forms.CharField(label=_("Record"), max_length=MAX_TEXT, widget=textarea(5),
                             help_text=_("What each side said, what was proposed and agreed."))

    def perform(self, actor):
        data = self.cleaned_data
        return services.session_record(actor=actor, case=self.case, held_on=data["held_on"], place=data["place"],
                                       record=data["record"], attendees=data["attendees"], kind=data["kind"])


class ExtendForm(StepForm):
    action = CaseAction.EXTEND
    title = _("Extend with both parties' consent")
    submit_label = _("Extend")
    until = forms.DateField(label=_("New time limit"), widget=DATE)
    applicant_consents = forms.BooleanField(label=_("The applicant agrees"), required=False)
    respondent_consents = forms.BooleanField(label=_("The respondent agrees"), required=False)

    def perform(self, actor):
        data = self.cleaned_data
        return services.case_extend(actor=actor, case=self.case, until=data["until"],
                                    applicant_consents=data["applicant_consents"],
                                    respondent_consents=data["respondent_consents"])


class SettleForm(StepForm):
    action = CaseAction.SETTLE
    title = _("Record the agreement")
    submit_label = _("Record the agreement")
    form = forms.ChoiceField(label=_("Form"), choices=AgreementForm.choices, initial=AgreementForm.WRITTEN,
                             widget=forms.RadioSelect)
    responsibilities = forms.CharField(label=_("Facts and each side's responsibility"), max_length=MAX_TEXT,
                                       widget=textarea(4), required=False)
    terms = forms.CharField(label=_("Terms agreed"), max_length=MAX_TEXT, widget=textarea(4),
                            help_text=_("What each side does, how, and by when."))
    performance_due = forms.DateField(label=_("To be performed by"), widget=DATE, required=False)

    def perform(self, actor):
        data = self.cleaned_data
        return services.case_conclude(actor=actor, case=self.case, result=services.Result.AGREEMENT,
                                      form=data["form"], terms=data["terms"],
                                      responsibilities=data["responsibilities"],
                                      performance_due=data["performance_due"])


class FailForm(StepForm):
    action = CaseAction.FAIL
    title = _("Record that mediation failed")
    submit_label = _("Mediation failed")
    reason = forms.ChoiceField(label=_("Why"), choices=_choices(FailureReason.choices))
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False, widget=textarea(2))

    def perform(self, actor):
        return services.case_conclude(actor=actor, case=self.case, result=services.Result.FAILED,
                                      reason=self.cleaned_data["reason"], note=self.cleaned_data["note"])


class ReferForm(StepForm):
    action = CaseAction.REFER
    title = _("Refer elsewhere")
    submit_label = _("Refer")
    diversion = forms.ChoiceField(label=_("Referred to"), choices=_choices(Diversion.choices,
                                                                           exclude=(Diversion.NONE,)))
    note = forms.CharField(label=_("Reason"), max_length=500, widget=textarea(2))

    def perform(self, actor):
        return services.case_conclude(actor=actor, case=self.case, result=services.Result.REFERRED,
                                      diversion=self.cleaned_data["diversion"], note=self.cleaned_data["note"])


class SignForm(PagesMixin, StepForm):
    action = CaseAction.SIGN
    title = _("Record the signed and sealed agreement")
    submit_label = _("The agreement takes effect")
    signed_on = forms.DateField(label=_("Signed and sealed on"), widget=DATE)
    pages = PhotosField(label=_("The signed pages (photos or scans)"), camera=True, required=True)

    def perform(self, actor):
        return services.agreement_sign(actor=actor, case=self.case, signed_on=self.cleaned_data["signed_on"],
                                       pages=self.pages())


class ApplyConfirmationForm(StepForm):
    action = CaseAction.APPLY_CONFIRMATION
    title = _("Record the application for judicial confirmation")
    submit_label = _("Save the application")
    court = forms.CharField(label=_("Court"), max_length=100)
    applied_on = forms.DateField(label=_("Applied on"), widget=DATE)

    def perform(self, actor):
        return services.confirmation_apply(actor=actor, case=self.case, court=self.cleaned_data["court"],
                                           applied_on=self.cleaned_data["applied_on"])


class DecideConfirmationForm(PagesMixin, StepForm):
    action = CaseAction.DECIDE_CONFIRMATION
    title = _("Record the court's decision")
    submit_label = _("Save the decision")
    confirmed = forms.TypedChoiceField(label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Confirmed")), ("no", _("Not confirmed"))])
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    pages = PhotosField(label=_("The court's ruling (optional)"), camera=True)

    def perform(self, actor):
        return services.confirmation_decide(actor=actor, case=self.case, confirmed=self.cleaned_data["confirmed"],
                                            decided_on=self.cleaned_data["decided_on"], pages=self.pages())


class FollowUpForm(StepForm):
    action = CaseAction.FOLLOW_UP
    title = _("Record a follow-up visit")
    submit_label = _("Save the visit")
    done_on = forms.DateField(label=_("Visited on"), widget=DATE)
    finding = forms.ChoiceField(label=_("Found"), choices=Performance.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False, widget=textarea(2))
    next_due = forms.DateField(label=_("Next visit (when still being performed or nobody was reached)"),
                               widget=DATE, required=False)

    def perform(self, actor):
        data = self.cleaned_data
        if self.context.get("next_follow_up") is None:
            raise DomainError(_("No follow-up visit of this case is due."), ErrorCode.ILLEGAL_TRANSITION)
        return services.follow_up_record(actor=actor, case=self.case, follow_up=self.context["next_follow_up"],
                                         done_on=data["done_on"], finding=data["finding"], note=data["note"],
                                         next_due=data["next_due"])


class ReopenForm(StepForm):
    action = CaseAction.REOPEN
    title = _("Mediate again after a breach")
    submit_label = _("Mediate again")
    reason = forms.CharField(label=_("What was not performed"), max_length=500, widget=textarea(2))

    def perform(self, actor):
        return services.case_reopen(actor=actor, case=self.case, reason=self.cleaned_data["reason"])


ATTACH = "attach"  # not a step of the workflow: pages added to the case's file


class AttachForm(PagesMixin, StepForm):
    action = ATTACH
    title = _("Add pages to the file")
    submit_label = _("Add the pages")
    kind = forms.ChoiceField(label=_("What they are"), choices=_choices(
        AttachmentKind.choices, exclude=(AttachmentKind.SIGNED_AGREEMENT, AttachmentKind.COURT_DECISION)))
    pages = PhotosField(label=_("Pages (photos or scans)"), camera=True, required=True)

    def perform(self, actor):
        return services.attachment_add(actor=actor, case=self.case, kind=self.cleaned_data["kind"],
                                       pages=self.pages())


ACTION_FORMS: dict[str, type[StepForm]] = {form.action: form for form in (
    AcceptForm, AddPartyForm, AssignForm, SessionForm, ExtendForm, SettleForm, FailForm, ReferForm, TransferForm,
    DeclineForm, SignForm, ApplyConfirmationForm, DecideConfirmationForm, FollowUpForm, ReopenForm, AttachForm,
)}
