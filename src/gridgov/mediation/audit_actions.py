"""The audit actions of mediation (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class MediationAction(AuditActions):
    COMMITTEE_CREATE = "mediation.committee_create", _("Mediation committee added")
    MEDIATOR_ADD = "mediation.mediator_add", _("Mediator added")
    CASE_OPEN = "mediation.case_open", _("Mediation case opened")
    CASE_REQUEST = "mediation.case_request", _("Mediation requested online")
    CASE_STEP = "mediation.case_step", _("Mediation case step taken")
    ATTACHMENT_ADD = "mediation.attachment_add", _("Pages added to a mediation case's file")
    DOCUMENT_DOWNLOAD = "mediation.document_download", _("Mediation agreement or case file downloaded")
    SCREENING_RECORD = "mediation.screening_record", _("Dispute screening recorded")
    FINDING_ADD = "mediation.finding_add", _("Findings added to a dispute screening")
    CENTRE_CREATE = "mediation.centre_create", _("Dispute centre added")
    SHIFT_ADD = "mediation.shift_add", _("Duty shift added")
    SHIFT_REMOVE = "mediation.shift_remove", _("Duty shift removed")
    ADVISER_ADD = "mediation.adviser_add", _("Legal adviser added")
    ADVISER_UPDATE = "mediation.adviser_update", _("Legal adviser changed")
    ADVISER_DEACTIVATE = "mediation.adviser_deactivate", _("Legal adviser left the directory")
    STATISTICS_EXPORT = "mediation.statistics_export", _("Mediation statistics downloaded")
    ATTACHMENT_VIEW = "mediation.attachment_view", _("Page of a mediation case's file viewed")


AUDIT_ACTIONS = (MediationAction,)
