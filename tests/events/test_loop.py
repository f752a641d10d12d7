import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import AuditEntry, Notification
from gridgov.events.models import Channel, Event, Photo, RoutingRule
from gridgov.events.routing import find_route
from gridgov.events.selectors import access_event, events_visible_to, possible_duplicates
from gridgov.events.services import ActionRequest, Submission, event_act, event_merge, event_submit
from gridgov.events.workflow import TRANSITIONS, Status, state_allows
from tests.events.conftest import jpeg
from tests.factories import Tree

POINT_A1 = {"lat": 31.005, "lng": 120.005}


def submit(actor, category="food.unlicensed", **kwargs):
    fields = {"category_code": category, "description": "路边无证小吃摊", "channel": Channel.GRID_WORKER,
              **POINT_A1, **kwargs}
    # As when the submission commits: its follow-up (photo copies, notifications, events.tasks)
    # is queued then, and the tests' queue runs it at once.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return event_submit(actor=actor, submission=Submission(**fields))


def act(actor, event, action, **kwargs):
    return event_act(actor=actor, event=event, request=ActionRequest(action=action, **kwargs))


@pytest.fixture
def event(people, food_rule):
    return submit(people["gw"], photos=[jpeg()])


def test_grid_worker_report_reaches_the_township_station(people, event, departments):
    assert re.fullmatch(r"990101-\d{8}-\d{4,6}", event.code)
    assert event.org_code == Tree.CELL_A1
    assert event.status == Status.DISPATCHED
    assert (event.department, event.owner_department) == (departments["station"], departments["market"])
    assert set(event.deadlines) == {"dispatch", "accept"}
    assert [e.action for e in event.timeline.all()] == ["register", "dispatch"]
    assert Notification.objects.filter(user=people["station"], subject_type="events.event",
                                       subject_id=event.pk, link=f"/events/{event.pk}/").exists()


def test_codes_count_per_county_and_day(people, food_rule):
    first, second = submit(people["gw"]), submit(people["gw"], lat=31.006)

    day = timezone.localdate().strftime("%Y%m%d")
    assert first.code.startswith(f"990101-{day}-") and second.code.startswith(f"990101-{day}-")
    if connection.vendor == "postgresql":  # one sequence for every county (events.codes): gaps allowed
        assert int(second.code.rsplit("-", 1)[1]) > int(first.code.rsplit("-", 1)[1])
    else:
        assert first.code.endswith("-0001") and second.code.endswith("-0002")


def test_the_whole_loop_to_evaluation(people, event):
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="已取缔", photos=[jpeg("after.jpg")])
    act(people["gw"], event, "verify", passed=True)
    act(people["dispatcher"], event, "close")
    event = act(people["dispatcher"], event, "evaluate", rating=5)

    assert event.status == Status.EVALUATED and event.rating == 5
    assert event.closed_on_time is True
    assert [e.to_status for e in event.timeline.all()] == [
        "registered", "dispatched", "accepted", "handled", "verified", "closed", "evaluated"]
    assert AuditEntry.objects.filter(action="event.action", object_id=str(event.pk)).count() == 5


def test_failed_verification_is_rework(people, event):
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="已处理", photos=[jpeg()])

    event = act(people["gw"], event, "verify", passed=False, note="摊位还在")

    assert (event.status, event.rework_count) == (Status.ACCEPTED, 1)
    assert event.step == "handle"


def test_handling_needs_a_result_photo(people, event):
    act(people["station"], event, "accept")

    with pytest.raises(DomainError) as error:
        act(people["station"], event, "handle", note="已处理")

    assert "photos" in error.value.fields
    event.refresh_from_db()
    assert event.status == Status.ACCEPTED


def test_return_says_who_why_and_where_it_should_go(people, event, departments):
    event = act(people["station"], event, "return", reason="不属于本所职责", suggested_department="990101-housing")

    entry = event.timeline.last()
    assert event.status == Status.RETURNED and event.department is None
    assert entry.actor == people["station"]
    assert entry.extra == {"reason": "不属于本所职责", "returned_by": "990101001-market",
                           "suggested_department": "990101-housing"}
    assert Notification.objects.filter(user=people["dispatcher"], kind="returned").exists()


def test_return_without_reason_changes_nothing(people, event):
    with pytest.raises(DomainError):
        act(people["station"], event, "return")

    event.refresh_from_db()
    assert event.status == Status.DISPATCHED


def test_dispatcher_redispatches_a_returned_event(people, event, departments):
    act(people["station"], event, "return", reason="错派")

    event = act(people["dispatcher"], event, "dispatch", department="990101-housing")

    assert event.department == departments["housing"] and event.status == Status.DISPATCHED
    assert event.return_count == 1


