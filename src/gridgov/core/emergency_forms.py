"""Forms of the emergency-access pages and of a person's access log (they parse input; the
rules live in `core.emergency` and `core.access_log`)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core import dates, emergency
from gridgov.core.forms import _CURSOR_PATTERN
from gridgov.core.models import EmergencyGrant, EmergencyReason
from gridgov.core.pagination import parse_moment_cursor


def _start_of(day: datetime.date | None):
    return dates.start_of_day(day) if day else None


def _end_of(day: datetime.date | None):
    # Clamped (core.dates): a day such as 9999-12-31 would overflow when a day is added.
    return dates.end_of_day(day) if day else None


class PeriodMixin:
    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def cursor(self) -> tuple[datetime.datetime, int] | None:
        return parse_moment_cursor(self.cleaned_data.get("after"))


def _date_field(label):
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class EmergencyAccessForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Resident ID number"), max_length=18,
        help_text=_("The person's complete resident ID number. Emergency access never lists other areas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    reason = forms.ChoiceField(label=_("Emergency"), choices=[("", _("Choose the emergency…"))] + EmergencyReason.choices)
    note = forms.CharField(
        label=_("What is happening"), max_length=emergency.MAX_NOTE_LENGTH,
        help_text=_("Say what the emergency is and why this record is needed now. An auditor reviews every "
                    "emergency access."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewQueueForm(PeriodMixin, forms.Form):
    REVIEW_CHOICES = [
        (EmergencyGrant.Review.PENDING, pgettext_lazy("emergency access review", "Waiting for review")),
        (EmergencyGrant.Review.JUSTIFIED, pgettext_lazy("emergency access review", "Justified")),
        (EmergencyGrant.Review.NOT_JUSTIFIED, pgettext_lazy("emergency access review", "Not justified")),
        ("all", _("All")),
    ]

    review = forms.ChoiceField(label=_("Review"), choices=REVIEW_CHOICES, required=False)
    user = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    reason = forms.ChoiceField(label=_("Emergency"), choices=[("", _("Any"))] + EmergencyReason.choices,
                               required=False)
    since = _date_field(_("From"))
    until = _date_field(_("To (inclusive)"))
    after = forms.RegexField(regex=_CURSOR_PATTERN, required=False, widget=forms.HiddenInput)

    def filters(self) -> emergency.ReviewFilters:
        data = self.cleaned_data if self.is_bound else {}
        review = data.get("review") or EmergencyGrant.Review.PENDING
        return emergency.ReviewFilters(
            review="" if review == "all" else review, actor=(data.get("user") or "").strip(),
            reason=data.get("reason") or "", since=_start_of(data.get("since")), until=_end_of(data.get("until")),
        )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), widget=forms.RadioSelect,
        choices=[("justified", pgettext_lazy("emergency access review", "Justified")),
                 ("not_justified", pgettext_lazy("emergency access review", "Not justified"))],
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=emergency.MAX_NOTE_LENGTH,
        help_text=_("Required when the access was not justified; the user's administrator is told."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AccessLogForm(PeriodMixin, forms.Form):
    actor = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = _date_field(_("From"))
    until = _date_field(_("To (inclusive)"))
    after = forms.RegexField(regex=_CURSOR_PATTERN, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from gridgov.core.audit_labels import action_choices

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action"))] + action_choices()

    def filters(self):
        from gridgov.core.access_log import AccessLogFilters

        data = self.cleaned_data if self.is_bound else {}
        return AccessLogFilters(actor=(data.get("actor") or "").strip(), action=data.get("action") or "",
                                since=_start_of(data.get("since")), until=_end_of(data.get("until")))
