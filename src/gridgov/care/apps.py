from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gridgov.care"
    label = "care"
    verbose_name = _("Care programs")

    def ready(self):
        from gridgov.care.audit_actions import AUDIT_ACTIONS
        from gridgov.core.audit_actions import register_audit_actions

        for actions in AUDIT_ACTIONS:
            register_audit_actions(actions)

        # What core's emergency access and access log ask about a person's programs.
        from gridgov.care import selectors as care_selectors
        from gridgov.core.person_programs import PersonPrograms, register_person_programs

        register_person_programs(PersonPrograms(
            officer_of_person=care_selectors.officer_of_person,
            enrollments_of_people=care_selectors.enrollments_of_people,
            team_officers_of_person=care_selectors.team_officers_of_person,
        ))

        from gridgov.care.badges import care_badges
        from gridgov.care.services import person_merge_care_references
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register import selectors as register_selectors

        register_person_merge_hook(person_merge_care_references)

        # workflow (issue 11): a death recorded in the register ends the person's enrollments
        from gridgov.care.services import person_death_end_enrollments
        from gridgov.register.services import register_person_death_hook

        register_person_death_hook(person_death_end_enrollments)

        from gridgov.care.export import person_care_data
        from gridgov.core.exports import register_person_export_hook

        register_person_export_hook("care", person_care_data, label=_("Care programs"),
                                    capability=Capability.VIEW_CARE_DETAILS)

        from gridgov.care.processing import care_processing_facts
        from gridgov.core.processing import register_processing_facts

        register_processing_facts("care", care_processing_facts)
        if care_badges not in register_selectors.PERSON_BADGE_PROVIDERS:
            register_selectors.PERSON_BADGE_PROVIDERS.append(care_badges)

        # workbench (issue 11): what waits on the home page
        from gridgov.care import workbench
        from gridgov.core.workbench import WorkSection, add_section

        add_section(WorkSection("care.visits", _("Care visits"), 30, workbench.visit_items,
                                capability=Capability.VIEW_CARE))
        add_section(WorkSection("care.cases", _("Cases and handovers"), 31, workbench.officer_items,
                                capability=Capability.MANAGE_ENROLLMENTS))
        add_section(WorkSection("care.statistics", _("Care programs in figures"), 32, workbench.statistics_items,
                                capability=Capability.VIEW_CARE_STATISTICS))

        add_nav_item(NavItem("care-today", _("Care today"), 30, capability=Capability.VIEW_CARE_STATISTICS,
                             also_current=frozenset({"care-enrollment", "care-enrollment-open", "care-visit-new",
                                                     "care-crisis-new", "care-crisis"}), tab=3))
        add_nav_item(NavItem("care-officer", _("Care programs"), 31, capability=Capability.MANAGE_ENROLLMENTS,
                             also_current=frozenset({"care-enroll", "care-payments", "care-enrollment-payments"}),
                             tab=1))
        add_nav_item(NavItem("care-metrics", _("Care metrics"), 32, capability=Capability.VIEW_CARE_STATISTICS))
        # care (issue 11): the police liaison's cases (its teams', nothing of the area)
        add_nav_item(NavItem("care-team-cases", _("My care cases"), 29, capability=Capability.VIEW_CARE,
                             roles=frozenset({"police_liaison"}), also_current=frozenset({"care-enrollment"}),
                             tab=1))
        # names (issue 11): only for who can work a campaign (not the police liaison, not a doctor)
        add_nav_item(NavItem("care-campaigns", _("Screening campaigns"), 33, capability=Capability.WORK_CAMPAIGNS,
                             also_current=frozenset({"care-campaign", "care-campaign-checklist", "care-campaign-item"}),
                             tab=5))
