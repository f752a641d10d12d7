"""The audit actions of events (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class EventAudit(AuditActions):
    SUBMIT = "event.submit", _("Event reported")
    ACTION = "event.action", _("Event workflow step")
    MERGE = "event.merge", _("Duplicate events merged")
    ESCALATE = "event.escalate", _("Event escalated for supervision")
    FEEDBACK = "event.feedback", _("Event feedback given")
    CONFIG = "event.config", _("Event settings changed")
    ROUTING_RULE = "event.routing_rule", _("Routing rule set")
    ROUTING_RULE_END = "event.routing_rule_end", _("Routing rule ended")


class IntakeKeyAudit(AuditActions):
    CREATE = "intake_key.create", _("Intake key created")
    REVOKE = "intake_key.revoke", _("Intake key revoked")
    SENSOR_REPEAT = "event.sensor_repeat", _("Repeated sensor alert")


AUDIT_ACTIONS = (EventAudit, IntakeKeyAudit)
