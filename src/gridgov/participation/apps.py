from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "gridgov.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self):
        from gridgov.core.audit_actions import register_audit_actions
        from gridgov.participation.audit_actions import AUDIT_ACTIONS

        for actions in AUDIT_ACTIONS:
            register_audit_actions(actions)

        from gridgov.participation import reminders, workbench  # noqa: F401 (reminders registers its kind)

        workbench.register()

        from gridgov.core.models import Role
        from gridgov.core.navigation import NavItem, add_nav_item

        add_nav_item(NavItem("points-banks", _("Points bank"), 50, roles=frozenset({Role.BANK_KEEPER, Role.GRID_WORKER}),
                             also_current=frozenset({"points-bank", "points-account", "points-bank-setup",
                                                     "points-leaderboard"}), tab=2))
        add_nav_item(NavItem("volunteers-home", _("Volunteering"), 51, roles=frozenset({Role.VOLUNTEER}),
                             also_current=frozenset({"volunteers-shift"}), tab=1))
        add_nav_item(NavItem("volunteers-organise", _("Volunteer activities"), 52,
                             roles=frozenset({Role.VOLUNTEER_ORGANISER}),
                             also_current=frozenset({"volunteers-activity", "volunteers-shift"}), tab=1))
        add_nav_item(NavItem("volunteers-registry", _("Registry of volunteers"), 53,
                             roles=frozenset({Role.VOLUNTEER_ORGANISER}), also_current=frozenset({"volunteers-person"}),
                             tab=2))
        # suggestions (issue 14): the grid centre assigns and moderates, departments answer and run projects
        add_nav_item(NavItem("suggestions-desk", _("Suggestions"), 54,
                             roles=frozenset({Role.DISPATCHER, Role.DEPARTMENT_STAFF, Role.STATION_STAFF}),
                             also_current=frozenset({"suggestions-desk-item"})))
        add_nav_item(NavItem("suggestions-projects", _("Projects for the people"), 55,
                             roles=frozenset({Role.DEPARTMENT_STAFF}), also_current=frozenset({"suggestions-project"})))
        add_nav_item(NavItem("meetings-list", _("Village meetings"), 56, roles=frozenset({Role.GRID_WORKER,
                                                                                        Role.SCREENER}),
                             also_current=frozenset({"meetings-meeting", "meetings-liaisons"})))
        add_nav_item(NavItem("consultations-desk", _("Public consultations"), 57,
                             roles=frozenset({Role.DEPARTMENT_STAFF}), also_current=frozenset({"consultations-manage"})))
