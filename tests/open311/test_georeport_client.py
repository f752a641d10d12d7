"""A real Open311 client from PyPI, `georeport` 0.3.1, against a live server over HTTP.

georeport reads services, service definitions and requests (JSON, or XML through
xmltodict), but cannot create requests; the POST is sent as it documents the spec — a
form-encoded body — with `requests`, the HTTP library georeport itself uses.
"""

from xml.etree import ElementTree

import pytest
import requests
from georeport import GeoReport

from gridgov.events.models import Channel, Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seeded_categories(transactional_db):
    """A live server needs committed data, so these tests run outside a rolled-back
    transaction, after which the database is emptied: the seeded categories (a data
    migration) are put back for each test."""
    from gridgov.events.catalog import seed_categories

    seed_categories()


@pytest.fixture
def client(live_server) -> GeoReport:
    return GeoReport(f"{live_server.url}/open311/v2/")


@pytest.fixture
def xml_client(live_server) -> GeoReport:
    return GeoReport(f"{live_server.url}/open311/v2", output_format="xml")


def post_request(client: GeoReport, **fields) -> requests.Response:
    return requests.post(f"{client.root_address}/requests.{client.output_format}", data=fields, timeout=10)


def test_a_round_trip_in_json(client, api_key, people, food_rule):
    # the services
    services = client.get_service_list()
    assert "food.unlicensed" in {s["service_code"] for s in services}
    assert client.get_service_definition("food.unlicensed") == {"service_code": "food.unlicensed", "attributes": []}

    # posting a request with the app's key
    response = post_request(client, api_key=api_key, service_code="food.unlicensed", lat="31.005",
                            long="120.005", description="路边无证摊点", first_name="四", last_name="李",
                            phone="13912345678")
    assert response.status_code == 201
    request_id = response.json()[0]["service_request_id"]
    assert Event.objects.get(code=request_id).channel == Channel.OPEN311

    # reading it back, alone and in the list
    one = client.get_service_request(request_id)
    assert (one["service_request_id"], one["status"], one["service_code"]) == (request_id, "open", "food.unlicensed")
    assert one["agency_responsible"] == "镇市场监管所"
    listed = client.get_service_requests(service_code="food.unlicensed", status="open")
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert client.get_service_requests(status="closed") == []
    assert "13912345678" not in str(listed) and "李四" not in str(listed)


def test_a_round_trip_in_xml(xml_client, api_key, people, food_rule):
    services = xml_client.get_service_list()
    assert "fire.lane" in {s["service_code"] for s in services}

    response = post_request(xml_client, api_key=api_key, service_code="fire.lane", address_string="幸福路 8 号",
                            description="消防通道被堵")
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    request_id = root.findtext("request/service_request_id")

    one = xml_client.get_service_request(request_id)  # xmltodict: a single <request> is a dict
    assert (one["service_request_id"], one["status"], one["address"]) == (request_id, "open", "幸福路 8 号")
    assert one["lat"] is None and one["long"] is None


def test_the_client_sees_the_spec_errors(client, api_key, food_rule):
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition("no.such")
    assert error.value.response.status_code == 404
    assert [e["code"] for e in error.value.response.json()] == [404]  # described in zh-Hans by default

    refused = post_request(client, api_key="stolen", service_code="food.unlicensed", lat="31.005", long="120.005")
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403
