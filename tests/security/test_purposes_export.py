"""Finding 2 and PIPL art. 45 (issue 10): a person's data export asks for a purpose from the
list, logs that purpose (not a made-up one), is a POST, covers every app, is refused to roles
that may not open the record, and flags bulk use: the export that crosses the limit alerts
the auditors, and the next ones wait (429) until an auditor lifts the hold."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gridgov.core.models import AuditEntry, Notification
from tests.factories import PersonFactory, Tree
from tests.security.purposes_fixtures import _fresh_cache, api, everywhere, page, resident, staff  # noqa: F401

OWN_REQUEST = {"purpose": "own_request", "note": "本人到社区窗口书面申请"}


def export_url(person) -> str:
    return f"/api/v1/people/{person.pk}/export/"


def care_export_url(person) -> str:
    return f"/api/v1/people/{person.pk}/care-export/"


def exports_logged():
    return AuditEntry.objects.filter(action="person.export")


# --- A purpose from the list, and the purpose given is the one logged --------------------------------


@pytest.mark.parametrize("url", [export_url, care_export_url])
@pytest.mark.parametrize("body, field", [
    ({}, "purpose"),
    ({"purpose": ""}, "purpose"),
    ({"purpose": "本人申请"}, "purpose"),  # free text is not a purpose from the list
    ({"purpose": "other"}, "note"),  # "other" needs a note
])
def test_an_export_without_a_listed_purpose_is_400_and_exports_nothing(api, resident, url, body, field):
    response = api["officer"].post(url(resident), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "purpose_required"
    assert field in response.json()["fields"]
    assert resident.resident_id not in response.content.decode()
    assert not exports_logged().exists()


@pytest.mark.parametrize("url", [export_url, care_export_url])
def test_the_export_logs_the_purpose_given_never_a_made_up_one(api, resident, url):
    response = api["officer"].post(url(resident), {"purpose": "official_request", "note": "法院协助调查函 (2026) 12 号"},
                                   format="json")

    assert response.status_code == 200, response.content
    assert response.json()["purpose"]["code"] == "official_request"
    entry = exports_logged().get()
    assert entry.purpose == "official_request: 法院协助调查函 (2026) 12 号"
    assert entry.person_id == resident.pk and entry.actor_username == "officer"
    assert "本人申请" not in entry.purpose and "own request" not in entry.purpose_label.lower()
    # the auditor reads the purpose's label and the note
    found = api["auditor"].get("/api/v1/audit/", {"action": "person.export"}).json()["results"]
    assert found[0]["purpose_label"] == "A legal or official request — 法院协助调查函 (2026) 12 号"


@pytest.mark.parametrize("url", [export_url, care_export_url])
def test_a_get_is_405_and_exports_nothing(api, resident, url):
    response = api["officer"].get(url(resident))

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert resident.resident_id not in response.content.decode()
    assert not exports_logged().exists()


# --- Who may export -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dispatcher", "auditor", "city_admin"])
def test_a_dispatcher_an_auditor_and_the_city_admin_cannot_export(api, page, resident, name):
    assert api[name].post(export_url(resident), OWN_REQUEST, format="json").status_code == 403
    assert api[name].post(care_export_url(resident), OWN_REQUEST, format="json").status_code == 403
    assert page[name].post(reverse("person-export", args=[resident.pk]),
                           {"reason": "own_request"}).status_code == 403
    assert page[name].post(reverse("care-person-export", args=[resident.pk]),
                           {"reason": "own_request"}).status_code == 403
    assert not exports_logged().exists()


def test_a_person_outside_the_users_area_is_404(api, resident):
    assert api["officer_b"].post(export_url(resident), OWN_REQUEST, format="json").status_code == 404
    assert api["officer_b"].post(care_export_url(resident), OWN_REQUEST, format="json").status_code == 404
    assert not exports_logged().exists()


# --- The export covers every app ------------------------------------------------------------------------


def test_the_export_covers_every_apps_data_about_the_person(api, resident, everywhere):
    response = api["officer"].post(export_url(resident), OWN_REQUEST, format="json")

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    # core: the person in full
    assert (body["person"]["resident_id"], body["person"]["phone"]) == (resident.resident_id, "13912345678")
    assert body["person"]["address"] == "幸福路 8 号 2 单元 301"
    # register: the household, the move-in, the place, its field history
    household = body["register"]["households"][0]
    assert (household["household"], household["moved_in_on"], household["current"]) == (
        everywhere["household"].pk, "2020-05-01", True)
    assert body["register"]["places_responsible_for"][0]["name"] == "陈记小吃店"
    assert {c["record"] for c in body["register"]["field_history"]} >= {
        f"register.household#{everywhere['household'].pk}", f"register.place#{everywhere['place'].pk}"}
    # events: the event about the place they run
    assert [e["code"] for e in body["events"]["about_places_responsible_for"]] == [everywhere["event"].code]
    # care: the enrollment, its health facts and the visit
    enrollment = body["care"]["enrollments"][0]
    assert enrollment["program"] == "smd" and enrollment["details"]["diagnosis"] == "精神分裂症"
    assert enrollment["visits"][0]["notes"] == "情况稳定，按时服药"
    assert body["not_included"] == []
    entry = exports_logged().get()
    assert json.loads(entry.changes)["sections"] == ["person", "register", "events", "care"]


def test_a_grid_worker_gets_everything_but_the_care_part(api, resident, everywhere):
    response = api["gw"].post(export_url(resident), OWN_REQUEST, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert "care" not in body and "精神分裂症" not in response.content.decode()
    assert [s["section"] for s in body["not_included"]] == ["care"]
    assert body["register"]["households"] and body["events"]["about_places_responsible_for"]
    # and the care-only export is refused outright
    assert api["gw"].post(care_export_url(resident), OWN_REQUEST, format="json").status_code == 403


def test_the_page_asks_for_a_purpose_then_downloads_the_file(page, resident, everywhere):
    client = page["officer"]
    url = reverse("person-export", args=[resident.pk])

    form = client.get(url)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert resident.resident_id not in form.content.decode()

    refused = client.post(url, {"reason": "other", "details": ""})
    assert refused.status_code == 400 and "This purpose needs a note saying what it is." in refused.content.decode()
    assert not exports_logged().exists()

    download = client.post(url, {"reason": "own_request", "details": "本人申请复制"})
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="person-{resident.pk}-data-export.json"'
    assert "no-store" in download["Cache-Control"]
    document = json.loads(download.content)
    assert document["person"]["resident_id"] == resident.resident_id and document["care"]["enrollments"]
    assert exports_logged().get().purpose == "own_request: 本人申请复制"


# --- Bulk use ------------------------------------------------------------------------------------------


@pytest.fixture
def limit_3(settings):
    settings.GRIDGOV_EXPORT_BULK_LIMIT = 3
    settings.GRIDGOV_EXPORT_BULK_WINDOW_HOURS = 24
    return 3


def test_bulk_exports_are_flagged_at_n_plus_1_then_held_until_an_auditor_lifts_the_hold(api, page, staff, limit_3):
    people = [PersonFactory(org_code=Tree.CELL_A1) for _ in range(5)]
    client = api["officer"]

    for person in people[:3]:
        assert client.post(export_url(person), OWN_REQUEST, format="json").status_code == 200
    # exporting one of them again is not one more person
    assert client.post(care_export_url(people[0]), OWN_REQUEST, format="json").status_code == 200
    assert not AuditEntry.objects.filter(action="person.export_bulk_flag").exists()
    assert not Notification.objects.filter(kind="export_bulk").exists()

    # the 4th person: served, but flagged and the auditors alerted
    fourth = client.post(export_url(people[3]), OWN_REQUEST, format="json")
    assert fourth.status_code == 200
    flag = AuditEntry.objects.get(action="person.export_bulk_flag")
    assert (flag.actor_username, flag.person_id, json.loads(flag.changes)["people"]) == ("officer", people[3].pk, 4)
    alert = Notification.objects.get(kind="export_bulk")
    assert alert.user == staff["auditor"] and "officer" in alert.text

    # then every export waits for an auditor
    held = client.post(export_url(people[4]), OWN_REQUEST, format="json")
    assert held.status_code == 429 and held.json()["code"] == "export_on_hold"
    assert people[4].resident_id not in held.content.decode()
    assert page["officer"].post(reverse("person-export", args=[people[4].pk]),
                                {"reason": "own_request"}).status_code == 429
    assert exports_logged().filter(person_id=people[4].pk).count() == 0
    # the auditor sees the hold, and only an auditor may lift it
    listing = page["auditor"].get(reverse("export-holds"))
    assert listing.status_code == 200 and "officer" in listing.content.decode()
    assert api["officer"].post("/api/v1/export-holds/officer/clear/", {}, format="json").status_code == 403
    lifted = api["auditor"].post("/api/v1/export-holds/officer/clear/", {"note": "已核实：社区集中办理申请"},
                                 format="json")
    assert lifted.status_code == 200 and lifted.json() == {"username": "officer", "on_hold": False}
    assert AuditEntry.objects.get(action="person.export_hold_clear").object_id == str(staff["officer"].pk)
    # lifting a hold that is not on is a 409
    assert api["auditor"].post("/api/v1/export-holds/officer/clear/", {}, format="json").status_code == 409

    # the count starts again after the review
    assert client.post(export_url(people[4]), OWN_REQUEST, format="json").status_code == 200
    assert AuditEntry.objects.filter(action="person.export_bulk_flag").count() == 1


def test_a_refused_export_does_not_count_towards_the_limit(api, limit_3):
    people = [PersonFactory(org_code=Tree.CELL_A1) for _ in range(4)]
    client = api["officer"]
    for person in people:
        assert client.post(export_url(person), {"purpose": ""}, format="json").status_code == 400
    for person in people[:3]:
        assert client.post(export_url(person), OWN_REQUEST, format="json").status_code == 200

    assert not AuditEntry.objects.filter(action="person.export_bulk_flag").exists()


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_of_holds_costs_the_same_whatever_its_length(page, staff, django_assert_num_queries, n):
    from gridgov.core.audit import AuditAction, audit_record
    from tests.factories import make_user

    for i in range(n):
        user = make_user(f"exporter{i}", "program_officer", scope=Tree.COUNTY_A)
        audit_record(actor=user, action=AuditAction.PERSON_EXPORT_BULK_FLAG, object_type="core.person",
                     object_id="1", org_code=Tree.CELL_A1, person_id=1)
    client = page["auditor"]
    client.get(reverse("export-holds"))  # the session's first use

    # session, user, roles; the flags; their clearings; the users and their roles; the flag
    # entries; the unread-notification count (the layout's scope name: the org tree cache, issue 12)
    with django_assert_num_queries(9):
        response = client.get(reverse("export-holds"))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("body", [
    {"purpose": ["own_request"]},
    {"purpose": {"code": "own_request"}},
    {"purpose": "own_request", "note": "本人\u0000申请"},
    {"purpose": "own_request", "note": {"a": [1, 2]}},
    {"purpose": "other\u0000"},
])
def test_hostile_bodies_are_4xx_in_the_error_shape(api, resident, body):
    for url in (export_url, care_export_url):
        response = api["officer"].post(url(resident), body, format="json")
        assert 400 <= response.status_code < 500, response.content
        assert set(response.json()) == {"code", "message", "fields"}
    assert not exports_logged().exists()
