"""Import and export of the org-unit tree and grid-cell polygons.

Reading a file (GeoJSON, CSV or Excel) gives `SourceRow`s numbered as the user sees them
(the header is row 1 of a CSV or Excel sheet; GeoJSON features count from 1). `check_rows`
turns those rows and a `Snapshot` of the database into an `ImportPlan`: what would be
created, updated or left unchanged, every error with its row number, and warnings.

Everything here is a pure function over rows, except the two reads at the end:
`load_snapshot` (the existing units a file touches) and `export_org_units`. The write is
`gridgov.core.org_io_services.org_units_import`.

Codes are stored unpadded (`320583102` for a township). The official 12-digit padded form
(`320583102000`) is accepted for province, city, county and township codes and converted by
stripping the trailing zero groups level by level; a 12-digit code whose last three digits
are not `000` is a village code and stays as it is.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from gridgov.core import tabular
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.geo import out_of_china, polygon_from_geojson, polygon_summary
from gridgov.core.models import LEVEL_BY_CODE_LENGTH, OrgLevel, OrgUnit
from gridgov.core.orgcodes import LEVEL_LENGTHS, parent_code

# --- Constants ------------------------------------------------------------------------

FORMATS = ("geojson", "csv", "xlsx")
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
CONTENT_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

NAME_MAX_LENGTH = OrgUnit._meta.get_field("name").max_length
# The digits of each level of a code: province 2, city 2, county 2, township 3, village 3, grid 3.
CODE_SEGMENTS = tuple(zip((0, *LEVEL_LENGTHS[:-1]), LEVEL_LENGTHS, strict=True))

# Fields of a row, and the headers (GeoJSON property names) recognised for each without a mapping.
FIELDS = ("code", "name", "parent", "polygon", "level")
REQUIRED_FIELDS = ("code", "name")
HEADER_ALIASES = {
    "code": ("code", "编码", "代码"),
    "name": ("name", "名称"),
    "parent": ("parent", "上级编码"),
    "polygon": ("polygon", "边界"),
    "level": ("level", "层级"),
}
HEADER_SEARCH_ROWS = 10  # a sheet may carry a title above its header row

LEVEL_ALIASES = {
    **{level.value: level.value for level in OrgLevel},
    "省": OrgLevel.PROVINCE, "市": OrgLevel.CITY, "县": OrgLevel.COUNTY, "区县": OrgLevel.COUNTY,
    "县区": OrgLevel.COUNTY, "乡镇": OrgLevel.TOWNSHIP, "乡": OrgLevel.TOWNSHIP, "镇": OrgLevel.TOWNSHIP,
    "街道": OrgLevel.TOWNSHIP, "乡镇街道": OrgLevel.TOWNSHIP, "村": OrgLevel.VILLAGE, "社区": OrgLevel.VILLAGE,
    "村社区": OrgLevel.VILLAGE, "村/社区": OrgLevel.VILLAGE, "网格": OrgLevel.GRID,
}

# Two neighbouring cells "overlap" when they share more than this fraction of the smaller
# cell's area; slivers from digitising a shared edge stay below it.
OVERLAP_TOLERANCE = 0.01
PREVIEW_ROWS = 10

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- Results --------------------------------------------------------------------------


def _where(row: int | None, kind: str) -> str:
    if row is None:
        return _("File")
    if kind == "feature":
        return _("Feature %(number)d") % {"number": row}
    return _("Row %(number)d") % {"number": row}


@dataclass(frozen=True)
class Issue:
    """An error or warning; `row` as the user numbers them, None for the whole file."""

    row: int | None
    message: str
    code: str = ""
    kind: str = "row"  # "row" (CSV, Excel) or "feature" (GeoJSON)

    @property
    def where(self) -> str:
        return _where(self.row, self.kind)


@dataclass(frozen=True)
class SourceRow:
    """One row of a file as read, before any checking."""

    row: int
    code: str
    name: str
    parent: str = ""
    level: str = ""
    polygon: object = None  # a GeoJSON geometry (dict), its JSON text, or None


@dataclass
class ParsedFile:
    fmt: str
    rows: list[SourceRow]
    errors: list[Issue] = field(default_factory=list)
    name: str = ""
    sha256: str = ""

    @property
    def kind(self) -> str:
        return "feature" if self.fmt == "geojson" else "row"


@dataclass(frozen=True)
class ExistingUnit:
    pk: int
    code: str
    name: str
    polygon: dict | None


@dataclass
class Snapshot:
    """What the database holds that a file touches."""

    units: dict[str, ExistingUnit] = field(default_factory=dict)  # the file's codes and their parents
    cells_by_parent: dict[str, list[ExistingUnit]] = field(default_factory=dict)  # cells with a boundary


@dataclass
class PlannedUnit:
    row: int
    kind: str
    code: str
    name: str
    level: str
    parent_code: str | None
    action: str = CREATE
    polygon: dict | None = None  # the boundary the file gives, normalised
    geometry: dict = field(default_factory=dict)  # bbox and centroid of that boundary
    changed: tuple[str, ...] = ()
    old_name: str = ""
    pk: int | None = None

    @property
    def where(self) -> str:
        return _where(self.row, self.kind)

    @property
    def official_code(self) -> str:
        return official_code(self.code)

    @property
    def level_label(self) -> str:
        return OrgLevel(self.level).label


@dataclass
class ImportPlan:
    source: ParsedFile
    scope: str | None  # None: the system, unrestricted
    creates: list[PlannedUnit] = field(default_factory=list)
    updates: list[PlannedUnit] = field(default_factory=list)
    unchanged: list[PlannedUnit] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    committed: bool = False

    @classmethod
    def unchecked(cls, source: ParsedFile) -> "ImportPlan":
        """A plan of rows not yet checked; `org_units_import` checks them in its transaction."""
        return cls(source=source, scope=None)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.source.rows),
            CREATE: len(self.creates),
            UPDATE: len(self.updates),
            UNCHANGED: len(self.unchanged),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    @property
    def root_code(self) -> str:
        """The deepest org unit above or at every code of the file ('' when none)."""
        return common_root(p.code for p in self.creates + self.updates + self.unchanged)

    def preview(self, limit: int = PREVIEW_ROWS) -> dict[str, list[PlannedUnit]]:
        return {CREATE: self.creates[:limit], UPDATE: self.updates[:limit], UNCHANGED: self.unchanged[:limit]}


# --- Codes ----------------------------------------------------------------------------


def cell_text(value) -> str:
    """The text of a spreadsheet cell or JSON value; codes stored as numbers become digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\ufeff", "").strip()


