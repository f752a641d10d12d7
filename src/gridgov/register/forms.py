"""Forms of the register's pages. They parse input; the rules live in services and rounds."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.tabular import format_from_filename
from gridgov.core.validators import (
    normalize_mobile,
    normalize_resident_id,
    resident_id_error,
    validate_mobile,
)
from gridgov.register.imports import COLUMNS
from gridgov.register.models import (
    BuildingUse,
    LeaveReason,
    PlaceKind,
    Relation,
    ResidenceType,
)
from gridgov.register.selectors import OneTableFilters

PAGE_SIZE = 50
# An <input type="date"> shows only an ISO value (YYYY-MM-DD), whatever the page's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEAVE_REASONS = [(LeaveReason.MOVED_OUT.value, LeaveReason.MOVED_OUT.label),
                 (LeaveReason.CORRECTION.value, LeaveReason.CORRECTION.label)]


def _org_code_field(label, required=False):
    return org_code_form_field(label, required=required)


def _after_field():
    return forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _resident_id_field(label=_("Resident ID number"), required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, max_length=18, help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _phone_field(label=_("Mobile phone"), required=False):
    return forms.CharField(
        label=label, required=required, max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )


def _clean_resident_id(value: str) -> str:
    value = normalize_resident_id(value)
    if value:
        problem = resident_id_error(value)
        if problem:
            raise forms.ValidationError(problem)
    return value


def _clean_mobile(value: str) -> str:
    value = normalize_mobile(value)
    if value:
        validate_mobile(value)
    return value


def _not_in_future(value: datetime.date | None, message) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


# --- Lists --------------------------------------------------------------------------------


class OneTableFilterForm(forms.Form):
    cell = forms.ChoiceField(label=_("Grid cell"), required=False)
    residence_type = forms.ChoiceField(
        label=_("Residence type"), required=False,
        choices=[("", _("Any residence type"))] + list(ResidenceType.choices),
    )
    q = forms.CharField(
        label=_("Search"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    elderly_alone = forms.BooleanField(label=_("Elderly, living alone"), required=False)
    rental = forms.BooleanField(label=_("Rented"), required=False)
    no_head = forms.BooleanField(label=_("No head of household"), required=False)
    after = _after_field()

    FILTER_FIELDS = ("cell", "residence_type", "q", "elderly_alone", "rental", "no_head")

    def __init__(self, *args, cells=(), names_allowed: bool = True, addresses_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].choices = [("", _("All grid cells"))] + [(c.code, c.name) for c in cells]
        # Addresses are encrypted: found by their exact wording, or by a unit or building name.
        if addresses_allowed:
            self.fields["q"].help_text = (
                _("A member's name, a unit or building name, or the exact address.") if names_allowed
                else _("A unit or building name, or the exact address.")
            )
        else:
            self.fields["q"].help_text = _("A member's name.") if names_allowed else _("Use the filters below.")

    def filters(self) -> OneTableFilters:
        data = self.cleaned_data if self.is_bound else {}
        return OneTableFilters(
            cell=data.get("cell") or "", residence_type=data.get("residence_type") or "",
            elderly_alone=bool(data.get("elderly_alone")), rental=bool(data.get("rental")),
            no_head=bool(data.get("no_head")), query=(data.get("q") or "").strip(),
        )

    def filter_params(self) -> dict:
        """The filters as query parameters (for the next page and the Excel download)."""
        data = self.cleaned_data if self.is_bound else {}
        return {name: ("1" if data.get(name) is True else data.get(name)) for name in self.FILTER_FIELDS
                if data.get(name)}


class AfterForm(forms.Form):
    after = _after_field()


class OrgFilterForm(forms.Form):
    org = _org_code_field(_("Org unit code"))
    after = _after_field()


class PlaceFilterForm(OrgFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind"))] + list(PlaceKind.choices))

    field_order = ["org", "kind", "after"]


# --- Household edits (EDIT_REGISTER) ------------------------------------------------------------


def _member_choices(members, *, by: str) -> list[tuple]:
    """Choices of a household's current members, by membership ("membership") or person id."""
    return [("", _("Choose a member…"))] + [
        (m.pk if by == "membership" else m.person_id, label) for m, label in members
    ]


class MemberLeaveForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("Member"), coerce=int)
    on = forms.DateField(label=_("Moved out on"), widget=DATE_INPUT)
    reason = forms.ChoiceField(label=_("Reason"), choices=LEAVE_REASONS, initial=LeaveReason.MOVED_OUT)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = _member_choices(members, by="membership")

    def clean_on(self):
        return _not_in_future(self.cleaned_data["on"], _("Give a move-out date that is not in the future."))


class DeathForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Member"), coerce=int)
    died_on = forms.DateField(label=_("Date of death"), widget=DATE_INPUT)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _member_choices(members, by="person")

    def clean_died_on(self):
        return _not_in_future(self.cleaned_data["died_on"], _("Give a date of death that is not in the future."))


class MemberUpdateForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("Member"), coerce=int)
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = _member_choices(members, by="membership")


