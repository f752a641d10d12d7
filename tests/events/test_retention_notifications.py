"""When the register anonymises a person past retention, what the notifications said of
them goes too: the events about the places they were responsible for (a return's reason
naming the shop's keeper), and the notice of an emergency opening of their record. The
register asks core; core asks the events through their hook (no import of events)."""

import datetime

from django.utils import timezone

from gridgov.core.models import Notification, Role
from gridgov.core.models_notifications import Channel, Delivery
from gridgov.core.notifications import PERSON_SUBJECT, Subject, notify
from gridgov.events.models import Event
from gridgov.register import services as register_services
from gridgov.register.models import Place
from gridgov.register.retention import run_retention
from tests.events.test_loop import act, submit
from tests.factories import Tree, make_user
from tests.security.test_rights_retention import LONG_AGO, TODAY, resident_who_left


def _shop_of(person) -> Place:
    return Place.objects.create(org_code=Tree.CELL_A1, name="远走小吃店", kind="shop", lat=31.005, lng=120.005,
                                responsible_person=person, closed_on=datetime.date(2020, 1, 1))


def _delivery_of(notification) -> Delivery:
    return Delivery.objects.create(notification=notification, kind=notification.kind, channel=Channel.EMAIL,
                                   address="disp@example.org", subject="退回", text=notification.text)


def test_anonymising_a_person_forgets_the_event_notifications_that_name_them(people, food_rule):
    # given: a person who moved out long ago, keeper of a shop (closed since) an event was about,
    # returned by the station with a reason that names them; and an event about something else
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                 use="residential")
    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    about_the_shop = submit(people["gw"])
    Event.objects.filter(pk=about_the_shop.pk).update(place=_shop_of(person))
    act(people["station"], about_the_shop, "return", reason="张远走的店已关，不归我们")
    elsewhere = submit(people["gw"], lat=31.002)
    returned = Notification.objects.get(subject_type="events.event", subject_id=about_the_shop.pk, kind="returned")
    assert "张远走" in returned.text
    delivery = _delivery_of(returned)
    kept = Notification.objects.filter(subject_type="events.event", subject_id=elsewhere.pk)
    kept_texts = sorted(kept.values_list("text", flat=True))
    assert kept_texts

    # when: the nightly retention run
    assert run_retention(TODAY)["people"] == 1

    # then: every notification about that event reads neutrally, its deliveries are empty,
    # and the rows stay for the counts; the other event's notifications are untouched
    about = Notification.objects.filter(subject_type="events.event", subject_id=about_the_shop.pk)
    assert about.count() >= 2  # sent to the station, returned to the dispatcher
    assert not any("张远走" in n.text or about_the_shop.code in n.text for n in about)
    assert set(about.values_list("subject_label", flat=True)) == {""}
    delivery.refresh_from_db()
    assert (delivery.text, delivery.subject) == ("", "")
    assert sorted(kept.values_list("text", flat=True)) == kept_texts


def test_the_notice_of_an_emergency_opening_is_forgotten_with_the_person(people, tree):
    # given: a notification about the person's own record (as core.emergency writes it)
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                 use="residential")
    person, _household = resident_who_left(screener, building, on=LONG_AGO)
    other, _other_household = resident_who_left(screener, building, on=timezone.localdate(), name="李留下",
                                                 unit="1单元102")
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    for who in (person, other):
        notify(recipients=[officer], kind="emergency_access", text="%(person)s 的档案被紧急打开",
               params={}, person_name=who.name, org_code=who.org_code,
               subject=Subject(PERSON_SUBJECT, who.pk, f"#{who.pk}"))

    # when
    run_retention(TODAY)

    # then
    [forgotten] = Notification.objects.filter(subject_type=PERSON_SUBJECT, subject_id=person.pk)
    [untouched] = Notification.objects.filter(subject_type=PERSON_SUBJECT, subject_id=other.pk)
    assert "张远走" not in forgotten.text
    assert "李留下" in untouched.text
