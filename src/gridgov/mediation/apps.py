from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gridgov.mediation"
    label = "mediation"
    verbose_name = _("People's mediation")

    def ready(self):
        from gridgov.core.audit_actions import register_audit_actions
        from gridgov.mediation.audit_actions import AUDIT_ACTIONS

        for actions in AUDIT_ACTIONS:
            register_audit_actions(actions)
        from gridgov.core.services import register_person_merge_hook
        from gridgov.mediation.services import person_merge_mediation_references

        register_person_merge_hook(person_merge_mediation_references)

        # the event page names the case handed over from a dispute, or offers the hand-over
        from gridgov.events.selectors import EVENT_LINK_PROVIDERS
        from gridgov.mediation.views.cases import event_links

        if event_links not in EVENT_LINK_PROVIDERS:
            EVENT_LINK_PROVIDERS.append(event_links)

        # reminders registers its notification kinds; the home page's items of mediation
        from gridgov.mediation import reminders, workbench  # noqa: F401

        workbench.register()

        from gridgov.core.models import Role
        from gridgov.core.navigation import NavItem, add_nav_item

        add_nav_item(NavItem("mediation-cases", _("Mediation cases"), 40,
                             roles=frozenset({Role.MEDIATOR, Role.JUSTICE_OFFICER}),
                             also_current=frozenset({"mediation-case", "mediation-case-new"}), tab=1))
        add_nav_item(NavItem("mediation-committees", _("Mediation committees"), 42,
                             roles=frozenset({Role.MEDIATOR, Role.JUSTICE_OFFICER})))
        # the grid worker screens its cells; all three find whom to call and who is on duty
        grid_and_mediation = frozenset({Role.GRID_WORKER, Role.MEDIATOR, Role.JUSTICE_OFFICER})
        add_nav_item(NavItem("mediation-screening", _("Dispute screening"), 43, roles=grid_and_mediation,
                             also_current=frozenset({"mediation-screening-cell"})))
        add_nav_item(NavItem("mediation-centres", _("Dispute centres"), 44, roles=grid_and_mediation,
                             also_current=frozenset({"mediation-centre"})))
        add_nav_item(NavItem("mediation-advisers", _("Legal advisers"), 45, roles=grid_and_mediation,
                             also_current=frozenset({"mediation-adviser"})))
        add_nav_item(NavItem("mediation-statistics", _("Mediation statistics"), 41,
                             roles=frozenset({Role.MEDIATOR, Role.JUSTICE_OFFICER})))
