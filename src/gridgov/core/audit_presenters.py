"""Audit entries as an auditor reads them: names, never codes (issue 11, "names, not codes").

The entry stores what it must for the chain (actor username, action code, org-unit code,
object type); the pages show instead the actor's display name, the action's label
(`core.audit_labels`), the org unit's name path (县 › 镇 › 村 › 网格, `core.orgnames`) and the
record in words, a person's name masked (`core.audit.display_label`). A page of entries
costs two queries more whatever its length: one for the actors' names, one for the places.
The API keeps the codes (clients filter by them) and adds the same words beside them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from gridgov.core import audit_labels, orgnames
from gridgov.core.audit import display_label
from gridgov.core.models import User


def actor_labels(actor_ids: Iterable[int | None]) -> dict[int, str]:
    """{user id: display name (or username when none)} in one query."""
    ids = {pk for pk in actor_ids if pk is not None}
    if not ids:
        return {}
    return {pk: display_name or username for pk, display_name, username in
            User._base_manager.filter(pk__in=ids).values_list("pk", "display_name", "username")}


def actor_label(entry, labels: dict[int, str]) -> str:
    if entry.actor_id is None:
        return _("System") if entry.actor_username == "system" else (entry.actor_username or _("System"))
    return labels.get(entry.actor_id) or entry.actor_username


ORG_UNIT_TYPE = "core.orgunit"


def object_label(entry, places: dict[str, str] | None = None) -> str:
    """What the entry is about, in words: the record's (masked) name, or for an org unit its
    name path; "#12" alone says no more than the record number shown beside it."""
    if entry.object_type == ORG_UNIT_TYPE and entry.object_id:
        return place(entry.object_id, places or {})
    label = display_label(entry)
    return "" if label == f"#{entry.object_id}" else label


def object_number(entry) -> str:
    """"#12" for a record with a number; nothing for one keyed by a code (an org unit's, a
    department's), which is an internal code and is named instead."""
    object_id = entry.object_id or ""
    return f"#{object_id}" if object_id.isdigit() and entry.object_type != ORG_UNIT_TYPE else ""


def place(code: str, places: dict[str, str]) -> str:
    """The unit's name path; a unit no longer known reads "an org unit no longer in the tree"
    rather than its code."""
    if not code:
        return ""
    path = places.get(code, code)
    return _("Org unit no longer in the tree") if path == code else path


def audit_rows(entries: Iterable) -> list[dict]:
    """Template rows for a page of entries (`core/partials/audit_table.html`)."""
    entries = list(entries)
    actors = actor_labels(e.actor_id for e in entries)
    places = orgnames.org_name_paths({e.org_code for e in entries if e.org_code}
                                     | {e.object_id for e in entries if e.object_type == ORG_UNIT_TYPE and e.object_id})
    return [{
        "entry": entry,
        "actor_label": actor_label(entry, actors),
        "action_label": audit_labels.action_label(entry.action),
        "object_type_label": audit_labels.object_type_label(entry.object_type),
        "object_number": object_number(entry),
        "object_label": object_label(entry, places),
        "org_path": place(entry.org_code, places),
    } for entry in entries]
