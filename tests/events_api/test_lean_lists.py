"""The lean event lists (issue 12): the events API list and the public Open311 list build their
rows from `values()` with a hand-written serialiser, and must answer byte for byte what the
DRF serialiser over full `Event` instances answered before. The old row builders are kept
here, as they were, as the reference; each case compares the whole response body.

Also: exact query counts that do not grow with the rows, the Open311 list's short-lived
cache (the same body for everyone asking the same question) and its `page` parameter."""

import datetime
import json

import pytest
import time_machine
from django.core.serializers.json import DjangoJSONEncoder
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from gridgov.core.models import HolidayOverride, WorkSchedule
from gridgov.events import selectors
from gridgov.events.api.common import EventSerializer
from gridgov.events.api.open311 import PUBLIC_CHANNELS
from gridgov.events.deadlines import step_light
from gridgov.events.models import Channel, Event, Photo
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from gridgov.events.workflow import FINISHED_STATUSES, Status
from tests.events_api.conftest import POINT_A1, POINT_B1
from tests.factories import Tree, make_api_token, make_user

URL = "/api/v1/events/"
OPEN311 = "/open311/v2/requests"


# --- the reference: the rows as they were built before issue 12 made them lean ----------------


def _old_local(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.localtime(value) if value else None


def old_event_row(event, *, calendars, now) -> dict:
    department = event.department
    return {
        "id": event.pk, "code": event.code, "status": event.status, "category": event.category.code,
        "category_name": event.category.name, "urgency": event.urgency, "channel": event.channel,
        "description": event.description, "grid_code": event.org_code, "lat": event.lat, "lng": event.lng,
        "address": event.address, "place": event.place_id,
        "department": {"code": department.code, "name": department.name} if department else None,
        "step": event.step or None, "step_deadline": event.step_deadline,
        "deadlines": {step: _old_local(at) for step, at in (event.deadlines or {}).items() if at},
        "light": step_light(event, calendars, now), "rework_count": event.rework_count,
        "created_at": event.created_at, "updated_at": event.updated_at, "closed_at": event.closed_at,
    }


def old_events_body(response) -> bytes:
    """The body the DRF serialiser made of the same page of full `Event` instances."""
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    by_id = Event.objects.select_related("category", "department").in_bulk(ids)
    events = [by_id[pk] for pk in ids]
    calendars = selectors.work_calendars_for(e.org_code for e in events)
    now = timezone.now()
    results = EventSerializer([old_event_row(e, calendars=calendars, now=now) for e in events], many=True).data
    return JSONRenderer().render({"next": body["next"], "previous": body["previous"], "results": results})


def _old_iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _old_status_note(status):
    from gridgov.events.api.open311 import _status_note

    return _status_note(status)


def old_request_row(event, request) -> dict:
    personal = selectors.is_personal_category(event.category.code)
    published = event.channel in PUBLIC_CHANNELS and not personal
    photos = [p for p in getattr(event, "photo_list", ()) if selectors.photo_is_published(event, p)] \
        if published else []
    agency = event.department or event.owner_department
    return {
        "service_request_id": event.code,
        "status": "closed" if event.status in FINISHED_STATUSES else "open",
        "status_notes": _old_status_note(event.status),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description if published else ("" if personal else event.category.name),
        "agency_responsible": agency.name if agency else "",
        "service_notice": "",
        "requested_datetime": _old_iso(event.created_at),
        "updated_datetime": _old_iso(event.updated_at),
        "expected_datetime": _old_iso(event.handle_deadline),
        "address": event.address if published else "",
        "address_id": "",
        "zipcode": "",
        "lat": None if personal else event.lat,
        "long": None if personal else event.lng,
        "media_url": request.build_absolute_uri(reverse("events-public-photo", args=[event.code, photos[0].pk]))
        if photos else "",
    }


def old_open311_body(codes: list[str], *, language: str) -> bytes:
    from django.utils import translation

    by_code = {e.code: e for e in selectors.public_events().filter(code__in=codes)}
    request = RequestFactory().get("/")
    with translation.override(language):
        rows = [old_request_row(by_code[code], request) for code in codes]
    return json.dumps(rows, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


# --- the data: every kind of field ------------------------------------------------------------


@pytest.fixture
def frozen():
    """Time stands still during a test (at the real moment: the month's partition exists), so
    that the reference's traffic lights are computed at the instant the view's were."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def submit(actor, category="food.unlicensed", **kwargs):
    fields = {"category_code": category, "description": "无证摊点", "channel": Channel.GRID_WORKER, **POINT_A1,
              **kwargs}
    return event_submit(actor=actor, submission=Submission(**fields))


@pytest.fixture
def resident(tree):
    return make_user("resident", scope="")


@pytest.fixture
def rich(people, food_rule, resident, frozen, django_capture_on_commit_callbacks):
    """Events of county A in every shape a row can take, one of county B, and a resident's own."""
    from gridgov.register.models import Place
    from tests.events.conftest import jpeg

    now = timezone.now()
    gw, station, dispatcher = people["gw"], people["station"], people["dispatcher"]
    # working time round the clock these days, so that the lights below are green, yellow, red
    WorkSchedule.objects.create(org_code="99", morning_start=datetime.time(0, 0), morning_end=datetime.time(12, 0),
                                afternoon_start=datetime.time(12, 0), afternoon_end=datetime.time(23, 59, 59))
    HolidayOverride.objects.bulk_create(HolidayOverride(date=timezone.localdate() + datetime.timedelta(days=d),
                                                        is_workday=True) for d in range(-3, 4))
    dispatched = submit(gw, description='带"引号"、<b>标签</b> & 换行\n\t与 \u2028 分隔 🚒')
    accepted = submit(gw, lat=31.006)
    event_act(actor=station, event=accepted, request=ActionRequest(action="accept"))
    yellow = submit(gw, lat=31.0065)
    Event.objects.filter(pk=yellow.pk).update(step_started_at=now - datetime.timedelta(minutes=54),
                                              step_deadline=now + datetime.timedelta(minutes=6))
    red = submit(gw, lat=31.0066)
    Event.objects.filter(pk=red.pk).update(step_deadline=now - datetime.timedelta(minutes=1), rework_count=2)
    lane = submit(gw, category="fire.lane", description="消防通道堵塞", lat=31.007)  # registered, no unit
    closed = submit(gw, category="fire.lane", lat=31.008, fixed_on_site_note="已挪走")  # closed at once
    no_point = submit(gw, lat=31.0085)
    Event.objects.filter(pk=no_point.pk).update(lat=None, lng=None, address="幸福路 8 号")
    place = Place.objects.create(org_code=Tree.CELL_A1, name="老王小吃", kind="restaurant", lat=31.005, lng=120.005)
    at_place = submit(gw, lat=31.009)
    Event.objects.filter(pk=at_place.pk).update(
        place_id=place.pk, created_at=now.replace(microsecond=0) - datetime.timedelta(days=2),
        deadlines={"dispatch": "2026-01-05T01:02:03.123456Z", "accept": None, "handle": "2026-01-06T10:00:00+08:00",
                   "verify": ""})
    hotline = submit(dispatcher, channel=Channel.HOTLINE, reporter_name="赵六", reporter_contact="13800009999",
                     lat=31.0095)
    with django_capture_on_commit_callbacks(execute=True):
        own = submit(resident, channel=Channel.RESIDENT, description="楼下占道", lat=31.0098, photos=[jpeg()])
    other_county = submit(make_user("gwb", "grid_worker", scope=Tree.CELL_B1, cells=[Tree.CELL_B1]), **POINT_B1)
    return {"dispatched": dispatched, "accepted": accepted, "yellow": yellow, "red": red, "lane": lane,
            "closed": closed, "no_point": no_point, "at_place": at_place, "hotline": hotline, "own": own,
            "other_county": other_county}


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


# --- 1. the events API list: the same bytes -----------------------------------------------------


QUERIES = [
    {}, {"status": "dispatched,accepted"}, {"category": "food"}, {"org": Tree.VILLAGE_A},
    {"department": "990101001-market"}, {"overdue": "true"},
    {"since": "2020-01-01", "until": "2100-12-31"}, {"since": "2100-01-01"},
]


@pytest.mark.parametrize("who", ["dispatcher", "station", "department", "gw"])
def test_the_events_list_answers_the_same_bytes(people, rich, who):
    for language in ("en", "zh-hans"):
        client = api(people[who], language)
        for query in QUERIES:
            response = client.get(URL, query)

            assert response.status_code == 200, (language, query)
            assert response["Content-Type"] == "application/json"
            assert response.content == old_events_body(response), (language, query)


def test_the_rows_cover_every_kind_of_field(people, rich):
    # the cases above are only as good as the rows they compare: all kinds are on this page
    rows = {row["code"]: row for row in api(people["dispatcher"]).get(URL).json()["results"]}

    assert rich["other_county"].code not in rows
    assert {rows[rich[name].code]["light"] for name in ("dispatched", "yellow", "red", "closed")} == {
        "green", "yellow", "red", None}
    assert rows[rich["lane"].code]["department"] is None and rows[rich["lane"].code]["step"] == "dispatch"
    assert rows[rich["dispatched"].code]["department"] == {"code": "990101001-market", "name": "镇市场监管所"}
    assert rows[rich["closed"].code]["closed_at"] and rows[rich["closed"].code]["step"] is None
    assert (rows[rich["no_point"].code]["lat"], rows[rich["no_point"].code]["address"]) == (None, "幸福路 8 号")
    at_place = rows[rich["at_place"].code]
    assert at_place["place"] and at_place["deadlines"] == {
        "dispatch": "2026-01-05T09:02:03.123456+08:00", "handle": "2026-01-06T10:00:00+08:00"}
    assert "." not in at_place["created_at"] and "." in rows[rich["lane"].code]["created_at"]
    assert rows[rich["red"].code]["rework_count"] == 2
    assert "赵六" not in json.dumps(rows, ensure_ascii=False)  # the hotline caller is never listed


@pytest.mark.parametrize("query", [{"page_size": 3}, {"page_size": 3, "since": "2020-01-01"}])
def test_every_page_by_cursor_answers_the_same_bytes(people, rich, query):
    client = api(people["dispatcher"])
    response, seen = client.get(URL, query), []
    while True:
        assert response.content == old_events_body(response)
        seen += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])
    previous = client.get(response.json()["previous"])

    assert previous.content == old_events_body(previous)
    expected = selectors.events_visible_to(people["dispatcher"]).order_by(
        *(("-created_at", "-id") if "since" in query else ("-id",)))
    assert seen == [e.pk for e in expected]


