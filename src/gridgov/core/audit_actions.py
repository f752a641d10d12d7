"""The audit log's vocabulary: every action any app writes, each with the words an auditor reads.

Each app declares its actions in `<app>/audit_actions.py` as a subclass of `AuditActions`
(a `TextChoices`): the value is the code stored in `AuditEntry.action` (never changed once
written, so old entries keep their meaning), the label is English through `gettext_lazy`,
translated like every other string. The app registers its enums from `AppConfig.ready`
with `register_audit_actions`; core imports no app, the apps come to it.

`core.audit.audit_record` accepts only a registered member (a plain string raises
`TypeError`), and `core.audit_labels` reads the labels from here, so no internal code
reaches a screen. The codes are not database choices on `AuditEntry.action`: entries
written under an action that was later retired still read "Other action".
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AuditActions(models.TextChoices):
    """Base of every app's audit actions; declare members as `NAME = "app.verb", _("Label")`."""


_REGISTRY: dict[str, AuditActions] = {}


def register_audit_actions(cls: type[AuditActions]) -> type[AuditActions]:
    """Make `cls`'s members writable to the audit log. A code may belong to one member only;
    every member must carry a translated label (not the name Django makes up without one)."""
    if not (isinstance(cls, type) and issubclass(cls, AuditActions)):
        raise TypeError(f"{cls!r} is not an AuditActions enum")
    for member in cls:
        if not isinstance(member.label, Promise):
            raise ImproperlyConfigured(f"audit action {cls.__name__}.{member.name} has no translated label")
        other = _REGISTRY.get(member.value)
        if other is not None and other is not member:
            raise ImproperlyConfigured(
                f"audit action code {member.value!r} is declared twice: "
                f"{type(other).__name__}.{other.name} and {cls.__name__}.{member.name}"
            )
        _REGISTRY[member.value] = member
    return cls


def is_registered(action) -> bool:
    return isinstance(action, AuditActions) and _REGISTRY.get(action.value) is action


def registered_actions() -> dict[str, AuditActions]:
    """Every registered action by its code."""
    return dict(_REGISTRY)


def label_of(code: str) -> str | None:
    """The label of a registered code, or None for a code nobody declared (any more)."""
    member = _REGISTRY.get(code or "")
    return str(member.label) if member is not None else None


class AuditAction(AuditActions):
    """The actions of core: org units, departments, users, people, the audit log itself,
    accounts, rights and emergency access."""

    ORG_UNIT_CREATE = "org_unit.create", _("Org unit added")
    ORG_UNIT_UPDATE = "org_unit.update", _("Org unit changed")
    ORG_UNIT_IMPORT = "org_unit.import", _("Org units imported")
    DEPARTMENT_CREATE = "department.create", _("Department added")
    DEPARTMENT_UPDATE = "department.update", _("Department changed")
    USER_CREATE = "user.create", _("User added")
    USER_UPDATE = "user.update", _("User changed")
    USER_ROLES_SET = "user.roles_set", _("Roles or grid cells set")
    GRID_ASSIGN = "grid.assign", _("Grid cell assigned")
    PERSON_CREATE = "person.create", _("Person registered")
    PERSON_UPDATE = "person.update", _("Person changed")
    PERSON_OPEN_RECORD = "person.open_record", _("Full record opened")
    PERSON_MERGE = "person.merge", _("Duplicate records merged")
    PERSON_EXPORT = "person.export", _("Personal data exported")
    AUDIT_SEARCH = "audit.search", _("Audit log searched")
    DEMO_SEED = "demo.seed", _("Demo data created")
    SIGN_IN = "auth.sign_in", _("Signed in")
    # rights (issue 10): correction requests, consent withdrawal, register retention
    CORRECTION_REQUEST = "correction.request", _("Correction requested")
    CORRECTION_VIEW = "correction.view", _("Correction request read")
    CORRECTION_APPROVE = "correction.approve", _("Correction approved and applied")
    CORRECTION_REFUSE = "correction.refuse", _("Correction refused")
    CONSENT_WITHDRAW = "care.consent_withdraw", _("Consent withdrawn")
    REGISTER_RETENTION = "register.retention", _("Register anonymised past retention")
    # masking (issue 10): an exact search by resident ID or phone number (the value masked)
    PERSON_IDENTIFIER_SEARCH = "person.identifier_search", _("Searched by ID or phone number")
    # accounts (issue 10): API tokens, passwords, second factor, role grants
    API_TOKEN_REVOKE = "auth.token_revoke", _("API sign-in revoked")
    API_TOKENS_EXPIRED_SWEEP = "auth.tokens_expired_sweep", _("Expired API sign-ins removed")
    PASSWORD_CHANGE = "auth.password_change", _("Password changed")
    OTP_ENROL = "auth.otp_enrol", _("Second factor set up")
    OTP_RECOVERY_CODE_USED = "auth.otp_recovery_used", _("Recovery code used to sign in")
    ROLE_GRANT_REQUEST = "user.role_grant_request", _("Sensitive roles requested")
    ROLE_GRANT_APPROVE = "user.role_grant_approve", _("Role grant approved")
    ROLE_GRANT_REFUSE = "user.role_grant_refuse", _("Role grant refused")
    OTP_RESET = "auth.otp_reset", _("Second factor reset")
    # emergency (issue 10): break the glass, reads through a grant, the auditor's review;
    # the access log of one person read by their officer
    EMERGENCY_GRANT = "emergency.grant", _("Emergency access opened")
    EMERGENCY_READ = "emergency.read", _("Record read through emergency access")
    EMERGENCY_END = "emergency.end", _("Emergency access ended early")
    EMERGENCY_REVIEW = "emergency.review", _("Emergency access reviewed")
    PERSON_ACCESS_LOG = "person.access_log", _("Access log of a person read")
    # audit (issue 10): a chain from before keyed hashes sealed with the audit key, once
    AUDIT_RESEAL = "audit.reseal", _("Audit log sealed with the audit key")
    # purposes (issue 10): bulk use of personal data exports, and the auditor lifting the hold
    PERSON_EXPORT_BULK_FLAG = "person.export_bulk_flag", _("Bulk export of personal data flagged")
    PERSON_EXPORT_HOLD_CLEAR = "person.export_hold_clear", _("Hold on personal data exports lifted")
    # notify (issue 11): a user's choice of notification channels and SMS number
    NOTIFICATION_PREFERENCES = "user.notification_preferences", _("Notification settings changed")
    # background exports (issue 12): a large export asked for, its file downloaded or removed
    EXPORT_JOB_REQUEST = "export.request", _("Export requested")
    EXPORT_JOB_DOWNLOAD = "export.download", _("Prepared export downloaded")
    EXPORT_JOB_REMOVE = "export.remove", _("Prepared export removed")
