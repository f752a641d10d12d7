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

        from gridgov.core.models import Role
        from gridgov.core.navigation import NavItem, add_nav_item

        add_nav_item(NavItem("mediation-cases", _("Mediation cases"), 40,
                             roles=frozenset({Role.MEDIATOR, Role.JUSTICE_OFFICER}),
                             also_current=frozenset({"mediation-case", "mediation-case-new"}), tab=1))