def test_a_resident_lists_their_own_reports_the_same(rich, resident):
    response = api(resident).get(URL)

    assert [row["code"] for row in response.json()["results"]] == [rich["own"].code]
    assert response.content == old_events_body(response)


def test_the_detail_and_the_new_report_keep_their_shape(people, rich, frozen):
    from gridgov.events.api.common import EventDetailSerializer

    event = Event.objects.select_related("category", "department").get(pk=rich["at_place"].pk)
    calendars = selectors.work_calendars_for([event.org_code])
    body = api(people["dispatcher"]).get(f"{URL}{event.pk}/").json()

    old = EventDetailSerializer({**old_event_row(event, calendars=calendars, now=timezone.now()),
                                 "timeline": []}).data
    assert {k: v for k, v in body.items() if k != "timeline"} == {k: v for k, v in old.items() if k != "timeline"}
    assert list(body) == list(old)


# --- 2. the events API list: queries that do not grow with the rows ---------------------------


@pytest.fixture
def many(people, food_rule):
    def make(n):
        events = [submit(people["gw"], lat=31.001 + i * 0.0002) for i in range(n)]
        event_act(actor=people["station"], event=events[0], request=ActionRequest(action="accept"))
        return events
    return make


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(("query", "queries"), [
    # token, roles, the page (category and department joined), working hours, holidays
    ({}, 5), ({"status": "dispatched,accepted"}, 5), ({"since": "2020-01-01", "until": "2100-12-31"}, 5),
    # … and the department's id, looked up first (its code is not compared in a subquery)
    ({"department": "990101001-market"}, 6),
])
def test_the_events_list_costs_the_same_queries_whatever_its_length(
        people, many, django_assert_num_queries, count, query, queries):
    many(count)
    client = api(people["dispatcher"])

    with django_assert_num_queries(queries):
        response = client.get(URL, {**query, "page_size": 100})

    assert len(response.json()["results"]) == count


