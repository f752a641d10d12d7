"""Screening campaigns and a person's data export over the API."""

import pytest

from gridgov.care import services
from gridgov.care.models import CampaignItem
from gridgov.core.models import AuditEntry, Notification
from gridgov.register.models import Household
from tests.care_api.conftest import STABLE, TODAY, enroll
from tests.factories import PersonFactory, Tree, make_resident_id

CAMPAIGNS = "/api/v1/campaigns/"


@pytest.fixture
def campaign(clients):
    for cell, n in ((Tree.CELL_A1, 2), (Tree.CELL_A2, 1), (Tree.CELL_B1, 1)):
        for i in range(n):
            Household.objects.create(org_code=cell, address=f"{cell[-3:]}-{i}")
    response = clients["officer"].post(CAMPAIGNS, {
        "org_code": Tree.COUNTY_A, "kind": "smd_screening", "title": "半年筛查",
        "starts_on": "2026-11-24", "due_on": "2026-12-31"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["visited"]) == (3, 0)
    return body


def _items(client, campaign, **params):
    response = client.get(f"{CAMPAIGNS}{campaign['id']}/items/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_each_household_goes_to_its_cells_worker(clients, campaign):
    mine = _items(clients["gw"], campaign)
    assert [(r["org_code"], r["assignee"], r["result"]) for r in mine] == [(Tree.CELL_A1, "gw", "pending")] * 2
    assert {r["address"] for r in mine} == {"001-0", "001-1"}
    assert len(_items(clients["officer"], campaign)) == 3
    listed = clients["gw"].get(CAMPAIGNS).json()
    assert [(r["id"], r["total"]) for r in listed["results"]] == [(campaign["id"], 2)] and listed["next"] is None


def test_referral_notifies_officer_and_moves_progress(clients, staff, campaign):
    person = PersonFactory(resident_id=make_resident_id(birth="20100101", seq=51), org_code=Tree.CELL_A1)
    item = _items(clients["gw"], campaign)[0]

    response = clients["gw"].post(f"/api/v1/campaign-items/{item['id']}/",
                                  {"result": "referred", "note": "家长同意", "referred_person": person.pk},
                                  format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == "referred" and body["referred_person"]["id"] == person.pk
    assert body["visited_on"] == TODAY.isoformat()
    assert Notification.objects.filter(user=staff["officer"], kind="care_referral").exists()
    grid = clients["officer"].get(f"{CAMPAIGNS}{campaign['id']}/progress/").json()
    assert grid["level"] == "grid"
    cells = {r["org_code"]: r for r in grid["results"]}
    assert cells[Tree.CELL_A1] == {"org_code": Tree.CELL_A1, "total": 2, "visited": 1, "needs_found": 0,
                                   "referred": 1, "suppressed": []}
    village = clients["officer"].get(f"{CAMPAIGNS}{campaign['id']}/progress/", {"level": "village"}).json()
    assert village["results"] == [{"org_code": Tree.VILLAGE_A, "total": 3, "visited": 1, "needs_found": 0,
                                   "referred": 1, "suppressed": []}]


def test_referral_without_person_or_out_of_scope_is_400(clients, campaign):
    elsewhere = PersonFactory(resident_id=make_resident_id(region="990102", seq=52), org_code=Tree.CELL_B1)
    item = _items(clients["gw"], campaign)[0]
    url = f"/api/v1/campaign-items/{item['id']}/"
    missing = clients["gw"].post(url, {"result": "referred"}, format="json")
    assert missing.status_code == 400 and "referred_person" in missing.json()["fields"]
    outside = clients["gw"].post(url, {"result": "referred", "referred_person": elsewhere.pk}, format="json")
    assert outside.status_code == 400 and "referred_person" in outside.json()["fields"]
    assert CampaignItem.objects.get(pk=item["id"]).result == "pending"


def test_another_worker_gets_404(clients, campaign):
    item = _items(clients["gw"], campaign)[0]
    response = clients["gw_other"].post(f"/api/v1/campaign-items/{item['id']}/", {"result": "nothing_found"},
                                        format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert item["id"] not in {r["id"] for r in _items(clients["gw_other"], campaign)}
    assert clients["officer_b"].get(f"{CAMPAIGNS}{campaign['id']}/items/").status_code == 404


def test_station_staff_are_refused(clients, campaign):
    station = clients["station"]
    assert station.get(CAMPAIGNS).status_code == 403
    assert station.post(CAMPAIGNS, {}, format="json").status_code == 403
    assert station.get(f"{CAMPAIGNS}{campaign['id']}/progress/").status_code == 403
    assert clients["gw"].post(CAMPAIGNS, {}, format="json").status_code == 403


def test_city_officer_sees_counts_but_no_households(clients, campaign):
    city = clients["city_officer"]
    assert city.get(f"{CAMPAIGNS}{campaign['id']}/progress/").json()["results"][0]["total"] == 2
    assert _items(city, campaign) == []


def test_bad_campaign_input_is_400(clients):
    response = clients["officer"].post(CAMPAIGNS, {"org_code": Tree.COUNTY_A, "kind": "minors", "title": "x",
                                                   "starts_on": "2026-12-01", "due_on": "2026-11-01"}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()["fields"]


@pytest.mark.parametrize("n", [3, 30])
def test_items_query_count(clients, staff, django_assert_num_queries, n):
    for i in range(n):
        Household.objects.create(org_code=Tree.CELL_A1, address=f"户{i}")
    campaign = services.campaign_open(actor=staff["officer"], org_code=Tree.CELL_A1, kind="minors", title="t",
                                      starts_on=TODAY, due_on=TODAY)
    client = clients["gw"]
    client.get("/api/v1/me/")  # the token's first use
    # token + user, roles, the campaign, the page of items
    with django_assert_num_queries(4):
        response = client.get(f"{CAMPAIGNS}{campaign.pk}/items/")
    assert len(response.json()["results"]) == n


def test_person_care_export(clients, staff, patient):
    enroll(staff, patient, details=dict(STABLE))
    url = f"/api/v1/people/{patient.pk}/care-export/"
    purpose = {"purpose": "own_request", "note": "本人书面申请"}
    response = clients["officer"].post(url, purpose, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"]["id"] == patient.pk and body["person"]["resident_id"] == patient.resident_id
    assert body["enrollments"][0]["program"] == "smd"
    assert body["purpose"] == {"code": "own_request", "label": "The person's own request", "note": "本人书面申请"}
    assert AuditEntry.objects.get(action="person.export").purpose == "own_request: 本人书面申请"
    assert clients["officer"].get(url).status_code == 405
    assert clients["gw"].post(url, purpose, format="json").status_code == 403
    assert clients["officer_b"].post(url, purpose, format="json").status_code == 404
    assert AuditEntry.objects.filter(action="person.export").count() == 1
