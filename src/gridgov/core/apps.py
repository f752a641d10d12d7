from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("Grid, people and audit")

    def ready(self):
        # rights (issue 10): correction requests (the person adapter registers on import)
        import gridgov.core.corrections  # noqa: F401
        from gridgov.core.navigation import NavItem, add_nav_item
        from gridgov.core.permissions import Capability

        add_nav_item(NavItem("corrections", _("Corrections"), 90, capability=Capability.EDIT_PEOPLE,
                             also_current=frozenset({"correction-detail", "correction-new"})))
        # accounts (issue 10): role grants waiting for a second administrator
        add_nav_item(NavItem("role-grants", _("Role approvals"), 95, capability=Capability.MANAGE_USERS))
        # emergency (issue 10): break the glass, and the auditors' review queue
        add_nav_item(NavItem("emergency-access", _("Emergency access"), 88,
                             capability=Capability.OPEN_PERSON_RECORD))
        add_nav_item(NavItem("emergency-reviews", _("Emergency access reviews"), 96,
                             capability=Capability.REVIEW_EMERGENCY_ACCESS))
        # purposes (issue 10): the record of processing, and bulk exports waiting for review
        add_nav_item(NavItem("processing-record", _("Record of processing"), 97,
                             capability=Capability.VIEW_PROCESSING_RECORD))
        add_nav_item(NavItem("export-holds", _("Exports on hold"), 98, capability=Capability.REVIEW_BULK_EXPORTS))
        from gridgov.core.otp import warn_if_second_factor_off

        warn_if_second_factor_off()