def unpad_official_code(code: str) -> str:
    """The stored form of a 12-digit official code: '320583102000' → '320583102',
    '320500000000' → '3205', '320000000000' → '32'; a village code ('320583102001') stays."""
    for length in (2, 4, 6, 9):
        if code[length:] == "0" * (12 - length):
            return code[:length]
    return code


def normalize_code(value) -> str:
    text = cell_text(value).replace(" ", "")
    if len(text) == 12 and text.isdigit():
        return unpad_official_code(text)
    return text


def official_code(code: str) -> str:
    """The 12-digit padded form for divisions; a grid cell's own 15-digit code."""
    return code if len(code) > 12 else code.ljust(12, "0")


def code_shape_error(code: str) -> str | None:
    if not code:
        return _("A code is required.")
    if not code.isdigit() or len(code) not in LEVEL_BY_CODE_LENGTH:
        return _("%(code)s is not an org-unit code: a code has 2, 4, 6, 9, 12 or 15 digits.") % {"code": code}
    for start, end in CODE_SEGMENTS:
        if end <= len(code) and set(code[start:end]) == {"0"}:
            return _(
                "%(code)s has a part made only of zeros: write the code without its padding zeros "
                "(or in the 12-digit official form)."
            ) % {"code": code}
    return None


def parent_code_of(code: str) -> str | None:
    return parent_code(code)


def common_root(codes: Iterable[str]) -> str:
    """The longest code that is a prefix of every code given, cut to a level boundary."""
    codes = list(codes)
    if not codes:
        return ""
    prefix = os.path.commonprefix(codes)
    for length in sorted(LEVEL_BY_CODE_LENGTH, reverse=True):
        if length <= len(prefix):
            return prefix[:length]
    return ""


def parse_level(value: str) -> str | None:
    key = (value or "").strip()
    return LEVEL_ALIASES.get(key.lower()) or LEVEL_ALIASES.get(key)


def format_from_filename(filename: str) -> str | None:
    return EXTENSIONS.get(os.path.splitext(filename or "")[1].lower())


# --- Reading files ----------------------------------------------------------------------


def _header_key(value) -> str:
    return cell_text(value).lower()


def _mapping_errors(mapping: Mapping[str, str]) -> list[Issue]:
    unknown = sorted(set(mapping) - set(FIELDS))
    return [
        Issue(None, _("Unknown field %(field)s in the column mapping; the fields are %(fields)s.")
              % {"field": name, "fields": ", ".join(FIELDS)})
        for name in unknown
    ]


