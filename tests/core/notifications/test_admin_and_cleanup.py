"""The operators' admin list of deliveries (read-only, masked, scoped) and the cleanup of
deliveries and read notifications past the retention."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gridgov.core.admin_notifications import scrub_error
from gridgov.core.models import Role
from gridgov.core.models_notifications import Channel, Delivery, Notification
from gridgov.core.notifications.retention import notifications_cleanup
from tests.factories import Tree, make_user

PHONE = "13912345678"
EMAIL = "li.family@example.com"


def _login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _delivery(**extra) -> Delivery:
    values = {"kind": "crisis_opened", "org_code": Tree.CELL_A1, "channel": Channel.SMS, "address": PHONE,
              "address_masked": "139******78", "text": "危机：王小明 需要帮助", "status": Delivery.Status.FAILED,
              "attempts": 5, "last_error": f"GatewayError: isv.MOBILE_NUMBER_ILLEGAL for {PHONE} <{EMAIL}>"}
    values.update(extra)
    return Delivery.objects.create(**values)


@pytest.fixture
def operator(tree):
    return make_user("ops", Role.CITY_ADMIN, scope=Tree.COUNTY_A, is_staff=True)


def test_operators_see_deliveries_with_masked_addresses_and_no_words(operator):
    delivery = _delivery()
    _delivery(org_code=Tree.CELL_B1, address_masked="138******00", address="13800000000")  # another county

    client = _login(operator)
    listing = client.get(reverse("admin:core_delivery_changelist")).content.decode()
    page = client.get(reverse("admin:core_delivery_change", args=[delivery.pk])).content.decode()

    for content in (listing, page):
        assert "139******78" in content and "MOBILE_NUMBER_ILLEGAL" in content
        assert PHONE not in content and EMAIL not in content and "王小明" not in content
    assert "138******00" not in listing  # outside the operator's area
    # filters by status, channel and kind
    assert "?status__exact=failed" in listing and "?channel__exact=sms" in listing


def test_the_delivery_list_is_read_only(operator):
    delivery = _delivery()
    client = _login(operator)

    assert client.post(reverse("admin:core_delivery_change", args=[delivery.pk]), {"status": "sent"}).status_code == 403
    assert client.get(reverse("admin:core_delivery_add")).status_code == 403
    assert client.post(reverse("admin:core_delivery_delete", args=[delivery.pk]), {"post": "yes"}).status_code == 403
    assert Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).exists()


def test_staff_without_account_administration_do_not_see_deliveries(tree):
    _delivery()
    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A, is_staff=True)

    assert _login(dispatcher).get(reverse("admin:core_delivery_changelist")).status_code == 403


def test_the_delivery_list_costs_the_same_queries_whatever_its_length(operator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 30):
        Delivery.objects.all().delete()
        for _i in range(n):
            _delivery()
        client = _login(operator)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("admin:core_delivery_changelist"))
        counts.append(len(queries))
        reads = [q["sql"] for q in queries if 'FROM "core_delivery"' in q["sql"]]
        # the count, the page, the date hierarchy's range and days, the kinds to filter by
        assert len(reads) == 5
        assert not any('"address"' in sql or '"text"' in sql for sql in reads)  # never loaded
    assert counts[0] == counts[1]


def test_errors_are_scrubbed_of_addresses():
    assert scrub_error(f"550 <{EMAIL}> unknown; +86 {PHONE}") == "550 <l***@example.com> unknown; 139******78"


def _age(queryset, days: int) -> None:
    queryset.update(created_at=timezone.now() - datetime.timedelta(days=days))


@override_settings(GRIDGOV_NOTIFY_RETENTION_DAYS=30)
def test_cleanup_deletes_old_deliveries_and_old_read_notifications_only(tree):
    user = make_user("gw1", Role.GRID_WORKER, scope=Tree.CELL_A1)
    old_read = Notification.objects.create(user=user, kind="k", text="old, read", read_at=timezone.now())
    old_unread = Notification.objects.create(user=user, kind="k", text="old, unread")
    new_read = Notification.objects.create(user=user, kind="k", text="new, read", read_at=timezone.now())
    _age(Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]), 31)
    old_delivery, new_delivery = _delivery(), _delivery()
    of_old_read = _delivery(notification=old_read)
    _age(Delivery.objects.filter(pk=old_delivery.pk), 31)

    result = notifications_cleanup()

    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, new_read.pk}
    assert set(Delivery.objects.values_list("pk", flat=True)) == {new_delivery.pk}
    assert not Delivery.objects.filter(pk=of_old_read.pk).exists()  # went with its notification
    assert (result.deliveries, result.notifications) == (1, 1)


def test_the_command_takes_the_retention_from_the_setting_or_the_option(tree, capsys):
    _age(Delivery.objects.filter(pk=_delivery().pk), 10)

    call_command("notifications_cleanup")  # 180 days by default: kept
    assert Delivery.objects.count() == 1
    call_command("notifications_cleanup", "--days", "7")
    assert Delivery.objects.count() == 0
    assert "1 deliveries and 0 read notifications deleted" in capsys.readouterr().out


def test_the_task_cleans_up(tree):
    from gridgov.core.notifications.tasks import cleanup_notifications

    _age(Delivery.objects.filter(pk=_delivery().pk), 400)

    result = cleanup_notifications.enqueue()

    assert result.return_value == {"deliveries": 1, "notifications": 0}
    assert not Delivery.objects.exists()
