"""Forms of the notification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.models_notifications import OPTIONAL_CHANNELS


class AfterForm(forms.Form):
    after = forms.IntegerField(required=False, min_value=1)


class PreferencesForm(forms.Form):
    """One checkbox per (kind, channel) the user may receive, and the mobile number for SMS."""

    sms_phone = forms.CharField(label=_("Mobile phone for SMS"), required=False, max_length=20,
                                help_text=_("Leave empty to receive no SMS."))

    def __init__(self, *args, preferences: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.fields["sms_phone"].initial = preferences["sms_phone"]
        for row in preferences["kinds"]:
            names = []
            for channel in OPTIONAL_CHANNELS:
                name = f"{row['kind']}__{channel.value}"
                self.fields[name] = forms.BooleanField(label=f"{row['label']} — {channel.label}", required=False,
                                                       initial=row["channels"][channel.value])
                names.append(name)
            self.rows.append({"label": row["label"], "fields": [self[n] for n in names]})

    def choices(self) -> dict[tuple[str, str], bool]:
        result = {}
        for name, value in self.cleaned_data.items():
            if "__" in name:
                kind, channel = name.rsplit("__", 1)
                result[(kind, channel)] = bool(value)
        return result