def test_reopening_a_closed_event_sends_it_back_to_verification(people, event):
    for actor, action, kwargs in [("station", "accept", {}), ("station", "handle", {"note": "好了", "photos": [jpeg()]}),
                                  ("gw", "verify", {"passed": True}), ("dispatcher", "close", {})]:
        act(people[actor], event, action, **kwargs)

    event = act(people["dispatcher"], event, "reopen", reason="居民反映问题仍在")

    assert event.status == Status.HANDLED and event.closed_at is None and event.step == "verify"


def test_extension_moves_the_handling_deadline(people, event):
    act(people["station"], event, "accept")
    before = Event.objects.get(pk=event.pk).step_deadline

    act(people["station"], event, "extend", hours="8", reason="需协调多部门")
    event = act(people["dispatcher"], event, "approve_extension", approve=True)

    assert event.step_deadline > before and event.extension_count == 1
    with pytest.raises(DomainError) as error:
        act(people["dispatcher"], event, "approve_extension", approve=True)
    assert error.value.code == ErrorCode.ILLEGAL_TRANSITION


def test_suspend_and_resume(people, event):
    act(people["station"], event, "accept")
    assert act(people["dispatcher"], event, "suspend", reason="需要长期整治").status == Status.SUSPENDED
    assert act(people["dispatcher"], event, "resume").status == Status.ACCEPTED


def test_cancel_an_invalid_report(people, event):
    assert act(people["dispatcher"], event, "cancel", reason="重复举报").status == Status.CANCELLED


def test_grid_worker_fixes_a_blocked_lane_on_site(people, categories):
    event = submit(people["gw"], category="fire.lane", description="电动车堵塞消防通道")

    event = act(people["gw"], event, "resolve_on_site", note="已劝离挪走")

    assert event.status == Status.CLOSED and event.resolved_on_site


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", sorted(Status.values))
def test_transition_table(action, status):
    assert state_allows(status, action) == (status in TRANSITIONS[action].sources)


def test_illegal_transition_is_a_conflict_and_changes_nothing(people, event):
    with pytest.raises(DomainError) as error:
        act(people["dispatcher"], event, "close")

    assert error.value.code == ErrorCode.ILLEGAL_TRANSITION
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and event.timeline.count() == 2


def test_a_role_that_may_never_act_gets_forbidden_even_in_the_wrong_state(people, event):
    with pytest.raises(Forbidden):
        act(people["gw"], event, "close")


def test_a_station_sees_only_its_own_events(people, event):
    assert list(events_visible_to(people["station"])) == [event]
    assert list(events_visible_to(people["other_station"])) == []
    assert list(events_visible_to(people["housing"])) == []
    with pytest.raises(DomainError) as error:
        access_event(people["other_station"], event.pk)
    assert error.value.code == ErrorCode.NOT_FOUND


def test_another_department_cannot_accept(people, event):
    with pytest.raises(Forbidden):
        act(people["housing"], event, "accept")


def test_only_the_cells_grid_worker_verifies(people, event, tree):
    from tests.factories import make_user

    other = make_user("gw2", "grid_worker", scope=Tree.CELL_A2, cells=[Tree.CELL_A2])
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="好了", photos=[jpeg()])

    with pytest.raises(Forbidden):
        act(other, event, "verify", passed=True)


def test_without_a_rule_the_event_waits_for_the_dispatcher(people, categories):
    event = submit(people["gw"], category="fire.lane")

    assert event.status == Status.REGISTERED and event.department is None
    assert Notification.objects.filter(user=people["dispatcher"], kind="new_event").exists()


def test_routing_precedence(categories, departments, tree):
    food, unlicensed = categories["food"], categories["food.unlicensed"]
    RoutingRule.objects.create(category=food, org_prefix=Tree.TOWNSHIP_A, department=departments["housing"],
                               to_local_station=False)
    RoutingRule.objects.create(category=unlicensed, org_prefix="9901", department=departments["market"],
                               to_local_station=False)

    # The deeper category wins over the narrower area.
    assert find_route(category=unlicensed, org_code=Tree.CELL_A1).unit == departments["market"]
    # For the broader category, only the township rule applies.
    assert find_route(category=food, org_code=Tree.CELL_A1).unit == departments["housing"]
    assert find_route(category=food, org_code=Tree.CELL_B1) is None

    RoutingRule.objects.create(category=unlicensed, org_prefix=Tree.TOWNSHIP_A, department=departments["housing"],
                               to_local_station=False)
    # Same category, narrower area wins.
    assert find_route(category=unlicensed, org_code=Tree.CELL_A1).unit == departments["housing"]


