"""What the audit log's codes mean, in words: every action, every object type and the
purpose of a read, so that no internal code reaches a screen (the API keeps the codes and
adds the labels).

The labels of the actions are the labels of the registered `AuditActions` members
(`core.audit_actions`; each app declares its own in `<app>/audit_actions.py`). A code
that no registered member carries (an action since retired) reads "Other action".
`tests/core/test_audit_labels.py` fails when any action has no translated label.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import audit_actions

# Object types that are not a model (`object_type` set by hand).
OBJECT_TYPE_LABELS = {
    "care.report": gettext_lazy("care report"),
    "register.retention": gettext_lazy("register retention run"),  # rights (issue 10)
}


def known_label(action: str) -> str | None:
    """The label of a registered action code, or None."""
    return audit_actions.label_of(action)


def action_label(action: str) -> str:
    """The action in words; a code no registered action carries reads "Other action" (its
    code stays in the API), never the code."""
    return known_label(action) or _("Other action")


def action_choices() -> list[tuple[str, str]]:
    """Every registered action, by label, for the filter of the audit pages."""
    return sorted(((code, str(member.label)) for code, member in audit_actions.registered_actions().items()),
                  key=lambda c: c[1])


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
