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
    ATTACHMENT_VIEW = "mediation.attachment_view", _("Page of a mediation case's file viewed")


AUDIT_ACTIONS = (MediationAction,)
