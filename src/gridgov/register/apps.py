from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = _("Register of households, buildings and places")
