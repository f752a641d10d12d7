"""What the audit log's codes mean, in words: every action, every object type and the
purpose of a read, so that no internal code reaches a screen (the API keeps the codes and
adds the labels).

The labels of `AuditAction` are kept in `core.templatetags.gridgov_ui.ACTION_LABELS`
(where the helpers of each part add theirs); the actions of the other apps, which use
their own constants (`CareAudit`, `EventAudit`, `RegisterAction`, …), are labelled here.
`tests/core/test_audit_labels.py` fails when any action written anywhere has no label.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.audit import AuditAction

OTHER_APP_ACTION_LABELS = {
    # events
    "event.submit": gettext_lazy("Event reported"),
    "event.action": gettext_lazy("Event workflow step"),
    "event.merge": gettext_lazy("Duplicate events merged"),
    "event.escalate": gettext_lazy("Event escalated for supervision"),
    "event.feedback": gettext_lazy("Event feedback given"),
    "event.config": gettext_lazy("Event settings changed"),
    "event.routing_rule": gettext_lazy("Routing rule set"),
    "event.routing_rule_end": gettext_lazy("Routing rule ended"),
    "event.sensor_repeat": gettext_lazy("Repeated sensor alert"),
    "intake_key.create": gettext_lazy("Intake key created"),
    "intake_key.revoke": gettext_lazy("Intake key revoked"),
    # care
    "care.enroll": gettext_lazy("Enrolled in a care program"),
    "care.exit": gettext_lazy("Left a care program"),
    "care.team": gettext_lazy("Care team changed"),
    "care.acknowledge": gettext_lazy("Care case acknowledged by a team member"),
    "care.visit": gettext_lazy("Visit recorded"),
    "care.crisis": gettext_lazy("Crisis reported or handled"),
    "care.status": gettext_lazy("Hospital stay or absence recorded"),
    "care.handover": gettext_lazy("Care handover"),
    "care.handover_missed": gettext_lazy("Handover deadline missed"),
    "care.payment": gettext_lazy("Care payment recorded"),
    "care.anonymise": gettext_lazy("Care record anonymised past retention"),
    "care.open_record": gettext_lazy("Full care record opened"),
    "care.campaign_open": gettext_lazy("Screening campaign opened"),
    "care.campaign_item": gettext_lazy("Screening visit recorded"),
    "care.report_export": gettext_lazy("Care report exported"),
    # register
    "register.building_create": gettext_lazy("Building added"),
    "register.building_update": gettext_lazy("Building changed"),
    "register.household_create": gettext_lazy("Household added"),
    "register.household_update": gettext_lazy("Household changed"),
    "register.member_add": gettext_lazy("Household member added"),
    "register.member_leave": gettext_lazy("Household member moved out"),
    "register.member_update": gettext_lazy("Household member changed"),
    "register.person_death": gettext_lazy("Death recorded"),
    "register.people_merge": gettext_lazy("Duplicate register records merged"),
    "register.place_create": gettext_lazy("Place added"),
    "register.place_update": gettext_lazy("Place changed"),
    "register.import": gettext_lazy("Register imported"),
    "register.one_table_export": gettext_lazy("Register exported"),
    "register.round_open": gettext_lazy("Register update round opened"),
    "register.round_close": gettext_lazy("Register update round closed"),
    "register.item_confirm": gettext_lazy("Household confirmed in a round"),
    "register.item_propose": gettext_lazy("Register change proposed"),
    "register.edit_decide": gettext_lazy("Proposed register change decided"),
}

# Actions of issue 10's other parts that had no label yet (by code: a label given in
# ACTION_LABELS later takes precedence).
ISSUE_10_ACTION_LABELS = {
    "auth.token_revoke": gettext_lazy("API token revoked"),
    "auth.tokens_expired_sweep": gettext_lazy("Expired API tokens removed"),
    "auth.password_change": gettext_lazy("Password changed"),
    "auth.otp_enrol": gettext_lazy("Second factor set up"),
    "auth.otp_recovery_used": gettext_lazy("Recovery code used for sign-in"),
    "auth.otp_reset": gettext_lazy("Second factor reset"),
    "user.role_grant_request": gettext_lazy("Role grant requested"),
    "user.role_grant_approve": gettext_lazy("Role grant approved"),
    "user.role_grant_refuse": gettext_lazy("Role grant refused"),
    "audit.reseal": gettext_lazy("Audit chain sealed with the audit key"),
    "person.export_bulk_flag": gettext_lazy("Bulk personal data export flagged"),
    "person.export_hold_clear": gettext_lazy("Hold on personal data exports lifted"),
}

# emergency (issue 10): the actions of emergency access and of the access log
EMERGENCY_ACTION_LABELS = {
    AuditAction.EMERGENCY_GRANT: gettext_lazy("Emergency access opened"),
    AuditAction.EMERGENCY_READ: gettext_lazy("Record read through emergency access"),
    AuditAction.EMERGENCY_END: gettext_lazy("Emergency access ended early"),
    AuditAction.EMERGENCY_REVIEW: gettext_lazy("Emergency access reviewed"),
    AuditAction.PERSON_ACCESS_LOG: gettext_lazy("Access log of a person read"),
}

# Object types that are not a model (`object_type` set by hand).
OBJECT_TYPE_LABELS = {
    "care.report": gettext_lazy("care report"),
    "register.retention": gettext_lazy("register retention run"),  # rights (issue 10)
}


def _all_labels() -> dict:
    from gridgov.core.templatetags.gridgov_ui import ACTION_LABELS

    return {**OTHER_APP_ACTION_LABELS, **ISSUE_10_ACTION_LABELS,
            **{str(k): v for k, v in EMERGENCY_ACTION_LABELS.items()},
            **{str(k): v for k, v in ACTION_LABELS.items()}}


def known_label(action: str) -> str | None:
    label = _all_labels().get(action or "")
    return str(label) if label is not None else None


def action_label(action: str) -> str:
    """The action in words; an action nobody labelled yet reads "Other action" (its code
    stays in the API), never the code."""
    return known_label(action) or _("Other action")


def action_choices() -> list[tuple[str, str]]:
    """Every labelled action, by label, for the filter of the audit pages."""
    return sorted(((code, str(label)) for code, label in _all_labels().items()), key=lambda c: c[1])


def object_type_label(object_type: str) -> str:
    """`core.person` → "person" (the model's name, translated)."""
    if not object_type:
        return ""
    label = OBJECT_TYPE_LABELS.get(object_type)
    if label is not None:
        return str(label)
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return _("Other record")
    return str(model._meta.verbose_name)


def entry_changes(entry) -> dict:
    try:
        value = json.loads(entry.changes or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def purpose_label(entry) -> str:
    """Why the record was read: the purpose chosen from the list (`core.purposes`), or for
    emergency access the emergency and the grant's number."""
    from gridgov.core import purposes
    from gridgov.core.models import EmergencyReason

    changes = entry_changes(entry)
    grant = changes.get("emergency_grant")
    if grant:
        reason = changes.get("reason")
        reason_text = str(EmergencyReason(reason).label) if reason in EmergencyReason.values else ""
        text = _("Emergency access #%(id)s") % {"id": grant}
        if reason_text:
            text = f"{text}: {reason_text}"
        stated = purposes.label_of(entry.purpose) if entry.purpose else ""
        return f"{stated} — {text}" if stated else text
    return purposes.label_of(entry.purpose)


def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of record an audit entry may be about (every model of gridgov), by name."""
    types = {f"{m._meta.app_label}.{m._meta.model_name}": str(m._meta.verbose_name)
             for m in apps.get_models() if m.__module__.startswith("gridgov.")}
    types.update({k: str(v) for k, v in OBJECT_TYPE_LABELS.items()})
    return sorted(types.items(), key=lambda item: item[1])
