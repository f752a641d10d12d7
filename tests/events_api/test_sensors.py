"""Sensors raise events with `Authorization: Sensor <key>`; a device that keeps alarming
adds notes to the open event instead of opening new ones."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.events.models import Channel, Event, IntakeKey, TimelineEntry
from tests.factories import Tree

URL = "/api/v1/sensors/events/"


def make_key(*extra) -> str:
    out = io.StringIO()
    call_command("sensor_key", "create", "--name", "3号楼电动车棚", "--org", Tree.CELL_A1, "--lat", "31.004",
                 "--lng", "120.004", "--category", "fire.ebike_shed_alarm", *extra, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def sensor(tree, categories):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Sensor {make_key()}")
    return client


def alarm(client, **body):
    return client.post(URL, {"description": "电池温度过高", "readings": {"temperature_c": 87.5}, **body},
                       format="json")


def test_the_key_command_prints_the_key_last_and_stores_only_its_hash(tree, categories):
    secret = make_key()

    key = IntakeKey.objects.get()
    assert (key.kind, key.org_code, key.default_category.code) == ("sensor", Tree.CELL_A1, "fire.ebike_shed_alarm")
    assert secret.startswith(key.prefix) and secret not in (key.key_hash, key.prefix)
    assert len(secret) == 40


def test_a_sensor_alarm_raises_an_urgent_event_where_the_device_stands(sensor, people):
    response = alarm(sensor, occurred_at="2026-03-01T10:00:00+08:00")

    assert response.status_code == 201, response.json()
    body = response.json()
    event = Event.objects.get()
    assert (body["id"], body["channel"], body["urgency"]) == (event.pk, "sensor", "urgent")
    assert (body["category"], body["grid_code"]) == ("fire.ebike_shed_alarm", Tree.CELL_A1)
    assert (body["lat"], body["lng"]) == (31.004, 120.004)
    entry = event.timeline.get()
    assert entry.actor_label == "3号楼电动车棚"
    assert entry.extra["readings"] == {"temperature_c": 87.5}
    assert entry.extra["occurred_at"] == "2026-03-01T10:00:00+08:00"


def test_a_repeat_within_ten_minutes_is_a_note_on_the_open_event(sensor, people):
    first = alarm(sensor).json()

    again = alarm(sensor, description="温度继续升高", readings={"temperature_c": 95})

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Event.objects.count() == 1
    note = TimelineEntry.objects.filter(action="sensor_alert").get()
    assert (note.note, note.extra["readings"]) == ("温度继续升高", {"temperature_c": 95})


def test_a_repeat_after_ten_minutes_of_silence_is_a_new_event(sensor, people):
    first = alarm(sensor).json()
    TimelineEntry.objects.filter(event_id=first["id"]).update(at=timezone.now() - datetime.timedelta(minutes=11))

    again = alarm(sensor)

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


def test_an_alarm_after_the_event_closed_is_a_new_event(sensor, people):
    first = alarm(sensor).json()
    Event.objects.filter(pk=first["id"]).update(status="cancelled")

    assert alarm(sensor).status_code == 201
    assert Event.objects.count() == 2


def test_another_category_from_the_same_device_is_its_own_event(sensor, people):
    alarm(sensor)

    response = alarm(sensor, category="fire.smoke_alarm")

    assert response.status_code == 201
    assert Event.objects.filter(channel=Channel.SENSOR).count() == 2


def test_another_device_in_the_same_place_opens_its_own_event(sensor, people):
    alarm(sensor)
    other = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    other.credentials(HTTP_AUTHORIZATION=f"Sensor {make_key()}")

    assert alarm(other).status_code == 201


@pytest.mark.parametrize("header", [None, "Sensor wrong-key", "Sensor", "Token abc"])
def test_no_valid_sensor_key_is_401(categories, header):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = alarm(client)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Event.objects.exists()


def test_a_revoked_key_is_401(tree, categories):
    secret = make_key()
    call_command("sensor_key", "revoke", secret[:8], stdout=io.StringIO())
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Sensor {secret}")

    assert alarm(client).status_code == 401


def test_an_unknown_category_is_400_and_creates_nothing(sensor):
    response = alarm(sensor, category="fire.no_such_alarm")

    assert response.status_code == 400
    assert "category" in response.json()["fields"]
    assert not Event.objects.exists()


def test_a_sensor_key_command_with_a_point_outside_its_cell_fails(tree, categories):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="outside the given org unit"):
        call_command("sensor_key", "create", "--name", "x", "--org", Tree.CELL_A2, "--lat", "31.004",
                     "--lng", "120.004", "--category", "fire.smoke_alarm", stdout=io.StringIO())
    assert not IntakeKey.objects.exists()
