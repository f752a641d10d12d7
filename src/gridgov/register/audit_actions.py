"""The audit actions of the register (`core.audit_actions`): stored code → what the auditor reads."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.audit_actions import AuditActions


class RegisterAction(AuditActions):
    BUILDING_CREATE = "register.building_create", _("Building added")
    BUILDING_UPDATE = "register.building_update", _("Building changed")
    HOUSEHOLD_CREATE = "register.household_create", _("Household added")
    HOUSEHOLD_UPDATE = "register.household_update", _("Household changed")
    MEMBER_ADD = "register.member_add", _("Household member added")
    MEMBER_LEAVE = "register.member_leave", _("Household member moved out")
    MEMBER_UPDATE = "register.member_update", _("Household member changed")
    PERSON_DEATH = "register.person_death", _("Death recorded")
    PEOPLE_MERGE = "register.people_merge", _("Duplicate register records merged")
    PLACE_CREATE = "register.place_create", _("Place added")
    PLACE_UPDATE = "register.place_update", _("Place changed")
    IMPORT = "register.import", _("Register imported")
    EXPORT = "register.one_table_export", _("Register exported")


class RoundAction(AuditActions):
    """Update rounds: opening and closing a round, and each household's checklist item."""

    OPEN = "register.round_open", _("Register update round opened")
    CLOSE = "register.round_close", _("Register update round closed")
    ITEM_CONFIRM = "register.item_confirm", _("Household confirmed in a round")
    ITEM_PROPOSE = "register.item_propose", _("Register change proposed")
    EDIT_DECIDE = "register.edit_decide", _("Proposed register change decided")


class InspectionAction(AuditActions):
    """Inspection rounds of places (issue 11 §C): a place's inspection and the checklists."""

    RECORD = "register.inspection_record", _("Place inspection answers saved")
    COMPLETE = "register.inspection_complete", _("Place inspected")
    UNABLE = "register.inspection_unable", _("Place could not be inspected")
    REOPEN = "register.inspection_reopen", _("Place inspection reopened for correction")
    QUESTION_ADD = "register.inspection_question_add", _("Inspection question added")
    QUESTION_UPDATE = "register.inspection_question_update", _("Inspection question changed")


AUDIT_ACTIONS = (RegisterAction, RoundAction, InspectionAction)
