"""Small display helpers for the HTML pages: role labels, the user's scope, codes."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.audit import AuditAction
from gridgov.core.models import OrgLevel, Role
from gridgov.core.selectors import org_units_visible_to

register = template.Library()


@register.filter
def role_labels(user) -> list[str]:
    """The display labels of a user's roles, in the order of the Role choices."""
    roles = getattr(user, "roles", None) or set()
    return [str(label) for value, label in Role.choices if value in roles]


@register.simple_tag
def scope_unit(user):
    """The org unit at the root of the user's scope (memoised on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.scope_code:
        return None
    cached = getattr(user, "_gridgov_scope_unit", False)
    if cached is False:
        cached = org_units_visible_to(user).filter(code=user.scope_code).first()
        user._gridgov_scope_unit = cached
    return cached


@register.filter
def level_label(level: str) -> str:
    try:
        return str(OrgLevel(level).label)
    except ValueError:
        return level or ""


@register.filter
def official_code(code: str) -> str:
    """The 12-digit statistical code padded with zeros (grid cells keep their 3-digit suffix)."""
    code = code or ""
    if len(code) > 12:
        return f"{code[:12]}-{code[12:]}"
    return code.ljust(12, "0")


@register.filter
def gender_label(value: str) -> str:
    return {"M": _("Male"), "F": _("Female")}.get(value or "", "")


@register.filter
def duration_text(value) -> str:
    """A timedelta as "1 hour 30 minutes" (whole minutes, at least one)."""
    from django.utils.translation import ngettext

    try:
        minutes = max(int(value.total_seconds() // 60), 1)
    except AttributeError:
        return ""
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


ACTION_LABELS = {
    AuditAction.ORG_UNIT_CREATE: gettext_lazy("Org unit added"),
    AuditAction.ORG_UNIT_UPDATE: gettext_lazy("Org unit changed"),
    AuditAction.ORG_UNIT_IMPORT: gettext_lazy("Org units imported"),
    AuditAction.DEPARTMENT_CREATE: gettext_lazy("Department added"),
    AuditAction.DEPARTMENT_UPDATE: gettext_lazy("Department changed"),
    AuditAction.USER_CREATE: gettext_lazy("User added"),
    AuditAction.USER_UPDATE: gettext_lazy("User changed"),
    AuditAction.USER_ROLES_SET: gettext_lazy("Roles or grid cells set"),
    AuditAction.GRID_ASSIGN: gettext_lazy("Grid cell assigned"),
    AuditAction.PERSON_CREATE: gettext_lazy("Person registered"),
    AuditAction.PERSON_UPDATE: gettext_lazy("Person changed"),
    AuditAction.PERSON_OPEN_RECORD: gettext_lazy("Full record opened"),
    AuditAction.PERSON_MERGE: gettext_lazy("Duplicate records merged"),
    AuditAction.PERSON_EXPORT: gettext_lazy("Personal data exported"),
    AuditAction.AUDIT_SEARCH: gettext_lazy("Audit log searched"),
    AuditAction.DEMO_SEED: gettext_lazy("Demo data created"),
    AuditAction.SIGN_IN: gettext_lazy("Signed in"),
    AuditAction.AUDIT_RESEAL: gettext_lazy("Audit log sealed with the audit key"),  # audit (issue 10)
    AuditAction.PERSON_IDENTIFIER_SEARCH: gettext_lazy("Searched by ID or phone number"),  # masking (issue 10)
    # rights (issue 10)
    AuditAction.CORRECTION_REQUEST: gettext_lazy("Correction requested"),
    AuditAction.CORRECTION_VIEW: gettext_lazy("Correction request read"),
    AuditAction.CORRECTION_APPROVE: gettext_lazy("Correction approved and applied"),
    AuditAction.CORRECTION_REFUSE: gettext_lazy("Correction refused"),
    AuditAction.CONSENT_WITHDRAW: gettext_lazy("Consent withdrawn"),
    AuditAction.REGISTER_RETENTION: gettext_lazy("Register anonymised past retention"),
    # purposes (issue 10)
    AuditAction.PERSON_EXPORT_BULK_FLAG: gettext_lazy("Bulk export of personal data flagged"),
    AuditAction.PERSON_EXPORT_HOLD_CLEAR: gettext_lazy("Hold on personal data exports lifted"),
    # accounts (issue 10)
    AuditAction.API_TOKEN_REVOKE: gettext_lazy("API sign-in revoked"),
    AuditAction.API_TOKENS_EXPIRED_SWEEP: gettext_lazy("Expired API sign-ins removed"),
    AuditAction.PASSWORD_CHANGE: gettext_lazy("Password changed"),
    AuditAction.OTP_ENROL: gettext_lazy("Second factor set up"),
    AuditAction.OTP_RECOVERY_CODE_USED: gettext_lazy("Recovery code used to sign in"),
    AuditAction.ROLE_GRANT_REQUEST: gettext_lazy("Sensitive roles requested"),
    AuditAction.ROLE_GRANT_APPROVE: gettext_lazy("Role grant approved"),
    AuditAction.ROLE_GRANT_REFUSE: gettext_lazy("Role grant refused"),
    AuditAction.OTP_RESET: gettext_lazy("Second factor reset"),
}


@register.filter
def action_label(action: str) -> str:
    """A readable name for an audit action, of any app (`core.audit_labels`), never its code."""
    from gridgov.core.audit_labels import action_label as label_of

    return label_of(action)
