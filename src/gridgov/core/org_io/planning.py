"""Checking the rows of a file against a `Snapshot` of the database into an `ImportPlan`, and
the read that loads the snapshot."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from gridgov.core.geo import out_of_china, polygon_from_geojson, polygon_summary
from gridgov.core.models import LEVEL_BY_CODE_LENGTH, OrgLevel, OrgUnit
from gridgov.core.org_io.common import (
    NAME_MAX_LENGTH,
    OVERLAP_TOLERANCE,
    UNCHANGED,
    UPDATE,
    ExistingUnit,
    ImportPlan,
    Issue,
    ParsedFile,
    PlannedUnit,
    Snapshot,
    SourceRow,
    _where,
    code_shape_error,
    normalize_code,
    parent_code_of,
    parse_level,
)

# --- Checking and planning ------------------------------------------------------------------


def _normalized_polygon(polygon) -> dict:
    """A shapely polygon as the stored GeoJSON: closed rings of [lng, lat] floats."""
    rings = [polygon.exterior] + list(polygon.interiors)
    return {"type": "Polygon", "coordinates": [[[float(x), float(y)] for x, y, *_z in ring.coords] for ring in rings]}


def _single_polygon(geometry):
    """A MultiPolygon of one part (as QGIS often writes) is read as that Polygon."""
    if isinstance(geometry, dict) and geometry.get("type") == "MultiPolygon":
        parts = geometry.get("coordinates")
        if isinstance(parts, list) and len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
    return geometry


def _same_polygon(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return a.get("type") == b.get("type") and json.dumps(a["coordinates"]) == json.dumps(
            [[[float(x) for x in point[:2]] for point in ring] for ring in b["coordinates"]]
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def check_rows(source: ParsedFile, *, scope: str | None, snapshot: Snapshot) -> ImportPlan:
    """Check every row against the file and the snapshot; plan creates, updates and unchanged rows.

    `scope` is the importing user's scope code (an empty scope reaches nothing), or None for
    the system. A unit may be updated when its code lies in the scope, and created when its
    parent does.
    """
    kind = source.kind
    plan = ImportPlan(source=source, scope=scope, errors=list(source.errors))
    if not source.rows and not source.errors:
        plan.errors.append(Issue(None, _("The file holds no org units.")))

    def error(row: SourceRow, message: str, code: str = "") -> None:
        plan.errors.append(Issue(row.row, message, code, kind))

    codes_in_file = {normalize_code(r.code) for r in source.rows}
    first_row: dict[str, int] = {}
    new_shapes: dict[str, tuple[PlannedUnit, object]] = {}

    for row in source.rows:
        errors_before = len(plan.errors)
        code = normalize_code(row.code)
        shape_error = code_shape_error(code)
        level = None if shape_error else LEVEL_BY_CODE_LENGTH[len(code)]
        if shape_error:
            error(row, shape_error, code)

        if row.level and level:
            given = parse_level(row.level)
            if given is None:
                error(row, _("Unknown level %(level)s; use %(levels)s.")
                      % {"level": row.level, "levels": ", ".join(OrgLevel.values)}, code)
            elif given != level:
                error(row, _("The level %(level)s does not match the code %(code)s, which is a %(expected)s code.")
                      % {"level": row.level, "code": code, "expected": OrgLevel(level).label}, code)

        name = " ".join(row.name.split())
        if not name:
            error(row, _("A name is required."), code)
        elif len(name) > NAME_MAX_LENGTH:
            error(row, _("A name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}, code)

        parent = parent_code_of(code) if level else None
        if level and row.parent:
            given_parent = normalize_code(row.parent)
            if parent is None:
                error(row, _("A province has no parent."), code)
            elif given_parent != parent:
                error(row, _("The parent of %(code)s must be %(parent)s.") % {"code": code, "parent": parent}, code)

        if level and code in first_row:
            error(row, _("The code %(code)s already appears in %(where)s.")
                  % {"code": code, "where": _where(first_row[code], kind)}, code)
            continue
        if level:
            first_row[code] = row.row

        existing = snapshot.units.get(code) if level else None
        in_area = True
        if level and scope is not None:
            if not scope or not code.startswith(scope):
                error(row, _("%(code)s lies outside your area.") % {"code": code}, code)
                in_area = False
            elif existing is None and (parent is None or not parent.startswith(scope)):
                error(row, _("The parent of %(code)s lies outside your area.") % {"code": code}, code)
                in_area = False

        if level and in_area and parent and parent not in codes_in_file and parent not in snapshot.units:
            error(row, _("The parent %(parent)s of %(code)s is neither in the file nor in the database.")
                  % {"parent": parent, "code": code}, code)

        geometry = row.polygon
        if isinstance(geometry, str):
            try:
                geometry = json.loads(geometry)
            except ValueError:
                error(row, _("The boundary is not GeoJSON geometry text."), code)
                geometry = None
        polygon = None
        if geometry is not None and level:
            if level != OrgLevel.GRID:
                error(row, _("Only grid cells carry a boundary; %(code)s is a %(level)s code.")
                      % {"code": code, "level": OrgLevel(level).label}, code)
            else:
                try:
                    polygon = polygon_from_geojson(_single_polygon(geometry))
                except ValidationError as exc:
                    for message in exc.messages:
                        error(row, message, code)

        if len(plan.errors) > errors_before or not level:
            continue

        unit = PlannedUnit(row=row.row, kind=kind, code=code, name=name, level=level, parent_code=parent)
        if polygon is not None:
            unit.polygon = _normalized_polygon(polygon)
            unit.geometry = polygon_summary(polygon)
            new_shapes[code] = (unit, polygon)
            if out_of_china(unit.geometry["centroid_lng"], unit.geometry["centroid_lat"]):
                plan.warnings.append(Issue(row.row, _(
                    "The boundary of %(code)s lies outside China: are longitude and latitude swapped, "
                    "or are the coordinates not WGS-84?") % {"code": code}, code, kind))
        elif level == OrgLevel.GRID and existing is None:
            plan.warnings.append(Issue(row.row, _(
                "The grid cell %(code)s has no boundary, so no location can be placed in it.") % {"code": code},
                code, kind))

        if existing is None:
            plan.creates.append(unit)
            continue
        unit.pk = existing.pk
        unit.old_name = existing.name
        changed = []
        if existing.name != name:
            changed.append("name")
        if unit.polygon is not None and not _same_polygon(unit.polygon, existing.polygon):
            changed.append("polygon")
        unit.changed = tuple(changed)
        unit.action = UPDATE if changed else UNCHANGED
        (plan.updates if changed else plan.unchanged).append(unit)

    plan.errors.sort(key=lambda issue: (issue.row is not None, issue.row or 0))
    plan.warnings.extend(_overlap_warnings(new_shapes, snapshot, kind))
    plan.warnings.sort(key=lambda issue: (issue.row is not None, issue.row or 0))
    return plan


def _overlap_warnings(new_shapes: dict[str, tuple[PlannedUnit, object]], snapshot: Snapshot, kind: str) -> list[Issue]:
    """Warn where a new boundary overlaps a sibling cell's (in the file or the database)."""
    from shapely import STRtree
    from shapely.geometry import shape

    warnings: list[Issue] = []
    groups: dict[str, dict[str, tuple[object, int | None]]] = defaultdict(dict)
    for code, (unit, polygon) in new_shapes.items():
        groups[unit.parent_code][code] = (polygon, unit.row)
    for parent, members in groups.items():
        for cell in snapshot.cells_by_parent.get(parent, []):
            if cell.code in members or not cell.polygon:
                continue
            try:
                existing_shape = shape(cell.polygon)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError):
                continue
            if existing_shape.is_valid and not existing_shape.is_empty:
                members[cell.code] = (existing_shape, None)
        codes = sorted(members)
        shapes = [members[c][0] for c in codes]
        tree = STRtree(shapes)
        mine = [i for i, c in enumerate(codes) if members[c][1] is not None]
        pairs = tree.query([shapes[i] for i in mine], predicate="intersects")
        for query_index, other in zip(pairs[0], pairs[1]):
            this = mine[query_index]
            if other == this:
                continue
            this_row, other_row = members[codes[this]][1], members[codes[other]][1]
            if other_row is not None and (other_row, codes[other]) > (this_row, codes[this]):
                continue  # a pair of cells in the file is reported once, on the later row
            a, b = shapes[this], shapes[other]
            shared = a.intersection(b).area
            smaller = min(a.area, b.area)
            if smaller > 0 and shared > OVERLAP_TOLERANCE * smaller:
                warnings.append(Issue(this_row, _(
                    "The boundary of %(code)s overlaps the neighbouring cell %(other)s "
                    "by %(share)d%% of the smaller cell.")
                    % {"code": codes[this], "other": codes[other], "share": round(100 * shared / smaller)},
                    codes[this], kind))
    return warnings