def resolve_columns(header: list, mapping: Mapping[str, str] | None) -> tuple[dict[str, int], list[Issue]]:
    """Which column holds each field: the mapped header, else a known English or Chinese one."""
    mapping = {k: v for k, v in (mapping or {}).items() if v}
    keys = [_header_key(h) for h in header]
    columns: dict[str, int] = {}
    errors: list[Issue] = []
    for name in FIELDS:
        if name in mapping:
            wanted = _header_key(mapping[name])
            if wanted in keys:
                columns[name] = keys.index(wanted)
            else:
                errors.append(Issue(None, _("The column %(column)s mapped to %(field)s is not in the header row.")
                                    % {"column": mapping[name], "field": name}))
            continue
        for alias in HEADER_ALIASES[name]:
            if alias.lower() in keys:
                columns[name] = keys.index(alias.lower())
                break
        else:
            if name in REQUIRED_FIELDS:
                errors.append(Issue(None, _("No %(field)s column: name it %(headers)s, or map another column to it.")
                                    % {"field": name, "headers": " / ".join(HEADER_ALIASES[name])}))
    return columns, errors


def rows_from_table(records: Iterable[list], *, fmt: str, mapping: Mapping[str, str] | None) -> ParsedFile:
    """Rows of a CSV file or an Excel sheet; records are numbered from 1 as the user sees them."""
    errors = _mapping_errors(mapping or {})
    if errors:
        return ParsedFile(fmt=fmt, rows=[], errors=errors)
    iterator = iter(enumerate(records, start=1))
    columns = None
    first_errors: list[Issue] | None = None
    for number, record in iterator:
        record = list(record or [])
        if not any(cell_text(c) for c in record):
            continue
        found, problems = resolve_columns(record, mapping)
        if not problems:
            columns = found
            break
        if first_errors is None:
            first_errors = problems
        if number >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        return ParsedFile(fmt=fmt, rows=[], errors=first_errors or [Issue(None, _("The file is empty."))])
    rows = []
    for number, record in iterator:
        record = list(record or [])
        if not any(cell_text(c) for c in record):
            continue

        def get(name, record=record):
            index = columns.get(name)
            return record[index] if index is not None and index < len(record) else None

        rows.append(SourceRow(
            row=number,
            code=cell_text(get("code")),
            name=cell_text(get("name")),
            parent=cell_text(get("parent")),
            level=cell_text(get("level")),
            polygon=cell_text(get("polygon")) or None,
        ))
    return ParsedFile(fmt=fmt, rows=rows)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 as Chinese Excel writes it."""
    return tabular.decode_text(data)


def read_csv(data: bytes, *, mapping: Mapping[str, str] | None = None) -> ParsedFile:
    try:
        records = tabular.csv_records(data)
    except DomainError as error:
        return ParsedFile(fmt="csv", rows=[], errors=[Issue(None, error.message)])
    return rows_from_table(records, fmt="csv", mapping=mapping)


def read_xlsx(data: bytes, *, mapping: Mapping[str, str] | None = None) -> ParsedFile:
    try:
        records = tabular.xlsx_records(data)
    except DomainError as error:
        return ParsedFile(fmt="xlsx", rows=[], errors=[Issue(None, error.message)])
    return rows_from_table(records, fmt="xlsx", mapping=mapping)


_WGS84_CRS_MARKERS = ("crs84", "4326", "4490")  # WGS-84, or CGCS2000 (the same for our purpose)


def read_geojson(data: bytes, *, mapping: Mapping[str, str] | None = None) -> ParsedFile:
    errors = _mapping_errors(mapping or {})
    if errors:
        return ParsedFile(fmt="geojson", rows=[], errors=errors)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return ParsedFile(fmt="geojson", rows=[], errors=[Issue(None, _("The file is not valid GeoJSON (JSON) text."))])
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        return ParsedFile(fmt="geojson", rows=[], errors=[
            Issue(None, _("A GeoJSON file must hold a FeatureCollection."))
        ])
    crs = document.get("crs")
    if isinstance(crs, dict):
        crs_name = str((crs.get("properties") or {}).get("name", ""))
        if crs_name and not any(marker in crs_name.lower() for marker in _WGS84_CRS_MARKERS):
            return ParsedFile(fmt="geojson", rows=[], errors=[
                Issue(None, _("The file's coordinates are in %(crs)s; convert them to WGS-84 (EPSG:4326) first.")
                      % {"crs": crs_name})
            ])
    mapping = {k: v for k, v in (mapping or {}).items() if v}
    wanted = {name: [mapping[name].lower()] if name in mapping else [a.lower() for a in HEADER_ALIASES[name]]
              for name in FIELDS}
    present: set[str] = set()
    rows: list[SourceRow] = []
    for number, feature in enumerate(document["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(Issue(number, _("This is not a GeoJSON Feature."), kind="feature"))
            continue
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if not isinstance(properties, dict):
            errors.append(Issue(number, _("The feature's properties must be an object."), kind="feature"))
            continue
        if geometry is not None and not isinstance(geometry, dict):
            errors.append(Issue(number, _("The feature's geometry must be an object or null."), kind="feature"))
            continue
        by_key = {str(k).strip().lower(): v for k, v in properties.items()}
        present.update(by_key)

        def get(name, by_key=by_key):
            for key in wanted[name]:
                if key in by_key:
                    return by_key[key]
            return None

        rows.append(SourceRow(
            row=number,
            code=cell_text(get("code")),
            name=cell_text(get("name")),
            parent=cell_text(get("parent")),
            level=cell_text(get("level")),
            polygon=geometry,
        ))
    for name, header in mapping.items():
        if rows and header.lower() not in present:
            errors.append(Issue(None, _("The column %(column)s mapped to %(field)s is not in the header row.")
                                % {"column": header, "field": name}))
    return ParsedFile(fmt="geojson", rows=rows, errors=errors)


_READERS = {"geojson": read_geojson, "csv": read_csv, "xlsx": read_xlsx}


def read_import_file(data: bytes, *, fmt: str, mapping: Mapping[str, str] | None = None, name: str = "") -> ParsedFile:
    """Read a file of org units in one of FORMATS; problems come back in `errors`, never raised."""
    if fmt not in _READERS:
        parsed = ParsedFile(fmt=fmt, rows=[], errors=[
            Issue(None, _("Unknown file format; use GeoJSON (.geojson), CSV (.csv) or Excel (.xlsx)."))
        ])
    else:
        parsed = _READERS[fmt](data, mapping=mapping)
    parsed.name = name
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    return parsed


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`["code=编码", "name=名称"]` → `{"code": "编码", "name": "名称"}`; ValueError when malformed."""
    mapping = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise ValueError(pair)
        mapping[name.strip()] = header.strip()
    return mapping


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


