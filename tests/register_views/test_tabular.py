"""core.tabular: CSV in any encoding Chinese offices use, or Excel, as a header and rows."""

import datetime

import pytest

from gridgov.core.exceptions import DomainError
from gridgov.core.tabular import read_table
from tests.register_views.test_import import csv_bytes, xlsx_bytes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    headers, rows = read_table(csv_bytes([["姓名", "电话"], ["张三", "13912345678"]], encoding=encoding), "csv")

    assert headers == ["姓名", "电话"] and rows == [["张三", "13912345678"]]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_the_delimiter_is_sniffed_from_the_first_line(delimiter):
    data = delimiter.join(["姓名", "电话"]).encode() + b"\r\n" + delimiter.join(["张三", "1"]).encode()

    assert list(read_table(data, "csv")) == [["姓名", "电话"], [["张三", "1"]]]


def test_excel_numbers_become_integers_and_dates_stay_dates():
    data = xlsx_bytes([["网格编码", "纬度", "迁入日期"], [990101001001001.0, 31.5, datetime.date(2020, 1, 2)]])

    headers, rows = read_table(data, "xlsx")

    assert rows[0][0] == 990101001001001 and rows[0][1] == 31.5
    assert rows[0][2].date() == datetime.date(2020, 1, 2)


def test_a_title_row_is_skipped_when_the_caller_recognises_the_header():
    data = xlsx_bytes([["名称", "类型"], [None, None], ["店", "shop"]], title="场所登记表")

    table = read_table(data, "xlsx", is_header=lambda headers: "名称" in headers)

    assert table.headers == ["名称", "类型"] and table.header_row == 2 and table.first_row_number == 3
    assert table.rows[1] == ["店", "shop"]  # blank rows keep their place for row numbers


@pytest.mark.parametrize("data,fmt,message", [
    (b"\xff\x00\xfe", "csv", "neither UTF-8 nor GB18030"),
    (b"not a zip", "xlsx", "not a readable Excel workbook"),
    (b"", "csv", "The file is empty."),
    (b"a,b", "ods", "Unknown file format"),
])
def test_unreadable_files_raise_a_translated_domain_error(data, fmt, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as error:
        read_table(data, fmt)

    assert message in error.value.message
