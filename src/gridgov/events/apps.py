from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "gridgov.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from gridgov.core.models import Role
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.exports import register_person_export_hook
        from gridgov.core.permissions import Capability
        from gridgov.events.person_export import person_events_export

        register_person_export_hook("events", person_events_export, label=_("Events"))

        from gridgov.core.processing import register_processing_facts
        from gridgov.events.selectors import HANDLER_ROLES, SEES_AREA

        register_processing_facts("events", lambda: {"roles": sorted(SEES_AREA | HANDLER_ROLES)})

        desk = frozenset({Role.DISPATCHER, Role.CITY_ADMIN})
        add_nav_item(NavItem("events-mobile", _("Report and verify"), 20, roles=frozenset({Role.GRID_WORKER}),
                             also_current=frozenset({"events-mobile-verify"})))
        add_nav_item(NavItem("events-queue", _("Events"), 21, roles=desk, also_current=frozenset({"events-map"})))
        add_nav_item(NavItem("events-hotline", _("Hotline intake"), 22, roles=frozenset({Role.DISPATCHER})))
        add_nav_item(NavItem("events-inbox", _("Inbox"), 23,
                             roles=frozenset({Role.DEPARTMENT_STAFF, Role.STATION_STAFF})))
        add_nav_item(NavItem("events-ranking", _("Evaluation"), 24, roles=desk))
        add_nav_item(NavItem("events-rules", _("Routing rules"), 25, capability=Capability.MANAGE_EVENT_CONFIG))
        # Everyone who can be alerted (events, care teams, handovers; auditors: bulk exports).
        add_nav_item(NavItem("events-notifications", _("Notifications"), 26, roles=frozenset(Role.values)))