# --- Reads ------------------------------------------------------------------------------------


def _chunks(values: list[str]) -> Iterator[list[str]]:
    size = connection.features.max_query_params or len(values) or 1
    for start in range(0, len(values), size):
        yield values[start:start + size]


def load_snapshot(rows: Iterable[SourceRow], *, lock: bool = False) -> Snapshot:
    """The existing units among the file's codes and their parents, and the existing cells
    (with a boundary) of the villages whose cells the file gives a boundary. `lock` takes row
    locks on the existing units (inside the import's transaction)."""
    snapshot = Snapshot()
    codes: set[str] = set()
    villages: set[str] = set()
    for row in rows:
        code = normalize_code(row.code)
        if code_shape_error(code):
            continue
        codes.add(code)
        parent = parent_code_of(code)
        if parent:
            codes.add(parent)
        if len(code) == 15 and row.polygon:
            villages.add(parent)
    for chunk in _chunks(sorted(codes)):
        query = OrgUnit.objects.filter(code__in=chunk)
        if lock:
            query = query.select_for_update(no_key=True)
        for pk, code, name, polygon in query.values_list("pk", "code", "name", "polygon"):
            snapshot.units[code] = ExistingUnit(pk, code, name, polygon)
    for chunk in _chunks(sorted(villages)):
        query = OrgUnit.objects.filter(parent_id__in=chunk, level=OrgLevel.GRID, polygon__isnull=False)
        for pk, code, name, polygon, parent in query.values_list("pk", "code", "name", "polygon", "parent_id"):
            snapshot.cells_by_parent.setdefault(parent, []).append(ExistingUnit(pk, code, name, polygon))
    return snapshot


def plan_import(source: ParsedFile, *, scope: str | None) -> ImportPlan:
    """Check a parsed file against the current database (no permission check: see
    `org_io_services.org_units_import_plan`)."""
    return check_rows(source, scope=scope, snapshot=load_snapshot(source.rows))
