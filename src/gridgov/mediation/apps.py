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
