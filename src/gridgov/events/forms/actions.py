"""One form per workflow action (`ACTION_FORMS`), and merging a duplicate."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.events.forms.fields import (
    RATING_CHOICES,
    PhotosField,
    textarea,
)
from gridgov.events.workflow import Action

# --- Workflow actions ------------------------------------------------------------------------


class ActionForm(forms.Form):
    """One workflow action; subclasses add its fields. Rendered with the action as prefix so
    that several forms share a page without clashing ids."""

    action: str = ""
    title = ""
    submit_label = _("Confirm")
    has_photos = False
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=textarea(2))

    def __init__(self, *args, event=None, choices: dict | None = None, **kwargs):
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.event = event

    def request_kwargs(self) -> dict:
        """Keyword arguments of `services.ActionRequest` (beside the action)."""
        data = self.cleaned_data
        return {"note": data.get("note") or "", "photos": data.get("photos") or []}


class AcceptForm(ActionForm):
    action = Action.ACCEPT
    title = _("Accept")
    submit_label = _("Accept the event")


class DispatchForm(ActionForm):
    action = Action.DISPATCH
    title = _("Dispatch")
    submit_label = _("Dispatch")
    department = forms.ChoiceField(label=_("Department or station"))

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Choose…"))] + list((choices or {}).get("departments", []))
        self.order_fields(["department", "note"])

    def request_kwargs(self):
        return {**super().request_kwargs(), "department": self.cleaned_data["department"]}


class ReturnForm(ActionForm):
    action = Action.RETURN
    title = _("Return to the dispatcher")
    submit_label = _("Return")
    reason = forms.CharField(label=_("Why is it not yours?"), max_length=1000, widget=textarea(2))
    suggested_department = forms.ChoiceField(label=_("Which department should have it?"), required=False)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department"].choices = [("", _("I do not know"))] + list(
            (choices or {}).get("all_departments", []))
        del self.fields["note"]

    def request_kwargs(self):
        return {"reason": self.cleaned_data["reason"],
                "suggested_department": self.cleaned_data.get("suggested_department") or ""}


class _WhatWasDoneForm(ActionForm):
    """An action that reports what was done (a note it requires) and its photos."""

    has_photos = True
    note_label = _("What was done?")
    note_rows = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = forms.CharField(label=self.note_label, max_length=2000,
                                              widget=textarea(self.note_rows))
        self.order_fields(["note", "photos"])


class HandleForm(_WhatWasDoneForm):
    action = Action.HANDLE
    title = _("Report back as handled")
    submit_label = _("Report as handled")
    photos = PhotosField(label=_("Photo of the result"))


PASSED_CHOICES = [("yes", _("Passed: the problem is solved")), ("no", _("Not passed: it needs more work"))]


class VerifyForm(ActionForm):
    action = Action.VERIFY
    title = _("Verify on site")
    submit_label = _("Record the verification")
    has_photos = True
    passed = forms.ChoiceField(label=_("Result"), choices=PASSED_CHOICES, widget=forms.RadioSelect)
    photos = PhotosField(label=_("Photo (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Note (required when not passed)")
        self.order_fields(["passed", "note", "photos"])

    def clean(self):
        data = super().clean()
        if data.get("passed") == "no" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what is still wrong."))
        return data

    def request_kwargs(self):
        return {**super().request_kwargs(), "passed": self.cleaned_data["passed"] == "yes"}


class CloseForm(ActionForm):
    action = Action.CLOSE
    title = pgettext_lazy("event action", "Close")
    submit_label = _("Close the event")


class EvaluateForm(ActionForm):
    action = Action.EVALUATE
    title = _("Evaluate")
    submit_label = _("Evaluate")
    rating = forms.TypedChoiceField(label=_("Rating (1 poor – 5 very good)"), choices=RATING_CHOICES, coerce=int,
                                    widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["rating", "note"])

    def request_kwargs(self):
        return {**super().request_kwargs(), "rating": self.cleaned_data["rating"]}


class _ReasonForm(ActionForm):
    reason_label = _("Reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        self.fields["reason"] = forms.CharField(label=self.reason_label, max_length=1000, widget=textarea(2))

    def request_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


def _reason_form(name: str, action: str, *, title, submit_label, reason_label) -> type[_ReasonForm]:
    """An action whose one field is its reason (reopen, suspend, cancel)."""
    return type(name, (_ReasonForm,), {"action": action, "title": title, "submit_label": submit_label,
                                       "reason_label": reason_label, "__module__": __name__})


ReopenForm = _reason_form("ReopenForm", Action.REOPEN, title=_("Reopen"), submit_label=_("Reopen for verification"),
                          reason_label=_("Why is it reopened?"))
SuspendForm = _reason_form("SuspendForm", Action.SUSPEND, title=_("Suspend"), submit_label=_("Suspend"),
                           reason_label=_("Why is it suspended?"))
CancelForm = _reason_form("CancelForm", Action.CANCEL, title=_("Cancel the report"),
                          submit_label=_("Cancel the report"), reason_label=_("Why is the report invalid?"))


class ResumeForm(ActionForm):
    action = Action.RESUME
    title = _("Resume")
    submit_label = _("Resume the work")


class ExtendForm(ActionForm):
    action = Action.EXTEND
    title = _("Request more time")
    submit_label = _("Request more time")
    hours = forms.DecimalField(label=_("Extra working hours"), min_value=Decimal("0.5"), max_value=Decimal(2000),
                               decimal_places=2, max_digits=7)
    reason = forms.CharField(label=_("Why is more time needed?"), max_length=1000, widget=textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]

    def request_kwargs(self):
        return {"hours": self.cleaned_data["hours"], "reason": self.cleaned_data["reason"]}


DECISION_CHOICES = [("yes", _("Approve")), ("no", _("Refuse"))]


class ApproveExtensionForm(ActionForm):
    action = Action.APPROVE_EXTENSION
    title = _("Decide on more time")
    submit_label = _("Record the decision")
    approve = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["approve", "note"])

    def request_kwargs(self):
        return {**super().request_kwargs(), "approve": self.cleaned_data["approve"] == "yes"}


class ResolveOnSiteForm(_WhatWasDoneForm):
    action = Action.RESOLVE_ON_SITE
    title = _("Fixed on the spot")
    submit_label = _("Close as fixed on the spot")
    photos = PhotosField(label=_("Photo (optional)"))
    note_label = _("What did you do?")
    note_rows = 2


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form for form in (
        DispatchForm, AcceptForm, ReturnForm, HandleForm, VerifyForm, CloseForm, EvaluateForm, ReopenForm,
        ExtendForm, ApproveExtensionForm, SuspendForm, ResumeForm, CancelForm, ResolveOnSiteForm,
    )
}


class MergeForm(forms.Form):
    original = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
