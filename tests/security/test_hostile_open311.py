"""Issue 10, finding 13: the public Open311 feed never publishes text typed by staff. A
staff note naming a person and giving a phone, a grid worker's description and address, and
a photo taken by staff stay out of every public list, detail and photo link."""

import pytest
from rest_framework.test import APIClient

from gridgov.core.actors import SystemActor
from gridgov.events.models import Channel, Photo
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401

BASE = "/open311/v2"
NAME, PHONE = "王建国", "13812345678"
STAFF_NOTE = f"已联系摊主{NAME}，电话{PHONE}，责令停业"


@pytest.fixture
def public():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _submit(actor, channel, **kwargs):
    fields = {"category_code": "food.unlicensed", "channel": channel, "lat": 31.005, "lng": 120.005, **kwargs}
    return event_submit(actor=actor, submission=Submission(**fields))


def _feed_text(public, event) -> str:
    pages = [public.get(f"{BASE}/requests.json"), public.get(f"{BASE}/requests/{event.code}.json"),
             public.get(f"{BASE}/requests.xml"), public.get(f"{BASE}/requests/{event.code}.xml")]
    assert all(page.status_code == 200 for page in pages)
    return "".join(page.content.decode() for page in pages)


def test_a_staff_note_with_a_name_and_phone_is_never_published(public, people, food_rule,
                                                               django_capture_on_commit_callbacks):
    # given: a public report handled by the station with a note naming the stall keeper
    event = _submit(SystemActor("open311"), Channel.OPEN311, description="路边无证摊点", reporter_name="李四",
                    reporter_contact="13900000000")
    station = people["station"]
    event_act(actor=station, event=event, request=ActionRequest(action="accept", note=f"交{NAME}处理"))
    with django_capture_on_commit_callbacks(execute=True):
        event_act(actor=station, event=event, request=ActionRequest(action="handle", note=STAFF_NOTE,
                                                                    photos=[jpeg("after.jpg")]))

    # when
    text = _feed_text(public, event)
    row = public.get(f"{BASE}/requests/{event.code}.json").json()[0]

    # then: a fixed note for the status, the reporter's own description, no staff text
    for secret in (NAME, PHONE, "责令停业", "李四", "13900000000"):
        assert secret not in text
    assert row["status_notes"] == "Dealt with; the result is being checked on site."
    assert row["description"] == "路边无证摊点"
    staff_photo = Photo.objects.get(event=event)
    assert row["media_url"] == ""  # the only photo was taken by staff
    assert public.get(f"/track/photos/{event.code}/{staff_photo.pk}/").status_code == 404


def test_a_grid_workers_report_publishes_neither_description_nor_address(public, people, food_rule,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _submit(people["gw"], Channel.GRID_WORKER, description=f"{NAME}（{PHONE}）在门口无证经营",
                        address="幸福路 8 号 302 室", photos=[jpeg()])

    text = _feed_text(public, event)
    row = public.get(f"{BASE}/requests/{event.code}.json").json()[0]

    assert NAME not in text and PHONE not in text and "302" not in text
    assert row["description"] == row["service_name"]  # the category, not the worker's words
    assert (row["address"], row["media_url"]) == ("", "")
    photo = Photo.objects.get(event=event)
    assert public.get(f"/track/photos/{event.code}/{photo.pk}/").status_code == 404


def test_a_residents_own_photo_stays_public(public, people, food_rule, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _submit(SystemActor("public_report"), Channel.RESIDENT, description="楼下有无证烧烤摊", photos=[jpeg()])

    row = public.get(f"{BASE}/requests/{event.code}.json").json()[0]

    assert row["media_url"].endswith(f"/track/photos/{event.code}/{Photo.objects.get(event=event).pk}/")
    assert public.get(row["media_url"].removeprefix("http://testserver")).status_code == 200
