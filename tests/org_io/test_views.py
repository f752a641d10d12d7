"""The import and export pages: preview, commit with a token, errors, size limit, 403, scope."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gridgov.core.models import AuditEntry, OrgUnit
from gridgov.core.org_io_views import MAX_UPLOAD_BYTES, PENDING_SESSION_KEY
from tests.factories import Tree, square
from tests.org_io.files import csv_bytes, feature, geojson_bytes

NEW_TOWNSHIP = Tree.COUNTY_A + "002"
NEW_VILLAGE = NEW_TOWNSHIP + "001"


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client, name, data, **fields):
    return client.post(reverse("org-import"), {"file": SimpleUploadedFile(name, data), **fields})


def branch() -> bytes:
    return geojson_bytes([
        feature(NEW_TOWNSHIP, "新镇"),
        feature(NEW_VILLAGE, "新村"),
        feature(NEW_VILLAGE + "001", "新网格", square(120.5, 31.0)),
        feature(Tree.TOWNSHIP_A, "镇1改"),
    ])


def test_the_pages_are_forbidden_without_the_capability(grid_worker):
    client = client_for(grid_worker)

    assert client.get(reverse("org-import")).status_code == 403
    assert upload(client, "a.geojson", branch()).status_code == 403
    assert client.get(reverse("org-export")).status_code == 403
    assert client.get(reverse("org-export"), {"root": Tree.CELL_A1, "format": "csv"}).status_code == 403
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_signed_out_visitors_are_sent_to_sign_in(tree):
    response = Client().get(reverse("org-import"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_upload_form_is_shown(city_admin):
    response = client_for(city_admin).get(reverse("org-import"))

    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content and b"csrfmiddlewaretoken" in response.content


def test_an_upload_is_previewed_then_committed_with_its_token(city_admin):
    # given
    client = client_for(city_admin)

    # when: the upload is checked and previewed
    response = upload(client, "branch.geojson", branch())

    # then: counts and rows are shown, nothing is written yet
    assert response.status_code == 200
    page = response.content.decode()
    assert "Commit the import" in page and NEW_VILLAGE + "001" in page and "Feature 4" in page
    counts = response.context["counts"]
    assert (counts["create"], counts["update"], counts["unchanged"]) == (3, 1, 0)
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()
    token = client.session[PENDING_SESSION_KEY]["token"]

    # when: the commit button posts the token back
    response = client.post(reverse("org-import"), {"token": token}, follow=True)

    # then
    assert response.status_code == 200
    assert "3 created, 1 updated, 0 unchanged" in response.content.decode()
    assert OrgUnit.objects.get(code=NEW_VILLAGE + "001").polygon == square(120.5, 31.0)
    assert OrgUnit.objects.get(code=Tree.TOWNSHIP_A).name == "镇1改"
    assert AuditEntry.objects.filter(action="org_unit.import").count() == 1
    assert PENDING_SESSION_KEY not in client.session

    # and the same token cannot be committed twice
    again = client.post(reverse("org-import"), {"token": token})
    assert again.status_code == 400 and "no longer available" in again.content.decode()
    assert AuditEntry.objects.filter(action="org_unit.import").count() == 1


def test_an_upload_with_errors_lists_them_by_row_and_offers_no_commit(city_admin):
    # given
    data = csv_bytes([["编码", "名称"], [NEW_TOWNSHIP, "新镇"], ["12345", "坏"], [NEW_VILLAGE + "001", ""]])

    # when
    response = upload(client_for(city_admin), "bad.csv", data)

    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "Row 3" in page and "12345 is not an org-unit code" in page
    assert "Row 4" in page and "A name is required." in page
    assert "Commit the import" not in page
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_a_column_mapping_can_be_given_on_the_form(city_admin):
    client = client_for(city_admin)
    data = csv_bytes([["区划代码", "单位名称"], [NEW_TOWNSHIP, "新镇"]])

    response = upload(client, "mapped.csv", data, code_column="区划代码", name_column="单位名称")
    client.post(reverse("org-import"), {"token": client.session[PENDING_SESSION_KEY]["token"]})

    assert response.status_code == 200
    assert OrgUnit.objects.get(code=NEW_TOWNSHIP).name == "新镇"


def test_a_forged_token_commits_nothing(city_admin):
    client = client_for(city_admin)
    upload(client, "branch.geojson", branch())

    response = client.post(reverse("org-import"), {"token": "forged"})

    assert response.status_code == 400
    assert not OrgUnit.objects.filter(code=NEW_TOWNSHIP).exists()


def test_the_commit_rechecks_the_file_against_the_database(city_admin):
    # given: a preview of a village under a township that is removed before the commit
    client = client_for(city_admin)
    temporary = OrgUnit.objects.create(code=NEW_TOWNSHIP, name="临时镇", level="township", parent_id=Tree.COUNTY_A)
    upload(client, "village.geojson", geojson_bytes([feature(NEW_VILLAGE, "新村")]))
    temporary.delete()

    # when
    response = client.post(reverse("org-import"), {"token": client.session[PENDING_SESSION_KEY]["token"]})

    # then
    assert response.status_code == 400
    assert "neither in the file nor in the database" in response.content.decode()
    assert not OrgUnit.objects.filter(code=NEW_VILLAGE).exists()


def test_a_file_over_20_mb_is_refused_with_a_clear_message(city_admin):
    client = client_for(city_admin)

    response = upload(client, "huge.geojson", b" " * (MAX_UPLOAD_BYTES + 1))

    assert response.status_code == 400
    assert "larger than 20 MB" in response.content.decode()
    assert PENDING_SESSION_KEY not in client.session


def test_an_unknown_extension_asks_for_the_format(city_admin):
    client = client_for(city_admin)
    data = csv_bytes([["code", "name"], [NEW_TOWNSHIP, "新镇"]])

    refused = upload(client, "units.dat", data)
    accepted = upload(client, "units.dat", data, format="csv")

    assert refused.status_code == 400 and "choose it" in refused.content.decode()
    assert accepted.status_code == 200 and accepted.context["counts"]["create"] == 1


def test_a_scoped_admin_sees_units_outside_their_scope_refused(county_admin):
    data = geojson_bytes([feature(Tree.COUNTY_B + "002", "外县新镇")])

    response = upload(client_for(county_admin), "outside.geojson", data)

    assert response.status_code == 400 and "lies outside your area" in response.content.decode()


def test_export_downloads_the_subtree_with_a_sensible_filename(county_admin):
    # given
    client = client_for(county_admin)

    # when
    form = client.get(reverse("org-export"))
    response = client.get(reverse("org-export"), {"root": Tree.TOWNSHIP_A, "format": "geojson"})

    # then
    assert form.status_code == 200 and form.context["form"]["root"].value() == Tree.COUNTY_A
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith(f'attachment; filename="orgunits-{Tree.TOWNSHIP_A}-')
    assert response["Content-Disposition"].endswith('.geojson"')
    document = json.loads(b"".join(response.streaming_content))
    assert {f["properties"]["code"] for f in document["features"]} == {
        Tree.TOWNSHIP_A, Tree.VILLAGE_A, Tree.CELL_A1, Tree.CELL_A2,
    }


@pytest.mark.parametrize("fmt,content_type", [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_export_in_csv_and_excel(county_admin, fmt, content_type):
    response = client_for(county_admin).get(reverse("org-export"), {"root": Tree.COUNTY_A, "format": fmt})

    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert len(b"".join(response.streaming_content)) > 100


def test_export_outside_the_scope_is_refused_like_a_missing_unit(county_admin):
    client = client_for(county_admin)

    outside = client.get(reverse("org-export"), {"root": Tree.COUNTY_B, "format": "geojson"})
    missing = client.get(reverse("org-export"), {"root": "990101009", "format": "geojson"})

    assert outside.status_code == missing.status_code == 400
    assert "No such org unit in your area." in outside.content.decode()
    assert "No org unit with code" in missing.content.decode()
