"""Screening campaign pages: opening a campaign lists each household for its cell's grid
worker; the worker records visits (HTMX); officers follow progress; a person's data export."""

import json

import pytest
from django.urls import reverse

from gridgov.care import services
from gridgov.care.models import Campaign, CampaignItem
from gridgov.core.models import AuditEntry, Notification
from gridgov.register.models import Household
from tests.care_views.conftest import TODAY, Tree, enroll_due
from tests.factories import PersonFactory, make_resident_id


def _households(n_a1=2, n_a2=1, n_b=1):
    made = []
    for cell, n in ((Tree.CELL_A1, n_a1), (Tree.CELL_A2, n_a2), (Tree.CELL_B1, n_b)):
        made += [Household.objects.create(org_code=cell, address=f"{cell[-3:]}号楼{i}室") for i in range(n)]
    return made


def _open(client, **overrides):
    data = {"org_code": Tree.COUNTY_A, "kind": "minors", "title": "未成年人走访", "starts_on": TODAY.isoformat(),
            "due_on": TODAY.isoformat(), **overrides}
    return client.post(reverse("care-campaigns"), data)


@pytest.fixture
def campaign(staff, login):
    _households()
    response = _open(login(staff["officer"]))
    assert response.status_code == 302
    return Campaign.objects.get()


def _record(client, item, **data):
    fields = {f"item-{item.pk}-{k}": v for k, v in data.items()}
    return client.post(reverse("care-campaign-item", args=[item.pk]), fields, HTTP_HX_REQUEST="true")


def test_opening_puts_each_household_on_its_workers_list(staff, login, campaign):
    items = CampaignItem.objects.filter(campaign=campaign)
    # county A only: 2 in A1 (gw), 1 in A2 (gw2); county B's household stays out
    assert sorted((i.org_code, i.assignee.username) for i in items) == [
        (Tree.CELL_A1, "gw"), (Tree.CELL_A1, "gw"), (Tree.CELL_A2, "gw2")]
    response = login(staff["gw"]).get(reverse("care-campaign-checklist", args=[campaign.pk]))
    assert response.status_code == 200
    assert [r["item"].org_code for r in response.context["rows"]] == [Tree.CELL_A1] * 2
    assert "001号楼0室" in response.content.decode()
    assert AuditEntry.objects.filter(action="care.campaign_open").count() == 1


def test_open_form_errors_stay_on_the_page(staff, login):
    response = _open(login(staff["officer"]), due_on="2000-01-01")
    assert response.status_code == 400 and "due_on" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_referral_notifies_the_officer_and_moves_progress(staff, login, campaign):
    person = PersonFactory(name="李小", resident_id=make_resident_id(birth="20120303", seq=31), org_code=Tree.CELL_A1)
    item = CampaignItem.objects.filter(assignee=staff["gw"]).first()
    gw = login(staff["gw"])

    response = _record(gw, item, result="referred", note="需要关注", resident_id=person.resident_id)

    assert response.status_code == 200, response.content
    assert 'id="item-%d"' % item.pk in response.content.decode()
    item.refresh_from_db()
    assert item.result == "referred" and item.referred_person == person and item.visited_on == TODAY
    assert Notification.objects.filter(user=staff["officer"], kind="care_referral").exists()
    officer = login(staff["officer"])
    page = officer.get(reverse("care-campaign", args=[campaign.pk]))
    cells = {r["row"].org_code: r["row"] for r in page.context["cells"]}
    assert (cells[Tree.CELL_A1].total, cells[Tree.CELL_A1].visited, cells[Tree.CELL_A1].referred) == (2, 1, 1)
    villages = {r["row"].org_code: r["row"] for r in page.context["villages"]}
    assert (villages[Tree.VILLAGE_A].total, villages[Tree.VILLAGE_A].visited) == (3, 1)


def test_referral_needs_a_registered_person_in_scope(staff, login, campaign):
    elsewhere = PersonFactory(resident_id=make_resident_id(region="990102", seq=41), org_code=Tree.CELL_B1)
    item = CampaignItem.objects.filter(assignee=staff["gw"]).first()

    response = _record(login(staff["gw"]), item, result="referred", resident_id=elsewhere.resident_id)

    assert response.status_code == 400 and "resident_id" in response.context["form"].errors
    item.refresh_from_db()
    assert item.result == "pending"


