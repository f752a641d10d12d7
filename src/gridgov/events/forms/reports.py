"""Reports (the grid worker's phone, the hotline, the public page) and the reporter's voice
(a rating, a dispute, a look-up by code)."""

from __future__ import annotations

from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from gridgov.events.forms.fields import (
    MOBILE_PHONE,
    PHONE,
    RATING_CHOICES,
    PhotosField,
    add_point_fields,
    category_fields,
    textarea,
)
from gridgov.events.models import Urgency

# --- Reports ------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """A grid worker's report from the phone page."""

    idempotency_key = forms.CharField(required=False, max_length=200,
                                      widget=forms.HiddenInput(attrs={"data-idempotency-key": True}))
    description = forms.CharField(label=_("What is the problem?"), max_length=4000, widget=textarea(4))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ORDINARY)
    address = forms.CharField(
        label=_("Address or landmark"), required=False, max_length=300,
        help_text=_("Needed only when your location cannot be found."),
    )
    photos = PhotosField()
    fixed_on_site = forms.BooleanField(label=_("I fixed it on the spot"), required=False)
    fix_note = forms.CharField(label=_("What did you do?"), required=False, max_length=2000, widget=textarea(2))
    # A register place the report concerns (a problem found in an inspection round links here).
    place = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    field_order = ["domain", "category", "description", "urgency", "photos", "address", "lat", "lng",
                   "fixed_on_site", "fix_note", "place", "idempotency_key"]
    # What a link may fill in (`?category=…&description=…`): the register's "report as an event".
    PREFILL = ("category", "description", "address", "lat", "lng", "place")

    @classmethod
    def prefill(cls, query) -> dict:
        """The initial values a GET link carries, among `PREFILL` (the form checks them on POST)."""
        initial = {name: query.get(name)[:4000] for name in cls.PREFILL if query.get(name)}
        if initial.get("category"):
            initial["domain"] = initial["category"].split(".")[0]
        return initial

    def __init__(self, *args, leaves: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"], self.fields["category"] = category_fields(leaves)
        self.fixable = frozenset(c.code for c in leaves if c.fixable_on_site)
        add_point_fields(self)
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
    description = forms.CharField(label=_("What did the caller report?"), max_length=4000, widget=textarea(4))
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
        add_point_fields(self)
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

    description = forms.CharField(label=_("What is the problem?"), max_length=4000, widget=textarea(4))
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
        add_point_fields(self)
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


class ReporterRatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How well was it solved? (1 poor – 5 very good)"),
                                    choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500, widget=textarea(2))


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=1000, widget=textarea(3))


class TrackLookupForm(forms.Form):
    code = forms.RegexField(
        label=_("Event code"), regex=r"^\d{6}-\d{8}-\d{4,6}$", max_length=30,
        error_messages={"invalid": _("An event code looks like 320583-20260105-0001.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
