"""The import of org units (all or nothing, one audit entry) and the scoped export.

An import is planned first (`org_units_import_plan`, or `org_units_import(dry_run=True)`):
a preview with counts, the first rows of each kind and every error with its row number.
`org_units_import` then re-checks the same rows against the database inside its
transaction and writes them with bulk operations, or raises `ImportRejected` and writes
nothing.

The command line acts as the system: it passes a `core.actors.SystemActor`, which needs no
capability and reaches every unit. Every other caller passes a user, who needs
`manage_org_units` and reaches only their scope; no actor at all raises.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.core import org_io
from gridgov.core.actors import is_system, require_actor
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import OrgUnit
from gridgov.core.org_cache import org_tree_changed
from gridgov.core.org_io import ImportPlan, ParsedFile
from gridgov.core.permissions import Capability, in_scope, require

_GEOMETRY_FIELDS = ("min_lng", "min_lat", "max_lng", "max_lat", "centroid_lng", "centroid_lat")
UPDATE_BATCH = 500
REJECTED_MESSAGES_SHOWN = 50


class ImportRejected(DomainError):
    """The file has errors; nothing was written. `plan` holds every error with its row."""

    def __init__(self, plan: ImportPlan):
        count = len(plan.errors)
        super().__init__(
            ngettext(
                "The file has %(count)d error; nothing was imported.",
                "The file has %(count)d errors; nothing was imported.",
                count,
            ) % {"count": count},
            ErrorCode.INVALID,
            {"rows": [f"{issue.where}: {issue.message}" for issue in plan.errors[:REJECTED_MESSAGES_SHOWN]]},
        )
        self.plan = plan


def import_scope(*, actor) -> str | None:
    """The subtree an import may touch: None (everything) for the system, else the actor's scope."""
    require_actor(actor)
    if is_system(actor):
        return None
    require(actor, Capability.MANAGE_ORG_UNITS)
    return actor.scope_code or ""


def org_units_import_plan(*, actor, source: ParsedFile) -> ImportPlan:
    """The preview of importing `source`: nothing is written."""
    scope = import_scope(actor=actor)
    return org_io.plan_import(source, scope=scope)


def org_units_import(*, actor, plan: ImportPlan, dry_run: bool = False) -> ImportPlan:
    """Import the rows of `plan` all or nothing, re-checked against the database as it is now.

    Returns the fresh plan: with `dry_run`, the preview (errors included, nothing written);
    otherwise the committed plan. A commit raises `ImportRejected` when any row has an error,
    and writes nothing. `Forbidden` when the actor may not manage org units.
    """
    scope = import_scope(actor=actor)
    source = plan.source
    if dry_run:
        return org_io.plan_import(source, scope=scope)
    try:
        with transaction.atomic():
            fresh = org_io.check_rows(source, scope=scope, snapshot=org_io.load_snapshot(source.rows, lock=True))
            if not fresh.ok:
                raise ImportRejected(fresh)
            _write(fresh)
            audit_record(
                actor=actor,
                action=AuditAction.ORG_UNIT_IMPORT,
                object_type=OrgUnit._meta.label_lower,
                object_id=fresh.root_code,
                object_repr=(source.name or source.fmt)[:200],
                org_code=fresh.root_code,
                changes={
                    "file": source.name,
                    "format": source.fmt,
                    "sha256": source.sha256,
                    "rows": len(source.rows),
                    "created": len(fresh.creates),
                    "updated": len(fresh.updates),
                    "unchanged": len(fresh.unchanged),
                    "warnings": len(fresh.warnings),
                },
            )
    except IntegrityError as exc:
        raise DomainError(
            _("Another change to the same org units was saved at the same time; run the import again."),
            ErrorCode.CONFLICT,
        ) from exc
    fresh.committed = True
    return fresh


def _write(plan: ImportPlan) -> None:
    """Parents before children (shorter codes first), in bulk."""
    creates = sorted(plan.creates, key=lambda unit: (len(unit.code), unit.code))
    OrgUnit.objects.bulk_create([
        OrgUnit(
            code=unit.code,
            name=unit.name,
            level=unit.level,
            parent_id=unit.parent_code,
            polygon=unit.polygon,
            **unit.geometry,
        )
        for unit in creates
    ])
    now = timezone.now()
    renamed, reshaped = [], []
    for unit in plan.updates:
        row = OrgUnit(pk=unit.pk, code=unit.code, name=unit.name, updated_at=now)
        if "polygon" in unit.changed:
            row.polygon = unit.polygon
            for key in _GEOMETRY_FIELDS:
                setattr(row, key, unit.geometry[key])
            reshaped.append(row)
        else:
            renamed.append(row)
    if renamed:
        OrgUnit.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=UPDATE_BATCH)
    if reshaped:
        OrgUnit.objects.bulk_update(
            reshaped, ["name", "polygon", *_GEOMETRY_FIELDS, "updated_at"], batch_size=UPDATE_BATCH
        )
    org_tree_changed()  # bulk writes send no signals: the cached tree is dropped here


def org_units_export(*, actor, root_code: str, fmt: str) -> Iterator[bytes]:
    """The subtree of `root_code`, which must lie in the actor's scope, as file chunks."""
    require(actor, Capability.MANAGE_ORG_UNITS)
    root_code = (root_code or "").strip()
    if not root_code or not in_scope(actor, root_code):
        raise NotFound(_("No such org unit in your area."))
    return org_io.export_org_units(root_code=root_code, fmt=fmt)