class PersonPickForm(forms.Form):
    """A person by exact resident ID; a name (and phone) registers them when nobody matches."""

    resident_id = _resident_id_field(
        help_text=_("A person registered in your area is found by the full number; otherwise give the name "
                    "to register them.")
    )
    name = forms.CharField(label=_("Name (for a person not yet registered)"), required=False, max_length=50)
    phone = _phone_field(_("Mobile phone (for a person not yet registered)"))

    def clean_resident_id(self):
        return _clean_resident_id(self.cleaned_data["resident_id"])

    def clean_phone(self):
        return _clean_mobile(self.cleaned_data["phone"])

    def new_person(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"].strip(), "resident_id": data["resident_id"], "phone": data["phone"]}


class MemberAddForm(PersonPickForm):
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DATE_INPUT)
    move_from_current = forms.BooleanField(
        label=_("End their current household membership on the move-in date"), required=False,
        help_text=_("For a person who moves here from another household."),
    )

    def clean_moved_in_on(self):
        return _not_in_future(self.cleaned_data["moved_in_on"], _("A move-in date cannot be in the future."))


# --- Buildings and places -----------------------------------------------------------------------


class PointFields(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "data-lat": ""}))
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "data-lng": ""}))


class BuildingCreateForm(PointFields):
    address = forms.CharField(label=_("Address"), max_length=200)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    use = forms.ChoiceField(label=_("Use"), choices=BuildingUse.choices)
    floors = forms.IntegerField(label=_("Floors"), required=False, min_value=1, max_value=199)
    units = forms.CharField(
        label=_("Units or rooms"), required=False, max_length=5000,
        help_text=_("One per line, e.g. 1单元101."), widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_rental = forms.BooleanField(label=_("Rented out"), required=False)
    landlord_resident_id = _resident_id_field(
        _("Landlord's resident ID number"), required=False,
        help_text=_("The landlord must be registered in your area."),
    )

    field_order = ["address", "name", "use", "floors", "lat", "lng", "units", "is_rental", "landlord_resident_id"]

    def clean_landlord_resident_id(self):
        return _clean_resident_id(self.cleaned_data["landlord_resident_id"])

    def clean(self):
        data = super().clean()
        if data.get("is_rental") and not data.get("landlord_resident_id") and "landlord_resident_id" not in self.errors:
            self.add_error("landlord_resident_id", _("A rented building needs its landlord."))
        return data

    def unit_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("units", "").splitlines() if line.strip()]


class PlaceCreateForm(PointFields):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    responsible_resident_id = _resident_id_field(
        _("Responsible person's resident ID number"), required=False,
        help_text=_("The person must be registered in your area."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, max_length=100)
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=0)

    field_order = ["name", "kind", "address", "lat", "lng", "responsible_resident_id", "contact_phone",
                   "opening_hours", "capacity"]

    def clean_responsible_resident_id(self):
        return _clean_resident_id(self.cleaned_data["responsible_resident_id"])


# --- Imports -------------------------------------------------------------------------------------

IMPORT_KINDS = [
    ("households", _("Households and their members")),
    ("buildings", _("Buildings")),
    ("places", _("Places")),
    ("grid_workers", _("Grid workers")),
]
FORMAT_CHOICES = [("csv", "CSV (.csv)"), ("xlsx", "Excel (.xlsx)")]


class RegisterImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (.csv, UTF-8 or GB18030) or Excel (.xlsx); at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    format = forms.ChoiceField(label=_("Format"), required=False,
                               choices=[("", _("From the file name"))] + FORMAT_CHOICES)
    mapping = forms.CharField(
        label=_("Column mapping (optional)"), required=False, max_length=2000,
        help_text=_("One per line: field=header, e.g. resident_id=证件号码. Leave empty when the file uses "
                    "the template's headers."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )

    def __init__(self, *args, kinds=(), max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["kind"].choices = [(k, label) for k, label in IMPORT_KINDS if k in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB. Split it into smaller files.")
                % {"max": self.max_bytes // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload is not None:
            data["fmt"] = data.get("format") or format_from_filename(upload.name)
            if data["fmt"] is None:
                self.add_error("format", _("The format cannot be told from the file name; choose it."))
        if kind:
            mapping = {}
            for line in (data.get("mapping") or "").splitlines():
                if not line.strip():
                    continue
                key, sep, header = line.partition("=")
                key, header = key.strip(), header.strip()
                if not sep or not key or not header:
                    self.add_error("mapping", _("Write each mapping as field=header: %(line)s") % {"line": line})
                elif key not in COLUMNS[kind]:
                    self.add_error("mapping", _("Unknown field %(field)s; the fields are %(fields)s.")
                                   % {"field": key, "fields": ", ".join(COLUMNS[kind])})
                else:
                    mapping[key] = header
            data["mapping_dict"] = mapping
        return data


class ImportCommitForm(forms.Form):
    token = forms.CharField(max_length=100, widget=forms.HiddenInput)


# --- Moved to `register.round_forms` (the rounds' forms), still importable from here ---------------

_ROUND_FORMS = frozenset({
    "AddressProposalForm", "ChecklistFilterForm", "ConfirmUnchangedForm", "ContactProposalForm", "DeathProposalForm",
    "DecideForm", "MemberAddProposalForm", "MemberLeaveProposalForm", "PROPOSAL_FORMS", "ProposalForm",
    "RoundOpenForm",
})


def __getattr__(name: str):
    # Lazily: round_forms imports this module's fields and PersonPickForm.
    if name in _ROUND_FORMS:
        from gridgov.register import round_forms

        return getattr(round_forms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
