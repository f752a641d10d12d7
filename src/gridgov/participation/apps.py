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
