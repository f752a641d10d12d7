"""Forms of the rounds' pages: the grid worker's proposals on a household's checklist item,
the screener's decision, opening a round, and an inspection of a place (issue 11 §C). They
parse input; the rules live in `register.rounds` and `register.inspections`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.register.forms import (
    DATE_INPUT,
    LEAVE_REASONS,
    PersonPickForm,
    _after_field,
    _clean_mobile,
    _member_choices,
    _not_in_future,
    _org_code_field,
    _phone_field,
)
from gridgov.register.models import (
    AnswerResult,
    ChecklistItem,
    LeaveReason,
    PlaceInspection,
    Relation,
    ResidenceType,
    RoundKind,
)


class ChecklistFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All households"))] + list(ChecklistItem.Status.choices))
    after = _after_field()


# --- Round proposals (the grid worker's checklist) -------------------------------------------


class ProposalForm(forms.Form):
    """One proposed change; `edit()` gives the dict `rounds.item_propose_edits` takes."""

    kind = ""
    title = ""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)

    def edit(self) -> dict:
        raise NotImplementedError


class ContactProposalForm(ProposalForm):
    kind = "person_contact"
    title = _("A member's phone or address changed")
    target = forms.TypedChoiceField(label=_("Member"), coerce=int)
    phone = _phone_field(_("New mobile phone"))
    address = forms.CharField(label=_("New address"), required=False, max_length=300)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = _member_choices(members, by="person")

    def clean_phone(self):
        return _clean_mobile(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not (data.get("address") or "").strip():
            raise forms.ValidationError(_("Give the new phone number or address."))
        return data

    def edit(self) -> dict:
        data = self.cleaned_data
        values = {k: data[k].strip() for k in ("phone", "address") if (data.get(k) or "").strip()}
        return {"kind": self.kind, "target": data["target"], "values": values}


class MemberAddProposalForm(PersonPickForm, ProposalForm):
    kind = "member_add"
    title = _("Someone joined the household")
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DATE_INPUT)

    def clean_moved_in_on(self):
        return _not_in_future(self.cleaned_data["moved_in_on"], _("A move-in date cannot be in the future."))

    def edit(self, *, person_id: int | None = None) -> dict:
        data = self.cleaned_data
        values = {"relation": data["relation"], "residence_type": data["residence_type"],
                  "moved_in_on": data["moved_in_on"].isoformat() if data.get("moved_in_on") else ""}
        if person_id:
            values["person"] = person_id
        else:
            values["new_person"] = {k: v for k, v in self.new_person().items() if v}
        return {"kind": self.kind, "values": values}


class MemberLeaveProposalForm(ProposalForm):
    kind = "member_leave"
    title = _("A member moved out")
    target = forms.TypedChoiceField(label=_("Member"), coerce=int)
    on = forms.DateField(label=_("Moved out on"), widget=DATE_INPUT)
    reason = forms.ChoiceField(label=_("Reason"), choices=LEAVE_REASONS, initial=LeaveReason.MOVED_OUT)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = _member_choices(members, by="membership")

    def clean_on(self):
        return _not_in_future(self.cleaned_data["on"], _("Give a move-out date that is not in the future."))

    def edit(self) -> dict:
        data = self.cleaned_data
        return {"kind": self.kind, "target": data["target"],
                "values": {"on": data["on"].isoformat(), "reason": data["reason"]}}


class DeathProposalForm(ProposalForm):
    kind = "death"
    title = _("A member died")
    target = forms.TypedChoiceField(label=_("Member"), coerce=int)
    died_on = forms.DateField(label=_("Date of death"), widget=DATE_INPUT)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = _member_choices(members, by="person")

    def clean_died_on(self):
        return _not_in_future(self.cleaned_data["died_on"], _("Give a date of death that is not in the future."))

    def edit(self) -> dict:
        data = self.cleaned_data
        return {"kind": self.kind, "target": data["target"], "values": {"died_on": data["died_on"].isoformat()}}


class AddressProposalForm(ProposalForm):
    kind = "household"
    title = _("The household's address changed")
    address = forms.CharField(label=_("New address"), max_length=250)

    def edit(self) -> dict:
        return {"kind": self.kind, "values": {"address": self.cleaned_data["address"].strip()}}


PROPOSAL_FORMS: dict[str, type[ProposalForm]] = {
    form.kind: form
    for form in (ContactProposalForm, MemberAddProposalForm, MemberLeaveProposalForm, DeathProposalForm,
                 AddressProposalForm)
}


class ConfirmUnchangedForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    note = forms.CharField(label=_("Reason for returning"), required=False, max_length=300)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


# --- Rounds -------------------------------------------------------------------------------------


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of round"), choices=RoundKind.choices, initial=RoundKind.HOUSEHOLDS,
                             required=False, widget=forms.RadioSelect)
    org_code = _org_code_field(_("Area (org unit code)"), required=True)
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or RoundKind.HOUSEHOLDS

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("due_on") and data["due_on"] < data["starts_on"]:
            self.add_error("due_on", _("The due date is before the start date."))
        return data


# --- Inspections of places (issue 11 §C) -----------------------------------------------------------


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All places"))] + list(PlaceInspection.Status.choices))
    after = _after_field()


class InspectionForm(forms.Form):
    """One place's checklist: per question OK / problem / not applicable, a note and a photo.
    `answers()` gives what `inspections.inspection_record` takes (unanswered questions are
    left out, so a half-done inspection can be saved)."""

    note = forms.CharField(label=_("Note on the inspection (optional)"), required=False, max_length=300)

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = list(questions)
        for question in self.questions:
            given = answers.get(question.pk)
            key = f"q{question.pk}"
            self.fields[key] = forms.ChoiceField(
                label=question.text, required=False, choices=AnswerResult.choices, widget=forms.RadioSelect,
                initial=given.result if given else None,
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label=_("What is the problem?"), required=False, max_length=300,
                initial=given.note if given else "",
            )
            self.fields[f"{key}_photo"] = forms.ImageField(
                label=_("Photo (optional)"), required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
            )
        self.order_fields([*(k for q in self.questions for k in (f"q{q.pk}", f"q{q.pk}_note", f"q{q.pk}_photo")),
                           "note"])

    def rows(self) -> list[dict]:
        """Per question its three fields, for the template."""
        return [{"question": q, "result": self[f"q{q.pk}"], "note": self[f"q{q.pk}_note"],
                 "photo": self[f"q{q.pk}_photo"]} for q in self.questions]

    def answers(self) -> list:
        from gridgov.register.inspections import Answer

        data = self.cleaned_data
        return [Answer(question_id=q.pk, result=data[f"q{q.pk}"], note=data.get(f"q{q.pk}_note") or "",
                       photo=data.get(f"q{q.pk}_photo") or None)
                for q in self.questions if data.get(f"q{q.pk}")]


class InspectionUnableForm(forms.Form):
    note = forms.CharField(label=_("Why could the place not be inspected?"), max_length=300)


class QuestionForm(forms.Form):
    """A question of a place kind's checklist (the administrator's settings page)."""

    text = forms.CharField(label=_("Question"), max_length=200)
    event_category = forms.CharField(
        label=_("Event category for a problem (optional)"), required=False, max_length=60,
        help_text=_("A dotted code such as fire.lane: an event report of a problem starts with it."),
    )
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=32000)
    is_active = forms.BooleanField(label=_("Asked in inspections"), required=False, initial=True)
