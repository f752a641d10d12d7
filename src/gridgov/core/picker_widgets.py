"""Form widgets that offer a picker next to a plain text input: an org unit (tree and search,
also by pinyin initials) or a colleague. Without JavaScript the text input alone works as
before (a code, a username); with it, `gridgov/js/pickers.js` shows the picker, which asks
the picker views of core through HTMX and fills the input with the chosen value."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe


class _PickerInput(forms.TextInput):
    kind = ""
    url_name = ""
    template = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "autocomplete": "off", "data-picker-input": self.kind}
        field_html = super().render(name, value, attrs, renderer)
        input_id = attrs.get("id") or f"id_{name}"
        shell = render_to_string(self.template, {"input_id": input_id, "url": reverse(self.url_name),
                                                 "value": value or ""})
        return mark_safe(field_html + shell)


class OrgUnitPicker(_PickerInput):
    """An org-code text input with a tree and a search of the user's scope."""

    kind = "org"
    url_name = "core-picker-org"
    template = "core/pickers/org_widget.html"


class UserPicker(_PickerInput):
    """A username text input with a search of the colleagues in the user's scope."""

    kind = "user"
    url_name = "core-picker-user"
    template = "core/pickers/user_widget.html"
