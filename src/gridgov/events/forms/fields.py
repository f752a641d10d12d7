"""The events' own widgets and fields: photos, the grouped category select, the point
of a report, and the page sizes."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

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


def textarea(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


def add_point_fields(form: forms.Form) -> None:
    """Hidden latitude and longitude, filled by the browser's location or a tap on the map."""
    form.fields["lat"] = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-lat": True}))
    form.fields["lng"] = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-lng": True}))


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
