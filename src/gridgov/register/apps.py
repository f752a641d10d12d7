from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = _("Register of households, buildings and places")

    def ready(self):
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register.services import person_merge_register_references

        register_person_merge_hook(person_merge_register_references)
