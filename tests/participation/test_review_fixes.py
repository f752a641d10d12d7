"""What a review of participation found an attacker with ordinary accounts could do, each tried
again and refused: approving one's own volunteer hours, guessing a shift's code, reading a
hidden suggestion's title, checking in volunteers on another area's shift, crediting meeting
points to households outside one's cells, redeeming at another village's bank."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from gridgov.core.exceptions import DomainError, NotFound
from gridgov.core.models import Role
from gridgov.participation.models import MeetingAttendance, ServiceHours
from gridgov.participation.selectors import volunteers as volunteer_selectors
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import meetings, points, suggestions
from gridgov.participation.services import volunteers as services
from tests.factories import Tree, make_user
from tests.participation.conftest import household
from tests.participation.test_suggestions import point

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_an_organiser_who_also_volunteers_does_not_approve_its_own_hours(tree):
    both = make_user("both", Role.VOLUNTEER, Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)
    organiser = make_user("org", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)
    volunteer = services.volunteer_register(actor=organiser, name="自己", org_code=Tree.VILLAGE_A, user=both)
    activity = services.activity_create(actor=organiser, org_code=Tree.VILLAGE_A, title="清扫", place="村道")
    mine = services.hours_record(actor=both, volunteer=volunteer, activity=activity, served_on=timezone.localdate(),
                                 minutes=600, note="清扫")

    assert mine.source == "self" and mine not in volunteer_selectors.pending_hours(both)
    with pytest.raises(DomainError):
        services.hours_decide(actor=both, hours=mine, approve=True)
    services.hours_decide(actor=organiser, hours=mine, approve=False, reason="当天没有排班")
    assert ServiceHours.objects.get(pk=mine.pk).status == "declined"


def test_a_shifts_code_cannot_be_guessed_from_the_phone(client, tree):
    organiser = make_user("org", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)
    user = make_user("v", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    services.volunteer_register(actor=organiser, name="陈晓", org_code=Tree.VILLAGE_A, user=user)
    client.force_login(user)

    answers = [client.post(reverse("volunteers-check-in-code"), {"code": f"{n:06d}"}).status_code for n in range(11)]

    assert answers[:10] == [400] * 10 and answers[10] == 429


def test_a_hidden_suggestions_title_is_not_on_its_public_page(client, tree):
    suggestion, token = suggestions.submit(topic="other", title="某某家的狗", text="某某家的狗天天乱叫，应该处理。",
                                           **point())
    for n in range(3):
        suggestions.report(suggestion=suggestion, reason="personal", client=f"198.51.100.{n}")

    public = client.get(reverse("suggestions-page", args=[suggestion.tracking_code])).content.decode()
    author = client.get(reverse("suggestions-follow", args=[suggestion.tracking_code, token])).content.decode()
    assert "某某家的狗" not in public and "某某家的狗" in author


def test_an_organiser_checks_in_only_on_shifts_of_its_area(tree):
    village = make_user("org-a", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)
    county = make_user("org-county", Role.VOLUNTEER_ORGANISER, scope=Tree.COUNTY_A)
    volunteer = services.volunteer_register(actor=village, name="陈晓", org_code=Tree.VILLAGE_A)
    activity = services.activity_create(actor=county, org_code=Tree.COUNTY_A, title="县城环境整治", place="县广场")
    start = timezone.now() + datetime.timedelta(hours=1)
    shift = services.shift_add(actor=county, activity=activity, starts_at=start,
                               ends_at=start + datetime.timedelta(hours=2), capacity=5)
    signup = services.sign_up(actor=county, shift=shift, volunteer=volunteer)

    with pytest.raises(NotFound):  # the village's organiser did not run the county's shift
        services.check_in(actor=village, signup=signup)
    with pytest.raises(NotFound):
        services.hours_record(actor=village, volunteer=volunteer, activity=activity, minutes=60,
                              served_on=timezone.localdate(), note="冒领")


def test_meeting_points_go_only_to_households_of_the_recorders_cells(client, grid_worker, keeper, bank):
    rule = bank_services.rule_save(actor=keeper, bank=bank, name="参加屋场会", points=3)
    mine = points.account_for(actor=keeper, bank=bank, household=household(head="本格"))
    other = points.account_for(actor=keeper, bank=bank, household=household(cell=Tree.CELL_A2, head="别格"))
    meeting = meetings.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_A, held_on=timezone.localdate(),
                                      place="祠堂", convenor="陈书记", attendance=20, earning_rule=rule)
    client.force_login(grid_worker)

    page = client.get(reverse("meetings-meeting", args=[meeting.pk]))
    client.post(reverse("meetings-attendance", args=[meeting.pk]), {"accounts": [mine.pk, other.pk]})

    assert [row["account"].pk for row in page.context["accounts"]] == [mine.pk]
    assert list(MeetingAttendance.objects.values_list("account_id", flat=True)) == [mine.pk]


def test_a_keeper_redeems_only_at_the_bank_of_its_village(tree, bank):
    township_keeper = make_user("bank-town", Role.BANK_KEEPER, scope=Tree.TOWNSHIP_A)
    other_village_keeper = make_user("bank-b", Role.BANK_KEEPER, scope=Tree.VILLAGE_B)
    account = points.account_for(actor=township_keeper, bank=bank, household=household())
    points.earn(actor=township_keeper, account=account, amount=10, reason="巡逻", idempotency_key="e")

    with pytest.raises(NotFound):
        points.redeem(actor=other_village_keeper, account=account, amount=5, idempotency_key="r")
    points.redeem(actor=township_keeper, account=account, amount=5, idempotency_key="r2")  # above the village: keeps it
