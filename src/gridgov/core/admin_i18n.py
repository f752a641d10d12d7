"""The Django admin in Chinese throughout (issue 11): words the admin shows that no gridgov
model or template declares.

- Strings of Django's admin missing from Django's own zh_Hans catalog, and the msgids of the
  third-party apps whose tables the admin shows (django-axes, django-tasks-db, which ship no
  zh_Hans). They are marked here with their exact msgids, so that `makemessages` extracts them
  into our catalog (LOCALE_PATHS come before the apps' catalogs) and `--no-obsolete` keeps them.
- Names for those apps and columns that their code writes as plain strings, set from our side
  (`third_party_admin_setup`, called from `core.admin`): app names, and admin classes whose
  columns carry translated labels. Model and field verbose names of those apps are left as they
  are (they are part of their migrations' state); their msgids are translated instead.
- The audit entry's recorded details in words (`audit_changes_in_words`).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

# --- Django's admin: msgids without a zh_Hans translation in Django 5.2 ----------------------
DJANGO_ADMIN_MSGIDS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
)

# --- django-axes (sign-in protection): models, columns, filters -----------------------------
AXES_MSGIDS = (
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"),
    gettext_noop("HTTP Accept"), gettext_noop("Path"), gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"), gettext_noop("GET Data"), gettext_noop("POST Data"),
    gettext_noop("Failed Logins"), gettext_noop("Access Attempt"), gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"), gettext_noop("Form Data"), gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"), gettext_noop("Not set"), gettext_noop("Attempt Remaining"),
)

# --- django-tasks-db (background tasks): model, columns, statuses ---------------------------
TASKS_MSGIDS = (
    gettext_noop("Task Result"), gettext_noop("Task Results"),
    gettext_noop("enqueued at"), gettext_noop("started at"), gettext_noop("finished at"),
    gettext_noop("args kwargs"), gettext_noop("priority"), gettext_noop("task path"),
    gettext_noop("worker id"), gettext_noop("queue name"), gettext_noop("backend name"),
    gettext_noop("run after"), gettext_noop("return value"), gettext_noop("exception class path"),
    gettext_noop("traceback"),
)
TASK_STATUS_LABELS = (
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)

APP_NAMES = {
    "axes": _("Sign-in protection"),
    "django_tasks_database": _("Background tasks"),
}


def _when(value) -> str:
    return formats.localize(timezone.localtime(value)) if value else "—"


def _axes_str(obj) -> str:
    return str(_("Sign-in of %(username)s at %(time)s")) % {"username": obj.username or "—",
                                                            "time": _when(obj.attempt_time)}


def _task_str(obj) -> str:
    return str(_("Background task of %(time)s")) % {"time": _when(obj.enqueued_at)}


def third_party_admin_setup() -> None:
    """Names for the third-party apps and admin columns that their code writes in English."""
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:
            pass
    _axes_admin()
    _tasks_admin()


def _replace(model, admin_class) -> None:
    try:
        admin.site.unregister(model)
    except NotRegistered:
        return  # that app's admin is switched off
    admin.site.register(model, admin_class)


def _axes_admin() -> None:
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    # Their __str__ (the title of a change page) is an English f-string; the admin is their only reader.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.__str__ = _axes_str

    # Without the filters by path: a list of the paths signed in from is data, not a choice.
    class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
        list_filter = [f for f in axes_admin.AccessAttemptAdmin.list_filter if f != "path_info"]

        @admin.display(description=_("expires at"))
        def expiration(self, obj):
            return super().expiration(obj)

        @admin.display(description=_("status"))
        def status(self, obj):
            return super().status(obj)

    class AccessLogAdmin(axes_admin.AccessLogAdmin):
        list_filter = ["attempt_time", "logout_time"]

    class AccessFailureLogAdmin(axes_admin.AccessFailureLogAdmin):
        list_filter = ["attempt_time", "locked_out"]

    _replace(AccessAttempt, AccessAttemptAdmin)
    _replace(AccessLog, AccessLogAdmin)
    _replace(AccessFailureLog, AccessFailureLogAdmin)


def _tasks_admin() -> None:
    from django_tasks_db import admin as tasks_admin
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.__str__ = _task_str  # the model has none ("DBTaskResult object (…)")

    class DBTaskResultAdmin(tasks_admin.DBTaskResultAdmin):
        list_display = ("id", "task_label", "status", "enqueued_at", "started_at", "finished_at", "priority",
                        "queue_name")
        list_filter = ("status", "priority")  # the queue's name is configuration, not a choice

        @admin.display(description=_("task"))
        def task_label(self, obj):
            return obj.task_name

        @admin.display(description=_("error details"))
        def formatted_traceback(self, obj):
            return super().formatted_traceback(obj)

        @admin.display(description=_("run after"))
        def display_run_after(self, obj):
            return super().display_run_after(obj)

    _replace(DBTaskResult, DBTaskResultAdmin)


# --- the audit entry's details in words ------------------------------------------------------
CHANGE_KEY_LABELS = {
    "via": _("made through"),
    "fields": _("fields changed"),
    "created": _("newly created"),
    "limits_changed": _("time limits changed"),
    "grid_cells": _("grid cells"),
    "roles": _("roles"),
    "reason": _("reason"),
    "note": _("note"),
    "source": _("source"),
    "kind": _("kind"),
    "before": _("before"),
    "after": _("after"),
    "from": _("from"),
    "to": _("to"),
    "name": _("name"),
    "code": _("code"),
    "user": _("user"),
    "system": _("system"),
    "counts": _("counts"),
}
CHANGE_VALUE_LABELS = {
    "admin": _("the administration site"),
}


def _field_label(model, name: str) -> str | None:
    from gridgov.core.models import Role

    if name in Role.values:  # roles are recorded by their codes
        return str(Role(name).label)
    if model is None:
        return None
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - not a field of this model
        return None


def _value_in_words(model, value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(_value_in_words(model, item) for item in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{_key_in_words(model, key)} {_value_in_words(model, item)}" for key, item in value.items())
    if isinstance(value, str):
        known = CHANGE_VALUE_LABELS.get(value)
        if known is not None:
            return str(known)
        return _field_label(model, value) or value
    return str(value)


def _key_in_words(model, key: str) -> str:
    label = CHANGE_KEY_LABELS.get(key)
    if label is not None:
        return str(label)
    return _field_label(model, key) or key


def audit_changes_in_words(entry) -> list[tuple[str, str]]:
    """(label, value) pairs of an entry's recorded changes: keys and field names by their labels."""
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        return []
    if not isinstance(changes, dict):
        return []
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None
    return [(_key_in_words(model, key), _value_in_words(model, value)) for key, value in changes.items()]
