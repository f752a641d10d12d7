"""The audit actions of participation (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class PointsAction(AuditActions):
    BANK_CREATE = "points.bank_create", _("Points bank opened")
    RULE_SAVE = "points.rule_save", _("Points earning rule saved")
    ITEM_SAVE = "points.item_save", _("Points shop item saved")
    EARN = "points.earn", _("Points earned")
    REDEEM = "points.redeem", _("Points redeemed at the shop")
    HAND_OVER = "points.hand_over", _("Redeemed goods handed over")
    VOID = "points.void", _("Redemption voided")
    REVERSE = "points.reverse", _("Points movement reversed")
    EXPIRE = "points.expire", _("Points expired")
    BANK_SETTINGS = "points.bank_settings", _("Points bank settings changed")
    FUND_ADD = "points.fund_add", _("Money received into a points bank's fund")
    LEADERBOARD_CONSENT = "points.leaderboard_consent", _("Household's consent to the points leaderboard recorded")
    STATEMENT = "points.statement", _("Points statement printed")


class VolunteerAction(AuditActions):
    REGISTER = "volunteers.register", _("Volunteer registered")
    QUALIFICATION = "volunteers.qualification", _("Volunteer's qualification recorded")
    LINK_POINTS = "volunteers.link_points", _("Volunteer's household points account named")
    ACTIVITY_CREATE = "volunteers.activity_create", _("Volunteer activity created")
    SHIFT_ADD = "volunteers.shift_add", _("Volunteer shift added")
    SHIFT_CANCEL = "volunteers.shift_cancel", _("Volunteer shift cancelled")
    SIGN_UP = "volunteers.sign_up", _("Signed up to a volunteer shift")
    CANCEL = "volunteers.cancel", _("Volunteer sign-up cancelled")
    CHECK_IN = "volunteers.check_in", _("Volunteer checked in")
    NO_SHOW = "volunteers.no_show", _("Volunteer did not come")
    HOURS_RECORD = "volunteers.hours_record", _("Volunteer hours recorded")
    HOURS_DECIDE = "volunteers.hours_decide", _("Volunteer hours approved or declined")
    CERTIFICATE = "volunteers.certificate", _("Volunteer service certificate printed")


class SuggestionAction(AuditActions):
    SUBMIT = "suggestions.submit", _("Suggestion received")
    ASSIGN = "suggestions.assign", _("Suggestion assigned to a department")
    ANSWER = "suggestions.answer", _("Suggestion answered")
    SEND_BACK = "suggestions.send_back", _("Suggestion sent back to the grid centre")
    HIDE = "suggestions.hide", _("Suggestion hidden after residents' reports")
    MODERATE = "suggestions.moderate", _("Suggestion moderated")
    LINK_PROJECT = "suggestions.link_project", _("Suggestion made part of a project")
    PROJECT_CREATE = "projects.create", _("Project for the people created")
    PROJECT_PROGRESS = "projects.progress", _("Project progress reported")
    MILESTONE = "projects.milestone", _("Project milestone added or reached")


class MeetingAction(AuditActions):
    RECORD = "meetings.record", _("Village meeting recorded")
    ATTENDANCE = "meetings.attendance", _("Households present at a village meeting recorded")
    CONCERN = "meetings.concern", _("Concern of a village meeting recorded")
    CONCERN_RESOLVE = "meetings.concern_resolve", _("Concern of a village meeting resolved")
    LIAISON = "meetings.liaison", _("Official assigned to a village")
    SERVICE_DAY = "meetings.service_day", _("Village official's service day recorded")


class ConsultationAction(AuditActions):
    CREATE = "consultations.create", _("Public consultation drafted")
    DOCUMENT = "consultations.document", _("Document of a public consultation added")
    PUBLISH = "consultations.publish", _("Public consultation published")
    COMMENT = "consultations.comment", _("Comment on a public consultation")
    THEME = "consultations.theme", _("Comments of a public consultation grouped into a theme")
    ANSWER = "consultations.answer", _("Theme of a public consultation answered")
    DECIDE = "consultations.decide", _("Decision of a public consultation published")


AUDIT_ACTIONS = (PointsAction, VolunteerAction, SuggestionAction, MeetingAction, ConsultationAction)
