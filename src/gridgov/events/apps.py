from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "gridgov.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from gridgov.core.audit_actions import register_audit_actions
        from gridgov.events.audit_actions import AUDIT_ACTIONS

        for actions in AUDIT_ACTIONS:
            register_audit_actions(actions)
        from gridgov.core.exports import register_person_export_hook
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.notifications import register_person_subjects_hook
        from gridgov.core.permissions import ROLE_CAPABILITIES, Capability
        from gridgov.events.person_export import person_event_subjects, person_events_export

        register_person_export_hook("events", person_events_export, label=_("Events"))
        register_person_subjects_hook("events", person_event_subjects)

        from gridgov.core.processing import register_processing_facts

        register_processing_facts("events", lambda: {"roles": sorted(
            role for role, caps in ROLE_CAPABILITIES.items() if Capability.TAKE_PART_IN_EVENTS in caps)})

        desk = Capability.WORK_EVENT_DESK
        add_nav_item(NavItem("events-mobile", _("Report and verify"), 20, capability=Capability.REPORT_FROM_GRID,
                             also_current=frozenset({"events-mobile-verify"}), tab=1))
        add_nav_item(NavItem("events-queue", _("Events"), 21, capability=desk, also_current=frozenset({"events-map"}),
                             tab=1))
        add_nav_item(NavItem("events-hotline", _("Hotline intake"), 22, capability=Capability.REGISTER_EVENTS, tab=3))
        add_nav_item(NavItem("events-inbox", _("Inbox"), 23, capability=Capability.HANDLE_EVENTS, tab=1))
        add_nav_item(NavItem("events-ranking", _("Evaluation"), 24, capability=desk, tab=5))
        add_nav_item(NavItem("events-rules", _("Routing rules"), 25, capability=Capability.MANAGE_EVENT_CONFIG))
        # workbench (issue 11): what waits on the home page, and the grid worker's big button
        from gridgov.core.workbench import WorkAction, WorkSection, add_action, add_section
        from gridgov.events import workbench

        add_action(WorkAction("events.report", _("Report an event"), "events-mobile", 10, query="tab=report",
                              capability=Capability.REPORT_FROM_GRID))
        add_section(WorkSection("events.desk", _("Events at the grid centre"), 10, workbench.dispatcher_items,
                                capability=Capability.DISPATCH_EVENTS))
        add_section(WorkSection("events.verify", _("Events"), 11, workbench.grid_worker_items,
                                capability=Capability.REPORT_FROM_GRID))
        add_section(WorkSection("events.unit", _("Inbox"), 12, workbench.unit_items,
                                capability=Capability.HANDLE_EVENTS))
        from gridgov.events.ranking_cache import connect_receivers

        connect_receivers()  # a new score rule: every cached ranking is recomputed (issue 12)
        from gridgov.events import lookups

        lookups.connect_receivers()  # intake's categories, limits and routes (issue 12)
        # The notifications entry of the menu is core's (core/apps.py, notify issue 11).