# --- 3. the Open311 list: the same bytes ------------------------------------------------------


@pytest.fixture
def public_rich(rich, people, django_capture_on_commit_callbacks):
    """On top of `rich`: an Open311 report with its reporter's photo and a staff photo, a
    personal matter, and one of a category the public never sees."""
    from gridgov.core.actors import SystemActor
    from tests.events.conftest import jpeg

    with django_capture_on_commit_callbacks(execute=True):
        app = event_submit(actor=SystemActor("intake_key"), submission=Submission(
            category_code="food.unlicensed", description="路边无证摊点", channel=Channel.OPEN311, lat=31.0052,
            lng=120.0052, address="人民路 1 号", photos=[jpeg("app.jpg")]))
        event_act(actor=people["station"], event=rich["accepted"], request=ActionRequest(
            action="handle", note="已取缔", photos=[jpeg("after.jpg")]))
        personal = event_submit(actor=SystemActor("intake_key"), submission=Submission(
            category_code="dispute.family", description="家暴", channel=Channel.OPEN311, lat=31.0053,
            lng=120.0053, photos=[jpeg("family.jpg")]))
    hidden = submit(people["gw"], category="youth.school_dropout", description="学生辍学", lat=31.0054)
    Event.objects.filter(pk=rich["closed"].pk).update(status=Status.EVALUATED)
    assert Photo.objects.filter(event=app).exists()
    return {**rich, "app": app, "personal": personal, "hidden": hidden}


