"""Export of the org-unit tree as GeoJSON, CSV or Excel, streamed in chunks."""

from __future__ import annotations

import datetime
import io
import json
import tempfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from gridgov.core import csvout
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.models import OrgLevel, OrgUnit
from gridgov.core.org_io.common import official_code

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
    writer = csvout.writer(buffer, lineterminator="\r\n")  # no cell runs as a formula in Excel
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
