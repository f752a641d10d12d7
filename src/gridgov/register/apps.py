from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = _("Register of households, buildings and places")

    def ready(self):
        from gridgov.core.audit_actions import register_audit_actions
        from gridgov.register.audit_actions import AUDIT_ACTIONS

        for actions in AUDIT_ACTIONS:
            register_audit_actions(actions)
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register.services import person_merge_register_references

        register_person_merge_hook(person_merge_register_references)

        from gridgov.core.exports import register_person_export_hook
        from gridgov.register.person_export import person_register_export

        register_person_export_hook("register", person_register_export, label=_("Register"))

        from gridgov.core.processing import register_processing_facts
        from gridgov.register.processing import register_retention_facts

        register_processing_facts("people", register_retention_facts)
        register_processing_facts("register", register_retention_facts)
        import gridgov.register.corrections  # noqa: F401  rights (issue 10): correctable register records
        import gridgov.register.exports  # noqa: F401  background exports (issue 12): the one table's kind

        # workbench (issue 11): what waits on the home page
        from gridgov.core.workbench import WorkSection, add_section
        from gridgov.register import workbench

        add_section(WorkSection("register.checklist", _("Update rounds"), 20, workbench.checklist_items,
                                capability=Capability.PROPOSE_REGISTER_EDITS))
        add_section(WorkSection("register.inspections", _("Inspection rounds"), 22, workbench.inspection_items,
                                capability=Capability.RECORD_INSPECTIONS))
        add_section(WorkSection("register.signoff", _("Register sign-off"), 21, workbench.screener_items,
                                capability=Capability.SIGN_OFF_REGISTER))

        add_nav_item(NavItem(
            "register-home", _("Register"), 30, capability=Capability.VIEW_REGISTER,
            also_current=frozenset({
                "register-one-table", "register-household", "register-buildings", "register-building",
                "register-building-create", "register-places", "register-place", "register-place-create",
            }),
            tab=6,
        ))
        add_nav_item(NavItem(
            "register-rounds", _("Update rounds"), 31, capability=Capability.VIEW_REGISTER,
            also_current=frozenset({"register-round", "register-checklist", "register-item", "register-inspections",
                                    "register-inspection"}),
            tab=4,
        ))
        add_nav_item(NavItem("register-signoff", _("Sign-off"), 32, capability=Capability.SIGN_OFF_REGISTER, tab=3))
        add_nav_item(NavItem("register-import", _("Import register"), 34, capability=Capability.EDIT_REGISTER))
        add_nav_item(NavItem("register-inspection-settings", _("Inspection checklists"), 35,
                             capability=Capability.MANAGE_INSPECTION_CHECKLISTS))
