"""notify(): in-app rows in the caller's transaction, e-mail to a local SMTP server and SMS to
a local fake of Alibaba Cloud's API after commit, retries with backoff, every delivery recorded."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from gridgov.core.models import Delivery, Notification, NotificationContact, Role
from gridgov.core.notifications import Contact, notify, register_kind
from gridgov.core.notifications.channels import ConsoleSms, aliyun_rpc_signature
from gridgov.core.notifications.deliveries import deliveries_send_due
from gridgov.core.notifications.services import notification_preferences_update
from tests.core.notifications.conftest import EMAIL_CHANNEL
from tests.factories import Tree, make_user

# Kinds of these tests only: no role holds "-", so no preferences page lists them.
register_kind("test_mailed", "Test (mailed)", channels=("email",), roles=("-",))
register_kind("test_texted", "Test (texted)", channels=("sms",), roles=("-",))


@pytest.fixture
def officer(tree):
    return make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A, email="officer@example.org",
                     display_name="王科长")


def _with_phone(user, phone="13912345678"):
    NotificationContact.objects.create(user=user, sms_phone=phone)
    return user


def test_an_email_reaches_the_smtp_server_after_commit(officer, smtp_server, django_capture_on_commit_callbacks):
    # given/when: a notification inside an action's transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify(recipients=[officer], kind="test_mailed", text="Event %(code)s was sent to you.",
                   params={"code": "990101-20261202-0001"}, link="/events/7/")
            assert smtp_server.messages == []  # nothing leaves before the commit
    assert len(callbacks) == 1

    # then: the SMTP server got one message with a real subject, the words and the link
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["officer@example.org"]
    assert message["Subject"] == "Test (mailed) — gridgov"
    body = message.get_content()
    assert "Event 990101-20261202-0001 was sent to you." in body and "/events/7/" in body
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.address_masked) == (
        "email", "sent", 1, "o******@example.org")
    assert delivery.sent_at is not None and delivery.notification.user == officer


def test_an_sms_reaches_the_provider_signed(officer, fake_aliyun, django_capture_on_commit_callbacks):
    _with_phone(officer)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_texted", text="A check-in was missed.")

    # the fake checked the signature (HMAC-SHA1 over the sorted parameters) and the fields
    assert fake_aliyun.refused == []
    [request] = fake_aliyun.received
    assert request["PhoneNumbers"] == "13912345678"
    assert (request["SignName"], request["TemplateCode"]) == ("网格治理", "SMS_000001")
    assert request["TemplateParam"] == '{"content": "A check-in was missed."}'
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.address_masked) == ("sent", 1, "139******78")


def test_the_signature_is_alibaba_clouds_documented_example():
    # The worked example of Alibaba Cloud's RPC signature documentation (DescribeRegions).
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}

    assert aliyun_rpc_signature(params, secret="testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_a_wrong_key_is_refused_and_recorded(officer, fake_aliyun, settings, django_capture_on_commit_callbacks):
    settings.GRIDGOV_SMS = {**settings.GRIDGOV_SMS, "ACCESS_KEY_SECRET": "not-the-secret"}
    _with_phone(officer)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_texted", text="x")

    delivery = Delivery.objects.get()
    assert len(fake_aliyun.refused) == 1 and fake_aliyun.received == []
    assert delivery.status == "pending" and "SignatureDoesNotMatch" in delivery.last_error


def test_a_failed_attempt_is_retried_after_a_backoff_then_recorded_sent(officer, fake_aliyun,
                                                                       django_capture_on_commit_callbacks):
    # given: the provider throttles the first request
    fake_aliyun.fail_next = 1
    _with_phone(officer)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_texted", text="A check-in was missed.")

    # then: one failed attempt recorded, the next one a minute later
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "isv.BUSINESS_LIMIT_CONTROL" in delivery.last_error
    wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(seconds=60)
    # not before its time
    assert deliveries_send_due() == 0

    # when: the time has come
    assert deliveries_send_due(now=delivery.next_attempt_at) == 1

    # then: sent on the second attempt
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 2, None)
    assert len(fake_aliyun.received) == 1


def test_after_the_last_attempt_the_delivery_is_failed(officer, fake_aliyun, settings,
                                                      django_capture_on_commit_callbacks):
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 3
    fake_aliyun.fail_next = 10
    _with_phone(officer)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_texted", text="x")
    delivery = Delivery.objects.get()
    # the waits double: 60 s, then 120 s
    first_wait = delivery.next_attempt_at
    deliveries_send_due(now=first_wait)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - first_wait == datetime.timedelta(seconds=120)
    deliveries_send_due(now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)


def test_a_failing_gateway_never_undoes_the_write(officer, settings, django_capture_on_commit_callbacks):
    # given: an SMS gateway that cannot be reached, and a mail server that is down
    settings.GRIDGOV_NOTIFY_CHANNELS = {"email": EMAIL_CHANNEL,
                                        "sms": "gridgov.core.notifications.channels.AliyunSms"}
    settings.GRIDGOV_SMS = {**settings.GRIDGOV_SMS, "ENDPOINT": "http://127.0.0.1:9/", "ACCESS_KEY_ID": "k",
                            "ACCESS_KEY_SECRET": "s", "SIGN_NAME": "n", "TEMPLATE_CODE": "t", "TIMEOUT": 2}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    _with_phone(officer)
    notification_preferences_update(user=officer, choices={("test_mailed", "sms"): True})

    # when: the action commits
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            officer.display_name = "王主任"
            officer.save(update_fields=["display_name"])
            notify(recipients=[officer], kind="test_mailed", text="Handover due.")

    # then: the action and the in-app notification stand; both deliveries wait for a retry
    officer.refresh_from_db()
    assert officer.display_name == "王主任"
    assert Notification.objects.filter(user=officer, text="Handover due.").exists()
    rows = {d.channel: d for d in Delivery.objects.all()}
    assert set(rows) == {"email", "sms"}
    assert all(d.status == "pending" and d.attempts == 1 and d.last_error for d in rows.values())


def test_a_rolled_back_action_tells_nobody(officer, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            notify(recipients=[officer], kind="test_mailed", text="x")
            raise RuntimeError("the action failed")

    assert (Notification.objects.count(), Delivery.objects.count(), smtp_server.messages) == (0, 0, [])


def test_preferences_decide_the_channels(officer, smtp_server, fake_aliyun, django_capture_on_commit_callbacks):
    # given: the officer switched e-mail off and SMS on for this kind, with a number
    notification_preferences_update(user=officer, choices={("test_mailed", "email"): False,
                                                           ("test_mailed", "sms"): True}, sms_phone="139 1234 5678")

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_mailed", text="x")

    # then: in the app (always), by SMS, not by e-mail
    assert Notification.objects.filter(user=officer).count() == 1
    assert smtp_server.messages == []
    assert [r["PhoneNumbers"] for r in fake_aliyun.received] == ["13912345678"]
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]


def test_without_an_address_or_a_wish_only_the_app_shows_it(officer, django_capture_on_commit_callbacks):
    officer.email = ""
    officer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer], kind="test_mailed", text="x")  # e-mail wanted, no address
        notify(recipients=[officer], kind="test_unregistered", text="y")  # in the app only

    assert Notification.objects.filter(user=officer).count() == 2
    assert not Delivery.objects.exists()


def test_the_person_is_named_as_each_receiver_may_see_them(tree, django_capture_on_commit_callbacks):
    # given: an officer of the person's county (may open person records there), one of another
    # county, and station staff (may not open person records at all)
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    officer_b = make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B)
    station = make_user("station", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)

    notify(recipients=[officer, officer_b, station], contacts=[Contact(phone="13800001111")], kind="test_texted",
           text="%(person)s missed the check-in due on %(date)s.", params={"date": "2026-12-01"},
           person_name="陈明", org_code=Tree.CELL_A1)

    texts = dict(Notification.objects.values_list("user__username", "text"))
    assert texts == {"officer": "陈明 missed the check-in due on 2026-12-01.",
                     "officer_b": "陈* missed the check-in due on 2026-12-01.",
                     "station": "陈* missed the check-in due on 2026-12-01."}
    # a contact without an account: masked too
    assert Delivery.objects.get(notification=None).text == "陈* missed the check-in due on 2026-12-01."


def test_the_console_sms_prints_and_keeps_nothing(capsys):
    adapter = ConsoleSms()

    adapter.send(address="13800001111", subject="", text="危机预警：请立即处置")

    assert "[SMS to 138******11] 危机预警：请立即处置" in capsys.readouterr().out
    # nothing held on the instance or the class
    assert vars(adapter) == {}
    assert not [v for k, v in vars(ConsoleSms).items() if not k.startswith("__") and not callable(v)]


def test_a_resident_without_an_account_is_mailed_at_the_address_they_left(tree, smtp_server,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(contacts=[Contact(email="resident@example.org")], kind="closed",
               text="Your report 990101-20261202-0001 has been closed.", link="/track/abc/")

    [(recipients, message)] = smtp_server.messages
    assert recipients == ["resident@example.org"]
    assert "/track/abc/" in message.get_content() and not Notification.objects.exists()
    assert Delivery.objects.get().address_masked == "r*******@example.org"
