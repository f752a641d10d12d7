from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("Grid, people and audit")

    def ready(self):
        # The audit vocabulary: core's actions (each app registers its own in its ready).
        from gridgov.core.audit_actions import AuditAction, register_audit_actions

        register_audit_actions(AuditAction)
        # rights (issue 10): correction requests (the person adapter registers on import)
        import gridgov.core.corrections  # noqa: F401
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability

        add_nav_item(NavItem("corrections", _("Corrections"), 90, capability=Capability.EDIT_PEOPLE,
                             also_current=frozenset({"correction-detail", "correction-new"})))
        # accounts (issue 10): role grants waiting for a second administrator
        add_nav_item(NavItem("role-grants", _("Role approvals"), 95, capability=Capability.MANAGE_USERS, tab=3))
        # phone (issue 11): core's own pages are entries too, so the phone's tab bar is built
        # from one list (Home and Areas stay in the layout: they need no capability)
        add_nav_item(NavItem("people-list", _("People"), 2, capability=Capability.VIEW_PEOPLE,
                             also_current=frozenset({"person-detail"}), tab=7))
        add_nav_item(NavItem("person-create", _("Register a person"), 3, capability=Capability.EDIT_PEOPLE))
        add_nav_item(NavItem("audit-search", _("Audit log"), 99, capability=Capability.VIEW_AUDIT, tab=1))
        # emergency (issue 10): break the glass, and the auditors' review queue
        add_nav_item(NavItem("emergency-access", _("Emergency access"), 88,
                             capability=Capability.OPEN_PERSON_RECORD))
        add_nav_item(NavItem("emergency-reviews", _("Emergency access reviews"), 96,
                             capability=Capability.REVIEW_EMERGENCY_ACCESS, tab=3))
        # purposes (issue 10): the record of processing, and bulk exports waiting for review
        add_nav_item(NavItem("processing-record", _("Record of processing"), 97,
                             capability=Capability.VIEW_PROCESSING_RECORD))
        add_nav_item(NavItem("export-holds", _("Exports on hold"), 98, capability=Capability.REVIEW_BULK_EXPORTS,
                             tab=4))
        # notify (issue 11): everyone can be told something (events, care teams, handovers, exports)
        import gridgov.core.notifications.core_kinds  # noqa: F401 (core's kinds of notification)
        from gridgov.core.models import Role as _Role

        add_nav_item(NavItem("notifications", _("Notifications"), 26, roles=frozenset(_Role.values), tab=2,
                             also_current=frozenset({"notification-settings"})))
        # background exports (issue 12): the files prepared for me (today the one table's, hence
        # the register's capability; the notification links here for anyone)
        add_nav_item(NavItem("export-jobs", _("My exports"), 27, capability=Capability.VIEW_REGISTER))
        # workbench (issue 11): what waits on the home page
        from gridgov.core import workbench_items
        from gridgov.core.models import Role
        from gridgov.core.workbench import WorkSection, add_section

        add_section(WorkSection("core.reviews", _("Reviews"), 80, workbench_items.review_items,
                                roles=frozenset({Role.AUDITOR})))
        add_section(WorkSection("core.accounts", _("Accounts"), 85, workbench_items.admin_items,
                                capability=Capability.MANAGE_USERS))
        # org tree cache (issue 12): any saved or deleted org unit or grid assignment drops it
        from gridgov.core.org_cache import connect_receivers

        connect_receivers()
        # working calendars from the lookup cache (issue 12): a changed schedule or holiday drops them
        from gridgov.core import lookup_cache
        from gridgov.core.models import HolidayOverride, WorkSchedule
        from gridgov.core.selectors import CALENDARS

        lookup_cache.connect(CALENDARS, WorkSchedule, HolidayOverride)
        from gridgov.core.otp import warn_if_second_factor_off

        warn_if_second_factor_off()
