"""Builders of import files (GeoJSON, CSV, Excel) for the org-unit import tests."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from tests.factories import square


def feature(code, name, polygon=None, **properties) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name, **properties}, "geometry": polygon}


def geojson_bytes(features: list[dict], **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}, ensure_ascii=False).encode("utf-8")


def table_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    return table_text(rows).encode(encoding)


def xlsx_bytes(rows: list[list], *, title: str | None = None, extra_sheets: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for index in range(extra_sheets):
        workbook.create_sheet(f"other{index}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def polygon_text(lng: float, lat: float, size: float = 0.01) -> str:
    return json.dumps(square(lng, lat, size))


BOW_TIE = {"type": "Polygon", "coordinates": [[[120, 31], [120.01, 31.01], [120.01, 31], [120, 31.01], [120, 31]]]}