def listed_codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["service_request_id"] for row in response.json()]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_open311_list_answers_the_same_bytes(public_rich, language):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    for query in ({}, {"status": "open"}, {"status": "closed"}, {"service_code": "food.unlicensed,dispute.family"},
                  {"page_size": "4"}, {"start_date": "2020-01-01", "end_date": "2100-01-01"}):
        response = client.get(f"{OPEN311}.json", query)

        codes = listed_codes(response)
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.content == old_open311_body(codes, language=language), query


def test_the_open311_rows_cover_every_kind_of_field(public_rich):
    rows = {row["service_request_id"]: row for row in APIClient().get(f"{OPEN311}.json").json()}

    assert public_rich["hidden"].code not in rows and public_rich["other_county"].code in rows
    assert rows[public_rich["app"].code]["media_url"].startswith("http://testserver/track/photos/")
    assert rows[public_rich["app"].code]["address"] == "人民路 1 号"
    assert rows[public_rich["accepted"].code]["media_url"] == ""  # a staff photo is never published
    assert rows[public_rich["personal"].code]["lat"] is None and rows[public_rich["personal"].code]["media_url"] == ""
    assert rows[public_rich["own"].code]["description"] == "楼下占道"  # a resident's own words
    assert rows[public_rich["dispatched"].code]["description"] == "无证经营"  # a grid worker's: the category
    assert rows[public_rich["closed"].code]["status"] == "closed"
    assert rows[public_rich["lane"].code]["agency_responsible"] == ""


def test_the_open311_list_is_newest_first_as_before(public_rich):
    codes = listed_codes(APIClient().get(f"{OPEN311}.json", {"page_size": "1000"}))

    expected = selectors.public_events().order_by("-created_at", "-id").values_list("code", flat=True)
    assert codes == list(expected)


def test_the_open311_detail_keeps_its_bytes(public_rich):
    for name in ("app", "personal", "dispatched", "closed"):
        code = public_rich[name].code
        response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"{OPEN311}/{code}.json")

        assert response.content == old_open311_body([code], language="en")


# --- 4. the Open311 list: queries, the short-lived cache, pages --------------------------------


def open311_events(n, *, channel=Channel.OPEN311):
    from gridgov.core.actors import SystemActor

    return [event_submit(actor=SystemActor("intake_key"), submission=Submission(
        category_code="food.unlicensed", description=f"摊点 {i}", channel=channel, lat=31.001 + i * 0.0002,
        lng=120.005)) for i in range(n)]


