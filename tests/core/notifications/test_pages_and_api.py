"""My notifications: mark all read (page and API), my settings (page and API), query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.models import AuditEntry, Notification, NotificationContact, NotificationPreference, Role
from tests.factories import Tree, make_api_token, make_user


@pytest.fixture
def doctor(tree):
    return make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, email="doctor@example.org")


def _login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def _notes(user, n=3):
    return Notification.objects.bulk_create(Notification(user=user, kind="care_needs", text=f"通知{i}",
                                                         link="/care/") for i in range(n))


def test_mark_all_read_on_the_page(doctor, tree):
    _notes(doctor)
    other = make_user("other", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)
    _notes(other, 1)
    client = _login(doctor)
    page = client.get(reverse("notifications"))
    assert "Mark all as read" in page.content.decode() and 'nav-badge' in page.content.decode()

    response = client.post(reverse("notifications-read-all"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("notifications")
    assert "3 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(user=doctor, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1  # not anyone else's
    assert "Mark all as read" not in response.content.decode()


def test_mark_all_read_through_the_api(doctor):
    _notes(doctor, 2)
    client = _api(doctor)

    response = client.post("/api/v1/notifications/read-all/")

    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert all(n["read"] for n in client.get("/api/v1/notifications/").json()["results"])
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_the_list_keeps_its_shape_with_the_link(doctor):
    [note] = _notes(doctor, 1)

    row = _api(doctor).get("/api/v1/notifications/").json()["results"][0]

    assert row == {"id": note.pk, "kind": "care_needs", "text": "通知0", "link": "/care/", "event": None,
                   "event_code": None, "created_at": row["created_at"], "read_at": None, "read": False}


def test_the_settings_page_saves_channels_and_the_number(doctor):
    client = _login(doctor)
    page = client.get(reverse("notification-settings"))
    assert page.status_code == 200
    body = page.content.decode()
    # the doctor's kinds are listed (a crisis by e-mail and SMS by default), in-app always on
    assert "A crisis of a person in my care" in body and "Always shown in the app" in body
    assert 'name="care_crisis__email"' in body and "doctor@example.org" in body

    response = client.post(reverse("notification-settings"), {
        "sms_phone": "139-1234-5678", "care_crisis__email": "on", "care_crisis__sms": "",
        "care_needs__email": "on"}, follow=True)

    assert "Your notification settings were saved." in response.content.decode()
    assert NotificationContact.objects.get(user=doctor).sms_phone == "13912345678"
    chosen = set(NotificationPreference.objects.filter(user=doctor).values_list("kind", "channel", "enabled"))
    # only departures from the defaults are rows: crisis SMS off, needs by e-mail on
    assert ("care_crisis", "sms", False) in chosen and ("care_needs", "email", True) in chosen
    assert ("care_crisis", "email", True) not in chosen
    entry = AuditEntry.objects.get(action="user.notification_preferences")
    assert '"sms_phone":"139******78"' in entry.changes and "13912345678" not in entry.changes  # masked


def test_a_wrong_number_rerenders_the_settings_with_the_error(doctor):
    response = _login(doctor).post(reverse("notification-settings"), {"sms_phone": "12345"})

    assert response.status_code == 400
    assert "Enter an 11-digit mobile number." in response.content.decode()
    assert not NotificationContact.objects.exists()


def test_settings_through_the_api(doctor):
    client = _api(doctor)
    settings = client.get("/api/v1/notifications/settings/").json()
    crisis = next(k for k in settings["kinds"] if k["kind"] == "care_crisis")
    assert crisis["channels"] == {"email": True, "sms": True} and settings["sms_phone"] == ""

    response = client.put("/api/v1/notifications/settings/", {
        "sms_phone": "13912345678", "kinds": [{"kind": "care_crisis", "channels": {"email": False, "sms": True}}]},
        format="json")

    assert response.status_code == 200
    crisis = next(k for k in response.json()["kinds"] if k["kind"] == "care_crisis")
    assert crisis["channels"] == {"email": False, "sms": True} and response.json()["sms_phone"] == "13912345678"
    bad = client.put("/api/v1/notifications/settings/", {"sms_phone": "x"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "sms_phone" in bad.json()["fields"]


@pytest.mark.parametrize("kind", ["no_such_kind", "k" * 500])
def test_an_unknown_kind_of_notification_is_refused_and_nothing_saved(doctor, kind):
    response = _api(doctor).put("/api/v1/notifications/settings/", {
        "kinds": [{"kind": kind, "channels": {"email": False, "sms": False}}]}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "choices" in response.json()["fields"]
    assert not NotificationPreference.objects.filter(user=doctor).exists()


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_costs_the_same_queries_whatever_its_length(doctor, django_assert_num_queries, n):
    _notes(doctor, n)
    client = _login(doctor)
    # session, user, the user's roles, the header's scope name, the unread count, the page
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications"))
    assert len(response.context["items"]) == n
