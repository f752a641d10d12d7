from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gridgov.care"
    label = "care"
    verbose_name = _("Care programs")

    def ready(self):
        from gridgov.care.badges import care_badges
        from gridgov.care.services import person_merge_care_references
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register import selectors as register_selectors

        register_person_merge_hook(person_merge_care_references)

        from gridgov.care.export import person_care_data
        from gridgov.core.exports import register_person_export_hook

        register_person_export_hook("care", person_care_data, label=_("Care programs"),
                                    capability=Capability.VIEW_CARE_DETAILS)

        from gridgov.care.processing import care_processing_facts
        from gridgov.core.processing import register_processing_facts

        register_processing_facts("care", care_processing_facts)
        if care_badges not in register_selectors.PERSON_BADGE_PROVIDERS:
            register_selectors.PERSON_BADGE_PROVIDERS.append(care_badges)

        add_nav_item(NavItem("care-today", _("Care today"), 30, capability=Capability.VIEW_CARE,
                             also_current=frozenset({"care-enrollment", "care-enrollment-open", "care-visit-new",
                                                     "care-crisis-new", "care-crisis"})))
        add_nav_item(NavItem("care-officer", _("Care programs"), 31, capability=Capability.MANAGE_ENROLLMENTS,
                             also_current=frozenset({"care-enroll", "care-payments", "care-enrollment-payments"})))
        add_nav_item(NavItem("care-metrics", _("Care metrics"), 32, capability=Capability.VIEW_CARE_STATISTICS))
        add_nav_item(NavItem("care-campaigns", _("Screening campaigns"), 33, capability=Capability.VIEW_CARE,
                             also_current=frozenset({"care-campaign", "care-campaign-checklist", "care-campaign-item"})))