@pytest.mark.parametrize("count", [3, 30])
def test_the_open311_list_costs_the_same_queries_and_none_from_the_cache(
        food_rule, django_assert_num_queries, count):
    open311_events(count)
    client = APIClient()

    with django_assert_num_queries(2):  # the page (category and units joined), its reporters' photos
        first = client.get(f"{OPEN311}.json", {"page_size": "100"})
    with django_assert_num_queries(0):  # the same question again, within the cache's seconds
        again = client.get(f"{OPEN311}.json", {"page_size": "100"})

    assert len(first.json()) == count and again.content == first.content


def test_a_page_of_staff_reports_reads_no_photos(people, food_rule, django_assert_num_queries):
    for i in range(3):
        submit(people["gw"], lat=31.001 + i * 0.0002)

    with django_assert_num_queries(1):  # only the page: no row of it may show a photo
        rows = APIClient().get(f"{OPEN311}.json").json()

    assert [row["media_url"] for row in rows] == ["", "", ""]


def test_the_cached_list_is_the_same_answer_for_the_same_question_only(food_rule):
    # given: an answer in the cache
    [first] = open311_events(1)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    before = client.get(f"{OPEN311}.json", {"status": "open"})

    # when: a request changes, and the same question (spelled differently) is asked at once
    Event.objects.filter(pk=first.pk).update(description="改过的描述")
    same = client.get(f"{OPEN311}.json", {"status": "open,", "page_size": "50", "utm": "x"})

    # then: the answer is the cached one; other questions, formats and languages are answered anew
    assert same.content == before.content and "改过的描述" not in same.content.decode()
    assert "改过的描述" in client.get(f"{OPEN311}.json", {"status": "open", "page_size": "49"}).content.decode()
    assert "改过的描述" in client.get(f"{OPEN311}.xml", {"status": "open"}).content.decode()
    chinese = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"{OPEN311}.json", {"status": "open"})
    assert "改过的描述" in chinese.content.decode() and chinese.json()[0]["status_notes"] != before.json()[0][
        "status_notes"]
    assert same["Content-Type"] == before["Content-Type"] == "application/json; charset=utf-8"


def test_the_cached_list_expires_after_its_seconds(food_rule):
    [first] = open311_events(1)
    client = APIClient()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get(f"{OPEN311}.json")
        Event.objects.filter(pk=first.pk).update(description="改过的描述")
        clock.shift(datetime.timedelta(seconds=6))  # past GRIDGOV_OPEN311_LIST_CACHE_SECONDS (5)

        assert "改过的描述" in client.get(f"{OPEN311}.json").content.decode()


@override_settings(GRIDGOV_OPEN311_LIST_CACHE_SECONDS=0)
def test_no_cache_when_its_seconds_are_zero(food_rule, django_assert_num_queries):
    open311_events(2)
    client = APIClient()
    client.get(f"{OPEN311}.json")

    with django_assert_num_queries(2):
        client.get(f"{OPEN311}.json")


@override_settings(GRIDGOV_OPEN311_READ_RATE="2/minute")
def test_cached_answers_still_count_against_the_read_rate(food_rule):
    open311_events(1)
    client = APIClient()

    assert [client.get(f"{OPEN311}.json").status_code for _ in range(3)] == [200, 200, 429]


def test_pages_follow_each_other_newest_first(food_rule):
    events = open311_events(7)
    client = APIClient()

    pages = [listed_codes(client.get(f"{OPEN311}.json", {"page_size": "3", "page": str(n)})) for n in (1, 2, 3, 4)]

    assert pages[0] == listed_codes(client.get(f"{OPEN311}.json", {"page_size": "3"}))  # page 1 is the default
    assert pages[0] + pages[1] + pages[2] == [e.code for e in reversed(events)]
    assert (len(pages[2]), pages[3]) == (1, [])


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page": "-1"},
                                    {"page": "11", "page_size": "1000"}, {"page": "201"}])
def test_a_bad_or_too_deep_page_is_400(db, params):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"{OPEN311}.json", params)

    assert response.status_code == 400 and response.json()[0]["code"] == 400
    assert "page" in response.json()[0]["description"]


def test_a_page_at_the_deepest_allowed_is_answered(db):
    assert APIClient().get(f"{OPEN311}.json", {"page": "10", "page_size": "1000"}).json() == []
