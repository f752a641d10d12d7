"""Register imports on the page: dry run with row errors (nothing written), commit, templates."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from gridgov.core.models import Person, User
from gridgov.register.models import Building, Household
from gridgov.register.views import MAX_UPLOAD_BYTES, PENDING_SESSION_KEY
from tests.factories import Tree, make_resident_id

URL = reverse("register-import")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, name, data, kind, **fields):
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, data), **fields})


def households_file(second_id=None, encoding="utf-8-sig") -> bytes:
    return csv_bytes([
        ["户编号", "网格编码", "住址", "姓名", "身份证号", "与户主关系", "人户状态"],
        ["1", Tree.CELL_A1, "幸福路 9 号", "陈一", make_resident_id(birth="19700101"), "户主", "人户一致"],
        ["1", Tree.CELL_A1, "幸福路 9 号", "陈二", second_id or make_resident_id(birth="19720101"), "配偶", "人户一致"],
        ["2", Tree.CELL_A1, "幸福路 10 号", "林三", make_resident_id(birth="19800101"), "户主", "流动人口"],
    ], encoding=encoding)


def test_the_dry_run_lists_every_error_with_its_row_and_writes_nothing(login, screener):
    data = csv_bytes([
        ["地址", "纬度", "经度", "用途"],
        ["和平路 1 号", "31.004", "120.004", "住宅"],
        ["", "31.004", "120.004", "住宅"],
        ["和平路 3 号", "40.0", "110.0", "城堡"],
    ])

    response = upload(login(screener), "buildings.csv", data, "buildings")

    body = response.content.decode()
    errors = [(e.row, e.field) for e in response.context["report"].errors]
    assert response.status_code == 400
    assert (3, "address") in errors and (4, "use") in errors
    assert "Commit the import" not in body and 'class="import-error"' in body
    assert not Building.objects.exists()


def test_a_clean_file_is_previewed_then_committed(login, screener):
    client = login(screener)

    preview = upload(client, "households.csv", households_file(), "households")

    assert preview.status_code == 200 and not Household.objects.exists()
    assert preview.context["report"].created == 2 and "Commit the import" in preview.content.decode()
    token = client.session[PENDING_SESSION_KEY]["token"]

    committed = client.post(URL, {"token": token})

    assert committed.status_code == 302 and committed["Location"] == URL
    assert Household.objects.count() == 2
    assert Person.objects.filter(name__in=["陈一", "陈二", "林三"]).count() == 3
    assert PENDING_SESSION_KEY not in client.session


def test_an_invalid_resident_id_is_reported_on_its_row(login, screener):
    response = upload(login(screener), "households.csv", households_file(second_id="110105194912310021"),
                      "households")

    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["report"].errors] == [(3, "resident_id")]
    assert not Person.objects.filter(name="陈一").exists()


def test_gb18030_csv_and_excel_with_a_title_row_are_read(login, screener):
    client = login(screener)
    rows = [["名称", "类型", "纬度", "经度"], ["便民超市", "商店", 31.006, 120.006]]

    from_csv = upload(client, "places.csv", csv_bytes(rows, encoding="gb18030"), "places")
    from_xlsx = upload(client, "places.xlsx", xlsx_bytes(rows, title="场所登记表"), "places")

    assert from_csv.context["report"].created == 1 and from_csv.context["report"].errors == []
    assert from_xlsx.context["report"].created == 1 and from_xlsx.context["report"].errors == []


def test_a_column_mapping_reads_other_headers(login, screener):
    data = csv_bytes([["场所", "业态", "lat", "lng"], ["便民超市", "shop", "31.006", "120.006"]])
    client = login(screener)

    unmapped = upload(client, "places.csv", data, "places")
    mapped = upload(client, "places.csv", data, "places", mapping="name=场所\nkind=业态")

    assert unmapped.status_code == 400 and "Missing columns" in unmapped.content.decode()
    assert mapped.status_code == 200 and mapped.context["report"].created == 1


def test_an_unknown_mapping_field_is_refused(login, screener):
    data = csv_bytes([["名称"], ["x"]])

    response = upload(login(screener), "places.csv", data, "places", mapping="nickname=昵称")

    assert response.status_code == 400 and "Unknown field nickname" in response.content.decode()


def test_an_unreadable_file_is_explained(login, screener):
    response = upload(login(screener), "places.xlsx", b"not a workbook", "places")

    assert response.status_code == 400
    assert "The file is not a readable Excel workbook (.xlsx)." in response.content.decode()


def test_a_file_over_the_limit_is_refused(login, screener, monkeypatch):
    from gridgov.register.views import imports as import_views

    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 10)

    response = upload(login(screener), "places.csv", csv_bytes([["名称"], ["便民超市"]]), "places")

    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_a_stale_or_foreign_token_commits_nothing(login, screener):
    response = login(screener).post(URL, {"token": "forged"})

    assert response.status_code == 400 and "no longer available" in response.content.decode()


def test_grid_workers_are_imported_only_by_user_managers(login, screener, admin):
    data = csv_bytes([["用户名", "姓名", "网格编码"], ["gw9", "新网格员", Tree.CELL_A2]])

    refused = upload(login(screener), "workers.csv", data, "grid_workers")
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert not User.objects.filter(username="gw9").exists()

    client = login(admin)
    preview = upload(client, "workers.csv", data, "grid_workers")
    client.post(URL, {"token": client.session[PENDING_SESSION_KEY]["token"]})

    assert preview.status_code == 200
    assert User.objects.get(username="gw9").grid_assignments.get().cell_id == Tree.CELL_A2


def test_grid_workers_may_not_import(login, worker):
    assert login(worker).get(URL).status_code == 403


@pytest.mark.parametrize("kind,first", [("households", "户编号"), ("buildings", "地址"), ("places", "名称")])
def test_templates_are_csv_files_with_chinese_headers(login, screener, kind, first):
    response = login(screener).get(reverse("register-import-template", args=[kind]))

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].split(",")[0] == first