def test_another_worker_can_neither_see_nor_record_the_item(staff, login, campaign):
    item = CampaignItem.objects.filter(assignee=staff["gw"]).first()
    other = login(staff["gw_other"])

    rows = other.get(reverse("care-campaign-checklist", args=[campaign.pk])).context["rows"]
    assert item.pk not in {r["item"].pk for r in rows} and len(rows) == 1
    assert _record(other, item, result="nothing_found").status_code == 404
    item.refresh_from_db()
    assert item.result == "pending"


def test_station_staff_are_refused(staff, login, campaign):
    client = login(staff["station"])
    assert client.get(reverse("care-campaigns")).status_code == 403
    assert client.get(reverse("care-campaign", args=[campaign.pk])).status_code == 403
    item = CampaignItem.objects.first()
    assert client.post(reverse("care-campaign-item", args=[item.pk]), {}).status_code == 403


def test_worker_may_not_open_a_campaign(staff, login):
    client = login(staff["gw"])
    assert client.get(reverse("care-campaigns")).context["form"] is None
    assert _open(client).status_code == 403


def test_officer_of_another_county_gets_404(staff, login, campaign):
    client = login(staff["officer_b"])
    assert client.get(reverse("care-campaign", args=[campaign.pk])).status_code == 404


def test_non_htmx_record_redirects_to_the_list(staff, login, campaign):
    item = CampaignItem.objects.filter(assignee=staff["gw"]).first()
    response = login(staff["gw"]).post(reverse("care-campaign-item", args=[item.pk]),
                                       {f"item-{item.pk}-result": "nothing_found"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")


# session, user, the user's roles, the header's scope name, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_checklist_query_count(staff, login, django_assert_num_queries, n):
    for i in range(n):
        Household.objects.create(org_code=Tree.CELL_A1, address=f"户{i}")
    login(staff["officer"]).post(reverse("care-campaigns"), {
        "org_code": Tree.CELL_A1, "kind": "elderly", "title": "t", "starts_on": TODAY, "due_on": TODAY})
    campaign = Campaign.objects.get()
    client = login(staff["gw"])

    # the campaign; the page of items (addresses joined)
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("care-campaign-checklist", args=[campaign.pk]))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_campaign_list_query_count(staff, login, django_assert_num_queries, n):
    Household.objects.create(org_code=Tree.CELL_A1, address="户")
    officer = staff["officer"]
    for i in range(n):
        services.campaign_open(actor=officer, org_code=Tree.CELL_A1, kind="minors", title=f"c{i}",
                               starts_on=TODAY, due_on=TODAY)
    client = login(officer)

    # the campaigns with their counts, and the name paths of their areas (one batched query)
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("care-campaigns"))
    assert len(response.context["rows"]) == n
    assert response.context["rows"][0]["campaign"].total == 1


# --- A person's data export ---------------------------------------------------------------------------


def test_export_asks_then_downloads_json_with_one_audit_entry(staff, login, patient):
    enrollment = enroll_due(staff, patient)
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home",
                          details={"risk_level": 1, "classification": "basically_stable"}, notes="情况稳定")
    client = login(staff["officer"])
    url = reverse("care-person-export", args=[patient.pk])

    page = client.get(url)
    assert page.status_code == 200 and not AuditEntry.objects.filter(action="person.export").exists()
    assert 'name="reason"' in page.content.decode()

    # no purpose: the form again, nothing exported or logged
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Choose a purpose from the list." in refused.content.decode()
    assert not AuditEntry.objects.filter(action="person.export").exists()

    response = client.post(url, {"reason": "own_request", "details": "本人来电申请"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="person-{patient.pk}-care-export.json"' in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["person"]["resident_id"] == patient.resident_id
    assert document["enrollments"][0]["visits"][0]["notes"] == "情况稳定"
    assert AuditEntry.objects.get(action="person.export").purpose == "own_request: 本人来电申请"


def test_export_is_refused_without_care_details(staff, login, patient):
    url = reverse("care-person-export", args=[patient.pk])
    assert login(staff["gw"]).post(url, {"reason": "own_request"}).status_code == 403
    assert login(staff["station"]).get(url).status_code == 403
    assert login(staff["officer_b"]).post(url, {"reason": "own_request"}).status_code == 404
    assert not AuditEntry.objects.filter(action="person.export").exists()
