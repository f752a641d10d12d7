"""The reporter's voice: a resident reports without an account, follows the event by a
private link, rates the result and disputes a closure; nothing public ever names the
reporter, their contact or staff. Hotline callers stay private the same way."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from gridgov.events.models import Channel, Event
from gridgov.events.workflow import Status
from tests.events.conftest import jpeg
from tests.events_views.conftest import POINT_A1, act, report

CALLER_PHONE = "13912345678"
CALLER_NAME = "陈来电"
STAFF_NAMES = {"gw": "网格员 王五", "station": "所员 李四", "dispatcher": "调度 赵六"}


def resident_report(client, **fields):
    body = {"domain": "food", "category": "food.unlicensed", "description": "楼下有无证烧烤摊", **POINT_A1,
            "contact": CALLER_PHONE, "notify": "on", **fields}
    return client.post(reverse("events-report-public"), body)


@pytest.fixture
def named_staff(people):
    for key, name in STAFF_NAMES.items():
        people[key].display_name = name
        people[key].save()
    return people


@pytest.fixture
def closed_report(anon, named_staff, food_rule, django_capture_on_commit_callbacks):
    """A resident's report taken to closure by named staff, with internal notes."""
    with django_capture_on_commit_callbacks(execute=True):  # photos are written on commit (issue 10)
        response = resident_report(anon, photos=[jpeg()])
    event = Event.objects.get()
    people = named_staff
    act(people["station"], event, "accept", note="内部：摊主是惯犯")
    act(people["station"], event, "handle", note="已取缔，罚款500元", photos=[jpeg("after.jpg")])
    act(people["gw"], event, "verify", passed=True, note="核实无误")
    act(people["dispatcher"], event, "close")
    event.refresh_from_db()
    event.follow_url = response.url.split("?")[0]
    return event


def test_a_resident_reports_and_gets_the_private_follow_link(anon, food_rule):
    # when
    response = resident_report(anon, photos=[jpeg()])

    # then: an event with the contact kept encrypted, and a page with its code and link
    event = Event.objects.get()
    assert (event.channel, event.reporter_contact, event.reporter_id) == (Channel.RESIDENT, CALLER_PHONE, None)
    assert response.status_code == 302
    assert response.url == reverse("events-track", args=[event.public_token]) + "?new=1"
    body = anon.get(response.url).content.decode()
    assert event.code in body
    assert f"/track/{event.public_token}/" in body
    assert CALLER_PHONE not in body


def test_public_categories_only(anon, categories, food_rule):
    body = anon.get(reverse("events-report-public")).content.decode()
    assert 'value="fire.smoke_alarm"' not in body  # sensors only
    assert 'value="food.unlicensed"' in body

    response = resident_report(anon, domain="fire", category="fire.smoke_alarm")

    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_the_contact_is_kept_only_to_tell_the_outcome(anon, food_rule):
    # a contact without asking to be told is refused rather than silently kept
    assert resident_report(anon, notify="").status_code == 400
    # asking to be told needs a contact
    assert resident_report(anon, contact="").status_code == 400
    # a wrong contact
    assert resident_report(anon, contact="12345").status_code == 400
    assert Event.objects.count() == 0
    # no contact at all is fine
    assert resident_report(anon, contact="", notify="").status_code == 302
    assert Event.objects.get().reporter_contact == ""


def test_reports_are_limited_per_address(anon, food_rule):
    # given: ten reports in the hour from one address
    for n in range(10):
        assert resident_report(anon, description=f"第{n}个摊位").status_code == 302

    # when
    response = resident_report(anon, description="第十一个")

    # then
    assert response.status_code == 429
    assert "Please wait an hour" in response.content.decode()
    assert Event.objects.count() == 10


def test_the_follow_page_never_names_the_reporter_or_staff(anon, closed_report):
    body = anon.get(closed_report.follow_url).content.decode()

    assert closed_report.code in body
    assert "Closed" in body
    for secret in (CALLER_PHONE, *STAFF_NAMES.values(), "内部：摊主是惯犯", "已取缔，罚款500元", "核实无误",
                   "镇市场监管所"):
        assert secret not in body, secret
    # the steps, by time and name only
    assert "Report received" in body and "Handled" in body and "Checked on site" in body


def test_public_photos_have_no_location(anon, closed_report):
    body = anon.get(closed_report.follow_url).content.decode()
    photo = closed_report.photos.first()
    url = reverse("events-track-photo", args=[closed_report.public_token, photo.pk])
    assert url in body

    response = anon.get(url)

    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert 0x8825 not in image.getexif()  # no GPS block


