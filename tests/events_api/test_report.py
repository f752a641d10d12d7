"""Reporting an event over the API: JSON or multipart with photos, the channel of the
sender, idempotent retries, and invalid input that changes nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core.models import IdempotencyRecord
from gridgov.events.models import Channel, Event, Photo
from tests.events_api.conftest import POINT_A1, POINT_B1, jpeg, report
from tests.factories import Tree

URL = "/api/v1/events/"
ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def test_a_grid_workers_report_is_registered_routed_and_timed(client_for, people, food_rule):
    # when
    response = report(client_for(people["gw"]))

    # then
    assert response.status_code == 201
    body = response.json()
    event = Event.objects.get()
    assert body["id"] == event.pk and re.fullmatch(r"990101-\d{8}-\d{4,6}", body["code"])
    assert body["status"] == "dispatched"
    assert body["grid_code"] == Tree.CELL_A1
    assert body["department"] == {"code": "990101001-market", "name": "镇市场监管所"}
    assert set(body["deadlines"]) == {"dispatch", "accept"}
    assert all(ISO_LOCAL.match(at) for at in body["deadlines"].values())
    assert ISO_LOCAL.match(body["step_deadline"]) and ISO_LOCAL.match(body["created_at"])
    assert body["step"] == "accept" and body["light"] == "green"
    assert (body["category"], body["urgency"], body["channel"]) == ("food.unlicensed", "ordinary", "grid_worker")
    assert (body["lat"], body["lng"], body["address"]) == (31.005, 120.005, "")
    assert body["description"] == "路边无证小吃摊"
    assert body["possible_duplicates"] == []


def test_a_second_report_nearby_lists_the_first_as_a_possible_duplicate(client_for, people, food_rule):
    client = client_for(people["gw"])
    first = report(client).json()

    second = report(client, lat=31.0052).json()

    assert second["possible_duplicates"] == [{"id": first["id"], "code": first["code"], "distance_m": 22}]


def test_a_report_with_photos_as_multipart(client_for, people, food_rule):
    # given
    client = client_for(people["gw"])
    body = {"category": "food.unlicensed", "description": "无证摊点", "lat": "31.005", "lng": "120.005",
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")]}

    # when
    response = client.post(URL, body, format="multipart")

    # then
    assert response.status_code == 201, response.json()
    event = Event.objects.get(pk=response.json()["id"])
    photos = list(Photo.objects.filter(event=event))
    assert len(photos) == 2
    assert all(photo.entry.action == "register" for photo in photos)


def test_a_dispatcher_types_a_citizens_call_as_a_hotline_report(client_for, people, food_rule):
    response = report(client_for(people["dispatcher"]), reporter_name="王五", reporter_contact="13900001111")

    assert response.status_code == 201
    event = Event.objects.get()
    assert event.channel == Channel.HOTLINE
    assert (event.reporter_name, event.reporter_contact) == ("王五", "13900001111")
    assert "王五" not in response.content.decode() and "13900001111" not in response.content.decode()


def test_a_resident_reports_as_a_resident_and_their_contact_fields_are_ignored(client_for, resident, food_rule):
    response = report(client_for(resident), reporter_name="冒名", reporter_contact="13900001111")

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.channel, event.reporter, event.reporter_name) == (Channel.RESIDENT, resident, "")


def test_a_resident_cannot_report_a_category_only_staff_report(client_for, resident, categories):
    response = report(client_for(resident), category="fire.smoke_alarm")

    assert response.status_code == 400
    assert response.json()["fields"]["category"] == ["This category cannot be reported by the public."]
    assert not Event.objects.exists()


def test_a_report_by_address_only_lands_in_the_reporters_area(client_for, people, food_rule):
    response = report(client_for(people["dispatcher"]), lat=None, lng=None, address="幸福路 8 号")

    assert response.status_code == 201
    assert response.json()["grid_code"] == Tree.COUNTY_A
    assert response.json()["address"] == "幸福路 8 号"


# --- idempotency ---------------------------------------------------------------------------


def test_resubmitting_with_the_same_key_returns_the_first_answer_and_creates_one_event(client_for, people, food_rule):
    # given
    client = client_for(people["gw"])
    first = report(client, headers={"Idempotency-Key": "phone-7f3a"})

    # when
    again = report(client, headers={"Idempotency-Key": "phone-7f3a"})

    # then
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1


def test_a_multipart_retry_with_the_key_in_the_body_creates_nothing_new(client_for, people, food_rule):
    client = client_for(people["gw"])
    body = {"category": "food.unlicensed", "description": "无证摊点", "idempotency_key": "k-1", **POINT_A1}

    first = client.post(URL, {**body, "photos": [jpeg()]}, format="multipart")
    again = client.post(URL, {**body, "photos": [jpeg()]}, format="multipart")

    assert again.json() == first.json()
    assert (Event.objects.count(), Photo.objects.count()) == (1, 1)
    assert IdempotencyRecord.objects.filter(user=people["gw"], key="k-1").count() == 1


# --- invalid input changes nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": "food.no_such_thing"}, "category", "Unknown event category."),
        ({"category": "food"}, "category", "Choose a more specific category."),
        ({"lat": 40.0, "lng": 116.0}, "lat", "This point lies outside the area we serve."),
        ({"lat": None, "lng": None}, "lat", "Give the location: a point on the map or an address."),
        ({"lat": 91}, "lat", "Ensure this value is less than or equal to 90."),
        ({"description": " "}, "description", "Describe the problem."),
        ({"urgency": "whenever"}, "urgency", '"whenever" is not a valid choice.'),
    ],
)
def test_invalid_input_is_400_with_the_field_and_creates_nothing(client_for, people, food_rule, overrides,
                                                                 field, message):
    response = report(client_for(people["gw"]), **overrides)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert message in response.json()["fields"][field]
    assert not Event.objects.exists()


def test_a_file_that_is_not_an_image_is_400_and_creates_nothing(client_for, people, food_rule):
    client = client_for(people["gw"])
    fake = SimpleUploadedFile("photo.jpg", b"this is not a JPEG", content_type="image/jpeg")

    response = client.post(URL, {"category": "food.unlicensed", "description": "无证摊点", **POINT_A1,
                                 "photos": [jpeg("ok.jpg"), fake]}, format="multipart")

    assert response.status_code == 400
    assert response.json()["fields"]["photos"] == ["Photo 2 cannot be read as an image."]
    assert not Event.objects.exists() and not Photo.objects.exists()


def test_a_grid_worker_reporting_outside_their_grid_is_403(client_for, people, food_rule):
    response = report(client_for(people["gw"]), **POINT_B1)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Event.objects.exists()


def test_reporting_needs_a_sign_in(anon, food_rule):
    response = report(anon)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
