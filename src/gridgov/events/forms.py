"""Forms of the event pages. They parse input; the rules live in services and selectors."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.orgcodes import org_code_form_field
from gridgov.events.models import Urgency
from gridgov.events.workflow import Action, Status

PAGE_SIZE = 50
MOBILE_PAGE_SIZE = 20
MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,28}$")


# --- Widgets and fields ---------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more image files under one name (`photos`); their content is checked by the
    service (type, size, decodable)."""

    def __init__(self, *, label=_("Photos"), camera: bool = True, **kwargs):
        attrs = {"accept": "image/*", "multiple": True}
        if camera:
            attrs["capture"] = "environment"
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(label=label, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CategorySelect(forms.Select):
    """A select of leaf categories grouped by domain; each option says its domain and whether
    a grid worker may fix it on the spot (events.js narrows the list by domain)."""

    def __init__(self, *args, fixable: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fixable = fixable

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-domain"] = str(value).split(".")[0]
            if value in self.fixable:
                option["attrs"]["data-fixable"] = "1"
        return option


def category_fields(leaves: list, *, label=_("Category")) -> tuple[forms.ChoiceField, forms.ChoiceField]:
    """The two-level picker: a domain select, then its leaf categories.

    `leaves` are active leaf categories; each may carry `domain_name` and `ancestor_names`
    (from `selectors.public_services`), otherwise the domain's code is shown."""
    domains: dict[str, str] = {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in leaves:
        domain = category.code.split(".")[0]
        names = getattr(category, "ancestor_names", None) or [category.name]
        domains.setdefault(domain, getattr(category, "domain_name", "") or domain)
        groups.setdefault(domain, []).append((category.code, " › ".join(names[1:]) or category.name))
    domain_field = forms.ChoiceField(
        label=_("Area of work"), required=False,
        choices=[("", _("All areas"))] + sorted(domains.items()),
        widget=forms.Select(attrs={"data-domain-select": True}),
    )
    category_field = forms.ChoiceField(
        label=label,
        choices=[("", _("Choose…"))] + [(domains[d], groups[d]) for d in sorted(groups)],
        widget=CategorySelect(attrs={"data-category-select": True},
                              fixable=frozenset(c.code for c in leaves if c.fixable_on_site)),
    )
    return domain_field, category_field


def _textarea(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _add_point_fields(form: forms.Form) -> None:
    """Hidden latitude and longitude, filled by the browser's location or a tap on the map."""
    form.fields["lat"] = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-lat": True}))
    form.fields["lng"] = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-lng": True}))


# --- Reports ------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """A grid worker's report from the phone page."""

    idempotency_key = forms.CharField(required=False, max_length=200,
                                      widget=forms.HiddenInput(attrs={"data-idempotency-key": True}))
    description = forms.CharField(label=_("What is the problem?"), max_length=4000, widget=_textarea(4))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ORDINARY)
    address = forms.CharField(
        label=_("Address or landmark"), required=False, max_length=300,
        help_text=_("Needed only when your location cannot be found."),
    )
    photos = PhotosField()
    fixed_on_site = forms.BooleanField(label=_("I fixed it on the spot"), required=False)
    fix_note = forms.CharField(label=_("What did you do?"), required=False, max_length=2000, widget=_textarea(2))

    field_order = ["domain", "category", "description", "urgency", "photos", "address", "lat", "lng",
                   "fixed_on_site", "fix_note", "idempotency_key"]

    def __init__(self, *args, leaves: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"], self.fields["category"] = category_fields(leaves)
        self.fixable = frozenset(c.code for c in leaves if c.fixable_on_site)
        _add_point_fields(self)
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if data.get("fixed_on_site"):
            if data.get("category") and data["category"] not in self.fixable:
                self.add_error("fixed_on_site", _("Events of this category cannot be closed on the spot."))
            if not (data.get("fix_note") or "").strip():
                self.add_error("fix_note", _("Say what you did."))
        return data


class HotlineForm(forms.Form):
    """A caller's report typed by the grid centre's dispatcher."""

    idempotency_key = forms.CharField(required=False, max_length=200,
                                      widget=forms.HiddenInput(attrs={"data-idempotency-key": True}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ORDINARY)
    description = forms.CharField(label=_("What did the caller report?"), max_length=4000, widget=_textarea(4))
    address = forms.CharField(label=_("Address"), required=False, max_length=300,
                              help_text=_("As the caller gave it. Place it on the map too, so that it is routed."))
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=100)
    caller_phone = forms.CharField(
        label=_("Caller's phone"), required=False, max_length=30,
        help_text=_("Kept encrypted, only to tell the caller the outcome; never shown to the public."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, leaves: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"], self.fields["category"] = category_fields(leaves)
        _add_point_fields(self)
        self.order_fields(["domain", "category", "urgency", "description", "address", "lat", "lng",
                           "caller_name", "caller_phone", "idempotency_key"])

    def clean_caller_phone(self):
        phone = (self.cleaned_data.get("caller_phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number (digits only)."))
        return phone

    def clean(self):
        data = super().clean()
        if not (data.get("address") or "").strip() and (data.get("lat") is None or data.get("lng") is None):
            if "address" not in self.errors:
                self.add_error("address", _("Type the address or place the point on the map."))
        return data


class PublicReportForm(forms.Form):
    """A resident's report, without an account."""

    description = forms.CharField(label=_("What is the problem?"), max_length=4000, widget=_textarea(4))
    address = forms.CharField(label=_("Where is it? (address or landmark)"), required=False, max_length=300)
    photos = PhotosField(label=_("Photos (optional)"), camera=False)
    contact = forms.CharField(
        label=_("Your phone or e-mail (optional)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    notify = forms.BooleanField(
        label=_("Tell me when it is closed"), required=False,
        help_text=_("We keep your phone or e-mail only to tell you the outcome, and never show it to anyone. "
                    "Leave the box unticked and we keep no contact at all."),
    )

    def __init__(self, *args, leaves: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"], self.fields["category"] = category_fields(leaves)
        _add_point_fields(self)
        self.order_fields(["domain", "category", "description", "address", "lat", "lng", "photos", "contact",
                           "notify"])

    def clean_contact(self):
        contact = (self.cleaned_data.get("contact") or "").strip()
        if not contact:
            return ""
        if "@" in contact:
            try:
                EmailValidator()(contact)
            except forms.ValidationError:
                raise forms.ValidationError(_("Enter a valid e-mail address or mobile number.")) from None
        elif not MOBILE_PHONE.match(contact.replace(" ", "")):
            raise forms.ValidationError(_("Enter a valid e-mail address or mobile number."))
        return contact.replace(" ", "") if "@" not in contact else contact

    def clean(self):
        data = super().clean()
        if data.get("notify") and not data.get("contact") and "contact" not in self.errors:
            self.add_error("contact", _("Give a phone number or e-mail address to be told the outcome."))
        if data.get("contact") and not data.get("notify"):
            self.add_error("notify", _("Tick this box to be told the outcome, or leave the contact empty."))
        if not (data.get("address") or "").strip() and (data.get("lat") is None or data.get("lng") is None):
            if "address" not in self.errors:
                self.add_error("address", _("Tap the map or type the address."))
        return data


# --- The reporter's voice ------------------------------------------------------------------

RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ReporterRatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How well was it solved? (1 poor – 5 very good)"),
                                    choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500, widget=_textarea(2))


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=1000, widget=_textarea(3))


class TrackLookupForm(forms.Form):
    code = forms.RegexField(
        label=_("Event code"), regex=r"^\d{6}-\d{8}-\d{4,6}$", max_length=30,
        error_messages={"invalid": _("An event code looks like 320583-20260105-0001.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


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


# --- Workflow actions ------------------------------------------------------------------------


class ActionForm(forms.Form):
    """One workflow action; subclasses add its fields. Rendered with the action as prefix so
    that several forms share a page without clashing ids."""

    action: str = ""
    title = ""
    submit_label = _("Confirm")
    has_photos = False
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=_textarea(2))

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
    reason = forms.CharField(label=_("Why is it not yours?"), max_length=1000, widget=_textarea(2))
    suggested_department = forms.ChoiceField(label=_("Which department should have it?"), required=False)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department"].choices = [("", _("I do not know"))] + list(
            (choices or {}).get("all_departments", []))
        del self.fields["note"]

    def request_kwargs(self):
        return {"reason": self.cleaned_data["reason"],
                "suggested_department": self.cleaned_data.get("suggested_department") or ""}


class HandleForm(ActionForm):
    action = Action.HANDLE
    title = _("Report back as handled")
    submit_label = _("Report as handled")
    has_photos = True
    photos = PhotosField(label=_("Photo of the result"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = forms.CharField(label=_("What was done?"), max_length=2000, widget=_textarea(3))
        self.order_fields(["note", "photos"])


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
        self.fields["reason"] = forms.CharField(label=self.reason_label, max_length=1000, widget=_textarea(2))

    def request_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class ReopenForm(_ReasonForm):
    action = Action.REOPEN
    title = _("Reopen")
    submit_label = _("Reopen for verification")
    reason_label = _("Why is it reopened?")


class SuspendForm(_ReasonForm):
    action = Action.SUSPEND
    title = _("Suspend")
    submit_label = _("Suspend")
    reason_label = _("Why is it suspended?")


class CancelForm(_ReasonForm):
    action = Action.CANCEL
    title = _("Cancel the report")
    submit_label = _("Cancel the report")
    reason_label = _("Why is the report invalid?")


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
    reason = forms.CharField(label=_("Why is more time needed?"), max_length=1000, widget=_textarea(2))

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


class ResolveOnSiteForm(ActionForm):
    action = Action.RESOLVE_ON_SITE
    title = _("Fixed on the spot")
    submit_label = _("Close as fixed on the spot")
    has_photos = True
    photos = PhotosField(label=_("Photo (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = forms.CharField(label=_("What did you do?"), max_length=2000, widget=_textarea(2))
        self.order_fields(["note", "photos"])


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form for form in (
        DispatchForm, AcceptForm, ReturnForm, HandleForm, VerifyForm, CloseForm, EvaluateForm, ReopenForm,
        ExtendForm, ApproveExtensionForm, SuspendForm, ResumeForm, CancelForm, ResolveOnSiteForm,
    )
}


class MergeForm(forms.Form):
    original = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


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
            (d.code, f"{d.name} ({d.code})") for d in departments]
