"""Reading an import file (GeoJSON, CSV or Excel) into numbered `SourceRow`s."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from gridgov.core import tabular
from gridgov.core.exceptions import DomainError
from gridgov.core.org_io.common import (
    FIELDS,
    HEADER_ALIASES,
    HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    Issue,
    ParsedFile,
    SourceRow,
    cell_text,
)

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