def test_the_reporter_rates_the_closed_event(anon, closed_report):
    url = reverse("events-track-rate", args=[closed_report.public_token])

    response = anon.post(url, {"rating": "4", "comment": "处理及时"})

    assert response.status_code == 302
    closed_report.refresh_from_db()
    assert closed_report.reporter_rating == 4
    assert "Thank you for rating" in anon.get(response.url).content.decode()


def test_the_reporter_disputes_the_closure(anon, named_staff, closed_report):
    url = reverse("events-track-dispute", args=[closed_report.public_token])

    response = anon.post(url, {"reason": "晚上摊位又来了"})

    assert response.status_code == 302
    closed_report.refresh_from_db()
    assert closed_report.status == Status.HANDLED and closed_report.step == "verify"
    # the worker finds it in the verify queue again
    from django.test import Client

    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(named_staff["gw"])
    assert closed_report.code in worker.get(reverse("events-mobile"), {"tab": "verify"}).content.decode()


def test_an_open_event_offers_no_rating_and_refuses_one(anon, food_rule):
    resident_report(anon)
    event = Event.objects.get()

    body = anon.get(reverse("events-track", args=[event.public_token])).content.decode()
    response = anon.post(reverse("events-track-rate", args=[event.public_token]), {"rating": "5"})

    assert 'id="rate-form"' not in body and 'id="dispute-form"' not in body
    assert response.status_code == 409
    event.refresh_from_db()
    assert event.reporter_rating is None


def test_a_dispute_needs_a_reason(anon, closed_report):
    response = anon.post(reverse("events-track-dispute", args=[closed_report.public_token]), {"reason": ""})

    assert response.status_code == 400
    closed_report.refresh_from_db()
    assert closed_report.status == Status.CLOSED


def test_the_code_lookup_shows_status_without_rating_or_personal_data(anon, closed_report):
    response = anon.get(reverse("events-track-lookup"), {"code": closed_report.code})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Closed" in body and "Report received" in body
    assert 'id="rate-form"' not in body and 'id="dispute-form"' not in body
    assert closed_report.public_token not in body
    for secret in (CALLER_PHONE, *STAFF_NAMES.values(), "已取缔，罚款500元"):
        assert secret not in body


def test_the_code_lookup_for_an_unknown_code(anon, db):
    response = anon.get(reverse("events-track-lookup"), {"code": "990101-20260101-0001"})

    assert response.status_code == 404
    assert "No event has this code." in response.content.decode()


def test_a_personal_matter_is_not_named_in_the_code_lookup(anon, people, categories):
    event = report(people["gw"], category="dispute.family", description="夫妻争吵")

    body = anon.get(reverse("events-track-lookup"), {"code": event.code}).content.decode()

    assert "A personal matter" in body and "婚姻家庭纠纷" not in body


def test_hotline_intake_keeps_the_caller_private(login, anon, named_staff, food_rule):
    # given: a dispatcher registers a call with the caller's name and phone
    client = login(named_staff["dispatcher"])
    response = client.post(reverse("events-hotline"), {
        "domain": "food", "category": "food.unlicensed", "urgency": "ordinary",
        "description": "来电反映菜场门口有无证摊贩", "address": "幸福路8号", **POINT_A1,
        "caller_name": CALLER_NAME, "caller_phone": CALLER_PHONE, "idempotency_key": "call-1",
    })

    # then: the event is routed like any other, the caller kept encrypted
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse("events-detail", args=[event.pk]) + "?sent=1"
    assert (event.channel, event.reporter_name, event.reporter_contact) == (Channel.HOTLINE, CALLER_NAME, CALLER_PHONE)
    assert event.status == Status.DISPATCHED
    # and never shown: not on the staff pages, not on any public page
    pages = [
        client.get(reverse("events-detail", args=[event.pk])),
        client.get(reverse("events-queue")),
        login(named_staff["station"]).get(reverse("events-detail", args=[event.pk])),
        anon.get(reverse("events-track", args=[event.public_token])),
        anon.get(reverse("events-track-lookup"), {"code": event.code}),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert CALLER_PHONE not in body and CALLER_NAME not in body


def test_hotline_intake_without_a_point_is_filed_under_the_dispatchers_area(login, people, food_rule, departments):
    client = login(people["dispatcher"])

    response = client.post(reverse("events-hotline"), {
        "domain": "food", "category": "food.unlicensed", "urgency": "ordinary",
        "description": "来电反映无证摊贩", "address": "幸福路8号",
    })

    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.org_code, event.address) == (people["dispatcher"].scope_code, "幸福路8号")
    assert event.department == departments["market"]  # the county's rule, no station without a cell


def test_hotline_intake_needs_an_address_or_a_point(login, people, food_rule):
    response = login(people["dispatcher"]).post(reverse("events-hotline"), {
        "domain": "food", "category": "food.unlicensed", "urgency": "ordinary", "description": "来电"})

    assert response.status_code == 400
    assert Event.objects.count() == 0
