"""Forms of the HTML pages. They parse input; the rules live in services and selectors."""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import dates, purposes
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import Gender
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.pagination import moment_cursor, parse_moment_cursor

PAGE_SIZE = 50

_CURSOR_PATTERN = re.compile(r"^(-?[0-9]{1,20})\.([0-9]{1,20})$")  # a core.pagination.moment_cursor


def _org_code_field(label, required=False):
    return org_code_form_field(label, required=required)


REFUSALS = frozenset({ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED})


def add_domain_error(
    form: forms.Form, error: DomainError, *, raise_codes: Collection[ErrorCode] = (ErrorCode.NOT_FOUND,),
    field_names: Mapping[str, str] | None = None, summary: bool = False,
) -> int:
    """The one way a page puts a service's DomainError on its form; returns the HTTP status
    to re-render the form with (400, 403, 409, 429 …).

    A missing record is never a form error: `not_found` is raised again (`domain_errors_as_http`
    makes it the 404 page, which never reveals a record elsewhere). A page whose refusals are
    403 pages rather than a message in place passes `raise_codes=REFUSALS`. Each field message
    goes next to its field (the service's names translated by `field_names`); messages of
    fields the form does not have go above it. The error's own message goes above the form
    when no field message was placed, or always with `summary=True` (then messages of unknown
    fields are dropped).
    """
    if error.code in raise_codes:
        raise error
    if summary:
        form.add_error(None, error.message)
    placed = False
    for name, messages in error.fields.items():
        target = (field_names or {}).get(name, name)
        target = target if target in form.fields else None
        if target is None and summary:
            continue
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed and not summary:
        form.add_error(None, error.message)
    return error.http_status


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("A name fragment, or a complete resident ID or mobile number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    org = _org_code_field(_("Org unit code"))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, names_allowed: bool = True, identifiers_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # masking (issue 10): only roles that may see full numbers may search by them.
        if not identifiers_allowed:
            self.fields["q"].help_text = _("A name fragment.") if names_allowed else _("Filter by org unit below.")
        elif not names_allowed:
            self.fields["q"].help_text = _("A complete resident ID or mobile number.")


class PersonCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    resident_id = forms.CharField(
        label=_("Resident ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("From the resident ID number"))] + list(Gender.choices),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        help_text=_("Leave empty to take it from the resident ID number."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    org_code = _org_code_field(_("Org unit (grid cell) code"), required=True)
    lat = forms.FloatField(label=_("Latitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    lng = forms.FloatField(label=_("Longitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))

    def __init__(self, *args, cells: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if cells:
            # A grid worker picks one of their own cells instead of typing a code.
            self.fields["org_code"] = forms.ChoiceField(
                label=_("Grid cell"),
                choices=[(cell.code, f"{cell.name} ({cell.code})") for cell in cells],
            )


class PurposeForm(forms.Form):
    """Why a full record is opened or data exported: a purpose from `core.purposes`, with an
    optional note ("other" needs one). Checked by `check_purpose`, as the API is."""

    reason = forms.ChoiceField(label=_("Purpose"), choices=(), required=False)
    details = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Optional: the visit, event or request this is for. Required for “Other”."),
    )

    # The service's field names and the form's.
    FIELD_OF = {"purpose": "reason", "note": "details"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choose a purpose…")), *purposes.choices()]

    def clean(self):
        data = super().clean()
        try:
            self.stated = purposes.check_purpose(data.get("reason"), data.get("details"))
        except DomainError as error:
            self.add_domain_error(error)
        return data

    def add_domain_error(self, error: DomainError) -> None:
        """A service's error about `purpose`/`note`: the summary above the form, the details
        next to the select and the note."""
        add_domain_error(self, error, raise_codes=(), field_names=self.FIELD_OF, summary=True)

    @property
    def code(self) -> str:
        return self.stated.code

    @property
    def note(self) -> str:
        return self.stated.note

    @property
    def purpose(self) -> str:
        """The purpose as a reader sees it: its label and the note."""
        return self.stated.display


class AuditSearchForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Person (resident ID number)"),
        required=False,
        max_length=18,
        help_text=_("Finds entries about this person without showing their record."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    # emergency (issue 10): from the "all entries about this person" links (an id, not an identifier)
    person = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    # emergency (issue 10): actions and object types chosen by their names, never typed as codes
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    object_id = forms.CharField(label=_("Record number"), required=False, max_length=64)
    org_code = _org_code_field(_("Org unit code"))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.RegexField(regex=_CURSOR_PATTERN, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from gridgov.core.audit_labels import action_choices, object_type_choices

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action"))] + action_choices()
        self.fields["object_type"].choices = [("", _("Any kind"))] + object_type_choices()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters_kwargs(self) -> dict:
        """Keyword arguments for `selectors.AuditFilters` (dates are days in Asia/Shanghai)."""
        data = self.cleaned_data
        tz = timezone.get_default_timezone()

        def start_of(day: datetime.date | None):
            return dates.start_of_day(day, tz) if day else None  # clamped: never overflows

        until = data.get("until")
        return {
            "actor": data.get("actor", "").strip(),
            "action": data.get("action", "").strip(),
            "object_type": data.get("object_type", "").strip(),
            "object_id": data.get("object_id", "").strip(),
            "org_code": data.get("org_code", ""),
            "person_resident_id": data.get("resident_id", "").strip(),
            "person_id": data.get("person"),
            "since": start_of(data.get("since")),
            "until": dates.end_of_day(until, tz) if until else None,
        }

    def cursor(self) -> tuple[datetime.datetime, int] | None:
        return parse_moment_cursor(self.cleaned_data.get("after"))


def audit_action_choices() -> list[tuple[str, str]]:
    """Known action codes and their labels (of every app), by label."""
    from gridgov.core.audit_labels import action_choices

    return action_choices()


def audit_cursor(entry) -> str:
    """The opaque `after` value that continues a list after `entry` (time, then id)."""
    return moment_cursor(entry.at, entry.pk)
