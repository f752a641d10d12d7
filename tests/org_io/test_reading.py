"""Reading files: codes, encodings, headers in English or Chinese, column mapping, row numbers."""

import pytest

from gridgov.core import org_io
from tests.org_io.files import csv_bytes, feature, geojson_bytes, polygon_text, xlsx_bytes


@pytest.mark.parametrize("given,stored", [
    ("320000000000", "32"),  # province, official 12-digit form
    ("320500000000", "3205"),  # city
    ("320583000000", "320583"),  # county
    ("320583102000", "320583102"),  # township
    ("320583102001", "320583102001"),  # a village's code is already 12 digits
    ("320583102001003", "320583102001003"),  # grid cell: village + 3-digit number
    ("320583102", "320583102"),  # unpadded stays
    (" 3205 83 ", "320583"),
    (320583102000, "320583102"),  # Excel stores codes as numbers
    (320583102001003.0, "320583102001003"),
])
def test_padded_official_codes_are_stored_unpadded(given, stored):
    assert org_io.normalize_code(given) == stored


@pytest.mark.parametrize("code", ["", "3205831", "32058310200a", "320583000", "320583102000001", "3200", "00"])
def test_malformed_codes_are_explained(code):
    assert org_io.code_shape_error(code)


def test_official_code_pads_divisions_and_keeps_a_grid_cells_own_code():
    assert org_io.official_code("320583102") == "320583102000"
    assert org_io.official_code("320583102001003") == "320583102001003"


def test_csv_with_chinese_headers_and_a_bom_is_numbered_from_the_header():
    # given
    data = csv_bytes([
        ["编码", "名称", "上级编码", "边界"],
        ["320583102", "千灯镇", "320583", ""],
        [],
        ["320583102001003", "网格3", "320583102001", polygon_text(120.9, 31.2)],
    ])

    # when
    parsed = org_io.read_csv(data)

    # then
    assert parsed.errors == []
    assert [(r.row, r.code, r.name, r.parent) for r in parsed.rows] == [
        (2, "320583102", "千灯镇", "320583"),
        (4, "320583102001003", "网格3", "320583102001"),
    ]
    assert parsed.rows[0].polygon is None and '"Polygon"' in parsed.rows[1].polygon


def test_csv_in_gb18030_as_chinese_excel_saves_it_is_read():
    data = csv_bytes([["代码", "名称"], ["320583102", "千灯镇"]], encoding="gb18030")

    parsed = org_io.read_csv(data)

    assert [(r.code, r.name) for r in parsed.rows] == [("320583102", "千灯镇")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_without_a_bom_or_in_gb18030_reads_the_same(encoding):
    data = csv_bytes([["编码", "名称"], ["320583102", "千灯镇"]], encoding=encoding)

    assert [(r.row, r.code, r.name) for r in org_io.read_csv(data).rows] == [(2, "320583102", "千灯镇")]


def test_tab_separated_unicode_text_from_excel_is_read():
    data = "编码\t名称\r\n320583102\t千灯镇\r\n".encode("utf-16")

    assert [(r.code, r.name) for r in org_io.read_csv(data).rows] == [("320583102", "千灯镇")]


def test_excel_first_sheet_with_a_title_row_above_the_header():
    # given: a title in row 1, the header in row 2, codes stored as numbers
    data = xlsx_bytes([["编码", "名称"], [320583102000, "千灯镇"], [None, None], [320583102001, "歇马桥村"]],
                      title="昆山市区划表", extra_sheets=1)

    # when
    parsed = org_io.read_xlsx(data)

    # then
    assert parsed.errors == []
    assert [(r.row, org_io.normalize_code(r.code), r.name) for r in parsed.rows] == [
        (3, "320583102", "千灯镇"), (5, "320583102001", "歇马桥村"),
    ]


def test_explicit_column_mapping_reads_other_headers():
    data = csv_bytes([["序号", "区划代码", "单位名称"], ["1", "320583102", "千灯镇"]])

    unmapped = org_io.read_csv(data)
    mapped = org_io.read_csv(data, mapping={"code": "区划代码", "name": "单位名称"})

    assert unmapped.rows == [] and "No code column" in unmapped.errors[0].message
    assert [(r.code, r.name) for r in mapped.rows] == [("320583102", "千灯镇")]


def test_a_mapping_to_a_missing_column_or_an_unknown_field_is_an_error():
    data = csv_bytes([["code", "name"], ["3205", "苏州市"]])

    missing = org_io.read_csv(data, mapping={"code": "区划代码"})
    unknown = org_io.read_csv(data, mapping={"colour": "code"})

    assert "区划代码" in missing.errors[0].message
    assert "colour" in unknown.errors[0].message


def test_geojson_features_are_numbered_from_one_and_keep_their_geometry():
    data = geojson_bytes([
        feature("320583102", "千灯镇"),
        "not a feature",
        feature("320583102001003", "网格3", {"type": "Polygon", "coordinates": []}, level="grid"),
    ])

    parsed = org_io.read_geojson(data)

    assert [(r.row, r.code, r.level) for r in parsed.rows] == [(1, "320583102", ""), (3, "320583102001003", "grid")]
    assert [(e.row, e.where) for e in parsed.errors] == [(2, "Feature 2")]


@pytest.mark.parametrize("data,fragment", [
    (b"{not json", "not valid GeoJSON"),
    (b'{"type": "Feature", "properties": {}}', "FeatureCollection"),
    (geojson_bytes([], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}), "EPSG::3857"),
])
def test_unreadable_geojson_is_reported_for_the_whole_file(data, fragment):
    parsed = org_io.read_geojson(data)

    assert parsed.rows == [] and fragment in parsed.errors[0].message and parsed.errors[0].where == "File"


def test_format_comes_from_the_extension():
    assert [org_io.format_from_filename(n) for n in ("a.GeoJSON", "b.csv", "c.xlsx", "d.xls")] == [
        "geojson", "csv", "xlsx", None,
    ]


def test_not_an_excel_file_is_reported():
    parsed = org_io.read_import_file(b"PK-not-really", fmt="xlsx", name="units.xlsx")

    assert "Excel" in parsed.errors[0].message and parsed.sha256