# --- Export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("code", "name", "level", "parent", "official_code", "polygon")
EXPORT_CHUNK = 2000


def export_filename(root_code: str | None, fmt: str, today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    return f"orgunits-{root_code or 'all'}-{today:%Y%m%d}.{fmt}"


def _export_rows(root_code: str | None) -> Iterator[tuple]:
    query = OrgUnit.objects.order_by("code")
    if root_code:
        query = query.filter(code__startswith=root_code)
    return query.values_list("code", "name", "level", "parent_id", "polygon").iterator(chunk_size=EXPORT_CHUNK)


def _geojson_chunks(rows: Iterable[tuple]) -> Iterator[bytes]:
    yield b'{"type": "FeatureCollection", "features": [\n'
    separator = b""
    for code, name, level, parent, polygon in rows:
        feature = {
            "type": "Feature",
            "properties": {"code": code, "name": name, "level": level, "parent": parent,
                           "official_code": official_code(code)},
            "geometry": polygon if level == OrgLevel.GRID and polygon else None,
        }
        yield separator + json.dumps(feature, ensure_ascii=False).encode("utf-8")
        separator = b",\n"
    yield b"\n]}\n"


def _table_rows(rows: Iterable[tuple]) -> Iterator[list[str]]:
    for code, name, level, parent, polygon in rows:
        boundary = json.dumps(polygon, ensure_ascii=False) if level == OrgLevel.GRID and polygon else ""
        yield [code, name, level, parent or "", official_code(code), boundary]


def _csv_chunks(rows: Iterable[tuple]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")  # the BOM tells Excel it is UTF-8
    buffer.seek(0)
    buffer.truncate()
    for count, values in enumerate(_table_rows(rows), start=1):
        writer.writerow(values)
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _xlsx_chunks(rows: Iterable[tuple]) -> Iterator[bytes]:
    from gridgov.core import xlsx

    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet(title="org_units")
    xlsx.append_row(sheet, EXPORT_COLUMNS)
    for values in _table_rows(rows):
        xlsx.append_row(sheet, values)
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        while chunk := buffer.read(256 * 1024):
            yield chunk


_WRITERS = {"geojson": _geojson_chunks, "csv": _csv_chunks, "xlsx": _xlsx_chunks}


def export_org_units(*, root_code: str | None, fmt: str) -> Iterator[bytes]:
    """The subtree of `root_code` (everything when None) as chunks of a GeoJSON, CSV or Excel
    file, codes unpadded, boundaries only on grid cells. No permission check: the web view
    and `org_io_services.org_units_export` check scope first."""
    if fmt not in _WRITERS:
        raise DomainError(_("Unknown file format; use GeoJSON (.geojson), CSV (.csv) or Excel (.xlsx)."),
                          ErrorCode.INVALID, {"format": [_("Choose geojson, csv or xlsx.")]})
    if root_code and not OrgUnit.objects.filter(code=root_code).exists():
        raise NotFound(_("No org unit with code %(code)s.") % {"code": root_code})
    return _WRITERS[fmt](_export_rows(root_code))
