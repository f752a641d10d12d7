"""The evaluation page, the routing-rule editor and the notifications page."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.core.models import Notification, Role
from gridgov.events.models import RoutingRule
from tests.events_views.conftest import act, report
from tests.factories import Tree, make_user

# --- Evaluation -----------------------------------------------------------------------------


def test_rates_without_data_show_a_dash(login, people, event):
    # given: a report this month, not yet due to close (no handling deadline yet)
    client = login(people["dispatcher"])

    # when
    response = client.get(reverse("events-ranking"), {"tab": "county"})

    # then: registration has data, closure has none: "—", never 0 %
    rows = response.context["rows"]
    assert [r["item"].key for r in rows] == [Tree.COUNTY_A]
    assert rows[0]["registration_rate"] == "100.0%"
    assert rows[0]["closure_rate"] == "—" and rows[0]["on_time_rate"] == "—"
    assert "—" in response.content.decode()


def test_grid_workers_tab(login, people, event):
    response = login(people["dispatcher"]).get(reverse("events-ranking"), {"tab": "grid_worker"})

    rows = response.context["rows"]
    assert [(r["item"].key, r["valid_report_rate"], r["on_time_verification_rate"]) for r in rows] == [
        ("gw", "100.0%", "—")]


def test_the_month_picker_and_an_empty_month(login, people, event):
    response = login(people["dispatcher"]).get(reverse("events-ranking"), {"month": "2020-01", "tab": "department"})

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No data for this month yet." in response.content.decode()


@pytest.mark.parametrize("tab", ["department", "station", "county", "township", "village", "grid_worker"])
def test_a_dispatcher_without_a_scope_ranks_nothing(login, people, event, tab):
    # given: an attacker's dispatcher account whose scope was left empty, and events this month
    act(people["station"], event, "accept")
    attacker = make_user("noscope", Role.DISPATCHER, scope="")

    # when: they open every tab of the ranking, and its Excel download
    client = login(attacker)
    page = client.get(reverse("events-ranking"), {"tab": tab})
    download = client.get(reverse("events-ranking"), {"tab": tab, "format": "xlsx"})

    # then: an empty scope is nobody's area, not the whole city
    assert page.status_code == 200 and page.context["rows"] == []
    assert load_workbook(io.BytesIO(download.getvalue())).active.max_row == 2  # the title and the headers


def test_the_ranking_counts_only_the_viewers_area(login, people, event):
    # given: a dispatcher of the other county
    act(people["station"], event, "accept")
    other = make_user("other", Role.DISPATCHER, scope=Tree.COUNTY_B)

    # when / then: the first county's station and area are not theirs to rank
    client = login(other)
    assert client.get(reverse("events-ranking"), {"tab": "station"}).context["rows"] == []
    assert client.get(reverse("events-ranking"), {"tab": "county"}).context["rows"] == []


def test_area_rows_read_as_their_name_path(login, people, event):
    response = login(people["dispatcher"]).get(reverse("events-ranking"), {"tab": "village"})

    [row] = response.context["rows"]
    assert row["item"].label.count(" › ") == 2  # 县 › 镇 › 村


def test_a_bad_month_is_a_400(login, people, db):
    assert login(people["dispatcher"]).get(reverse("events-ranking"), {"month": "2020-13"}).status_code == 400


def test_the_ranking_downloads_as_excel(login, people, event):
    # given: the station's event accepted, so that its handling is due this month
    event = act(people["station"], event, "accept")
    month = timezone.localtime(event.handle_deadline).strftime("%Y-%m")

    # when
    response = login(people["dispatcher"]).get(reverse("events-ranking"),
                                               {"month": month, "tab": "station", "format": "xlsx"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f"ranking-station-{month}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert month in sheet["A1"].value
    assert [c.value for c in sheet[3]][1] == "990101001-market"


# --- Routing rules ---------------------------------------------------------------------------


def test_a_changed_rule_keeps_its_history(login, city_admin, food_rule, departments, categories):
    client = login(city_admin)
    form = {"category": "food.unlicensed", "org_prefix": Tree.COUNTY_A, "department": departments["housing"].code}

    # when: the rule for food.unlicensed in county A is changed to the housing department
    response = client.post(reverse("events-rules"), form)

    # then: the old rule ended, the new one replaces it, and the page shows both
    assert response.status_code == 302
    new = RoutingRule.objects.get(is_active=True)
    assert new.replaces_id == food_rule.pk and new.to_local_station is False
    page = client.get(reverse("events-rules"))
    row = next(r for r in page.context["rows"] if r["rule"].pk == new.pk)
    assert [old.pk for old in row["history"]] == [food_rule.pk]
    body = page.content.decode()
    assert departments["housing"].name in body and departments["market"].name in body
    assert "History: 1 earlier rule" in body


def test_ending_a_rule(login, city_admin, food_rule):
    client = login(city_admin)

    response = client.post(reverse("events-rule-end", args=[food_rule.pk]))

    assert response.status_code == 302
    food_rule.refresh_from_db()
    assert not food_rule.is_active
    page = client.get(reverse("events-rules"))
    assert page.context["rows"] == [] and [r.pk for r in page.context["ended"]] == [food_rule.pk]
    # ending it again is a conflict that changes nothing
    assert client.post(reverse("events-rule-end", args=[food_rule.pk])).status_code == 409


def test_a_rule_for_a_department_that_does_not_serve_the_area_is_refused(login, city_admin, departments, categories):
    response = login(city_admin).post(reverse("events-rules"), {
        "category": "food", "org_prefix": Tree.COUNTY_B, "department": departments["market"].code})

    assert response.status_code == 400
    assert "does not serve this area" in response.content.decode()
    assert RoutingRule.objects.count() == 0


def test_only_config_managers_edit_rules(login, people, food_rule):
    client = login(people["dispatcher"])

    assert client.post(reverse("events-rules"), {}).status_code == 403
    assert client.post(reverse("events-rule-end", args=[food_rule.pk])).status_code == 403
    food_rule.refresh_from_db()
    assert food_rule.is_active


# --- Notifications ---------------------------------------------------------------------------


def test_notifications_unread_first_and_marked_read(login, people, event):
    # given: the station was told of the dispatched event, and has an older, read notification
    Notification.objects.create(user=people["station"], kind="x", text="旧通知", read_at=timezone.now())
    unread = Notification.objects.get(user=people["station"], read_at__isnull=True)
    client = login(people["station"])

    # when
    page = client.get(reverse("notifications"))

    # then: unread first, and the navigation shows the unread count
    assert [n.pk for n in page.context["items"]][0] == unread.pk
    body = page.content.decode()
    assert 'class="badge nav-badge"' in body and ">1</span>" in body

    # when: marked read over HTMX, the row comes back without its "New" badge
    response = client.post(reverse("notification-read", args=[unread.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "New" not in response.content.decode()
    unread.refresh_from_db()
    assert unread.read_at is not None
    assert "nav-badge" not in client.get(reverse("notifications")).content.decode()


def test_nobody_marks_another_users_notification(login, people, event):
    theirs = Notification.objects.filter(user=people["station"]).first()

    response = login(people["gw"]).post(reverse("notification-read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_without_htmx_goes_back_to_the_list(login, people, event):
    notification = Notification.objects.filter(user=people["station"]).first()

    response = login(people["station"]).post(reverse("notification-read", args=[notification.pk]))

    assert response.status_code == 302 and response.url == reverse("notifications")


def test_the_notification_says_what_happened_and_its_link_opens_the_event(login, people, event):
    # notify (issue 11): the words name the event, the link is its page, and its receiver opens it
    notification = Notification.objects.filter(user=people["station"]).first()
    client = login(people["station"])

    assert event.code in notification.text and notification.link == reverse("events-detail", args=[event.pk])
    assert client.get(notification.link).status_code == 200
    # "open" on the list marks it read and goes to the record
    response = client.post(reverse("notification-read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == notification.link


@pytest.mark.parametrize("n_reports", [1, 2])
def test_the_badge_counts_unread_notifications(login, people, food_rule, n_reports, django_capture_on_commit_callbacks):
    for i in range(n_reports):
        with django_capture_on_commit_callbacks(execute=True):  # the station is told after the commit
            report(people["gw"], lat=31.001 + i * 0.002)

    body = login(people["station"]).get(reverse("events-inbox")).content.decode()

    assert f'title="unread">{n_reports}</span>' in body
