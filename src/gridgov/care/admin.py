"""The programs' settings in the admin: each program's intervals and ages, as numbers with
their bounds and units (docs/care.md). Programs themselves are a closed set in code: the
admin can tune a program, never add one, and never delete the row of one."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.care.models import ProgramConfig
from gridgov.care.program_config import covers_the_city, program_config_update, rule_for
from gridgov.care.programs import DEFAULTS, Program
from gridgov.core.admin import CapabilityAdmin
from gridgov.core.permissions import Capability


class ProgramAddForm(forms.ModelForm):
    """Adding a row only names the program; its numbers come on the next page."""

    class Meta:
        model = ProgramConfig
        fields = ["program"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(ProgramConfig.objects.values_list("program", flat=True))
        self.fields["program"].choices = [(value, label) for value, label in Program.choices if value not in taken]


class ProgramSettingsForm(forms.ModelForm):
    """One number field per setting of the program; the JSON column is never shown."""

    class Meta:
        model = ProgramConfig
        fields: list[str] = []

    def setting_values(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in DEFAULTS[self.instance.program]}


def settings_form_for(config: ProgramConfig) -> type[ProgramSettingsForm]:
    stored = config.settings or {}
    fields = {}
    for key, default in DEFAULTS[config.program].items():
        rule = rule_for(key)
        fields[key] = forms.IntegerField(
            label=rule.label, min_value=rule.minimum, max_value=rule.maximum, initial=stored.get(key, default),
            help_text=_("%(unit)s; default %(default)d") % {"unit": rule.unit, "default": default},
        )
    return type("ProgramSettingsForm", (ProgramSettingsForm,), fields)


@admin.register(ProgramConfig)
class ProgramConfigAdmin(CapabilityAdmin):
    capability = Capability.MANAGE_CARE_CONFIG
    list_display = ("program_name", "summary")
    ordering = ("program",)

    @admin.display(description=_("program"))
    def program_name(self, obj):
        return obj.get_program_display()

    @admin.display(description=_("settings"))
    def summary(self, obj):
        values = {**DEFAULTS[obj.program], **(obj.settings or {})}
        return "；".join(f"{rule_for(key).label} {value} {rule_for(key).unit}" for key, value in values.items())

    def has_capability(self, request) -> bool:
        return super().has_capability(request) and covers_the_city(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and ProgramConfig.objects.count() < len(Program.choices)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return settings_form_for(obj) if obj is not None else ProgramAddForm

    def get_fields(self, request, obj=None):
        return list(self.get_form(request, obj).base_fields)

    def save_model(self, request, obj, form, change):
        # Through the service: bounds, the audit row and the stored difference from the defaults.
        # The form's bounds are the service's, so the service does not refuse what it passes.
        values = form.setting_values() if change else {}
        saved = program_config_update(program=obj.program, values=values, actor=request.user)
        obj.pk = saved.pk
        obj.settings = saved.settings

    def response_add(self, request, obj, post_url_continue=None):
        # A new program row has no numbers yet: go straight on to them.
        return HttpResponseRedirect(reverse("admin:care_programconfig_change", args=[obj.pk]))
