"""Village meetings as the grid worker and the village's officials live them: a meeting with its
officials and photos, the households present credited once, each concern tracked to its end
(on the spot, by its owner, through its event or its project), the ratio raised to resolved per
area, and the service days of the officials assigned to villages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from gridgov.core.exceptions import DomainError, Forbidden, NotFound
from gridgov.core.models import Notification, Role
from gridgov.events.workflow import Status as EventStatus
from gridgov.participation.models import Concern, Movement, PointsAccount, VillageMeeting
from gridgov.participation.selectors import meetings as selectors
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import meetings as services
from gridgov.participation.services import points
from tests.factories import EventFactory, Tree, make_api_token, make_user
from tests.participation.conftest import household

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


@pytest.fixture
def meeting(grid_worker):
    return services.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_A, held_on=timezone.localdate(),
                                   place="三组晒谷坪", convenor="陈书记", attendance=40,
                                   officials=[("王明", "司法所")])


def test_a_grid_worker_records_its_villages_meeting_and_not_another(grid_worker, meeting):
    assert meeting.officials.get().name == "王明" and meeting in selectors.meetings_for(grid_worker)
    with pytest.raises(NotFound):
        services.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_B, held_on=timezone.localdate(),
                                place="外村", convenor="x", attendance=1)
    with pytest.raises(DomainError):
        services.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_A, place="x", convenor="x", attendance=1,
                                held_on=timezone.localdate() + datetime.timedelta(days=1))
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)
    with pytest.raises(Forbidden):
        services.meeting_record(actor=keeper, org_code=Tree.VILLAGE_A, held_on=timezone.localdate(), place="x",
                                convenor="x", attendance=1)


def test_households_present_are_credited_once_by_the_meetings_rule(grid_worker, keeper, bank):
    rule = bank_services.rule_save(actor=keeper, bank=bank, name="参加屋场会", points=3)
    account = points.account_for(actor=keeper, bank=bank, household=household())
    meeting = services.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_A, held_on=timezone.localdate(),
                                      place="祠堂", convenor="陈书记", attendance=20, earning_rule=rule)

    assert services.attendance_record(actor=grid_worker, meeting=meeting, accounts=[account]) == 1
    assert services.attendance_record(actor=grid_worker, meeting=meeting, accounts=[account]) == 0

    assert PointsAccount.objects.get(pk=account.pk).balance == 3
    assert Movement.objects.get(credit=account).source_key == f"meeting:{meeting.pk}:{account.pk}"


def test_concerns_are_tracked_every_way_and_the_ratio_counts_what_is_resolved(grid_worker, meeting, tree):
    owner = make_user("owner", Role.SCREENER, scope=Tree.VILLAGE_A)
    spot = services.concern_add(actor=grid_worker, meeting=meeting, summary="路灯坏了", route="on_the_spot",
                                resolution="当场报修")
    owned = services.concern_add(actor=grid_worker, meeting=meeting, summary="排水沟堵塞", route="owner", owner="张德",
                                 owner_user=owner, deadline=timezone.localdate() + datetime.timedelta(days=7))
    event = EventFactory(org_code=Tree.CELL_A1, status=EventStatus.DISPATCHED)
    handed = services.concern_add(actor=grid_worker, meeting=meeting, summary="占道经营", route="event", event=event)

    ratio = {r.code: r for r in selectors.concern_ratio(Tree.TOWNSHIP_A, len(Tree.VILLAGE_A))}[Tree.VILLAGE_A]
    assert (ratio.raised, ratio.resolved) == (3, 1) and spot.status == "resolved"
    assert Notification.objects.filter(user=owner, kind=services.CONCERN_OWNED).exists()
    services.concern_resolve(actor=owner, concern=owned, resolution="已清淤")  # the owner itself
    type(event).objects.filter(pk=event.pk).update(status=EventStatus.CLOSED)  # the loop closed it
    ratio = {r.code: r for r in selectors.concern_ratio(Tree.TOWNSHIP_A, len(Tree.VILLAGE_A))}[Tree.VILLAGE_A]
    assert (ratio.raised, ratio.resolved, ratio.percent) == (3, 3, 100)
    with pytest.raises(DomainError):
        services.concern_resolve(actor=grid_worker, concern=handed, resolution="x")  # it follows its event


@pytest.mark.parametrize("given, field", [
    ({"route": "owner", "owner": ""}, "owner"),
    ({"route": "owner", "owner": "张德", "deadline": None}, "deadline"),
    ({"route": "on_the_spot", "resolution": ""}, "resolution"),
    ({"route": "event", "event": None}, "event"),
    ({"route": "project", "project": None}, "project"),
    ({"route": "forgotten"}, "route"),
])
def test_a_concern_needs_what_its_route_needs(grid_worker, meeting, given, field):
    with pytest.raises(DomainError) as refused:
        services.concern_add(actor=grid_worker, meeting=meeting, summary="某事", **given)
    assert field in refused.value.fields and not Concern.objects.exists()


def test_an_event_of_another_village_is_not_a_concerns_event(grid_worker, meeting):
    elsewhere = EventFactory(org_code=Tree.CELL_B1)
    with pytest.raises(DomainError):
        services.concern_add(actor=grid_worker, meeting=meeting, summary="x", route="event", event=elsewhere)


def test_officials_assigned_to_villages_record_their_own_service_days(city_admin, tree):
    official = make_user("official", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A)
    other = make_user("other", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A)
    liaison = services.liaison_assign(actor=city_admin, user=official, org_code=Tree.VILLAGE_A,
                                      starts_on=timezone.localdate() - datetime.timedelta(days=30))
    with pytest.raises(DomainError):  # once per village
        services.liaison_assign(actor=city_admin, user=official, org_code=Tree.VILLAGE_A, starts_on=timezone.localdate())

    services.service_day_record(actor=official, liaison=liaison, on_date=timezone.localdate(), note="走访农户")
    with pytest.raises(DomainError):
        services.service_day_record(actor=official, liaison=liaison, on_date=timezone.localdate(), note="again")
    with pytest.raises(NotFound):
        services.service_day_record(actor=other, liaison=liaison, on_date=timezone.localdate(), note="冒名")
    with pytest.raises(DomainError):
        services.service_day_record(actor=official, liaison=liaison, note="未来",
                                    on_date=timezone.localdate() + datetime.timedelta(days=1))
    assert selectors.service_days_in([liaison], timezone.localdate()) == {liaison.pk: 1}


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 90, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile("meeting.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_pages_record_a_meeting_with_photos_and_a_concern(client, grid_worker, django_capture_on_commit_callbacks):
    client.force_login(grid_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings-add"), {
            "org_code": Tree.VILLAGE_A, "held_on": timezone.localdate().isoformat(), "place": "村委会广场",
            "convenor": "陈书记", "attendance": 55, "officials": "王明，司法所\n李娜, 网格员", "photos": _jpeg()})
    meeting = VillageMeeting.objects.get()
    assert response["Location"] == reverse("meetings-meeting", args=[meeting.pk])
    assert [o.title for o in meeting.officials.all()] == ["司法所", "网格员"] and meeting.photos.count() == 1
    client.post(reverse("meetings-concern-add", args=[meeting.pk]),
                {"summary": "垃圾清运太少", "route": "owner", "owner": "镇环卫站",
                 "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat()})
    page = client.get(reverse("meetings-meeting", args=[meeting.pk]))
    assert "垃圾清运太少" in page.content.decode() and "镇环卫站" in page.content.decode()
    photo = client.get(reverse("meetings-photo", args=[meeting.pk, meeting.photos.get().pk]))
    assert photo.status_code == 200
    listing = client.get(reverse("meetings-list"))
    assert listing.status_code == 200 and "村委会广场" in listing.content.decode()


def test_the_api_lists_and_records_meetings_with_their_concern_counts(grid_worker, meeting):
    services.concern_add(actor=grid_worker, meeting=meeting, summary="路灯", route="on_the_spot", resolution="修好")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(grid_worker)}")

    rows = client.get("/api/v1/meetings/").json()["results"]
    created = client.post("/api/v1/meetings/", {"org_code": Tree.VILLAGE_A, "held_on": timezone.localdate().isoformat(),
                                                "place": "祠堂", "convenor": "陈书记", "attendance": 12,
                                                "officials": ["王明"]}, format="json")
    bad = client.post("/api/v1/meetings/", {"org_code": Tree.VILLAGE_A, "held_on": "2999-01-01", "place": "x",
                                            "convenor": "x", "attendance": 1}, format="json")

    assert [(r["concerns_raised"], r["concerns_resolved"]) for r in rows] == [(1, 1)]
    assert created.status_code == 201 and created.json()["attendance"] == 12
    assert bad.status_code == 400 and "held_on" in bad.json()["fields"]
