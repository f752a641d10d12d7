"""The audit actions of care (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class CareAudit(AuditActions):
    ENROLL = "care.enroll", _("Enrolled in a care program")
    EXIT = "care.exit", _("Left a care program")
    TEAM = "care.team", _("Care team changed")
    ACKNOWLEDGE = "care.acknowledge", _("Care case acknowledged by a team member")
    VISIT = "care.visit", _("Visit recorded")
    CRISIS = "care.crisis", _("Crisis reported or handled")
    STATUS = "care.status", _("Hospital stay or absence recorded")
    HANDOVER = "care.handover", _("Care handover")
    HANDOVER_MISSED = "care.handover_missed", _("Handover deadline missed")
    PAYMENT = "care.payment", _("Care payment recorded")
    ANONYMISE = "care.anonymise", _("Care record anonymised past retention")
    OPEN_RECORD = "care.open_record", _("Full care record opened")
    CAMPAIGN_OPEN = "care.campaign_open", _("Screening campaign opened")
    CAMPAIGN_ITEM = "care.campaign_item", _("Screening visit recorded")
    REPORT_EXPORT = "care.report_export", _("Care report exported")
    PROGRAM_CONFIG = "care.program_config", _("Program settings changed")
    # care (issue 11): teams, schedules per person, children and youth
    ACKNOWLEDGE_ON_BEHALF = "care.acknowledge_on_behalf", _("Family member's confirmation recorded by the team")
    RECONFIRM = "care.reconfirm", _("Care team asked to confirm again after a risk rise")
    SCHEDULE = "care.schedule", _("Care schedule set or ended")
    SCHEDULE_RECORD = "care.schedule_record", _("Scheduled care task recorded")
    CHECKIN_MISSED = "care.checkin_missed", _("Missed check-in reported to the officer")
    FAMILY_FILE = "care.family_file", _("Family file opened or changed")
    MENTOR = "care.mentor", _("Mentor recorded")


AUDIT_ACTIONS = (CareAudit,)