def test_two_stations_claiming_one_place_leave_the_event_to_the_dispatcher(food_rule, categories, departments):
    from gridgov.core.models import Department

    Department.objects.create(code="990101001-market2", name="第二市场监管所", kind="station", function="market",
                              org_code=Tree.TOWNSHIP_A, parent=departments["market"])

    assert find_route(category=categories["food.unlicensed"], org_code=Tree.CELL_A1) is None


def test_nearby_open_report_of_the_same_category_is_offered_as_duplicate(people, event):
    close_by = submit(people["gw"], lat=31.0052, lng=120.0052)  # about 30 m away
    far = submit(people["gw"], lat=31.0065, lng=120.0065)  # about 220 m away

    assert possible_duplicates(close_by, user=people["dispatcher"]) == [event]
    assert possible_duplicates(far, user=people["dispatcher"]) == []
    # A unit that cannot see the first report is not told about it.
    assert possible_duplicates(close_by, user=people["housing"]) == []

    merged = event_merge(actor=people["dispatcher"], duplicate=close_by, original=event)
    assert merged.status == Status.CANCELLED and merged.duplicate_of == event


def test_deadline_skips_the_weekend(people, food_rule):
    friday_evening = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=friday_evening):
        event = submit(people["gw"])

    # 4 working hours to accept, from Friday 17:00: 30 minutes on Friday, the rest on Monday.
    accept = datetime.datetime.fromisoformat(event.deadlines["accept"])
    assert timezone.localtime(accept) == datetime.datetime(2026, 11, 30, 12, 0, tzinfo=accept.tzinfo)


def test_deadline_skips_the_national_day_holiday_and_counts_the_tiaoxiu_saturday(people, food_rule, categories):
    from decimal import Decimal

    from gridgov.events.models import CategoryLimit

    CategoryLimit.objects.filter(category=categories["food"]).update(accept_hours=Decimal("24"))
    before_holiday = datetime.datetime(2026, 9, 30, 9, 0, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=before_holiday):
        event = submit(people["gw"])

    # 7 h on Wed 30 Sept (from 9:00), 1–7 Oct holiday, 7.5 h on Thu 8 and Fri 9 Oct,
    # and the last 2 h on Saturday 10 October, a 调休 workday.
    accept = timezone.localtime(datetime.datetime.fromisoformat(event.deadlines["accept"]))
    assert accept.replace(tzinfo=None) == datetime.datetime(2026, 10, 10, 10, 30)


def test_photos_are_checked_and_every_copy_loses_its_location(people, food_rule, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    with pytest.raises(DomainError) as error:
        submit(people["gw"], photos=[SimpleUploadedFile("x.jpg", b"not an image")])
    assert "photos" in error.value.fields
    assert Event.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        event = submit(people["gw"], photos=[jpeg()])
    photo = Photo.objects.get(event=event)
    # The record copy is re-encoded too (issue 10): the event keeps its point, the file no EXIF.
    with photo.image.open("rb") as f:
        assert not Image.open(f).getexif()
    with photo.public_image.open("rb") as f:
        assert not Image.open(f).getexif()


def test_only_fixable_categories_close_on_the_spot(people, food_rule):
    with pytest.raises(DomainError) as error:
        submit(people["gw"], fixed_on_site_note="已劝离")

    assert "category" in error.value.fields
    assert Event.objects.count() == 0


def test_an_event_about_a_place_takes_its_point_and_cell(people, food_rule, tree):
    from gridgov.register.models import Place

    shop = Place.objects.create(org_code=Tree.CELL_A2, name="幸福小吃店", kind="restaurant", lat=31.005, lng=120.015)

    event = event_submit(actor=people["dispatcher"], submission=Submission(
        category_code="food.unlicensed", description="消防安全检查：灭火器过期", channel=Channel.HOTLINE,
        place_id=shop.pk))

    assert (event.place, event.org_code, event.lat) == (shop, Tree.CELL_A2, 31.005)


def test_a_place_in_another_village_than_the_point_is_refused(people, food_rule, tree):
    from gridgov.register.models import Place

    elsewhere = Place.objects.create(org_code=Tree.CELL_B1, name="外县商店", kind="shop", lat=31.005, lng=120.105)

    with pytest.raises(DomainError) as error:
        submit(people["gw"], place_id=elsewhere.pk)

    assert "place" in error.value.fields
