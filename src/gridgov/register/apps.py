from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = _("Register of households, buildings and places")

    def ready(self):
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register.services import person_merge_register_references

        register_person_merge_hook(person_merge_register_references)

        add_nav_item(NavItem(
            "register-home", _("Register"), 30, capability=Capability.VIEW_REGISTER,
            also_current=frozenset({
                "register-one-table", "register-household", "register-buildings", "register-building",
                "register-building-create", "register-places", "register-place", "register-place-create",
            }),
        ))
        add_nav_item(NavItem(
            "register-rounds", _("Update rounds"), 31, capability=Capability.VIEW_REGISTER,
            also_current=frozenset({"register-round", "register-checklist", "register-item"}),
        ))
        add_nav_item(NavItem("register-signoff", _("Sign-off"), 32, capability=Capability.SIGN_OFF_REGISTER))
        add_nav_item(NavItem("register-duplicates", _("Duplicates"), 33, capability=Capability.MERGE_PEOPLE,
                             also_current=frozenset({"register-duplicates-merge"})))
        add_nav_item(NavItem("register-import", _("Import register"), 34, capability=Capability.EDIT_REGISTER))
